"""The gradients chapter's reader checks accept correct answers and reject wrong ones."""

import numpy as np
import pytest

from lib import checks
from lib.gradcheck import grad_check, numerical_gradient
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


def svm_vectorized(W, X, y, reg=0.0):
    n = X.shape[0]
    rows = np.arange(n)
    S = X @ W
    Z = S - S[rows, y][:, None] + 1.0
    Z[rows, y] = 0.0
    active = (Z > 0).astype(float)
    loss = np.sum(Z * active) / n + reg * np.sum(W * W)
    active[rows, y] = -active.sum(axis=1)
    return loss, X.T @ active / n + 2 * reg * W


def svm_zip_loop(W, X, y, reg=0.0):
    n = X.shape[0]
    loss, dW = 0.0, np.zeros_like(W)
    for x_i, y_i in zip(X, y, strict=True):
        s = x_i @ W
        z = s - s[y_i] + 1.0
        z[y_i] = 0.0
        active = (z > 0).astype(float)
        loss += np.sum(z * active)
        active[y_i] = -active.sum()
        dW += np.outer(x_i, active)
    return loss / n + reg * np.sum(W * W), dW / n + 2 * reg * W


def svm_loop_behind_asarray(W, X, y, reg=0.0):
    return svm_loops(W, np.asarray(X), np.asarray(y), reg)


@pytest.mark.parametrize("right", [svm_vectorized, svm_loss])
def test_check_svm_gradient_vectorized_accepts_vectorized(right, capsys):
    checks.check_svm_gradient_vectorized(right)
    assert "no loop" in capsys.readouterr().out


@pytest.mark.parametrize("looped", [svm_loops, svm_zip_loop])
def test_check_svm_gradient_vectorized_counts_the_loop(looped):
    with pytest.raises(AssertionError, match="loops over the examples"):
        checks.check_svm_gradient_vectorized(looped)


def test_check_svm_gradient_vectorized_times_a_hidden_loop():
    with pytest.raises(AssertionError, match="still loops"):
        checks.check_svm_gradient_vectorized(svm_loop_behind_asarray)


@pytest.mark.parametrize("wrong", [svm_reg_without_2, svm_kink_active])
def test_check_svm_gradient_vectorized_rejects_wrong_gradients(wrong):
    with pytest.raises(AssertionError, match="dW"):
        checks.check_svm_gradient_vectorized(wrong)


def test_check_svm_gradient_vectorized_rejects_non_callable():
    with pytest.raises(ValueError, match="callable"):
        checks.check_svm_gradient_vectorized(None)


def _relative_error_at(loss_fn, X, y, reg, W):
    result = grad_check(lambda V: loss_fn(V, X, y, reg)[0], W, loss_fn(W, X, y, reg)[1])
    return result.max_rel_error


def checker_characteristic(loss_fn, X, y, n_classes, reg):
    """Two random points with scores of order one: hinges on both sides of zero."""
    rng = np.random.default_rng(0)
    for _ in range(2):
        W = rng.standard_normal((X.shape[1], n_classes)) / np.sqrt(X.shape[1])
        if _relative_error_at(loss_fn, X, y, reg, W) > 1e-4:
            return False
    return True


def checker_burn_in(loss_fn, X, y, n_classes, reg):
    """A short burn-in with the gradient under test, then a check there and at a random point."""
    rng = np.random.default_rng(1)
    W = 0.001 * rng.standard_normal((X.shape[1], n_classes))
    for _ in range(20):
        W = W - 0.5 * loss_fn(W, X, y, reg)[1]
    W_random = rng.standard_normal(W.shape) / np.sqrt(X.shape[1])
    return all(_relative_error_at(loss_fn, X, y, reg, P) < 1e-4 for P in (W, W_random))


def checker_tiny_W(loss_fn, X, y, n_classes, reg):
    W = 0.001 * np.random.default_rng(0).standard_normal((X.shape[1], n_classes))
    return bool(_relative_error_at(loss_fn, X, y, reg, W) < 1e-4)


def checker_too_strict(loss_fn, X, y, n_classes, reg):
    W = np.random.default_rng(0).standard_normal((X.shape[1], n_classes))
    return bool(_relative_error_at(loss_fn, X, y, reg, W) < 1e-12)


def checker_ignores_reg(loss_fn, X, y, n_classes, reg):
    return checker_characteristic(loss_fn, X, y, n_classes, 0.0)


def checker_changes_X(loss_fn, X, y, n_classes, reg):
    X[:, 0] *= 2.0
    return checker_characteristic(loss_fn, X, y, n_classes, reg)


def checker_returns_error(loss_fn, X, y, n_classes, reg):
    W = np.random.default_rng(0).standard_normal((X.shape[1], n_classes))
    return _relative_error_at(loss_fn, X, y, reg, W)


@pytest.mark.parametrize("right", [checker_characteristic, checker_burn_in])
def test_check_gradient_checker_accepts_characteristic_points(right, capsys):
    checks.check_gradient_checker(right)
    assert "rejects all" in capsys.readouterr().out


@pytest.mark.parametrize(("wrong", "message"), [
    (checker_tiny_W, "every hinge active.*all the hinges were active"),
    (lambda loss_fn, X, y, c, reg: loss_fn(np.zeros((X.shape[1], c)), X, y, reg) and True,
     "accepted a wrong gradient"),
    (lambda loss_fn, X, y, c, reg: loss_fn(np.zeros((X.shape[1], c)), X, y, reg) and False,
     "rejected a right gradient"),
    (checker_too_strict, "rejected a right gradient"),
    (checker_ignores_reg, "forgot the 2"),
    (checker_changes_X, "changed X"),
    (checker_returns_error, "True or False"),
    (lambda loss_fn, X, y, c, reg: True, "never called loss_fn"),
])
def test_check_gradient_checker_rejects_wrong_checkers(wrong, message):
    with pytest.raises(AssertionError, match=message):
        checks.check_gradient_checker(wrong)


def test_check_gradient_checker_rejects_non_callable():
    with pytest.raises(ValueError, match="callable"):
        checks.check_gradient_checker("checker")


def test_check_gradient_checker_hint_counts_only_the_hinges():
    # a checker far too lax to reject anything, at a point where some hinges are inactive:
    # the hint reports the share of active hinges (wrong classes only, never the true class)
    W_seen = []

    def checker_lax(loss_fn, X, y, n_classes, reg):
        W = 0.3 * np.random.default_rng(0).standard_normal((X.shape[1], n_classes))
        W_seen.append(W)
        return bool(_relative_error_at(loss_fn, X, y, reg, W) < 1e9)

    with pytest.raises(AssertionError, match="every hinge active") as err:
        checks.check_gradient_checker(checker_lax)
    rng = np.random.default_rng(3)                      # the first problem of the check
    n, d, c = 80, 6, 4
    X = np.column_stack([rng.standard_normal((n, d - 1)), np.ones(n)])
    y = rng.integers(0, c, size=n)
    S = X @ W_seen[0]
    Z = S - S[np.arange(n), y][:, None] + 1.0
    share = np.mean(Z[np.arange(c)[None, :] != y[:, None]] > 0)
    assert 0 < share < 1
    assert f"at least {100 * share:.0f} % of the hinges" in str(err.value)
