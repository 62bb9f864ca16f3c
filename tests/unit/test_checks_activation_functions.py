"""lib.checks.check_gelu_exact and check_prelu_backward: right answers pass, wrong ones fail."""

import math

import numpy as np
import pytest
from scipy.special import erf, ndtr

from lib.checks import _prelu_cases, check_gelu_exact, check_prelu_backward
from lib.nn import GELU

# The exact GELU, three right ways.


def _gelu_ndtr(z):
    return z * ndtr(z), ndtr(z) + z * np.exp(-z * z / 2) / np.sqrt(2 * np.pi)


def _gelu_erf(z):
    cdf = 0.5 * (1 + erf(z / np.sqrt(2)))
    return z * cdf, cdf + z * np.exp(-z * z / 2) / np.sqrt(2 * np.pi)


def _gelu_math_erf(z):
    cdf = np.vectorize(lambda v: 0.5 * (1 + math.erf(v / math.sqrt(2))))(z)
    pdf = np.vectorize(lambda v: math.exp(-v * v / 2) / math.sqrt(2 * math.pi))(z)
    return z * cdf, cdf + z * pdf


# Plausible wrong answers.


def _gelu_tanh(z):
    layer = GELU()                                  # the tanh approximation
    return layer.forward(z), layer.backward(np.ones_like(z))


def _gelu_sigmoid(z):
    s = 1 / (1 + np.exp(-1.702 * z))
    return z * s, s + 1.702 * z * s * (1 - s)


def _gelu_erf_without_sqrt2(z):
    cdf = 0.5 * (1 + erf(z))
    return z * cdf, cdf + z * np.exp(-z * z) / np.sqrt(np.pi)


def _gelu_no_product_rule(z):
    return z * ndtr(z), ndtr(z)


def _gelu_pdf_unnormalized(z):
    return z * ndtr(z), ndtr(z) + z * np.exp(-z * z / 2)


def _gelu_only_second_term(z):
    return z * ndtr(z), z * np.exp(-z * z / 2) / np.sqrt(2 * np.pi)


def _gelu_in_place(z):
    a, d = _gelu_ndtr(z.copy())
    z *= 1.0
    z += 0.0 * a
    z[...] = z + 1e-3
    return a, d


def _gelu_overflows(z):
    # the density written so that it is inf / inf = NaN once exp(z^2 / 2) overflows (|z| > 37.7)
    with np.errstate(over="ignore", invalid="ignore"):
        big = np.exp(z * z / 2)
        pdf = big / big / big / np.sqrt(2 * np.pi)
    return z * ndtr(z), ndtr(z) + z * pdf


def _gelu_one_array(z):
    return _gelu_ndtr(z)[0]


def _gelu_flat(z):
    a, d = _gelu_ndtr(z)
    return a.ravel(), d.ravel()


@pytest.mark.parametrize("right", [_gelu_ndtr, _gelu_erf, _gelu_math_erf])
def test_gelu_right_answers_pass(right, capsys):
    check_gelu_exact(right)
    assert "match z Phi(z)" in capsys.readouterr().out


@pytest.mark.parametrize(("wrong", "message"), [
    (_gelu_tanh, "tanh approximation"),
    (_gelu_sigmoid, "sigmoid approximation"),
    (_gelu_erf_without_sqrt2, "not z"),
    (_gelu_no_product_rule, "product rule"),
    (_gelu_pdf_unnormalized, "1/sqrt"),
    (_gelu_only_second_term, "missing"),
    (_gelu_overflows, "NaN or infinite"),
    (_gelu_in_place, "in place"),
    (_gelu_one_array, "pair"),
    (_gelu_flat, "shape"),
])
def test_gelu_wrong_answers_fail_with_a_hint(wrong, message):
    with pytest.raises(AssertionError, match=message):
        check_gelu_exact(wrong)


def test_gelu_tanh_form_is_close_but_not_exact():
    # the wrong answer the check must reject is within 5e-4 of the right one
    z = np.linspace(-6, 6, 2401)
    gap = np.abs(_gelu_tanh(z)[0] - _gelu_ndtr(z)[0]).max()
    assert 1e-4 < gap < 5e-4


# PReLU's backward pass, one slope per channel.


