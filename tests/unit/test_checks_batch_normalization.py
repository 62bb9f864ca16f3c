"""lib.checks.check_batchnorm_backward and check_batchnorm_fold_next accept right answers and
reject plausible wrong ones; and lib.nn.BatchNorm on inputs whose last block is short."""

import numpy as np
import pytest

from lib.checks import (
    _batchnorm_backward_cases,
    _batchnorm_reference,
    check_batchnorm_backward,
    check_batchnorm_fold_next,
)
from lib.nn import BatchNorm

# BatchNorm's backward: right answers.


def _axes(x):
    return (0, *range(2, x.ndim))


def _bn_compact(dout, x, gamma, eps):
    axes, shape = _axes(x), (1, -1) + (1,) * (x.ndim - 2)
    xc = x - x.mean(axis=axes, keepdims=True)
    s_eps = np.sqrt((xc * xc).mean(axis=axes, keepdims=True) + eps)
    zhat = xc / s_eps
    dx = gamma.reshape(shape) / s_eps * (dout - dout.mean(axis=axes, keepdims=True)
                                         - zhat * (dout * zhat).mean(axis=axes, keepdims=True))
    return dx, (dout * zhat).sum(axis=axes), dout.sum(axis=axes)


def _bn_staged(dout, x, gamma, eps):
    """The node-by-node form, on the channels moved to the last axis and flattened."""
    C = x.shape[1]
    Z = np.moveaxis(x, 1, -1).reshape(-1, C)
    G = np.moveaxis(dout, 1, -1).reshape(-1, C)
    B = len(Z)
    zbar = Z.mean(axis=0)
    var = ((Z - zbar) ** 2).mean(axis=0)
    s_eps = np.sqrt(var + eps)
    zhat = (Z - zbar) / s_eps
    dzhat = gamma * G
    dvar = -0.5 * (dzhat * (Z - zbar)).sum(axis=0) / s_eps**3
    dzbar = -dzhat.sum(axis=0) / s_eps
    dZ = dzhat / s_eps + dvar * 2 * (Z - zbar) / B + dzbar / B
    moved = np.moveaxis(x, 1, -1).shape
    dx = np.moveaxis(dZ.reshape(moved), -1, 1)
    return dx, (G * zhat).sum(axis=0), G.sum(axis=0)


def _bn_lib(dout, x, gamma, eps):
    layer = BatchNorm(len(gamma), eps=eps)
    layer.params["gamma"][...] = gamma
    layer.forward(x)
    return layer.backward(dout), layer.grads["gamma"].copy(), layer.grads["beta"].copy()


@pytest.mark.parametrize("fn", [_bn_compact, _bn_staged, _bn_lib])
def test_backward_accepts_right_answers(fn, capsys):
    check_batchnorm_backward(fn)
    assert "match lib.nn.BatchNorm in all 4 cases" in capsys.readouterr().out


def test_staged_and_compact_agree_with_torch():
    torch = pytest.importorskip("torch")
    for _, x, gamma, dout, eps in _batchnorm_backward_cases():
        xt = torch.tensor(x, requires_grad=True)
        bn = (torch.nn.BatchNorm1d if x.ndim == 2 else torch.nn.BatchNorm2d)(
            len(gamma), eps=eps, dtype=torch.float64)
        with torch.no_grad():
            bn.weight.copy_(torch.tensor(gamma))
        bn(xt).backward(torch.tensor(dout))
        for fn in (_bn_compact, _bn_staged):
            dx, dgamma, dbeta = fn(dout, x, gamma, eps)
            assert np.allclose(dx, xt.grad.numpy(), rtol=1e-7, atol=1e-10)
            assert np.allclose(dgamma, bn.weight.grad.numpy(), rtol=1e-9)
            assert np.allclose(dbeta, bn.bias.grad.numpy(), rtol=1e-9)


# Plausible wrong answers, each with the hint the check should give.


