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


def _momentum_floor(theta, u, g, lr, mu):
    # never lets the momentum fall below 0.5: right for every constant momentum of the check
    u = max(mu, 0.5) * u - lr * g
    return theta + u, u


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


def test_form_b_momentum_that_ignores_changes_fails():
    # passes the constant-rate cases and the plain schedule, so only the last case catches it
    with pytest.raises(AssertionError, match="mu it is given"):
        check_momentum_form_b(_momentum_floor)


def test_form_a_under_a_schedule_is_form_b_with_a_rescaled_momentum():
    # the identity the last case of check_momentum_form_b relies on, against torch-free lib
    from lib.landscapes import Quadratic
    from lib.optim import SGD
    from lib.schedules import step_decay

    f = Quadratic.with_condition(20.0, angle=0.3)
    lr, mu = step_decay(0.05, 7, 0.3), 0.8
    theta, u, ref = np.array([1.5, -0.5]), np.zeros(2), np.array([1.5, -0.5])
    opt = SGD(lr, momentum=mu)
    for t in range(40):
        mu_t = mu * lr(t) / lr(t - 1) if t > 0 else mu
        u = mu_t * u - lr(t) * f.grad(theta)
        theta = theta + u
        opt.step({"w": ref}, {"w": f.grad(ref)})
        assert np.allclose(theta, ref, rtol=1e-12, atol=1e-14)


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
