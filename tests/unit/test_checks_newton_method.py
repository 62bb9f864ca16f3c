import numpy as np
import pytest

from lib.checks import check_hessian_vector_product


def _centered(grad, theta, d, h):
    return (grad(theta + h * d) - grad(theta - h * d)) / (2 * h)


def _centered_in_place(grad, theta, d, h):
    # perturbs a copy in place and restores nothing of the caller's: also right
    t = theta.copy()
    t += h * d
    g_plus = grad(t)
    t -= 2 * h * d
    return (g_plus - grad(t)) / (2 * h)


def _forward(grad, theta, d, h):
    return (grad(theta + h * d) - grad(theta)) / h


def _divides_by_h(grad, theta, d, h):
    return (grad(theta + h * d) - grad(theta - h * d)) / h


def _normalizes_d(grad, theta, d, h):
    u = d / np.linalg.norm(d)
    return (grad(theta + h * u) - grad(theta - h * u)) / (2 * h)


def _sign_flipped(grad, theta, d, h):
    return (grad(theta - h * d) - grad(theta + h * d)) / (2 * h)


def _mutates_theta(grad, theta, d, h):
    theta += h * d
    g_plus = grad(theta)
    theta -= 2 * h * d
    g_minus = grad(theta)
    return (g_plus - g_minus) / (2 * h)


def _own_step(grad, theta, d, h):
    # ignores the h it is given: a step of 1e-2 is too coarse for the tolerance
    return _centered(grad, theta, d, 1e-2)


def test_right_answers_pass(capsys):
    check_hessian_vector_product(_centered)
    check_hessian_vector_product(_centered_in_place)
    assert capsys.readouterr().out.count("match the exact H d") == 2


@pytest.mark.parametrize(("wrong", "message"), [
    (_forward, "forward difference"),
    (_divides_by_h, "twice H d"),
    (_normalizes_d, "do not normalize d"),
    (_sign_flipped, "sign is flipped"),
    (_mutates_theta, "changed theta or d"),
    (_own_step, "relative error"),
])
def test_wrong_answers_fail(wrong, message):
    with pytest.raises(AssertionError, match=message):
        check_hessian_vector_product(wrong)


def test_not_callable_is_a_value_error():
    with pytest.raises(ValueError, match="your_fn must be callable"):
        check_hessian_vector_product(np.eye(2))