def _missing_mean_term(dout, x, gamma, eps):
    return _batchnorm_reference(x, gamma, dout, eps, terms=(1, 0, 1))


def _missing_variance_term(dout, x, gamma, eps):
    return _batchnorm_reference(x, gamma, dout, eps, terms=(1, 1, 0))


def _constant_statistics(dout, x, gamma, eps):
    return _batchnorm_reference(x, gamma, dout, eps, terms=(1, 0, 0))


def _unbiased_variance(dout, x, gamma, eps):
    return _batchnorm_reference(x, gamma, dout, eps, ddof=1)


def _per_position(dout, x, gamma, eps):
    return _batchnorm_reference(x, gamma, dout, eps, per_position=x.ndim == 4)


def _dgamma_with_x(dout, x, gamma, eps):
    dx, _, dbeta = _bn_compact(dout, x, gamma, eps)
    return dx, (dout * x).sum(axis=_axes(x)), dbeta


def _keepdims_gradients(dout, x, gamma, eps):
    dx, dgamma, dbeta = _bn_compact(dout, x, gamma, eps)
    return dx, dgamma[None], dbeta[None]


def _forgets_gamma(dout, x, gamma, eps):
    return _bn_compact(dout, x, np.ones_like(gamma), eps)


def _in_place(dout, x, gamma, eps):
    out = _bn_compact(dout, x, gamma, eps)
    dout *= 1.0
    x -= x.mean()
    return out


def _naive_two_moment(dout, x, gamma, eps):
    """var = E[x^2] - E[x]^2 in float32: six digits are not enough for the check."""
    x32 = x.astype(np.float32)
    axes = _axes(x)
    var = (x32 * x32).mean(axis=axes, keepdims=True) - x32.mean(axis=axes, keepdims=True) ** 2
    s_eps = np.sqrt(var.astype(np.float64) + eps)
    zhat = (x - x.mean(axis=axes, keepdims=True)) / s_eps
    shape = (1, -1) + (1,) * (x.ndim - 2)
    dx = gamma.reshape(shape) / s_eps * (dout - dout.mean(axis=axes, keepdims=True)
                                         - zhat * (dout * zhat).mean(axis=axes, keepdims=True))
    return dx, (dout * zhat).sum(axis=axes), dout.sum(axis=axes)


@pytest.mark.parametrize(("fn", "message"), [
    (_missing_mean_term, "path through the batch mean"),
    (_missing_variance_term, "path through the batch variance"),
    (_constant_statistics, "both correction terms are missing"),
    (_unbiased_variance, "biased variance"),
    (_per_position, "axes 0, 2 and 3"),
    (_dgamma_with_x, "not x itself"),
    (_keepdims_gradients, "one entry per channel"),
    (_forgets_gamma, "dx differs"),
    (_in_place, "changed its inputs in place"),
    (_naive_two_moment, "dx differs"),
])
def test_backward_rejects_wrong_answers(fn, message):
    with pytest.raises(AssertionError, match=message):
        check_batchnorm_backward(fn)


def test_backward_rejects_a_non_tuple():
    with pytest.raises(AssertionError, match="return a tuple"):
        check_batchnorm_backward(lambda dout, x, gamma, eps: [dout, gamma, gamma])
    with pytest.raises(ValueError, match="your_fn must be callable"):
        check_batchnorm_backward(3)


# Folding into the next layer.


def _fold_right(gamma, beta, mean, var, eps, W, b):
    s = gamma / np.sqrt(var + eps)
    return s[:, None] * W, (beta - s * mean) @ W + b


def _fold_right_matrix(gamma, beta, mean, var, eps, W, b):
    S = np.diag(gamma / np.sqrt(var + eps))
    t = beta - gamma * mean / np.sqrt(var + eps)
    return S @ W, b + W.T @ t


def _fold_no_eps(gamma, beta, mean, var, eps, W, b):
    s = gamma / np.sqrt(var)
    return s[:, None] * W, (beta - s * mean) @ W + b


