"""The adaptive-methods chapter's reader checks: right answers pass, plausible wrong ones fail."""

import math

import numpy as np
import pytest

from lib.checks import check_amsgrad_step, check_sign_descent_cycle


def _amsgrad(theta, g, m, r, r_max, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * g
    r = beta2 * r + (1 - beta2) * g * g
    r_max = np.maximum(r_max, r)
    m_hat = m / (1 - beta1**t)
    return theta - lr * m_hat / (np.sqrt(r_max / (1 - beta2**t)) + eps), m, r, r_max


def _amsgrad_in_place(theta, g, m, r, r_max, t, lr, beta1, beta2, eps):
    m *= beta1
    m += (1 - beta1) * g
    r *= beta2
    r += (1 - beta2) * g * g
    np.maximum(r_max, r, out=r_max)
    theta -= lr * (m / (1 - beta1**t)) / (np.sqrt(r_max / (1 - beta2**t)) + eps)
    return theta, m, r, r_max


def _plain_adam(theta, g, m, r, r_max, t, lr, beta1, beta2, eps):
    # r_max is carried along but the step still divides by r: Adam, not AMSGrad
    m = beta1 * m + (1 - beta1) * g
    r = beta2 * r + (1 - beta2) * g * g
    r_max = np.maximum(r_max, r)
    return theta - lr * (m / (1 - beta1**t)) / (np.sqrt(r / (1 - beta2**t)) + eps), m, r, r_max


def _no_maximum(theta, g, m, r, r_max, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * g
    r = beta2 * r + (1 - beta2) * g * g
    return theta - lr * (m / (1 - beta1**t)) / (np.sqrt(r / (1 - beta2**t)) + eps), m, r, r


def _maximum_of_corrected(theta, g, m, r, r_max, t, lr, beta1, beta2, eps):
    # the maximum of r_hat instead of the maximum of r: a different algorithm
    m = beta1 * m + (1 - beta1) * g
    r = beta2 * r + (1 - beta2) * g * g
    r_max = np.maximum(r_max, r / (1 - beta2**t))
    return theta - lr * (m / (1 - beta1**t)) / (np.sqrt(r_max) + eps), m, r, r_max


def _maximum_overwrites_r(theta, g, m, r, r_max, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * g
    r = np.maximum(r_max, beta2 * r + (1 - beta2) * g * g)
    return theta - lr * (m / (1 - beta1**t)) / (np.sqrt(r / (1 - beta2**t)) + eps), m, r, r


def _uncorrected_denominator(theta, g, m, r, r_max, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * g
    r = beta2 * r + (1 - beta2) * g * g
    r_max = np.maximum(r_max, r)
    return theta - lr * (m / (1 - beta1**t)) / (np.sqrt(r_max) + eps), m, r, r_max


def test_amsgrad_right_answers_pass(capsys):
    check_amsgrad_step(_amsgrad)
    out = capsys.readouterr().out
    assert "matches lib.optim.Adam(amsgrad=True)" in out
    end = float(out.split("ends at theta = ")[1].split(" ")[0])
    assert end < -0.5                                   # well on its way to the best point -1
    check_amsgrad_step(_amsgrad_in_place)


@pytest.mark.parametrize(
    ("wrong", "message"),
    [
        (_plain_adam, "that is Adam"),
        (_no_maximum, "equals r"),
        (_maximum_of_corrected, "maximum of the raw r"),
        (_maximum_overwrites_r, "keep r"),
        (_uncorrected_denominator, "Bias-correct r_max"),
    ],
)
def test_amsgrad_wrong_answers_fail_with_a_hint(wrong, message):
    with pytest.raises(AssertionError, match=message):
        check_amsgrad_step(wrong)


def test_amsgrad_wrong_return_fails():
    with pytest.raises(AssertionError, match="4-tuple"):
        check_amsgrad_step(lambda theta, g, m, r, r_max, t, lr, b1, b2, eps: (theta, m, r))


def _cycle(theta0, lr, curvature):
    a = theta0 % lr                       # where the descent crosses into (0, lr]
    return (0.0, 0.0) if a == 0 else (a - lr, a)


def _cycle_by_simulation(theta0, lr, curvature):
    theta = theta0
    for _ in range(int(abs(theta0) / lr) + 5):
        theta -= lr * np.sign(curvature * theta)
    return theta, theta - lr * np.sign(curvature * theta)


def _symmetric(theta0, lr, curvature):
    return (-lr / 2, lr / 2)


def _truncating_remainder(theta0, lr, curvature):
    a = math.fmod(theta0, lr)             # rounds toward 0: wrong for a negative start
    return (0.0, 0.0) if a == 0 else (a - lr, a)


def _curvature_scaled(theta0, lr, curvature):
    a = theta0 % (lr * curvature)         # as if the step were lr * curvature * theta
    return (a - lr * curvature, a)


def _never_lands(theta0, lr, curvature):
    a = theta0 % lr
    return (a - lr, a)


def test_sign_descent_right_answers_pass(capsys):
    check_sign_descent_cycle(_cycle)
    assert "right in all" in capsys.readouterr().out
    check_sign_descent_cycle(_cycle_by_simulation)


@pytest.mark.parametrize(
    ("wrong", "message"),
    [
        (_symmetric, "not centred on 0"),
        (_truncating_remainder, "alternating between"),
        (_curvature_scaled, "changes with the curvature"),
        (_never_lands, "lands on the minimum"),
    ],
)
def test_sign_descent_wrong_answers_fail(wrong, message):
    with pytest.raises(AssertionError, match=message):
        check_sign_descent_cycle(wrong)


def test_sign_descent_wrong_return_fails():
    with pytest.raises(AssertionError, match="pair"):
        check_sign_descent_cycle(lambda theta0, lr, curvature: 0.5)


@pytest.mark.parametrize("check", [check_amsgrad_step, check_sign_descent_cycle])
def test_not_callable(check):
    with pytest.raises(ValueError, match="callable"):
        check("not a function")