def _slopes(x, omega):
    return omega.reshape((1, len(omega)) + (1,) * (x.ndim - 2))


def _prelu_numpy(x, omega, dout):
    axes = (0, *range(2, x.ndim))
    dx = dout * np.where(x > 0, 1.0, _slopes(x, omega))
    return dx, (dout * np.minimum(x, 0.0)).sum(axis=axes)


def _prelu_loops(x, omega, dout):
    dx = np.empty_like(x)
    domega = np.zeros_like(omega)
    for idx in np.ndindex(x.shape):
        c = idx[1]
        if x[idx] > 0:
            dx[idx] = dout[idx]
        else:
            dx[idx] = omega[c] * dout[idx]
            domega[c] += dout[idx] * x[idx]
    return dx, domega


def _prelu_torch(x, omega, dout):
    torch = pytest.importorskip("torch")
    xt = torch.tensor(x, requires_grad=True)
    wt = torch.tensor(omega, requires_grad=True)
    torch.nn.functional.prelu(xt, wt).backward(torch.tensor(dout))
    return xt.grad.numpy(), wt.grad.numpy()


def _prelu_all_entries(x, omega, dout):
    dx, _ = _prelu_numpy(x, omega, dout)
    return dx, (dout * x).sum(axis=(0, *range(2, x.ndim)))


def _prelu_no_dout(x, omega, dout):
    dx, _ = _prelu_numpy(x, omega, dout)
    return dx, np.minimum(x, 0.0).sum(axis=(0, *range(2, x.ndim)))


def _prelu_minus(x, omega, dout):
    dx, domega = _prelu_numpy(x, omega, dout)
    return dx, -domega


def _prelu_not_summed(x, omega, dout):
    dx, _ = _prelu_numpy(x, omega, dout)
    return dx, dout * np.minimum(x, 0.0)


def _prelu_batch_axis_only(x, omega, dout):
    dx, _ = _prelu_numpy(x, omega, dout)
    return dx, (dout * np.minimum(x, 0.0)).sum(axis=0)


def _prelu_slope_everywhere(x, omega, dout):
    _, domega = _prelu_numpy(x, omega, dout)
    return dout * _slopes(x, omega), domega


def _prelu_swapped(x, omega, dout):
    _, domega = _prelu_numpy(x, omega, dout)
    return dout * np.where(x > 0, _slopes(x, omega), 1.0), domega


def _prelu_in_place(x, omega, dout):
    out = _prelu_numpy(x, omega, dout)
    dout *= 2.0
    return out


@pytest.mark.parametrize("right", [_prelu_numpy, _prelu_loops, _prelu_torch])
def test_prelu_right_answers_pass(right, capsys):
    check_prelu_backward(right)
    assert "match lib.nn.PReLU" in capsys.readouterr().out


@pytest.mark.parametrize(("wrong", "message"), [
    (_prelu_all_entries, "negative side"),
    (_prelu_no_dout, "dout is missing"),
    (_prelu_minus, "plus sign"),
    (_prelu_not_summed, "one entry per channel"),
    (_prelu_batch_axis_only, "one entry per channel"),
    (_prelu_slope_everywhere, "slope 1"),
    (_prelu_swapped, "swapped"),
    (_prelu_in_place, "in place"),
])
def test_prelu_wrong_answers_fail_with_a_hint(wrong, message):
    with pytest.raises(AssertionError, match=message):
        check_prelu_backward(wrong)


def test_prelu_cases_hold_what_their_names_say():
    cases = {name: (x, omega) for name, x, omega, _ in _prelu_cases()}
    for x, omega in cases.values():
        assert np.all(x != 0)
        assert x.shape[1] == len(omega)
    assert any(x.ndim == 4 for x, _ in cases.values())
    negative = next(x for name, (x, _) in cases.items() if "negative" in name)
    assert np.all(negative < 0)
    # both sides of zero appear, so a slip on either side is seen
    assert any(np.any(x > 0) and np.any(x < 0) for x, _ in cases.values())


@pytest.mark.parametrize("check", [check_gelu_exact, check_prelu_backward])
def test_not_callable_is_rejected(check):
    with pytest.raises(ValueError, match="your_fn"):
        check("not a function")
