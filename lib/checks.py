"""Checks a reader runs on their own answer to a coding exercise.

Each ``check_*`` function calls the reader's function on cases with known answers
(computed by `lib`'s reference implementation), prints a one-line verdict when
everything agrees, and raises ``AssertionError`` saying what differs otherwise.
"""

import numpy as np

from lib.gradcheck import numerical_gradient, rel_error
from lib.losses import hinge_losses, svm_loss


def check_numerical_gradient(your_fn):
    """Check ``your_fn(f, x, h)``: the centered-difference gradient of f at x, x left unchanged.

    It is compared with `lib.gradcheck.numerical_gradient(f, x, h, method="centered")`
    on smooth functions of a vector and of a matrix, at a step h large enough for a
    forward difference to be visibly less accurate.
    """
    if not callable(your_fn):
        raise ValueError(f"your_fn must be callable, got {type(your_fn).__name__}")
    rng = np.random.default_rng(0)
    cases = [
        ("sum(exp(3x)), x of shape (5,)", lambda x: float(np.sum(np.exp(3 * x))),
         rng.standard_normal(5)),
        ("sum(sin(x) * x**2), x of shape (3, 4)", lambda x: float(np.sum(np.sin(x) * x**2)),
         rng.standard_normal((3, 4))),
        ("log(1 + |x|^2), x of shape (2, 3)", lambda x: float(np.log1p(np.sum(x * x))),
         rng.standard_normal((2, 3))),
    ]
    h = 1e-3
    for name, f, x in cases:
        x_before = x.copy()
        got = your_fn(f, x, h)
        assert np.array_equal(x, x_before), (
            f"{name}: x was changed by your function; restore every entry you perturb"
        )
        got = np.asarray(got, dtype=np.float64)
        assert got.shape == x.shape, (
            f"{name}: the gradient must have x's shape {x.shape}, got {got.shape}"
        )
        want = numerical_gradient(f, x.copy(), h=h, method="centered")
        assert np.all(np.isfinite(got)), f"{name}: your gradient has NaN or infinite entries"
        err = rel_error(got, want)
        assert err < 1e-7, (
            f"{name}: relative error {err:.2e} against the centered difference at h={h:g}; "
            "is it (f(x + h e_k) - f(x - h e_k)) / (2h) for every entry k?"
        )
    print("check_numerical_gradient: your centered-difference gradient matches on all "
          f"{len(cases)} cases, and x comes back unchanged.")


def check_svm_gradient(your_fn):
    """Check ``your_fn(W, X, y, reg) -> (loss, dW)`` against `lib.losses.svm_loss`.

    Cases: random small problems with and without regularization, including one
    where some margins are exactly zero (a kink; the gradient there counts them as inactive).
    """
    if not callable(your_fn):
        raise ValueError(f"your_fn must be callable, got {type(your_fn).__name__}")
    rng = np.random.default_rng(0)
    cases = []
    for n, d, c, reg in [(7, 4, 3, 0.0), (20, 6, 5, 0.1), (12, 3, 4, 2.5)]:
        X = rng.standard_normal((n, d))
        W = 0.5 * rng.standard_normal((d, c))
        y = rng.integers(0, c, size=n)
        cases.append((f"N={n}, D={d}, C={c}, reg={reg}", W, X, y, reg))
    # Integer data whose first example has margins of exactly 0 against both wrong classes.
    X = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    W = np.array([[1.0, 0.0, 0.0], [0.0, 2.0, 0.0]])
    y = np.array([0, 1, 2])
    cases.append(("margins exactly 0 (kinks)", W, X, y, 0.0))
    for name, W, X, y, reg in cases:
        want_loss, want_dW = svm_loss(W, X, y, reg)
        out = your_fn(W.copy(), X.copy(), y.copy(), reg)
        if not (isinstance(out, tuple) and len(out) == 2):
            raise AssertionError(f"{name}: return a pair (loss, dW), got {type(out).__name__}")
        loss, dW = out
        dW = np.asarray(dW, dtype=np.float64)
        assert np.isclose(float(loss), want_loss, rtol=1e-10, atol=1e-12), (
            f"{name}: loss {float(loss):.10g}, expected {want_loss:.10g}"
        )
        assert dW.shape == W.shape, f"{name}: dW must have W's shape {W.shape}, got {dW.shape}"
        if not np.allclose(dW, want_dW, rtol=1e-10, atol=1e-12):
            k = np.unravel_index(np.argmax(np.abs(dW - want_dW)), W.shape)
            raise AssertionError(
                f"{name}: dW{list(k)} = {dW[k]:.10g}, expected {want_dW[k]:.10g} "
                "(count a margin only when it is > 0; average over N; add 2 * reg * W)"
            )
    print(f"check_svm_gradient: loss and gradient match lib.losses.svm_loss on all "
          f"{len(cases)} cases.")


