"""check_random_local_search accepts a correct search and rejects broken ones."""

import numpy as np
import pytest

from lib.checks import check_random_local_search


def good(f, W0, num_iters, step_size, seed=0):
    rng = np.random.default_rng(seed)
    W = np.array(W0, dtype=np.float64, copy=True)
    loss = f(W)
    losses = [loss]
    for t in range(num_iters):
        eta = step_size / np.sqrt(t + 1)  # a shrinking step is allowed
        W_try = W + eta * rng.standard_normal(W.shape)
        loss_try = f(W_try)
        if loss_try < loss:
            W, loss = W_try, loss_try
        losses.append(loss)
    return W, np.array(losses)


def always_accepts(f, W0, num_iters, step_size, seed=0):
    rng = np.random.default_rng(seed)
    W = W0.copy()
    losses = [f(W)]
    for _ in range(num_iters):
        W = W + step_size * rng.standard_normal(W.shape)
        losses.append(f(W))
    return W, np.array(losses)


def skips_initial_loss(f, W0, num_iters, step_size, seed=0):
    W, losses = good(f, W0, num_iters + 1, step_size, seed)
    return W, losses[1:]


def returns_last_probe(f, W0, num_iters, step_size, seed=0):
    rng = np.random.default_rng(seed)
    W = W0.copy()
    loss = f(W)
    losses = [loss]
    W_try = W
    for _ in range(num_iters):
        W_try = W + step_size * rng.standard_normal(W.shape)
        loss_try = f(W_try)
        if loss_try < loss:
            W, loss = W_try, loss_try
        losses.append(loss)
    return W_try, np.array(losses)


def mutates_W0(f, W0, num_iters, step_size, seed=0):
    rng = np.random.default_rng(seed)
    W = W0  # no copy: in-place updates leak back to the caller
    loss = f(W)
    losses = [loss]
    for _ in range(num_iters):
        step = step_size * rng.standard_normal(W.shape)
        W += step
        loss_try = f(W)
        if loss_try < loss:
            loss = loss_try
        else:
            W -= step
        losses.append(loss)
    return W, np.array(losses)


def unseeded(f, W0, num_iters, step_size, seed=0):
    return good(f, W0, num_iters, step_size, seed=np.random.SeedSequence().entropy % 2**32)


def test_accepts_correct_search(capsys):
    check_random_local_search(good)
    assert "passed" in capsys.readouterr().out


@pytest.mark.parametrize(
    "wrong", [always_accepts, skips_initial_loss, returns_last_probe, mutates_W0, unseeded]
)
def test_rejects_wrong_search(wrong):
    with pytest.raises(AssertionError):
        check_random_local_search(wrong)


def test_rejects_non_callable():
    with pytest.raises(ValueError, match="callable"):
        check_random_local_search("not a function")
