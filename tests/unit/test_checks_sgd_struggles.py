import numpy as np
import pytest

from lib.checks import check_classify_critical_point


def _correct(H):
    lam = np.linalg.eigvalsh(np.asarray(H, dtype=float))
    zero = 1e-8 * np.abs(lam).max()
    if np.any(lam > zero) and np.any(lam < -zero):
        return "saddle"
    if np.all(lam > zero):
        return "minimum"
    if np.all(lam < -zero):
        return "maximum"
    return "degenerate"


def _no_degenerate(H):
    # the lecture notes' three-way rule: a zero eigenvalue is counted as positive
    lam = np.linalg.eigvalsh(H)
    if np.all(lam >= 0):
        return "minimum"
    if np.all(lam <= 0):
        return "maximum"
    return "saddle"


def _by_diagonal(H):
    # reads the signs off the diagonal instead of the eigenvalues
    d = np.diag(H)
    if np.all(d > 0):
        return "minimum"
    if np.all(d < 0):
        return "maximum"
    return "saddle"


def test_correct_answer_passes(capsys):
    check_classify_critical_point(_correct)
    assert "classified correctly" in capsys.readouterr().out


@pytest.mark.parametrize("wrong", [_no_degenerate, _by_diagonal])
def test_wrong_answers_fail(wrong):
    with pytest.raises(AssertionError):
        check_classify_critical_point(wrong)


def test_not_callable():
    with pytest.raises(ValueError, match="callable"):
        check_classify_critical_point("not a function")
