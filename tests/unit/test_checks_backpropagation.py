"""The backpropagation chapter's reader check accepts a correct answer and rejects wrong ones."""

import numpy as np
import pytest

from lib import checks


def two_layer(X, y, W1, b1, W2, b2, relu_mask=True, average=True):
    n = X.shape[0]
    z = X @ W1 + b1
    h = np.maximum(z, 0.0)
    s = h @ W2 + b2
    s = s - s.max(axis=1, keepdims=True)
    p = np.exp(s) / np.exp(s).sum(axis=1, keepdims=True)
    loss = -np.log(p[np.arange(n), y]).mean()
    ds = p.copy()
    ds[np.arange(n), y] -= 1.0
    if average:
        ds /= n
    dh = ds @ W2.T
    dz = dh * (z > 0) if relu_mask else dh
    grads = {"W1": X.T @ dz, "b1": dz.sum(axis=0), "W2": h.T @ ds, "b2": ds.sum(axis=0)}
    return loss, grads


def test_accepts_correct(capsys):
    checks.check_two_layer_backprop(two_layer)
    assert "match" in capsys.readouterr().out


def test_rejects_missing_relu_mask():
    with pytest.raises(AssertionError, match="W1"):
        checks.check_two_layer_backprop(lambda *a: two_layer(*a, relu_mask=False))


def test_rejects_missing_average():
    with pytest.raises(AssertionError, match="W2"):
        checks.check_two_layer_backprop(lambda *a: two_layer(*a, average=False))


def test_rejects_wrong_return():
    with pytest.raises(AssertionError, match="pair"):
        checks.check_two_layer_backprop(lambda *a: two_layer(*a)[1])


def test_rejects_non_callable():
    with pytest.raises(ValueError, match="callable"):
        checks.check_two_layer_backprop(np.zeros(3))
