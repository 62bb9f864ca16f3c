"""lib.losses against loop implementations, finite differences, and PyTorch where installed."""

import numpy as np
import pytest

from lib.gradcheck import numerical_gradient, rel_error
from lib.losses import cross_entropy_losses, hinge_losses, softmax, softmax_loss, svm_loss


def problem(seed=0, n=7, d=5, c=4, scale=1.0):
    rng = np.random.default_rng(seed)
    return (scale * rng.standard_normal((d, c)), rng.standard_normal((n, d)),
            rng.integers(0, c, size=n))


def svm_loop(W, X, y, reg):
    """The multiclass hinge loss written term by term, as in its definition."""
    loss, n = 0.0, X.shape[0]
    for i in range(n):
        s = X[i] @ W
        for j in range(W.shape[1]):
            if j != y[i]:
                loss += max(0.0, s[j] - s[y[i]] + 1.0)
    return loss / n + reg * np.sum(W**2)


def softmax_loop(W, X, y, reg):
    loss, n = 0.0, X.shape[0]
    for i in range(n):
        s = X[i] @ W
        loss += -s[y[i]] + np.log(np.sum(np.exp(s)))
    return loss / n + reg * np.sum(W**2)


@pytest.mark.parametrize(("fast", "slow"), [(svm_loss, svm_loop), (softmax_loss, softmax_loop)])
@pytest.mark.parametrize("reg", [0.0, 0.3])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_loss_matches_loop_and_gradient_matches_finite_differences(fast, slow, reg, seed):
    W, X, y = problem(seed)
    loss, dW = fast(W, X, y, reg)
    assert loss == pytest.approx(slow(W, X, y, reg), rel=1e-12)
    num = numerical_gradient(lambda w: fast(w, X, y, reg)[0], W.copy())
    assert dW.shape == W.shape
    assert rel_error(dW, num) < 1e-6


def test_svm_known_value():
    # One example, scores (3, 1, 2) with true class 0: margins 1-3+1<0, 2-3+1=0 -> loss 0.
    X = np.eye(3)[:1]
    W = np.array([[3.0, 1.0, 2.0], [0, 0, 0], [0, 0, 0]])
    assert svm_loss(W, X, [0])[0] == 0.0
    # True class 1: margins 3-1+1=3 and 2-1+1=2 -> loss 5.
    assert svm_loss(W, X, [1])[0] == 5.0


def test_softmax_uniform_scores_give_log_c():
    W = np.zeros((4, 10))
    X = np.ones((3, 4))
    loss, _ = softmax_loss(W, X, [0, 5, 9])
    assert loss == pytest.approx(np.log(10))


def test_softmax_is_stable_for_huge_scores():
    scores = np.array([[1000.0, 1001.0, 1002.0], [-1e4, 0.0, 1e4]])
    p = softmax(scores)
    assert np.all(np.isfinite(p))
    np.testing.assert_allclose(p.sum(axis=1), 1.0)
    np.testing.assert_allclose(p[0], softmax(scores[:1] - 1000.0)[0])
    ce = cross_entropy_losses(scores, [2, 0])
    assert np.all(np.isfinite(ce))
    assert ce[1] == pytest.approx(2e4)


def test_per_example_losses_average_to_the_full_loss():
    W, X, y = problem(3)
    scores = X @ W
    assert hinge_losses(scores, y).mean() == pytest.approx(svm_loss(W, X, y)[0])
    assert cross_entropy_losses(scores, y).mean() == pytest.approx(softmax_loss(W, X, y)[0])


def test_regularization_adds_reg_times_sum_of_squares():
    W, X, y = problem(4)
    for loss_fn in (svm_loss, softmax_loss):
        base, dbase = loss_fn(W, X, y, 0.0)
        regd, dregd = loss_fn(W, X, y, 0.5)
        assert regd - base == pytest.approx(0.5 * np.sum(W**2))
        np.testing.assert_allclose(dregd - dbase, 2 * 0.5 * W, atol=1e-12)


def test_integer_inputs_are_accepted_as_float64():
    W = np.ones((2, 3), dtype=int)
    X = np.array([[1, 2]], dtype=int)
    loss, dW = svm_loss(W, X, np.array([1]))
    assert dW.dtype == np.float64
    assert loss == 2.0


@pytest.mark.parametrize("seed", range(5))
def test_against_torch(seed):
    torch = pytest.importorskip("torch", reason="PyTorch is not installed: reference test skipped")
    W, X, y = problem(seed, n=11, d=6, c=5)
    Wt = torch.tensor(W, requires_grad=True)
    Xt, yt = torch.tensor(X), torch.tensor(y)
    ce = torch.nn.functional.cross_entropy(Xt @ Wt, yt) + 0.1 * (Wt**2).sum()
    ce.backward()
    loss, dW = softmax_loss(W, X, y, reg=0.1)
    assert loss == pytest.approx(ce.item(), rel=1e-12)
    np.testing.assert_allclose(dW, Wt.grad.numpy(), rtol=1e-10, atol=1e-14)

    Wt.grad = None
    # torch's multi_margin_loss averages over classes too: multiply by C to compare.
    hinge = torch.nn.functional.multi_margin_loss(Xt @ Wt, yt, p=1, margin=1.0) * W.shape[1]
    hinge.backward()
    loss, dW = svm_loss(W, X, y)
    assert loss == pytest.approx(hinge.item(), rel=1e-12)
    np.testing.assert_allclose(dW, Wt.grad.numpy(), rtol=1e-10, atol=1e-14)