def _fold_no_gamma(gamma, beta, mean, var, eps, W, b):
    s = 1 / np.sqrt(var + eps)
    return s[:, None] * W, (beta - s * mean) @ W + b


def _fold_bias_unchanged(gamma, beta, mean, var, eps, W, b):
    s = gamma / np.sqrt(var + eps)
    return s[:, None] * W, b.copy()


def _fold_shift_summed(gamma, beta, mean, var, eps, W, b):
    s = gamma / np.sqrt(var + eps)
    return s[:, None] * W, b + (beta - s * mean).sum()


def _fold_previous_layer_formula(gamma, beta, mean, var, eps, W, b):
    """eq-bn-fold's before-layer fold applied to the wrong side: W unchanged, b shifted."""
    s = gamma / np.sqrt(var + eps)
    return W.copy(), b + (beta - s * mean) @ W


@pytest.mark.parametrize("fn", [_fold_right, _fold_right_matrix])
def test_fold_accepts_right_answers(fn, capsys):
    check_batchnorm_fold_next(fn)
    assert "in all 3 cases" in capsys.readouterr().out


@pytest.mark.parametrize(("fn", "message"), [
    (_fold_no_eps, "eps is missing"),
    (_fold_no_gamma, "gamma is missing"),
    (_fold_bias_unchanged, "shift t = beta - s"),
    (_fold_shift_summed, "enters through W"),
    (_fold_previous_layer_formula, "differs from BatchNorm"),
])
def test_fold_rejects_wrong_answers(fn, message):
    with pytest.raises(AssertionError, match=message):
        check_batchnorm_fold_next(fn)


def test_fold_rejects_wrong_shapes():
    with pytest.raises(AssertionError, match="must have the shapes"):
        check_batchnorm_fold_next(lambda g, be, m, v, e, W, b: (W.T, b))


# lib.nn.BatchNorm itself: a short last block (a bug fixed here).


@pytest.mark.parametrize("offset", [2.0, 1000.0])  # one-pass statistics; the centered pass
@pytest.mark.parametrize(("shape", "block"), [
    ((1197, 32), None),          # the digits' training set as one batch: blocks of 1024 and 173
    ((64, 7, 9, 11), None),      # blocks of 47 and 17 rows
    ((11, 3, 2, 2), 64),         # blocks of 5, 5 and 1 rows
])
def test_batchnorm_with_a_short_last_block(monkeypatch, offset, shape, block):
    """BatchNorm passes over the rows in blocks of BLOCK entries; when the rows do not divide
    evenly, the last block is shorter, and its temporaries must be cut to it (the scratch
    block used to keep its full length there, and forward and backward raised ValueError)."""
    import lib.nn

    if block is not None:
        monkeypatch.setattr(lib.nn, "BLOCK", block)
    rng = np.random.default_rng(8)
    C = shape[1]
    x = offset + rng.standard_normal(shape)
    dout = rng.standard_normal(shape)
    gamma = rng.uniform(0.5, 2.0, C)
    layer = BatchNorm(C, momentum=1.0)
    layer.params["gamma"][...] = gamma
    rows = max(1, lib.nn.BLOCK // (x.size // shape[0]))
    assert shape[0] > rows                                   # the case under test:
    assert shape[0] % rows != 0                              # a short last block
    layer.forward(x)
    assert layer._exact == (offset > 100)
    dx, dgamma, dbeta = layer.backward(dout), layer.grads["gamma"], layer.grads["beta"]
    want = _bn_compact(dout, x, gamma, layer.eps)
    np.testing.assert_allclose(dx, want[0], rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(dgamma, want[1], rtol=1e-8)
    np.testing.assert_allclose(dbeta, want[2], rtol=1e-12, atol=1e-10)
    np.testing.assert_allclose(layer.running_var, x.var(axis=_axes(x), ddof=1), rtol=1e-10)
