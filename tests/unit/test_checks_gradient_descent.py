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


def armijo(f, theta, g, eta0, c1, rho):
    eta, f0, gg = eta0, f(theta), g @ g
    while f(theta - eta * g) > f0 - c1 * eta * gg:
        eta *= rho
    return eta


def armijo_shrinks_first(f, theta, g, eta0, c1, rho):
    eta, f0, gg = eta0 * rho, f(theta), g @ g      # never tries eta0 itself
    while f(theta - eta * g) > f0 - c1 * eta * gg:
        eta *= rho
    return eta


def armijo_plain_decrease(f, theta, g, eta0, c1, rho):
    eta, f0 = eta0, f(theta)                       # forgets c1: any decrease is accepted
    while f(theta - eta * g) >= f0:
        eta *= rho
    return eta


def armijo_norm_not_squared(f, theta, g, eta0, c1, rho):
    eta, f0, gn = eta0, f(theta), np.linalg.norm(g)
    while f(theta - eta * g) > f0 - c1 * eta * gn:
        eta *= rho
    return eta


def armijo_one_step_too_far(f, theta, g, eta0, c1, rho):
    return armijo(f, theta, g, eta0, c1, rho) * rho


def armijo_in_place(f, theta, g, eta0, c1, rho):
    eta = armijo(f, theta, g, eta0, c1, rho)
    theta -= eta * g                                # moves the caller's theta
    return eta


def armijo_returns_point(f, theta, g, eta0, c1, rho):
    return theta - armijo(f, theta, g, eta0, c1, rho) * g


def armijo_never_shrinks(f, theta, g, eta0, c1, rho):
    eta, f0, gg = eta0, f(theta), g @ g
    while f(theta - eta * g) > f0 - c1 * eta * gg:
        eta = eta * 1.0                             # forgets rho: loops forever
    return eta


def test_check_armijo_accepts_correct(capsys):
    checks.check_armijo_backtracking(armijo)
    assert "right on all" in capsys.readouterr().out


@pytest.mark.parametrize(("wrong", "message"), [
    (armijo_shrinks_first, "test eta0 itself"),
    (armijo_plain_decrease, "too long a step"),
    (armijo_norm_not_squared, "squared norm"),
    (armijo_one_step_too_far, "one reduction too many"),
    (armijo_in_place, "changed theta"),
    (armijo_returns_point, "a number"),
    (armijo_never_shrinks, "more than"),
])
def test_check_armijo_rejects_wrong(wrong, message):
    with pytest.raises(AssertionError, match=message):
        checks.check_armijo_backtracking(wrong)


def test_check_armijo_rejects_non_callable():
    with pytest.raises(ValueError, match="callable"):
        checks.check_armijo_backtracking(3.0)
