"""lib.checks.check_bfgs_inverse_update accepts right answers and names the usual slips."""

import numpy as np
import pytest

from lib.checks import check_bfgs_inverse_update
from lib.second_order import _bfgs_update


def _textbook(Hinv, s, y):
    rho = 1.0 / (y @ s)
    V = np.eye(len(s)) - rho * np.outer(y, s)
    return V.T @ Hinv @ V + rho * np.outer(s, s)


def _expanded(Hinv, s, y):
    # O(n^2): no n x n product, the form lib uses
    rho = 1.0 / (y @ s)
    Hy = Hinv @ y
    return (Hinv - rho * (np.outer(Hy, s) + np.outer(s, Hy))
            + (rho * rho * (y @ Hy) + rho) * np.outer(s, s))


def _lib_in_place_on_a_copy(Hinv, s, y):
    H = Hinv.copy()
    _bfgs_update(H, s, y, float(y @ s))
    return H


def _swapped(Hinv, s, y):
    rho = 1.0 / (y @ s)
    V = np.eye(len(s)) - rho * np.outer(y, s)
    return V @ Hinv @ V.T + rho * np.outer(s, s)


def _no_ss(Hinv, s, y):
    rho = 1.0 / (y @ s)
    V = np.eye(len(s)) - rho * np.outer(y, s)
    return V.T @ Hinv @ V


def _dfp(Hinv, s, y):
    Hy = Hinv @ y
    return Hinv - np.outer(Hy, Hy) / (y @ Hy) + np.outer(s, s) / (y @ s)


def _direct(Hinv, s, y):
    Hs = Hinv @ s
    return Hinv - np.outer(Hs, Hs) / (s @ Hs) + np.outer(y, y) / (y @ s)


def _rho_ss(Hinv, s, y):
    rho = 1.0 / (s @ s)
    V = np.eye(len(s)) - rho * np.outer(y, s)
    return V.T @ Hinv @ V + rho * np.outer(s, s)


def _rho_yy(Hinv, s, y):
    rho = 1.0 / (y @ y)
    V = np.eye(len(s)) - rho * np.outer(y, s)
    return V.T @ Hinv @ V + rho * np.outer(s, s)


def _not_symmetric(Hinv, s, y):
    # V^T B^-1 V + rho s s^T with only one factor V: satisfies nothing in general
    rho = 1.0 / (y @ s)
    V = np.eye(len(s)) - rho * np.outer(y, s)
    return Hinv @ V + rho * np.outer(s, s)


def _cross_sign(Hinv, s, y):
    rho = 1.0 / (y @ s)
    Hy = Hinv @ y
    return (Hinv + rho * (np.outer(Hy, s) + np.outer(s, Hy))
            + (rho * rho * (y @ Hy) + rho) * np.outer(s, s))


def _in_place(Hinv, s, y):
    Hinv[...] = _expanded(Hinv, s, y)
    return Hinv


def _transposed_only(Hinv, s, y):
    return _textbook(Hinv, s, y).T[:, :-1] if len(s) > 1 else _textbook(Hinv, s, y)


def test_right_answers_pass(capsys):
    for fn in (_textbook, _expanded, _lib_in_place_on_a_copy):
        check_bfgs_inverse_update(fn)
    assert capsys.readouterr().out.count("matches the BFGS formula") == 3


@pytest.mark.parametrize(("wrong", "message"), [
    (_swapped, "wrong sides"),
    (_no_ss, "is missing"),
    (_dfp, "DFP update"),
    (_direct, "update of B itself"),
    (_rho_ss, r"not 1 / \(s\^T s\)"),
    (_rho_yy, r"not 1 / \(y\^T y\)"),
    (_not_symmetric, r"asymmetry [1-9]\.\de[-+]0[0-2]"),
    (_cross_sign, "wrong sign"),
    (_in_place, "changed Hinv, s or y"),
    (_transposed_only, "must have shape"),
])
def test_wrong_answers_fail(wrong, message):
    with pytest.raises(AssertionError, match=message):
        check_bfgs_inverse_update(wrong)


def test_the_cases_are_valid_and_the_hints_are_distinct():
    from lib.checks import _bfgs_inverse_cases, _bfgs_inverse_reference

    cases = _bfgs_inverse_cases()
    assert [len(s) for _, _, s, _ in cases] == [2, 5, 30, 1]
    for _, Hinv, s, y in cases:
        assert y @ s > 0
        assert np.linalg.eigvalsh(Hinv).min() > 0
        want = _bfgs_inverse_reference(Hinv, s, y)
        np.testing.assert_allclose(want @ y, s, rtol=1e-8, atol=1e-12)
        if len(s) > 1:  # every slip gives a different matrix, so each hint is unambiguous
            kinds = ["swapped", "no_ss", "dfp", "direct", "rho_ss", "rho_yy", "cross_sign"]
            mats = [want] + [_bfgs_inverse_reference(Hinv, s, y, k) for k in kinds]
            for i in range(len(mats)):
                for j in range(i):
                    assert np.abs(mats[i] - mats[j]).max() > 1e-7 * np.abs(want).max()


def test_not_callable_is_a_value_error():
    with pytest.raises(ValueError, match="your_fn must be callable"):
        check_bfgs_inverse_update("update")
