import numpy as np
import pytest

from lib.checks import check_momentum_form_b, check_nesterov_lookahead_step


def _form_b(theta, u, g, lr, mu):
    u = mu * u - lr * g
    return theta + u, u


def _form_b_via_a(theta, u, g, lr, mu):
    # form A in disguise, converting the velocity with the current rate: also form B
    v = -u / lr
    v = mu * v + g
    return theta - lr * v, -lr * v


def _form_a(theta, u, g, lr, mu):
    # form A's velocity returned as u: the same path only if lr = 1
    u = mu * u + g
    return theta - lr * u, u


def _sign_flipped(theta, u, g, lr, mu):
    u = mu * u + lr * g
    return theta + u, u


def _old_velocity(theta, u, g, lr, mu):
    # moves with the velocity of the previous step
    return theta + u, mu * u - lr * g


def _nesterov(theta, u, grad, lr, mu):
    u = mu * u - lr * grad(theta + mu * u)
    return theta + u, u


def _heavy_ball(theta, u, grad, lr, mu):
    # gradient at theta instead of the look-ahead point
    u = mu * u - lr * grad(theta)
    return theta + u, u


def _from_lookahead(theta, u, grad, lr, mu):
    # steps from the look-ahead point instead of from theta
    ahead = theta + mu * u
    u = mu * u - lr * grad(ahead)
    return ahead + u, u


def _returns_lookahead(theta, u, grad, lr, mu):
    # returns the framework's parameter instead of theta
    u = mu * u - lr * grad(theta + mu * u)
    return theta + u + mu * u, u


def test_form_b_correct_answers_pass(capsys):
    check_momentum_form_b(_form_b)
    check_momentum_form_b(_form_b_via_a)
    assert capsys.readouterr().out.count("matches lib.optim.SGD") == 2


@pytest.mark.parametrize("wrong", [_form_a, _sign_flipped, _old_velocity])
def test_form_b_wrong_answers_fail(wrong):
    with pytest.raises(AssertionError):
        check_momentum_form_b(wrong)


def test_nesterov_correct_answer_passes(capsys):
    check_nesterov_lookahead_step(_nesterov)
    assert "nesterov=True" in capsys.readouterr().out


@pytest.mark.parametrize("wrong", [_heavy_ball, _from_lookahead, _returns_lookahead])
def test_nesterov_wrong_answers_fail(wrong):
    with pytest.raises(AssertionError):
        check_nesterov_lookahead_step(wrong)


def test_bad_return_value_fails():
    with pytest.raises(AssertionError, match="pair"):
        check_momentum_form_b(lambda theta, u, g, lr, mu: theta)
    with pytest.raises(AssertionError, match="shape"):
        check_nesterov_lookahead_step(lambda theta, u, grad, lr, mu: (theta[:1], u))
    with pytest.raises(AssertionError, match="NaN"):
        check_momentum_form_b(lambda theta, u, g, lr, mu: (theta * np.nan, u))


@pytest.mark.parametrize("check", [check_momentum_form_b, check_nesterov_lookahead_step])
def test_not_callable(check):
    with pytest.raises(ValueError, match="callable"):
        check("not a function")
