import numpy as np
import pytest

from lib.checks import check_adam_step, check_rmsprop_step


def _rmsprop(theta, g, r, lr, beta2, eps):
    r = beta2 * r + (1 - beta2) * g * g
    return theta - lr * g / (np.sqrt(r) + eps), r


def _rmsprop_plus_equals(theta, g, r, lr, beta2, eps):
    # the lecture notes' slip: '+=' multiplies the average by (1 + beta2) every step
    r += beta2 * r + (1 - beta2) * g * g
    return theta - lr * g / (np.sqrt(r) + eps), r


def _rmsprop_eps_inside(theta, g, r, lr, beta2, eps):
    r = beta2 * r + (1 - beta2) * g * g
    return theta - lr * g / np.sqrt(r + eps), r


def _rmsprop_sum(theta, g, r, lr, beta2, eps):
    # AdaGrad's sum instead of the moving average
    r = r + g * g
    return theta - lr * g / (np.sqrt(r) + eps), r


def _adam(theta, g, m, r, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * g
    r = beta2 * r + (1 - beta2) * g * g
    m_hat, r_hat = m / (1 - beta1**t), r / (1 - beta2**t)
    return theta - lr * m_hat / (np.sqrt(r_hat) + eps), m, r


def _adam_uncorrected(theta, g, m, r, t, lr, beta1, beta2, eps):
    # the notes' CS231n loop: corrections computed, the raw moments used
    m = beta1 * m + (1 - beta1) * g
    r = beta2 * r + (1 - beta2) * g * g
    return theta - lr * m / (np.sqrt(r) + eps), m, r


def _adam_overwrite(theta, g, m, r, t, lr, beta1, beta2, eps):
    # the notes' Algorithm 5-5 with the sign fixed: the corrected values overwrite m and r
    m = (beta1 * m + (1 - beta1) * g) / (1 - beta1**t)
    r = (beta2 * r + (1 - beta2) * g * g) / (1 - beta2**t)
    return theta - lr * m / (np.sqrt(r) + eps), m, r


def _adam_ascent(theta, g, m, r, t, lr, beta1, beta2, eps):
    # a sign slip, as in the notes' Algorithm 5-5: the step goes up the gradient
    m = beta1 * m + (1 - beta1) * g
    r = beta2 * r + (1 - beta2) * g * g
    m_hat, r_hat = m / (1 - beta1**t), r / (1 - beta2**t)
    return theta + lr * m_hat / (np.sqrt(r_hat) + eps), m, r


def _adam_eps_inside(theta, g, m, r, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * g
    r = beta2 * r + (1 - beta2) * g * g
    m_hat, r_hat = m / (1 - beta1**t), r / (1 - beta2**t)
    return theta - lr * m_hat / np.sqrt(r_hat + eps), m, r


def test_rmsprop_correct_passes(capsys):
    check_rmsprop_step(_rmsprop)
    assert "matches lib.optim.RMSProp" in capsys.readouterr().out


@pytest.mark.parametrize("wrong", [_rmsprop_plus_equals, _rmsprop_eps_inside, _rmsprop_sum])
def test_rmsprop_wrong_fail(wrong):
    with pytest.raises(AssertionError):
        check_rmsprop_step(wrong)


def test_rmsprop_plus_equals_is_named():
    with pytest.raises(AssertionError, match=r"'\+='"):
        check_rmsprop_step(_rmsprop_plus_equals)


def test_adam_correct_passes(capsys):
    check_adam_step(_adam)
    assert "matches lib.optim.Adam" in capsys.readouterr().out


@pytest.mark.parametrize(
    "wrong", [_adam_uncorrected, _adam_overwrite, _adam_ascent, _adam_eps_inside]
)
def test_adam_wrong_fail(wrong):
    with pytest.raises(AssertionError):
        check_adam_step(wrong)


def test_adam_hints():
    with pytest.raises(AssertionError, match="bias correction"):
        check_adam_step(_adam_uncorrected)
    with pytest.raises(AssertionError, match="sign"):
        check_adam_step(_adam_ascent)
    with pytest.raises(AssertionError, match="raw averages"):
        check_adam_step(_adam_overwrite)


def test_adam_in_place_answer_passes():
    def in_place(theta, g, m, r, t, lr, beta1, beta2, eps):
        m *= beta1
        m += (1 - beta1) * g
        r *= beta2
        r += (1 - beta2) * g * g
        theta -= lr * (m / (1 - beta1**t)) / (np.sqrt(r / (1 - beta2**t)) + eps)
        return theta, m, r

    check_adam_step(in_place)


@pytest.mark.parametrize("check", [check_adam_step, check_rmsprop_step])
def test_not_callable(check):
    with pytest.raises(ValueError, match="callable"):
        check("not a function")
