"""The objective-functions chapter's reader check accepts correct answers and rejects wrong ones."""

import numpy as np
import pytest

from lib import checks


def log_softmax_stable(scores):
    z = scores - scores.max(axis=1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=1, keepdims=True))


def log_softmax_unnormalized(scores):
    return scores - scores.max(axis=1, keepdims=True)  # forgets the log-sum-exp


def log_softmax_naive(scores):
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        e = np.exp(scores)
        return np.log(e / e.sum(axis=1, keepdims=True))


def log_softmax_in_place(scores):
    scores -= scores.max(axis=1, keepdims=True)  # changes the caller's array
    return scores - np.log(np.exp(scores).sum(axis=1, keepdims=True))


def test_check_log_softmax_accepts_stable(capsys):
    checks.check_log_softmax(log_softmax_stable)
    assert "matches" in capsys.readouterr().out


def test_check_log_softmax_rejects_unnormalized():
    with pytest.raises(AssertionError, match="largest difference"):
        checks.check_log_softmax(log_softmax_unnormalized)


def test_check_log_softmax_rejects_naive_overflow():
    with pytest.raises(AssertionError, match="NaN or inf"):
        checks.check_log_softmax(log_softmax_naive)


def test_check_log_softmax_rejects_changed_input():
    with pytest.raises(AssertionError, match="changed its input"):
        checks.check_log_softmax(log_softmax_in_place)


def test_check_log_softmax_rejects_non_callable():
    with pytest.raises(ValueError, match="callable"):
        checks.check_log_softmax("not a function")
