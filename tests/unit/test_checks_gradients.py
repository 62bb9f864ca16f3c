"""The gradients chapter's reader checks accept correct answers and reject wrong ones."""

import numpy as np
import pytest

from lib import checks
from lib.gradcheck import numerical_gradient
from lib.losses import svm_loss


def centered(f, x, h):
    return numerical_gradient(f, x, h=h, method="centered")


def forward(f, x, h):
    return numerical_gradient(f, x, h=h, method="forward")


def centered_no_restore(f, x, h):
    grad = centered(f, x, h)
    x.flat[0] += h  # leaves x perturbed
    return grad


def test_check_numerical_gradient_accepts_centered(capsys):
    checks.check_numerical_gradient(centered)
    assert "matches" in capsys.readouterr().out


def test_check_numerical_gradient_rejects_forward():
    with pytest.raises(AssertionError, match="relative error"):
        checks.check_numerical_gradient(forward)


def test_check_numerical_gradient_rejects_changed_x():
    with pytest.raises(AssertionError, match="x was changed"):
        checks.check_numerical_gradient(centered_no_restore)


def test_check_numerical_gradient_rejects_non_callable():
    with pytest.raises(ValueError, match="callable"):
        checks.check_numerical_gradient(np.zeros(3))


def svm_loops(W, X, y, reg):
    n = X.shape[0]
    loss, dW = 0.0, np.zeros_like(W)
    for i in range(n):
        s = X[i] @ W
        for j in range(W.shape[1]):
            m = s[j] - s[y[i]] + 1.0
            if j != y[i] and m > 0:
                loss += m
                dW[:, j] += X[i]
                dW[:, y[i]] -= X[i]
    return loss / n + reg * np.sum(W * W), dW / n + 2 * reg * W


def svm_reg_without_2(W, X, y, reg):
    loss, dW = svm_loss(W, X, y, reg)
    return loss, dW - reg * W


def svm_kink_active(W, X, y, reg):
    # counts margins equal to 0 as active: disagrees at a kink
    n = X.shape[0]
    S = X @ W
    M = S - S[np.arange(n), y][:, None] + 1.0
    M[np.arange(n), y] = -1.0
    G = (M >= 0).astype(float)
    G[np.arange(n), y] = -G.sum(axis=1)
    loss, _ = svm_loss(W, X, y, reg)
    return loss, X.T @ G / n + 2 * reg * W


def test_check_svm_gradient_accepts_loops(capsys):
    checks.check_svm_gradient(svm_loops)
    assert "match" in capsys.readouterr().out


def test_check_svm_gradient_accepts_lib(capsys):
    checks.check_svm_gradient(svm_loss)
    assert "match" in capsys.readouterr().out


@pytest.mark.parametrize("wrong", [svm_reg_without_2, svm_kink_active])
def test_check_svm_gradient_rejects_wrong(wrong):
    with pytest.raises(AssertionError, match="dW"):
        checks.check_svm_gradient(wrong)


def test_check_svm_gradient_rejects_gradient_only():
    with pytest.raises(AssertionError, match="pair"):
        checks.check_svm_gradient(lambda W, X, y, reg: svm_loss(W, X, y, reg)[1])


def test_check_svm_gradient_rejects_non_callable():
    with pytest.raises(ValueError, match="callable"):
        checks.check_svm_gradient("svm")
