"""lib.checks.check_hinge_slice accepts a correct answer and rejects wrong ones."""

import numpy as np
import pytest

from lib.checks import check_hinge_slice


def correct(w0, w1, w2, x):
    w = (w0, w1, w2)
    return sum(
        max(0.0, w[j] * x[i] - w[i] * x[i] + 1.0) for i in range(3) for j in range(3) if j != i
    ) / 3


def as_printed_in_notes(w0, w1, w2, x):
    """The lecture notes' slip: x_0 where x_1 belongs in the w0-hinge of L_1."""
    def hinge(z):
        return max(0.0, z)

    L0 = hinge(w1 * x[0] - w0 * x[0] + 1) + hinge(w2 * x[0] - w0 * x[0] + 1)
    L1 = hinge(w0 * x[0] - w1 * x[1] + 1) + hinge(w2 * x[1] - w1 * x[1] + 1)
    L2 = hinge(w0 * x[2] - w2 * x[2] + 1) + hinge(w1 * x[2] - w2 * x[2] + 1)
    return (L0 + L1 + L2) / 3


def test_accepts_correct_answer(capsys):
    check_hinge_slice(correct)
    assert "check_hinge_slice" in capsys.readouterr().out


def test_rejects_the_notes_slip():
    with pytest.raises(AssertionError):
        check_hinge_slice(as_printed_in_notes)


def test_rejects_sum_instead_of_mean():
    with pytest.raises(AssertionError):
        check_hinge_slice(lambda w0, w1, w2, x: 3 * correct(w0, w1, w2, x))


def test_rejects_non_scalar_return():
    with pytest.raises(AssertionError):
        check_hinge_slice(lambda w0, w1, w2, x: np.zeros(3))


def test_rejects_non_callable():
    with pytest.raises(ValueError, match="callable"):
        check_hinge_slice(42)