def check_random_local_search(fn):
    """Check a random local search ``fn(f, W0, num_iters, step_size, seed)`` -> ``(W, losses)``.

    The contract (chapter "Random search"): ``losses`` has ``num_iters + 1`` entries,
    ``losses[0] == f(W0)``, ``losses[t]`` is the loss held after iteration t (so it never
    increases), ``f(W) == losses[-1]``, ``W0`` is left unchanged, a fixed seed gives the
    same run twice, and on an easy bowl the loss goes down.
    """
    if not callable(fn):
        raise ValueError(f"fn must be callable, got {type(fn).__name__} {fn!r}")

    def bowl(W):
        return float(np.sum((W - 1.0) ** 2))

    rng = np.random.default_rng(0)
    X = rng.standard_normal((40, 6))
    y = rng.integers(0, 3, size=40)

    def svm(W):
        return svm_loss(W, X, y)[0]

    cases = [
        ("a quadratic bowl, W0 of shape (8,)", bowl, np.zeros(8), 200, 0.1),
        ("an SVM loss, W0 of shape (6, 3)", svm, 0.01 * rng.standard_normal((6, 3)), 150, 0.05),
    ]
    for name, f, W0, num_iters, step_size in cases:
        W0_before = W0.copy()
        out = fn(f, W0, num_iters, step_size, seed=0)
        assert isinstance(out, tuple), (
            f"on {name}: expected a pair (W, losses), got {type(out).__name__}"
        )
        assert len(out) == 2, f"on {name}: expected a pair (W, losses), got {len(out)} items"
        W, losses = out
        W = np.asarray(W, dtype=np.float64)
        losses = np.asarray(losses, dtype=np.float64)
        assert np.array_equal(W0, W0_before), (
            f"on {name}: your function changed W0 in place; work on a copy (W = W0.copy())"
        )
        assert W.shape == W0.shape, f"on {name}: W has shape {W.shape}, expected {W0.shape}"
        assert losses.shape == (num_iters + 1,), (
            f"on {name}: losses has shape {losses.shape}, expected ({num_iters + 1},): "
            "the initial loss followed by one entry per iteration"
        )
        assert np.all(np.isfinite(losses)), f"on {name}: losses contains non-finite values"
        assert np.isclose(losses[0], f(W0), rtol=1e-12, atol=0.0), (
            f"on {name}: losses[0] = {losses[0]!r} but f(W0) = {f(W0)!r}; "
            "the history must start at the initial loss"
        )
        rises = np.flatnonzero(np.diff(losses) > 0)
        assert rises.size == 0, (
            f"on {name}: the loss history increases at iteration {rises[0] + 1} "
            f"({losses[rises[0]]!r} -> {losses[rises[0] + 1]!r}); "
            "a probe that does not lower the loss must be rejected"
        )
        assert np.isclose(f(W), losses[-1], rtol=1e-12, atol=0.0), (
            f"on {name}: f(W) = {f(W)!r} but losses[-1] = {losses[-1]!r}; "
            "return the accepted W, not the last probe"
        )
        assert losses[-1] < losses[0], (
            f"on {name}: the loss did not go down in {num_iters} iterations "
            f"(stayed at {losses[0]!r}); are probes ever accepted?"
        )
        _, again = fn(f, W0, num_iters, step_size, seed=0)
        assert np.array_equal(np.asarray(again, dtype=np.float64), losses), (
            f"on {name}: two runs with seed=0 gave different histories; "
            "draw every random number from np.random.default_rng(seed)"
        )
    print("check_random_local_search: all checks passed.")


def check_hinge_slice(your_fn):
    """Check ``your_fn(w0, w1, w2, x)``: the lecture's 3-example, 1-D, 3-class SVM loss.

    Example i is the scalar ``x[i]`` with label i, the weights are scalars and the
    scores are ``s_ij = w_j * x_i``; the answer is ``L = (L_0 + L_1 + L_2) / 3``. It is
    compared with `lib.losses.hinge_losses` on random weights and examples, with
    ``x_0 != x_1`` so that writing x_0 in place of x_1 is caught.
    """
    if not callable(your_fn):
        raise ValueError(f"your_fn must be callable, got {type(your_fn).__name__}")
    rng = np.random.default_rng(0)
    labels = np.array([0, 1, 2])
    cases = [(0.3, 0.5, -0.5, np.array([1.0, 2.0, 0.5]))]
    for _ in range(30):
        w = rng.normal(scale=1.5, size=3)
        cases.append((float(w[0]), float(w[1]), float(w[2]), rng.normal(scale=2.0, size=3)))
    for w0, w1, w2, x in cases:
        want = float(hinge_losses(x[:, None] @ np.array([[w0, w1, w2]]), labels).mean())
        got = your_fn(w0, w1, w2, x.copy())
        try:
            got = float(got)
        except (TypeError, ValueError):
            raise AssertionError(
                f"your function must return one number, got {type(got).__name__} {got!r}"
            ) from None
        assert np.isclose(got, want, rtol=1e-9, atol=1e-12), (
            f"at w0={w0:.3f}, w1={w1:.3f}, w2={w2:.3f}, x={np.round(x, 3).tolist()}: "
            f"got {got!r}, expected {want!r}. Example i has label i; each wrong class j "
            "adds max(0, w_j x_i - w_i x_i + 1), and the total is the mean of L_0, L_1, L_2."
        )
    print(f"check_hinge_slice: your loss matches hinge_losses on all {len(cases)} cases.")
