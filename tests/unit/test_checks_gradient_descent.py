"""The gradient descent chapter's reader check accepts a correct answer and rejects wrong ones."""

import numpy as np
import pytest

from lib import checks


def correct(grad, w0, lr, num_steps):
    path = [np.array(w0, dtype=float)]
    for _ in range(num_steps):
        path.append(path[-1] - lr * grad(path[-1]))
    return np.array(path)


def uphill(grad, w0, lr, num_steps):
    path = [np.array(w0, dtype=float)]
    for _ in range(num_steps):
        path.append(path[-1] + lr * grad(path[-1]))
    return np.array(path)


def without_start(grad, w0, lr, num_steps):
    return correct(grad, w0, lr, num_steps)[1:]


def changes_w0(grad, w0, lr, num_steps):
    path = correct(grad, w0, lr, num_steps)
    w0 -= lr * grad(w0)  # updates the caller's array in place
    return path


def test_check_gradient_descent_accepts_correct(capsys):
    checks.check_gradient_descent(correct)
    assert "match" in capsys.readouterr().out


def test_check_gradient_descent_rejects_uphill():
    with pytest.raises(AssertionError, match="difference"):
        checks.check_gradient_descent(uphill)


def test_check_gradient_descent_rejects_missing_start():
    with pytest.raises(AssertionError, match="shape"):
        checks.check_gradient_descent(without_start)


def test_check_gradient_descent_rejects_changed_w0():
    with pytest.raises(AssertionError, match="w0 was changed"):
        checks.check_gradient_descent(changes_w0)


def test_check_gradient_descent_rejects_non_callable():
    with pytest.raises(ValueError, match="callable"):
        checks.check_gradient_descent(np.zeros(2))
