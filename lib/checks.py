"""Checks a reader runs on their own answer to a coding exercise.

Each ``check_*`` function calls the reader's function on cases with known answers
(computed by `lib`'s reference implementation), prints a one-line verdict when
everything agrees, and raises ``AssertionError`` saying what differs otherwise.
"""

import contextlib
import io
import time

import numpy as np

from lib.gradcheck import numerical_gradient, rel_error
from lib.landscapes import Himmelblau, Quadratic, Rosenbrock
from lib.losses import cross_entropy_losses, hinge_losses, svm_loss
from lib.nn import Linear, Sequential, SoftmaxCrossEntropy, Tanh
from lib.optim import SGD, Adam
from lib.schedules import cosine_decay, linear_warmup, step_decay


def _require_callable(fn, name):
    if not callable(fn):
        raise ValueError(f"{name} must be callable, got {type(fn).__name__} {fn!r}")


def check_numerical_gradient(your_fn):
    """Check ``your_fn(f, x, h)``: the centered-difference gradient of f at x, x left unchanged.

    It is compared with `lib.gradcheck.numerical_gradient(f, x, h, method="centered")`
    on smooth functions of a vector and of a matrix, at a step h large enough for a
    forward difference to be visibly less accurate.
    """
    _require_callable(your_fn, "your_fn")
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
            "is it (f(x with entry k raised by h) - f(x with entry k lowered by h)) / (2h) "
            "for every entry k?"
        )
    print("check_numerical_gradient: your centered-difference gradient matches on all "
          f"{len(cases)} cases, and x comes back unchanged.")


def check_svm_gradient(your_fn):
    """Check ``your_fn(W, X, y, reg) -> (loss, dW)`` against `lib.losses.svm_loss`.

    Cases: random small problems with and without regularization, including one
    where some margins are exactly zero (a kink; the gradient there counts them as inactive).
    """
    _require_callable(your_fn, "your_fn")
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
    _require_callable(fn, "fn")

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
    _require_callable(your_fn, "your_fn")
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


def check_two_layer_backprop(your_fn):
    """Check ``your_fn(X, y, W1, b1, W2, b2, alpha) -> (loss, grads)``: a regularized tanh network.

    The network is ``scores = tanh(X @ W1 + b1) @ W2 + b2``; the loss is the mean softmax
    cross-entropy plus the L2 penalty ``alpha * (sum(W1**2) + sum(W2**2))`` on the weights
    (not the biases). ``grads`` is a dict with keys "W1", "b1", "W2", "b2", each shaped like
    its parameter. The cross-entropy part is compared with the same network built from
    `lib.nn` layers (Linear, Tanh, Linear, SoftmaxCrossEntropy), the penalty with its closed
    form, on random problems with and without the penalty.
    """
    _require_callable(your_fn, "your_fn")
    rng = np.random.default_rng(0)
    for n, d, h, c, alpha in [(5, 3, 4, 2, 0.0), (17, 6, 9, 4, 0.1), (40, 2, 16, 3, 0.01)]:
        X = rng.standard_normal((n, d))
        y = rng.integers(0, c, size=n)
        model = Sequential(Linear(d, h, seed=1), Tanh(), Linear(h, c, seed=2))
        # Nonzero biases so a forgotten bias gradient shows.
        model.params["0.b"][...] = 0.3 * rng.standard_normal(h)
        model.params["2.b"][...] = 0.3 * rng.standard_normal(c)
        loss_fn = SoftmaxCrossEntropy()
        p = model.params
        penalty = alpha * (np.sum(p["0.W"] ** 2) + np.sum(p["2.W"] ** 2))
        want_loss = loss_fn.forward(model.forward(X), y) + penalty
        model.backward(loss_fn.backward(), need_dx=False)
        want = {"W1": model.grads["0.W"] + 2 * alpha * p["0.W"], "b1": model.grads["0.b"],
                "W2": model.grads["2.W"] + 2 * alpha * p["2.W"], "b2": model.grads["2.b"]}
        out = your_fn(X.copy(), y.copy(), p["0.W"].copy(), p["0.b"].copy(),
                      p["2.W"].copy(), p["2.b"].copy(), alpha)
        name = f"N={n}, D={d}, n_h={h}, C={c}, alpha={alpha:g}"
        if not (isinstance(out, tuple) and len(out) == 2):
            raise AssertionError(f"{name}: return a pair (loss, grads), got {type(out).__name__}")
        loss, grads = out
        assert np.isclose(float(loss), want_loss, rtol=1e-10, atol=1e-12), (
            f"{name}: loss {float(loss):.10g}, expected {want_loss:.10g} (the mean over the N "
            "examples of the softmax cross-entropy, plus alpha times the sum of the squared "
            "weights of W1 and W2)"
        )
        if not isinstance(grads, dict) or set(grads) != set(want):
            raise AssertionError(f"{name}: grads must be a dict with keys W1, b1, W2, b2")
        hints = {
            "W2": "dW2 = A1.T @ dS + 2 alpha W2, with A1 = tanh(Z1), dS = (softmax - onehot) / N",
            "b2": "db2 = dS summed over the batch (the biases are not penalized)",
            "W1": "dZ1 = (dS @ W2.T) * (1 - A1**2), the derivative of tanh; "
                  "dW1 = X.T @ dZ1 + 2 alpha W1",
            "b1": "db1 = dZ1 summed over the batch",
        }
        for key, w in want.items():
            g = np.asarray(grads[key], dtype=np.float64)
            assert g.shape == w.shape, (
                f"{name}: grads['{key}'] has shape {g.shape}, expected {w.shape}"
            )
            err = rel_error(g, w)
            assert err < 1e-7, (
                f"{name}: grads['{key}'] has relative error {err:.2e}. {hints[key]}"
            )
    print("check_two_layer_backprop: the loss and all four gradients match lib.nn and the "
          "penalty's closed form on 3 networks.")


def check_log_softmax(your_fn):
    """Check ``your_fn(scores) -> log_probs``: row-wise log-softmax of scores (N, C), stably.

    Entry (i, j) must equal :math:`\\log p_{ij} = s_{ij} - \\log\\sum_k e^{s_{ik}}`, which is
    minus `lib.losses.cross_entropy_losses` of row i with label j. The cases include scores
    in the thousands (a naive ``exp`` overflows) and a row with a single class.
    """
    _require_callable(your_fn, "your_fn")
    rng = np.random.default_rng(0)
    cases = [
        ("small random scores (4, 3)", rng.standard_normal((4, 3))),
        ("the cat/car/frog scores (1, 3)", np.array([[3.2, 5.1, -1.7]])),
        ("large scores around +1000 (3, 5)", 1000.0 + 5.0 * rng.standard_normal((3, 5))),
        ("large negative scores around -1000 (2, 4)", -1000.0 + rng.standard_normal((2, 4))),
        ("one class only (3, 1)", rng.standard_normal((3, 1))),
    ]
    for name, scores in cases:
        before = scores.copy()
        got = np.asarray(your_fn(scores), dtype=np.float64)
        assert np.array_equal(scores, before), f"{name}: your function changed its input scores"
        assert got.shape == scores.shape, (
            f"{name}: expected log-probabilities of shape {scores.shape}, got {got.shape}"
        )
        assert np.all(np.isfinite(got)), (
            f"{name}: your log-probabilities contain NaN or inf; subtract each row's maximum "
            "before exponentiating"
        )
        n, c = scores.shape
        want = np.stack(
            [-cross_entropy_losses(scores, np.full(n, j)) for j in range(c)], axis=1
        )
        err = np.max(np.abs(got - want))
        assert err < 1e-9, (
            f"{name}: largest difference {err:.2e} from s_ij - log sum_k exp(s_ik); "
            "do the probabilities of each row sum to one?"
        )
    print(f"check_log_softmax: your log-softmax matches on all {len(cases)} cases, "
          "including scores in the thousands.")


def check_gradient_descent(your_fn):
    """Check ``your_fn(grad, theta0, lr, num_steps)``: iterates theta_0, ..., theta_T, (T + 1, n).

    Cases: the lecture notes' L(theta) = (theta_1 - 2)^2 + 4 (theta_2 - 1)^2 from (4, 2) with
    lr 0.2 and a three-dimensional quadratic (both against the closed form
    theta_t - theta* = (I - lr H)^t (theta_0 - theta*)), and Rosenbrock's function (against a
    reference loop). The caller's theta0 must come back unchanged.
    """
    _require_callable(your_fn, "your_fn")

    def quadratic_case(name, diag, center, w0, lr, steps):
        diag, center = np.asarray(diag, float), np.asarray(center, float)
        t = np.arange(steps + 1)[:, None]
        want = center + (1 - lr * diag) ** t * (np.asarray(w0, float) - center)
        return name, (lambda w: diag * (w - center)), np.asarray(w0, float), lr, steps, want

    def rosenbrock_grad(w):
        x, y = w
        return np.array([-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)])

    w_ref = np.array([-1.0, 1.5])
    ref = [w_ref]
    for _ in range(50):
        ref.append(ref[-1] - 1e-3 * rosenbrock_grad(ref[-1]))
    cases = [
        quadratic_case("lecture notes' L from (4, 2), lr 0.2", [2.0, 8.0], [2.0, 1.0],
                       [4.0, 2.0], 0.2, 10),
        quadratic_case("3-D quadratic, lr 0.1", [1.0, 5.0, 15.0], [1.0, -1.0, 0.5],
                       [0.0, 2.0, -1.0], 0.1, 25),
        ("Rosenbrock from (-1, 1.5), lr 1e-3", rosenbrock_grad, w_ref, 1e-3, 50,
         np.array(ref)),
    ]
    for name, grad, w0, lr, steps, want in cases:
        w0_before = w0.copy()
        got = your_fn(grad, w0, lr, steps)
        assert np.array_equal(w0, w0_before), (
            f"{name}: w0 was changed by your function (theta0 must stay as it was); work on a copy"
        )
        got = np.asarray(got, dtype=np.float64)
        assert got.shape == want.shape, (
            f"{name}: expected the path of shape {want.shape} (theta_0 and {steps} steps), "
            f"got {got.shape}"
        )
        assert np.allclose(got[0], want[0]), f"{name}: the first row must be theta0 itself"
        err = np.max(np.abs(got - want))
        assert err < 1e-8 * (1 + np.max(np.abs(want))), (
            f"{name}: largest difference {err:.2e} from the expected iterates; "
            "is each step theta - lr * grad(theta), against the gradient?"
        )
    print(f"check_gradient_descent: your iterates match on all {len(cases)} cases, "
          "and theta0 comes back unchanged.")


def check_classify_critical_point(your_fn):
    """Check ``your_fn(H)`` -> "minimum" | "maximum" | "saddle" | "degenerate".

    Cases: the nine critical points of Himmelblau's function (Hessians from
    `lib.landscapes.Himmelblau`), rotated 3-D and 5-D Hessians with known eigenvalue
    signs, and degenerate ones (a zero eigenvalue without the opposite sign).
    """
    _require_callable(your_fn, "your_fn")

    himmel = Himmelblau()
    points = {
        "minimum": [(3.0, 2.0), (-2.805118, 3.131313), (-3.779310, -3.283186),
                    (3.584428, -1.848127)],
        "saddle": [(-3.073026, -0.081353), (-0.127961, -1.953715), (0.086678, 2.884255),
                   (3.385154, 0.073852)],
        "maximum": [(-0.270845, -0.923039)],
    }
    cases = [(f"Himmelblau at {p}", himmel.hessian(np.array(p)), kind)
             for kind, pts in points.items() for p in pts]
    rng = np.random.default_rng(0)

    def rotated(eigs):
        Q, _ = np.linalg.qr(rng.standard_normal((len(eigs), len(eigs))))
        return Q @ np.diag(np.asarray(eigs, float)) @ Q.T

    for eigs, kind in [([1.0, 2.0, 3.0], "minimum"), ([-1.0, -0.5, -4.0], "maximum"),
                       ([2.0, -1e-3, 5.0], "saddle"), ([1.0, 0.0, -1.0], "saddle"),
                       ([1.0, 3.0, 0.0], "degenerate"), ([-2.0, 0.0, 0.0, -1.0, -3.0],
                                                          "degenerate"),
                       ([0.5, 1.0, 2.0, 4.0, 8.0], "minimum")]:
        cases.append((f"eigenvalues {eigs}", rotated(eigs), kind))
    cases.append(("Hessian diag(2, 0) of x^2 + y^4", np.diag([2.0, 0.0]), "degenerate"))
    for name, H, want in cases:
        got = your_fn(H.copy())
        assert got == want, f"{name}: expected {want!r}, got {got!r}"
    print(f"check_classify_critical_point: all {len(cases)} Hessians classified correctly.")


def _schedule_values(schedule, ts, name):
    """The reader's schedule at every t in `ts` (Python ints), as a float64 array."""
    out = []
    for t in ts:
        value = schedule(int(t))
        try:
            out.append(float(value))
        except (TypeError, ValueError):
            raise AssertionError(
                f"{name}: your schedule must return a number for t = {t}, "
                f"got {type(value).__name__}"
            ) from None
    return np.array(out)


def check_schedule_multistep(your_fn):
    """Check ``your_fn(lr0, milestones, gamma, steps_per_epoch)`` -> a schedule t -> lr.

    `milestones` are epochs (e.g. [30, 60, 90]); t counts updates from 0. The rate is lr0
    times gamma to the number of milestones m with t >= m * steps_per_epoch. Regular
    milestones are compared with `lib.schedules.step_decay(lr0, s * steps_per_epoch, gamma)`
    (before the milestone that lib would add next), irregular ones with that count.
    """
    _require_callable(your_fn, "your_fn")

    cases = [
        ("ResNet-like: epochs 30, 60, 90, 38 updates per epoch", 0.1, [30, 60, 90], 0.1, 38),
        ("every 2 epochs, gamma 0.5, 7 updates per epoch", 1.0, [2, 4, 6, 8], 0.5, 7),
        ("irregular epochs 3, 5, 11, gamma 0.2", 0.4, [3, 5, 11], 0.2, 10),
        ("one update per epoch, milestones 1 and 4", 2.0, [1, 4], 0.1, 1),
    ]
    for name, lr0, milestones, gamma, spe in cases:
        schedule = your_fn(lr0, list(milestones), gamma, spe)
        if not callable(schedule):
            raise AssertionError(
                f"{name}: your function must return a schedule (a function of t), "
                f"got {type(schedule).__name__}"
            )
        end = (milestones[-1] + 3) * spe
        ts = np.unique(np.concatenate([
            np.arange(0, end, max(1, spe // 3)),
            [m * spe + d for m in milestones for d in (-1, 0, 1)],
        ]))
        ts = ts[(ts >= 0) & (ts < end)]
        got = _schedule_values(schedule, ts, name)
        steps = np.diff([0, *milestones])
        if len(set(steps)) == 1 and milestones[0] == steps[0]:
            reference = step_decay(lr0, int(steps[0]) * spe, gamma)
            keep = ts < (milestones[-1] + steps[0]) * spe
            want = np.where(keep, reference(ts), lr0 * gamma ** len(milestones))
        else:
            passed = (ts[:, None] >= np.array(milestones)[None, :] * spe).sum(axis=1)
            want = lr0 * gamma ** passed
        bad = ~np.isclose(got, want, rtol=1e-12, atol=0.0)
        if bad.any():
            t = int(ts[bad][0])
            hint = ""
            if any(t == m * spe for m in milestones):
                hint = (" This t is the first update of a milestone epoch: use >=, so that "
                        "epoch m already runs at the lower rate.")
            elif any(t == m for m in milestones):
                hint = " Are the milestones in epochs converted to updates (times steps_per_epoch)?"
            raise AssertionError(
                f"{name}: at t = {t} your rate is {got[bad][0]:.6g}, expected "
                f"{want[bad][0]:.6g}.{hint}"
            )
    print(f"check_schedule_multistep: your schedule matches at every tested update in all "
          f"{len(cases)} cases.")


def check_schedule_warmup_cosine(your_fn):
    """Check ``your_fn(lr0, warmup_steps, total_steps, lr_min)`` -> a schedule t -> lr.

    A linear warmup over the first W = warmup_steps updates, ((t + 1) / W) * lr0, then a
    cosine from lr0 down to lr_min that ends at t = total_steps (the warmup counts toward
    the total) and stays at lr_min afterwards. Compared with
    ``linear_warmup(cosine_decay(lr0, total_steps - W, lr_min), W)`` of `lib.schedules`
    at every t from 0 to total_steps + 50.
    """
    _require_callable(your_fn, "your_fn")

    cases = [
        ("lr0 0.1, 10 warmup of 100 updates", 0.1, 10, 100, 0.0),
        ("lr0 1.0, 5 warmup of 12 updates, lr_min 0.1", 1.0, 5, 12, 0.1),
        ("lr0 3e-4, 40 warmup of 1000 updates, lr_min 3e-5", 3e-4, 40, 1000, 3e-5),
        ("lr0 0.5, 1 warmup update of 30", 0.5, 1, 30, 0.0),
    ]
    for name, lr0, w, total, lr_min in cases:
        schedule = your_fn(lr0, w, total, lr_min)
        if not callable(schedule):
            raise AssertionError(
                f"{name}: your function must return a schedule (a function of t), "
                f"got {type(schedule).__name__}"
            )
        ts = np.arange(total + 51)
        got = _schedule_values(schedule, ts, name)
        want = linear_warmup(cosine_decay(lr0, total - w, lr_min), w)(ts)
        bad = ~np.isclose(got, want, rtol=1e-9, atol=1e-15)
        if bad.any():
            t = int(ts[bad][0])
            if t < w:
                hint = (" During the warmup the rate is (t + 1) / W * lr0: the first "
                        "update (t = 0) already moves, and t = W - 1 reaches lr0.")
            elif t <= total:
                hint = (" After the warmup the cosine starts from its own beginning: "
                        "use t - W, over total_steps - W updates.")
            else:
                hint = " Past total_steps the rate must stay at lr_min, not rise again."
            raise AssertionError(
                f"{name}: at t = {t} your rate is {got[bad][0]:.6g}, expected "
                f"{want[bad][0]:.6g}.{hint}"
            )
    print(f"check_schedule_warmup_cosine: your schedule matches lib at every update in all "
          f"{len(cases)} cases, including after total_steps.")


def _momentum_cases():
    """Landscapes for the momentum checks: (name, grad, start) with a non-quadratic one."""

    rng = np.random.default_rng(0)
    Q, _ = np.linalg.qr(rng.standard_normal((5, 5)))
    A5 = Q @ np.diag([1.0, 2.0, 5.0, 10.0, 30.0]) @ Q.T
    valley = Quadratic.with_condition(50.0, angle=np.pi / 6)
    rosen = Rosenbrock()
    return [
        ("the valley Quadratic.with_condition(50, angle=pi/6)", valley.grad,
         np.array([-2.105, -0.754]), 0.02, 0.9, 80),
        ("Rosenbrock from (-1.5, 2)", rosen.grad, np.array(rosen.start, dtype=float),
         1e-3, 0.9, 300),
        ("a 5-D quadratic with curvatures 1..30", lambda w: A5 @ w,
         rng.standard_normal(5), 0.03, 0.5, 60),
    ]


def _momentum_step_output(out, name, t, shape):
    if not (isinstance(out, tuple) and len(out) == 2):
        raise AssertionError(
            f"{name}: return a pair (theta_new, u_new), got {type(out).__name__} at step {t}"
        )
    theta, u = (np.asarray(a, dtype=np.float64) for a in out)
    for label, a in (("theta_new", theta), ("u_new", u)):
        if a.shape != shape:
            raise AssertionError(f"{name}: {label} must have shape {shape}, got {a.shape}")
        if not np.all(np.isfinite(a)):
            raise AssertionError(f"{name}: {label} has NaN or infinite entries at step {t}")
    return theta.copy(), u.copy()


def check_momentum_form_b(your_fn):
    """Check ``your_fn(theta, u, g, lr, mu) -> (theta_new, u_new)``: one step of form B.

    Form B (learning rate inside the velocity): u_new = mu u - lr g, theta_new = theta +
    u_new. From u = 0 and a constant lr the iterates must be those of
    `lib.optim.SGD(lr, momentum=mu)` and u = -lr v, v the optimizer's buffer; with a
    step-decay schedule each gradient must enter with the rate of its own step; and driven
    with the momentum mu lr_t / lr_(t-1), the steps must reproduce form A under the schedule.
    """
    _require_callable(your_fn, "your_fn")

    n_checked = 0
    for name, grad, start, lr, mu, n_steps in _momentum_cases():
        theta, u = start.copy(), np.zeros_like(start)
        ref = start.copy()
        opt = SGD(lr, momentum=mu)
        for t in range(n_steps):
            g = grad(theta)
            theta, u = _momentum_step_output(your_fn(theta.copy(), u.copy(), g.copy(), lr, mu),
                                    name, t, start.shape)
            opt.step({"w": ref}, {"w": grad(ref)})
            scale = 1.0 + np.abs(ref).max()
            if np.abs(theta - ref).max() > 1e-9 * scale:
                raise AssertionError(
                    f"{name}: after step {t + 1} your theta differs from lib.optim.SGD(lr, "
                    f"momentum=mu) by {np.abs(theta - ref).max():.2e}; is the update "
                    "u_new = mu * u - lr * g, theta_new = theta + u_new?"
                )
            v = opt.state["w"]["v"]
            if np.abs(u + lr * v).max() > 1e-9 * (1.0 + lr * np.abs(v).max()):
                raise AssertionError(
                    f"{name}: after step {t + 1} your velocity is not -lr times lib's buffer "
                    f"(difference {np.abs(u + lr * v).max():.2e}); form B keeps lr inside u "
                    "and moves theta by +u_new"
                )
        n_checked += 1
    # A schedule: the rate drops tenfold after 10 steps; the reference is form B itself.
    name, grad, start, lr0, mu, _ = _momentum_cases()[0]
    theta, u = start.copy(), np.zeros_like(start)
    ref_theta, ref_u = start.copy(), np.zeros_like(start)
    for t in range(30):
        lr = lr0 if t < 10 else lr0 / 10
        g = grad(theta)
        theta, u = _momentum_step_output(your_fn(theta.copy(), u.copy(), g.copy(), lr, mu),
                                name, t, start.shape)
        ref_u = mu * ref_u - lr * grad(ref_theta)
        ref_theta = ref_theta + ref_u
        if np.abs(theta - ref_theta).max() > 1e-9 * (1.0 + np.abs(ref_theta).max()):
            raise AssertionError(
                f"{name} with the rate divided by 10 after 10 steps: your theta is off by "
                f"{np.abs(theta - ref_theta).max():.2e} after step {t + 1}; in form B only "
                "the new gradient is multiplied by the new rate, the old velocity is kept"
            )
    # Form A under that schedule is form B with the momentum mu * lr_t / lr_(t-1): driven so,
    # the reader's form-B step must reproduce lib.optim.SGD with the schedule.
    opt = SGD(lambda t: lr0 if t < 10 else lr0 / 10, momentum=mu)
    theta, u, ref = start.copy(), np.zeros_like(start), start.copy()
    for t in range(30):
        lr = lr0 if t < 10 else lr0 / 10
        lr_prev = lr0 if t <= 10 else lr0 / 10          # the rate of step t - 1
        g = grad(theta)
        theta, u = _momentum_step_output(
            your_fn(theta.copy(), u.copy(), g.copy(), lr, mu * lr / lr_prev), name, t,
            start.shape)
        opt.step({"w": ref}, {"w": grad(ref)})
        if np.abs(theta - ref).max() > 1e-9 * (1.0 + np.abs(ref).max()):
            raise AssertionError(
                f"{name} with the rate divided by 10 after 10 steps: driven with the momentum "
                f"mu * lr_t / lr_(t-1), your form-B step should reproduce lib.optim.SGD (form A) "
                f"with the same schedule, but differs by {np.abs(theta - ref).max():.2e} after "
                f"step {t + 1}; does your step use the mu it is given at every call?"
            )
    print(f"check_momentum_form_b: your form-B step matches lib.optim.SGD (u = -lr v) on "
          f"{n_checked} landscapes, follows a step-decay schedule as form B should, and with "
          "the momentum mu * lr_t / lr_(t-1) reproduces form A under the schedule.")


def check_nesterov_lookahead_step(your_fn):
    """Check ``your_fn(theta, u, grad, lr, mu) -> (theta_new, u_new)``: Nesterov, look-ahead form.

    The step: g = grad(theta + mu u), u_new = mu u - lr g, theta_new = theta + u_new.
    From u = 0, the look-ahead points theta + mu u must be the parameters of
    `lib.optim.SGD(lr, momentum=mu, nesterov=True)` and u = -lr v, v its buffer: on a
    2-D valley, on Rosenbrock's function and on a 5-D quadratic.
    """
    _require_callable(your_fn, "your_fn")

    cases = _momentum_cases()
    for name, grad, start, lr, mu, n_steps in cases:
        theta, u = start.copy(), np.zeros_like(start)
        phi = start.copy()
        opt = SGD(lr, momentum=mu, nesterov=True)
        for t in range(n_steps):
            theta, u = _momentum_step_output(your_fn(theta.copy(), u.copy(), grad, lr, mu),
                                    name, t, start.shape)
            opt.step({"w": phi}, {"w": grad(phi)})
            ahead = theta + mu * u
            scale = 1.0 + np.abs(phi).max()
            if np.abs(ahead - phi).max() > 1e-9 * scale:
                hint = ("your theta itself equals lib's parameter: return theta, not the "
                        "look-ahead point" if np.abs(theta - phi).max() <= 1e-9 * scale else
                        "is the gradient taken at the look-ahead point theta + mu * u, and "
                        "is theta_new = theta + u_new (from theta, not from the look-ahead)?")
                raise AssertionError(
                    f"{name}: after step {t + 1}, theta + mu * u differs from the parameter "
                    f"of lib.optim.SGD(nesterov=True) by {np.abs(ahead - phi).max():.2e}; {hint}"
                )
            v = opt.state["w"]["v"]
            if np.abs(u + lr * v).max() > 1e-9 * (1.0 + lr * np.abs(v).max()):
                raise AssertionError(
                    f"{name}: after step {t + 1}, your u is not -lr times lib's buffer "
                    f"(difference {np.abs(u + lr * v).max():.2e})"
                )
    print(f"check_nesterov_lookahead_step: on all {len(cases)} landscapes your theta + mu * u "
          "is lib.optim.SGD(nesterov=True)'s parameter and u = -lr * its buffer.")


def check_armijo_backtracking(your_fn):
    """Check ``your_fn(f, theta, g, eta0, c1, rho) -> eta``: backtracking to the Armijo condition.

    Starting from ``eta0``, the step length is multiplied by ``rho`` until
    :math:`f(\\theta - \\eta g) \\le f(\\theta) - c_1 \\eta \\|g\\|^2` (sufficient decrease along
    the steepest-descent direction -g), and that first acceptable eta is returned. On
    quadratics the answer is known in closed form: the condition holds exactly for
    :math:`\\eta \\le 2 (1 - c_1) \\|g\\|^2 / g^\\top H g`. On Rosenbrock's function the check
    verifies the two defining properties instead: eta satisfies the condition, and eta / rho
    (when eta < eta0) does not. theta and g must come back unchanged.
    """
    _require_callable(your_fn, "your_fn")

    def quadratic(H, center):
        H, center = np.asarray(H, float), np.asarray(center, float)
        return (lambda th: 0.5 * (th - center) @ H @ (th - center)), \
               (lambda th: H @ (th - center)), H

    def expected_on_quadratic(H, g, eta0, c1, rho):
        eta_ok = 2.0 * (1.0 - c1) * (g @ g) / (g @ H @ g)     # the condition holds iff eta <= this
        eta = eta0
        while eta > eta_ok:
            eta *= rho
        return eta

    f_notes, grad_notes, H_notes = quadratic([[2.0, 0.0], [0.0, 8.0]], [2.0, 1.0])
    rng = np.random.default_rng(0)
    Q, _ = np.linalg.qr(rng.standard_normal((5, 5)))
    H5 = Q @ np.diag([0.5, 1.0, 3.0, 10.0, 40.0]) @ Q.T
    f5, grad5, _ = quadratic(H5, np.zeros(5))
    theta_notes = np.array([4.0, 2.0])
    theta5 = 3.0 * rng.standard_normal(5)
    quad_cases = [
        ("lecture notes' L at (4, 2), eta0 1, c1 1e-4, rho 0.5", f_notes, H_notes, theta_notes,
         grad_notes(theta_notes), 1.0, 1e-4, 0.5),
        ("same point, c1 0.5 (a demanding condition)", f_notes, H_notes, theta_notes,
         grad_notes(theta_notes), 1.0, 0.5, 0.5),
        ("same point, eta0 0.1 already acceptable", f_notes, H_notes, theta_notes,
         grad_notes(theta_notes), 0.1, 1e-4, 0.5),
        ("same point, eta0 10, rho 0.8 (many reductions)", f_notes, H_notes, theta_notes,
         grad_notes(theta_notes), 10.0, 1e-4, 0.8),
        ("5-D quadratic, curvatures 0.5 to 40, c1 0.3, rho 0.6", f5, H5, theta5, grad5(theta5),
         2.0, 0.3, 0.6),
    ]

    def rosenbrock(th):
        return (1.0 - th[0]) ** 2 + 100.0 * (th[1] - th[0] ** 2) ** 2

    def rosenbrock_grad(th):
        x, y = th
        return np.array([-2.0 * (1.0 - x) - 400.0 * x * (y - x * x), 200.0 * (y - x * x)])

    def counted(f, limit=500):
        calls = [0]

        def wrapped(th):
            calls[0] += 1
            if calls[0] > limit:
                raise AssertionError(f"your function evaluated f more than {limit} times; "
                                     "does the loop multiply eta by rho and stop?")
            return float(f(np.array(th, dtype=float)))
        return wrapped

    def run(name, f, theta, g, eta0, c1, rho):
        theta_before, g_before = theta.copy(), g.copy()
        got = your_fn(counted(f), theta, g, eta0, c1, rho)
        if not (np.array_equal(theta, theta_before) and np.array_equal(g, g_before)):
            raise AssertionError(f"{name}: your function changed theta or g; compute "
                                 "theta - eta * g as a new array")
        if np.ndim(got) != 0:
            raise AssertionError(f"{name}: return the step length eta (a number), got "
                                 f"{type(got).__name__} of shape {np.shape(got)}")
        return float(got)

    def armijo_holds(f, theta, g, eta, c1):
        return f(theta - eta * g) <= f(theta) - c1 * eta * (g @ g)

    for name, f, H, theta, g, eta0, c1, rho in quad_cases:
        got = run(name, f, theta, g, eta0, c1, rho)
        want = expected_on_quadratic(H, g, eta0, c1, rho)
        if not np.isclose(got, want, rtol=1e-12, atol=0.0):
            if np.isclose(got, want * rho, rtol=1e-12):
                hint = "one reduction too many: test eta0 itself before multiplying by rho"
            elif got > want:
                hint = ("too long a step: the condition is f(theta - eta g) <= f(theta) - "
                        "c1 * eta * ||g||^2, with the squared norm g @ g")
            else:
                hint = "too short a step: stop at the first eta0 * rho^k that satisfies it"
            raise AssertionError(f"{name}: eta = {got:.6g}, expected {want:.6g}; {hint}")

    theta_r = np.array([-1.0, 1.5])
    g_r = rosenbrock_grad(theta_r)
    for eta0, c1, rho in [(1.0, 1e-4, 0.5), (0.01, 0.25, 0.3)]:
        name = f"Rosenbrock at (-1, 1.5), eta0 {eta0:g}, c1 {c1:g}, rho {rho:g}"
        got = run(name, rosenbrock, theta_r, g_r, eta0, c1, rho)
        k = np.log(got / eta0) / np.log(rho)
        if not (got <= eta0 and np.isclose(k, np.round(k), atol=1e-9)):
            raise AssertionError(f"{name}: eta = {got:.6g} is not eta0 * rho^k for a whole k >= 0")
        assert armijo_holds(rosenbrock, theta_r, g_r, got, c1), (
            f"{name}: eta = {got:.6g} does not satisfy the sufficient-decrease condition"
        )
        assert got == eta0 or not armijo_holds(rosenbrock, theta_r, g_r, got / rho, c1), (
            f"{name}: eta / rho = {got / rho:.6g} already satisfies the condition; stop at the "
            "first acceptable step, the longest one"
        )
    print(f"check_armijo_backtracking: your step lengths are right on all {len(quad_cases) + 2} "
          "cases (closed form on quadratics, the defining properties on Rosenbrock).")


class _FloatOps:
    exp, log, tanh = staticmethod(np.exp), staticmethod(np.log), staticmethod(np.tanh)

    @staticmethod
    def relu(v):
        return max(v, 0.0)


class _ValueOps:
    exp = staticmethod(lambda v: v.exp())
    log = staticmethod(lambda v: v.log())
    tanh = staticmethod(lambda v: v.tanh())
    relu = staticmethod(lambda v: v.relu())


def _graph_paths(o, x):
    """The backprop chapter's paths example with tanh and exp: x reaches r along three paths."""
    w = x * x
    p = o.tanh(w) * o.exp(-w)
    return p * o.exp(x)


def _graph_unequal_paths(o, x):
    """c = 2x + 1 reaches the output directly and through tanh(c)^2: paths of unequal length."""
    c = x * 2.0 + 1.0
    return o.tanh(c) ** 2 + c


def _graph_every_operation(o, a, b):
    return ((a * b + o.tanh(b)) / (1.0 + a**2) - o.log(a) * 3.0 + o.relu(b - 0.5)
            + 2.0 / b - (1.0 - a) * 0.5 + o.exp(-a) ** 0.5)


def _graph_chain(o, x):
    for _ in range(100):
        x = o.tanh(x * 0.9) + 0.1
    return x


def _autograd_graphs():
    """(name, function of (ops, *inputs), inputs, hint if the gradient is wrong)."""
    return [
        ("x * x", lambda o, x: x * x, (3.0,),
         "a Value used twice: each use adds its share, so write grad += ..., not grad = ..."),
        ("the paths example (a fork at w = x * x and at x)", _graph_paths, (0.7,),
         "a node reached by several consumers must add up all their contributions (+=) "
         "before it passes its own gradient on (reverse topological order)"),
        ("unequal paths through c = 2x + 1", _graph_unequal_paths, (0.3,),
         "a node may pass its gradient on only after all its consumers have: visit the nodes "
         "in reverse topological order (breadth-first order from the output is not one)"),
        ("every operation", _graph_every_operation, (1.3, 0.8),
         "check the local derivatives of /, **, log, tanh, relu, exp and of the reversed "
         "operations (2.0 / b, 1.0 - a)"),
        ("relu below zero", lambda o, a: o.relu(a * 2.0) + a * 0.25, (-0.6,),
         "relu's local derivative is 0 where its input is negative"),
        ("a chain of 100 tanh steps", _graph_chain, (0.2,),
         "check the local derivatives along the chain"),
    ]


def check_scalar_autograd(Value):
    """Check a micrograd-style scalar autograd class ``Value`` on several DAGs and a network.

    Required: ``Value(x)`` for a float x, with attributes ``data`` (the value) and ``grad``
    (0.0 until a backward pass); the operators ``+ - * /`` between Values and with plain
    numbers on either side, unary ``-``, ``v ** k`` for a number k; the methods ``exp()``,
    ``log()``, ``tanh()``, ``relu()``; and ``out.backward()``, which sets ``out.grad = 1`` and
    adds :math:`\\partial\\,\\text{out}/\\partial v` to ``v.grad`` for every Value v that out
    depends on. Each graph (reuse of a Value, forks, paths of unequal length, every
    operation, a chain of 100 tanh steps) is compared with the same computation on floats,
    differentiated by centered differences; a 3-4-2 tanh network with the mean softmax
    cross-entropy is compared with `lib.nn`.
    """
    if not isinstance(Value, type):
        raise ValueError(f"Value must be a class, got {type(Value).__name__} {Value!r}")
    probe = Value(1.5)
    if not (hasattr(probe, "data") and hasattr(probe, "grad")):
        raise AssertionError("a Value needs the attributes .data and .grad")
    if float(probe.data) != 1.5 or float(probe.grad) != 0.0:
        raise AssertionError(f"Value(1.5) should have data 1.5 and grad 0.0, got "
                             f"{probe.data!r} and {probe.grad!r}")
    cases = _autograd_graphs()
    h = 1e-6
    for name, fn, inputs, hint in cases:
        want = float(fn(_FloatOps, *inputs))
        leaves = [Value(x) for x in inputs]
        out = fn(_ValueOps, *leaves)
        if not np.isclose(float(out.data), want, rtol=1e-12, atol=1e-12):
            raise AssertionError(
                f"{name}: forward value {float(out.data):.12g}, expected {want:.12g}; check "
                "the forward computations (and the reversed operations, such as 1.0 - a)"
            )
        out.backward()
        for k, leaf in enumerate(leaves):
            up, down = list(inputs), list(inputs)
            up[k] += h
            down[k] -= h
            num = (float(fn(_FloatOps, *up)) - float(fn(_FloatOps, *down))) / (2 * h)
            got = float(leaf.grad)
            if abs(got - num) > 1e-6 * max(abs(got) + abs(num), 1e-2):
                raise AssertionError(
                    f"{name}: the gradient of input {k} is {got:.10g}, centered differences "
                    f"give {num:.10g}; {hint}"
                )

    # A 3-4-2 tanh network on 5 examples, every weight and bias a Value, against lib.nn.
    rng = np.random.default_rng(0)
    X = rng.standard_normal((5, 3))
    y = np.array([0, 1, 1, 0, 1])
    model = Sequential(Linear(3, 4, seed=3), Tanh(), Linear(4, 2, seed=4))
    model.params["0.b"][...] = 0.2 * rng.standard_normal(4)
    model.params["2.b"][...] = 0.2 * rng.standard_normal(2)
    ce = SoftmaxCrossEntropy()
    want_loss = ce.forward(model.forward(X), y)
    model.backward(ce.backward())
    values = {k: np.array([Value(float(w)) for w in p.ravel()], dtype=object).reshape(p.shape)
              for k, p in model.params.items()}
    W1, b1, W2, b2 = values["0.W"], values["0.b"], values["2.W"], values["2.b"]
    total = Value(0.0)
    for i in range(len(X)):
        hidden = [sum((W1[d, j] * float(X[i, d]) for d in range(3)), b1[j]).tanh()
                  for j in range(4)]
        scores = [sum((hidden[j] * W2[j, c] for j in range(4)), b2[c]) for c in range(2)]
        log_sum_exp = (scores[0].exp() + scores[1].exp()).log()
        total = total + (log_sum_exp - scores[int(y[i])])
    loss = total / len(X)
    if not np.isclose(float(loss.data), want_loss, rtol=1e-12):
        raise AssertionError(
            f"the 3-4-2 network: loss {float(loss.data):.12g}, lib.nn gives {want_loss:.12g}"
        )
    loss.backward()
    for k, arr in values.items():
        got = np.array([float(v.grad) for v in arr.ravel()]).reshape(arr.shape)
        err = rel_error(got, model.grads[k])
        if err > 1e-9:
            raise AssertionError(
                f"the 3-4-2 network: the gradient of {k} has relative error {err:.2e} against "
                "lib.nn; each weight is used by all five examples, whose contributions add up"
            )
    print(f"check_scalar_autograd: your Value is right on all {len(cases)} graphs and on a "
          "3-4-2 tanh network (the loss and every gradient agree with lib.nn).")


def _reddi_problem(step_fn, n_steps=5000, lr0=1.0, beta1=0.9, beta2=0.99, eps=1e-8):
    """Reddi et al.'s online problem: f_t = 1010 theta if t % 101 == 1, else -10 theta, on [-1, 1].

    The average gradient is 10/101 > 0, so the best point is theta = -1. `step_fn(theta, g,
    t, lr)` makes one update and returns the new theta; the rate is lr0 / sqrt(t) and the
    iterate is projected back onto [-1, 1] after every update. Returns the final theta.
    """
    theta = 0.0
    for t in range(1, n_steps + 1):
        g = 1010.0 if t % 101 == 1 else -10.0
        theta = min(1.0, max(-1.0, float(step_fn(theta, g, t, lr0 / np.sqrt(t)))))
    return theta


def check_amsgrad_step(your_fn):
    """Check ``your_fn(theta, g, m, r, r_max, t, lr, beta1, beta2, eps) -> (theta, m, r, r_max)``.

    One AMSGrad update as PyTorch computes it: m and r are Adam's raw moving averages,
    r_max <- max(r_max, r) their running maximum, and the step is
    lr * m_hat / (sqrt(r_max / (1 - beta2^t)) + eps) with m_hat = m / (1 - beta1^t).
    Fifteen updates in a row are compared with ``lib.optim.Adam(amsgrad=True)``, on
    gradients that shrink after a large start (where the maximum matters); then your update
    runs on the convex counterexample of Reddi et al., where Adam ends at the worst point.
    """
    _require_callable(your_fn, "your_fn")

    rng = np.random.default_rng(5)
    decay = np.geomspace(1.0, 1e-3, 15)[:, None, None]
    cases = [("betas (0.9, 0.999), shrinking gradients", 1e-2, (0.9, 0.999), 1e-8, decay),
             ("betas (0.5, 0.9), shrinking gradients", 0.1, (0.5, 0.9), 1e-8, decay),
             ("betas (0.9, 0.99), gradients of mixed sizes", 0.01, (0.9, 0.99), 1e-6,
              np.logspace(-2, 2, 12).reshape(1, 3, 4) * np.ones((15, 1, 1)))]
    for name, lr, (b1, b2), eps, scale in cases:
        theta0 = rng.standard_normal((3, 4))
        grads = [s * rng.standard_normal((3, 4)) for s in scale]
        ref, opt = theta0.copy(), Adam(lr, betas=(b1, b2), eps=eps, amsgrad=True)
        theta, m, r, r_max = theta0.copy(), np.zeros((3, 4)), np.zeros((3, 4)), np.zeros((3, 4))
        corrected_max = np.zeros((3, 4))       # a plausible slip: the maximum of r_hat
        for t, g in enumerate(grads, start=1):
            before = ref.copy()
            opt.step({"w": ref}, {"w": g})
            state = opt.state["w"]
            corrected_max = np.maximum(corrected_max, state["r"] / (1 - b2**t))
            out = your_fn(theta.copy(), g.copy(), m.copy(), r.copy(), r_max.copy(), t, lr, b1,
                          b2, eps)
            if not isinstance(out, tuple) or len(out) != 4:
                raise AssertionError(
                    f"{name}: return the 4-tuple (theta, m, r, r_max), got {type(out).__name__}"
                )
            theta, m, r, r_max = (np.asarray(a, dtype=np.float64) for a in out)
            for label, arr in (("theta", theta), ("m", m), ("r", r), ("r_max", r_max)):
                if arr.shape != ref.shape:
                    raise AssertionError(
                        f"{name}: {label} must keep the shape {ref.shape}, got {arr.shape}"
                    )
            if not np.allclose(m, state["m"], rtol=1e-9, atol=1e-300):
                raise AssertionError(
                    f"{name}, update {t}: m differs from beta1 * m + (1 - beta1) * g"
                )
            if not np.allclose(r, state["r"], rtol=1e-9, atol=1e-300):
                raise AssertionError(
                    f"{name}, update {t}: r differs from beta2 * r + (1 - beta2) * g * g; keep r "
                    "Adam's raw moving average and put the maximum in r_max"
                )
            if not np.allclose(r_max, state["r_max"], rtol=1e-9, atol=1e-300):
                hint = ""
                if np.allclose(r_max, state["r"], rtol=1e-9, atol=1e-300):
                    hint = " Your r_max equals r: it must be the running maximum max(r_max, r)."
                elif np.allclose(r_max, corrected_max, rtol=1e-9, atol=1e-300):
                    hint = (" Yours is the maximum of the corrected r / (1 - beta2**t); take the "
                            "maximum of the raw r and bias-correct it in the step.")
                raise AssertionError(
                    f"{name}, update {t}: r_max differs from max(r_max, r).{hint}"
                )
            if not np.allclose(theta, ref, rtol=1e-9, atol=1e-12):
                m_hat = state["m"] / (1 - b1**t)
                hint = ""
                adam = before - lr * m_hat / (np.sqrt(state["r"] / (1 - b2**t)) + eps)
                raw = before - lr * m_hat / (np.sqrt(state["r_max"]) + eps)
                if np.allclose(theta, adam, rtol=1e-9, atol=1e-12):
                    hint = " Your step divides by sqrt(r_hat): that is Adam; use r_max."
                elif np.allclose(theta, raw, rtol=1e-9, atol=1e-12):
                    hint = " Bias-correct r_max by (1 - beta2**t) inside the square root."
                raise AssertionError(
                    f"{name}, update {t}: theta differs from the AMSGrad step by up to "
                    f"{np.max(np.abs(theta - ref)):.2e}; the step is "
                    f"lr * m_hat / (sqrt(r_max / (1 - beta2**t)) + eps).{hint}"
                )

    def yours(theta, g, state, t, lr):
        out = your_fn(np.array([theta]), np.array([g]), *state, t, lr, 0.9, 0.99, 1e-8)
        state[:] = [np.asarray(a, dtype=np.float64) for a in out[1:]]
        return float(np.asarray(out[0]).ravel()[0])

    state = [np.zeros(1), np.zeros(1), np.zeros(1)]
    end_yours = _reddi_problem(lambda th, g, t, lr: yours(th, g, state, t, lr))
    adam = Adam(1.0, betas=(0.9, 0.99))

    def adam_step(theta, g, t, lr):
        w = np.array([theta])
        adam.lr = lr
        adam.step({"w": w}, {"w": np.array([g])})
        return w[0]

    end_adam = _reddi_problem(adam_step)
    if not end_yours < 0:
        raise AssertionError(
            f"on Reddi et al.'s problem your AMSGrad ends at theta = {end_yours:.3f}; it should "
            "head for the best point -1"
        )
    print(f"check_amsgrad_step: your update matches lib.optim.Adam(amsgrad=True) over 15 updates "
          f"in all {len(cases)} cases; on Reddi et al.'s problem it ends at theta = "
          f"{end_yours:.2f} (the best point is -1), where Adam ends at {end_adam:.2f}.")


def check_sign_descent_cycle(your_fn):
    """Check ``your_fn(theta0, lr, curvature) -> (low, high)``: where sign descent ends up.

    Adam with betas (0, 0) steps by lr * g / (|g| + eps), which is lr * sign(g) when eps is
    negligible. On f(theta) = curvature * theta**2 / 2 from theta0, with a constant lr, the
    iterate ends up alternating between two values; return them (in either order), or
    (0.0, 0.0) if it lands exactly on the minimum. Compared with ``lib.optim.Adam(lr,
    betas=(0, 0), eps=1e-300)`` run to the end, for several starts, rates and curvatures.
    """
    _require_callable(your_fn, "your_fn")

    cases = [(1.0, 0.3, 1.0), (-2.0, 0.15, 50.0), (0.7, 0.25, 0.01), (3.3, 1.0, 2.0),
             (1.0, 0.25, 3.0), (-0.05, 0.4, 7.0)]
    for theta0, lr, curvature in cases:
        w = np.array([theta0])
        opt = Adam(lr, betas=(0.0, 0.0), eps=1e-300)
        path = []
        for _ in range(int(abs(theta0) / lr) + 20):
            opt.step({"w": w}, {"w": curvature * w})
            path.append(w[0])
        want = tuple(sorted(path[-2:]))
        got = your_fn(theta0, lr, curvature)
        try:
            got = tuple(sorted(float(v) for v in got))
        except TypeError:
            raise AssertionError(
                f"theta0 = {theta0}, lr = {lr}: return a pair (low, high), got "
                f"{type(got).__name__}"
            ) from None
        if len(got) != 2:
            raise AssertionError(
                f"theta0 = {theta0}, lr = {lr}: return a pair (low, high), got {len(got)} values"
            )
        if not np.allclose(got, want, rtol=0.0, atol=1e-9):
            hint = ""
            other = your_fn(theta0, lr, 10.0 * curvature)
            if not np.allclose(sorted(float(v) for v in other), got, atol=1e-12):
                hint = (" Your answer changes with the curvature; the sign of the gradient does "
                        "not.")
            elif want == (0.0, 0.0):
                hint = (" Here theta0 is a whole number of steps from 0: the iterate lands on "
                        "the minimum, where the gradient is 0 and the step is 0.")
            elif np.allclose(got, (-lr / 2, lr / 2)):
                hint = " The cycle is not centred on 0: it depends on where theta0 started."
            raise AssertionError(
                f"theta0 = {theta0}, lr = {lr}, curvature = {curvature}: your cycle is "
                f"{got}, the iterates end up alternating between {want[0]:.6g} and "
                f"{want[1]:.6g}.{hint}"
            )
    print(f"check_sign_descent_cycle: your cycle is right in all {len(cases)} cases: sign "
          "descent with a constant rate settles only by landing exactly on 0, whatever the "
          "curvature.")


def _standardizer_cases():
    """(name, X_train, X_other) for check_standardizer: scales, blanks, rounding, one example."""
    from sklearn.datasets import load_digits as _sklearn_digits

    rng = np.random.default_rng(0)
    scales = np.array([1e-3, 1.0, 1e3, 5.0, 0.2])
    offsets = np.array([2.0, -1.0, 500.0, 0.0, 10.0])
    X = offsets + scales * rng.standard_normal((40, 5))
    X_new = offsets + 2 * scales + 1.5 * scales * rng.standard_normal((15, 5))   # shifted
    blank = rng.standard_normal((30, 4))
    blank[:, 1], blank[:, 3] = 0.0, 3.0                  # constant on the training set
    blank_new = rng.standard_normal((10, 4))
    blank_new[:, 1], blank_new[:, 3] = 1.0, 4.0          # ... but not on the held-out set
    tenth = np.column_stack([rng.standard_normal(100), np.full(100, 0.1)])
    tenth_new = np.array([[0.5, 0.2], [-1.0, 0.1]])
    digits = _sklearn_digits().data.astype(np.float64)
    return [
        ("features on very different scales, held-out set shifted", X, X_new),
        ("columns constant on the training set (0 and 3)", blank, blank_new),
        ("a constant column of 0.1 (its computed std is about 1e-17, not 0)", tenth, tenth_new),
        ("raw digits: 300 training images, 100 others", digits[:300], digits[300:400]),
        ("a held-out set of one example", X, X_new[:1]),
    ]


def _standardizer_hint(X_train, X_other, ref, which, got, col):
    """Why the reader's array `which` (0: Z_train, 1: Z_other) differs in column `col`."""
    from sklearn.preprocessing import StandardScaler

    A = (X_train, X_other)[which]
    if ref.scale_[col] == 1.0 and ref.var_[col] != 1.0:          # constant for StandardScaler
        if X_train[:, col].std() > 0:
            return (" This feature is constant, but its computed standard deviation is a "
                    "rounding error, not 0: treat a variance within rounding error of 0 as 0 "
                    "(StandardScaler tests var <= N eps var + (N mean eps)^2), not std == 0.")
        return (" For a feature constant on the training set use a scale of 1: its values "
                "become x - mean (0 on the training set).")
    sources = [("training and held-out sets together", np.vstack([X_train, X_other]))]
    if which == 1:
        sources.append(("the held-out set", X_other))
    for source, S in sources:
        if np.allclose(got, StandardScaler().fit(S).transform(A), rtol=1e-6, atol=1e-6):
            return (f" You used the statistics of {source}: standardize both arrays with "
                    "the mean and standard deviation of X_train alone.")
    sd1 = X_train.std(axis=0, ddof=1)
    sd1[ref.scale_ == 1.0] = 1.0
    if np.allclose(got, (A - ref.mean_) / sd1, rtol=1e-6, atol=1e-6):
        return (" You divided by the unbiased standard deviation (ddof=1); the formula and "
                "StandardScaler divide by N (ddof=0).")
    return ""


def check_standardizer(your_fn):
    """Check ``your_fn(X_train, X_other) -> (Z_train, Z_other)``: standardization fitted on X_train.

    Both arrays are standardized with the training set's mean and biased standard deviation
    (divide by N), as scikit-learn's `StandardScaler` does; a feature that is constant on the
    training set, including one whose computed standard deviation is only a rounding error,
    gets a scale of 1 instead of producing NaN or huge values. Neither input may be changed.
    """
    from sklearn.preprocessing import StandardScaler

    _require_callable(your_fn, "your_fn")
    cases = _standardizer_cases()
    for name, X_train, X_other in cases:
        before = X_train.copy(), X_other.copy()
        out = your_fn(X_train, X_other)
        if not (isinstance(out, tuple) and len(out) == 2):
            raise AssertionError(
                f"{name}: return a pair (Z_train, Z_other), got {type(out).__name__}"
            )
        if not (np.array_equal(X_train, before[0]) and np.array_equal(X_other, before[1])):
            raise AssertionError(f"{name}: your function changed its input arrays in place")
        ref = StandardScaler().fit(X_train)
        for which, (label, A, z) in enumerate(zip(("Z_train", "Z_other"), before, out,
                                                  strict=True)):
            got, want = np.asarray(z, dtype=np.float64), ref.transform(A)
            if got.shape != want.shape:
                raise AssertionError(
                    f"{name}: {label} must have shape {want.shape}, got {got.shape}"
                )
            if not np.all(np.isfinite(got)):
                raise AssertionError(
                    f"{name}: {label} has NaN or infinite entries; a feature that is constant "
                    "on the training set has standard deviation 0: use a scale of 1 for it"
                )
            if not np.allclose(got, want, rtol=1e-9, atol=1e-9):
                k = tuple(int(i) for i in np.unravel_index(np.argmax(np.abs(got - want)),
                                                           want.shape))
                hint = _standardizer_hint(X_train, X_other, ref, which, got, k[1])
                raise AssertionError(
                    f"{name}: {label}{list(k)} = {got[k]:.10g}, expected {want[k]:.10g}.{hint}"
                )
    print(f"check_standardizer: your standardization matches StandardScaler fitted on the "
          f"training set in all {len(cases)} cases, constant features included, and leaves "
          "its inputs unchanged.")


# The gradients chapter: a fully vectorized SVM gradient, and a gradient checker that the
# all-active bug cannot fool.


class _CountingArray(np.ndarray):
    """An array that counts Python-level visits to single rows: ``a[i]``, ``a[i, ...]``, iteration.

    Views and results of numpy operations on it share the counter, so a loop over the rows of
    ``X @ W`` is counted as well as one over the rows of X.
    """

    def __array_finalize__(self, obj):
        self._counter = getattr(obj, "_counter", None)

    def __getitem__(self, key):
        first = key[0] if isinstance(key, tuple) and key else key
        if self._counter is not None and isinstance(first, (int, np.integer)):
            self._counter[0] += 1
        return super().__getitem__(key)

    def __iter__(self):
        if self._counter is not None and self.ndim:
            self._counter[0] += len(self)
        return super().__iter__()


def _counting(a, counter):
    out = np.array(a).view(_CountingArray)
    out._counter = counter
    return out


def check_svm_gradient_vectorized(your_fn):
    """Check ``your_fn(W, X, y, reg) -> (loss, dW)``: the SVM loss and gradient without a loop.

    First the cases of `check_svm_gradient` (random problems, regularization, margins exactly
    at the kink). Then a problem with N = 400 examples whose X and y count every Python-level
    visit to a single row (``X[i]``, ``y[i]``, ``for x in X``, also on arrays computed from
    them): a fully vectorized answer visits none, a loop over the examples visits N or more.
    Last, the running time on N = 20,000 examples must stay within 30 times lib's.
    """
    _require_callable(your_fn, "your_fn")
    with contextlib.redirect_stdout(io.StringIO()):
        check_svm_gradient(your_fn)
    rng = np.random.default_rng(5)
    n, d, c = 400, 7, 5
    X = rng.standard_normal((n, d))
    y = rng.integers(0, c, size=n)
    W = 0.3 * rng.standard_normal((d, c))
    counter = [0]
    out = your_fn(W.copy(), _counting(X, counter), _counting(y, counter), 0.1)
    want_loss, want_dW = svm_loss(W, X, y, 0.1)
    loss, dW = out
    assert np.isclose(float(loss), want_loss, rtol=1e-10, atol=1e-12), (
        f"N={n}: your loss {float(loss):.10g} differs from lib.losses.svm_loss's {want_loss:.10g}"
    )
    assert np.allclose(np.asarray(dW, dtype=np.float64), want_dW, rtol=1e-10, atol=1e-12), (
        f"N={n}: your gradient differs from lib.losses.svm_loss's"
    )
    assert counter[0] < n // 10, (
        f"your function visited single rows of X, y (or of arrays computed from them) "
        f"{counter[0]} times for N = {n} examples: it loops over the examples. Build the "
        "N x C matrix of score derivatives with array operations instead (a boolean mask of "
        "the active hinges, minus its row sums at the true classes) and apply X.T @ it once."
    )
    # A loop can hide from the counter behind np.asarray(X); it cannot hide its running time.
    n_big = 20_000
    X_big = rng.standard_normal((n_big, d))
    y_big = rng.integers(0, c, size=n_big)

    def seconds(fn):
        best = np.inf
        for _ in range(3):
            start = time.perf_counter()
            fn(W.copy(), X_big, y_big, 0.1)
            best = min(best, time.perf_counter() - start)
        return best

    t_yours, t_lib = seconds(your_fn), seconds(svm_loss)
    assert t_yours < 30 * t_lib + 0.02, (
        f"on N = {n_big} examples your function took {t_yours:.3f} s, lib.losses.svm_loss "
        f"{t_lib:.4f} s: it still loops over the examples somewhere"
    )
    print("check_svm_gradient_vectorized: loss and gradient match lib.losses.svm_loss on all "
          "cases, with no loop over the examples.")


def _svm_candidate(kind):
    """An implementation (W, X, y, reg) -> (loss, dW): the right SVM gradient or a likely bug."""

    def loss_fn(W, X, y, reg=0.0):
        W, X, y = np.asarray(W, dtype=np.float64), np.asarray(X, dtype=np.float64), np.asarray(y)
        loss = svm_loss(W, X, y, reg)[0]
        n, rows = X.shape[0], np.arange(X.shape[0])
        S = X @ W
        Z = S - S[rows, y][:, None] + 1.0
        if kind == "every hinge active":
            active = np.ones_like(Z, dtype=bool)
        elif kind == "margin 0 in the indicator":
            active = Z - 1.0 > 0
        elif kind == "a hinge at its kink counts as active":
            active = Z >= 0
        else:
            active = Z > 0
        active[rows, y] = False
        ds = active.astype(np.float64)
        ds[rows, y] = 0.0 if kind == "no term for the true class" else -ds.sum(axis=1)
        dW = X.T @ ds / n
        if kind == "divided by N twice":
            dW /= n
        dW = dW + (1.0 if kind == "forgot the 2" else 2.0) * reg * W
        if kind == "sign flipped":
            dW = -dW
        return loss, dW

    return loss_fn


def _recording(impl, seen):
    """impl, with every W it is called at appended to seen."""

    def loss_fn(W, X, y, reg=0.0):
        seen.append(np.array(W, dtype=np.float64, copy=True))
        return impl(W, X, y, reg)

    return loss_fn


_SVM_RIGHT = ("right", "a hinge at its kink counts as active")
_SVM_WRONG = ("every hinge active", "forgot the 2", "divided by N twice",
              "no term for the true class", "margin 0 in the indicator", "sign flipped")


def check_gradient_checker(your_checker):
    """Check ``your_checker(loss_fn, X, y, n_classes, reg) -> bool``: is loss_fn's gradient right?

    ``loss_fn(W, X, y, reg)`` returns ``(loss, dW)`` for W of shape (X.shape[1], n_classes);
    the loss it returns is always the right multiclass SVM loss, only dW may be wrong. Your
    checker picks its own points W. On two small problems (a bias column included, reg > 0)
    it must accept the right gradient and a variant that takes the other subgradient at a kink,
    and reject six plausible bugs, among them a gradient that counts every hinge as active:
    that one agrees with the right gradient wherever all hinges are active, for instance at
    W = 0.001 * randn, so only a check at a point with hinges on both sides of zero catches it.
    """
    _require_callable(your_checker, "your_checker")
    rng = np.random.default_rng(3)
    problems = []
    for n, d, c, reg in [(80, 6, 4, 0.1), (120, 9, 3, 0.05)]:
        X = np.column_stack([rng.standard_normal((n, d - 1)), np.ones(n)])
        problems.append((f"N={n}, {d} columns (bias included), C={c}, reg={reg}", X,
                         rng.integers(0, c, size=n), c, reg))
    for name, X, y, c, reg in problems:
        for kind in _SVM_RIGHT + _SVM_WRONG:
            seen = []
            X_given, y_given = X.copy(), y.copy()
            loss_fn = _recording(_svm_candidate(kind), seen)
            verdict = your_checker(loss_fn, X_given, y_given, c, reg)
            assert np.array_equal(X_given, X), f"{name}: your checker changed X; work on a copy"
            assert np.array_equal(y_given, y), f"{name}: your checker changed y; work on a copy"
            if not isinstance(verdict, (bool, np.bool_)):
                raise AssertionError(
                    f"{name}: your checker must return True or False, got "
                    f"{type(verdict).__name__} {verdict!r}")
            assert seen, f"{name}: your checker never called loss_fn"
            if kind in _SVM_RIGHT:
                assert verdict, (
                    f"{name}: your checker rejected a right gradient ({kind}). Is the tolerance "
                    "too tight for a loss with kinks (about 1e-4 is safe), or did a centered "
                    "difference straddle a kink? Another point, or a smaller h, avoids it."
                )
            elif verdict:
                hint = ""
                if kind == "every hinge active":
                    frac = []
                    wrong_class = np.arange(c)[None, :] != y[:, None]   # the hinges only
                    for W in seen:
                        Z = X @ W - (X @ W)[np.arange(len(y)), y][:, None] + 1.0
                        frac.append(np.mean(Z[wrong_class] > 0))
                    share = ("all" if min(frac) == 1.0 else
                             f"at least {100 * min(frac):.0f} % of")
                    hint = (f" At every point your checker evaluated, {share} the hinges were "
                            "active, so the indicator was hardly tested: check at a point with "
                            "scores of order one, where hinges lie on both sides of zero.")
                elif kind == "forgot the 2":
                    hint = " Does your check include the regularization, with the reg it is given?"
                raise AssertionError(f"{name}: your checker accepted a wrong gradient "
                                     f"({kind}).{hint}")
    print(f"check_gradient_checker: your checker accepts the {len(_SVM_RIGHT)} right gradients "
          f"and rejects all {len(_SVM_WRONG)} bugs on {len(problems)} problems.")


# Checks for the chapter "Overfitting and weight penalties". The imports are local to the
# functions so that this block could be appended to the module in one piece.


def _weight_penalty_cases_ridge():
    """(name, X, y, alpha) for the ridge check: the notes' example, tall, wide and collinear X."""
    rng = np.random.default_rng(11)
    X_notes = np.array([[1.0, 1.0], [2.0, 3.0], [3.0, 3.0]])
    y_notes = np.array([3.0, 7.0, 8.8])
    X_tall = rng.standard_normal((20, 5))
    X_wide = rng.standard_normal((5, 8))                      # D > N: X^T X is singular
    X_col = rng.standard_normal((12, 3))
    X_col = np.column_stack([X_col, X_col[:, 0] + X_col[:, 1]])   # collinear columns
    return [
        ("the notes' Example 5-1 with alpha = 0.25", X_notes, y_notes, 0.25),
        ("20 x 5, alpha = 1.3", X_tall, X_tall @ rng.standard_normal(5)
         + 0.1 * rng.standard_normal(20), 1.3),
        ("5 x 8 (more features than examples), alpha = 0.7", X_wide, rng.standard_normal(5), 0.7),
        ("12 x 4 with collinear columns, alpha = 0.05", X_col, rng.standard_normal(12), 0.05),
    ]


def check_ridge_closed_form(your_fn):
    """Check ``your_fn(X, y, alpha) -> w``: the minimizer of ``|Xw - y|^2 + alpha |w|^2``.

    X: (N, D), y: (N,), alpha > 0; w: (D,). Compared with `lib.regularization.ridge` (itself
    tested against scikit-learn's ``Ridge(fit_intercept=False)``) on the lecture notes'
    Example 5-1, a tall, a wide (more features than examples) and a collinear design.
    """
    from lib.regularization import ridge

    _require_callable(your_fn, "your_fn")
    cases = _weight_penalty_cases_ridge()
    for name, X, y, alpha in cases:
        got = np.asarray(your_fn(X.copy(), y.copy(), alpha), dtype=np.float64)
        assert got.shape == (X.shape[1],), (
            f"{name}: w must have shape ({X.shape[1]},), one weight per column of X, "
            f"got {got.shape}"
        )
        assert np.all(np.isfinite(got)), f"{name}: your w has NaN or infinite entries"
        want = ridge(X, y, alpha)
        scale = 1.0 + np.abs(want).max()
        if np.abs(got - want).max() <= 1e-8 * scale:
            continue
        if np.abs(got - ridge(X, y, 2 * alpha)).max() <= 1e-8 * scale:
            hint = ("you computed (X^T X + 2 alpha I)^{-1} X^T y, the notes' (5.29), which "
                    "minimizes 1/2 |Xw - y|^2 + alpha |w|^2: the data term's gradient is "
                    "2 X^T (Xw - y), with a factor 2 like the penalty's 2 alpha w")
        elif np.abs(got - ridge(X, y, alpha / 2)).max() <= 1e-8 * scale:
            hint = ("your penalty is half as strong: the normal equations are "
                    "(X^T X + alpha I) w = X^T y")
        elif np.abs(got - ridge(X, y, 0.0)).max() <= 1e-8 * scale:
            hint = "that is least squares: the penalty alpha I is missing from the matrix"
        else:
            hint = "solve (X^T X + alpha I) w = X^T y (np.linalg.solve)"
        raise AssertionError(
            f"{name}: your w differs from the ridge solution by {np.abs(got - want).max():.2e}; "
            f"{hint}"
        )
    print(f"check_ridge_closed_form: your ridge solution matches lib.regularization.ridge on all "
          f"{len(cases)} designs, including the notes' example and a singular X^T X.")


def _weight_penalty_cases_shrinkage():
    """(name, H, theta_star, alpha): diagonal, rotated, random, singular and unpenalized cases."""
    rng = np.random.default_rng(12)
    angle = np.pi / 3
    R = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    A = rng.standard_normal((5, 5))
    Q, _ = np.linalg.qr(rng.standard_normal((3, 3)))
    return [
        ("diagonal H = diag(1, 10), alpha = 0.5", np.diag([1.0, 10.0]), np.array([1.6, 0.6]), 0.5),
        ("H with eigenvalues 1, 10 rotated by 60 degrees, alpha = 2",
         R @ np.diag([1.0, 10.0]) @ R.T, np.array([1.6, 0.6]), 2.0),
        ("a random 5 x 5 positive definite H, alpha = 0.3", A @ A.T + 0.1 * np.eye(5),
         rng.standard_normal(5), 0.3),
        ("a singular 3 x 3 H (eigenvalues 0, 1, 4), alpha = 0.25",
         Q @ np.diag([0.0, 1.0, 4.0]) @ Q.T, rng.standard_normal(3), 0.25),
        ("alpha = 0 (no penalty)", A @ A.T + 0.1 * np.eye(5), rng.standard_normal(5), 0.0),
    ]


def check_l2_shrinkage(your_fn):
    """Check ``your_fn(H, theta_star, alpha) -> theta``: the L2-penalized minimizer of a quadratic.

    The minimizer of ``1/2 (theta - theta_star)^T H (theta - theta_star) + alpha |theta|^2``,
    H symmetric positive semidefinite (D, D), theta_star (D,), alpha >= 0: in the eigenbasis
    of H, component i of theta_star times lambda_i / (lambda_i + 2 alpha). Checked against a
    linear solve of (H + 2 alpha I) theta = H theta_star on diagonal, rotated, random and
    singular Hessians.
    """
    _require_callable(your_fn, "your_fn")
    cases = _weight_penalty_cases_shrinkage()
    for name, H, theta_star, alpha in cases:
        d = len(theta_star)
        got = np.asarray(your_fn(H.copy(), theta_star.copy(), alpha), dtype=np.float64)
        assert got.shape == (d,), f"{name}: theta must have shape ({d},), got {got.shape}"
        assert np.all(np.isfinite(got)), f"{name}: your theta has NaN or infinite entries"
        want = np.linalg.solve(H + 2 * alpha * np.eye(d), H @ theta_star)
        scale = 1.0 + np.abs(want).max()
        if np.abs(got - want).max() <= 1e-8 * scale:
            continue
        hint = "set the gradient H (theta - theta_star) + 2 alpha theta to zero and solve"
        if alpha > 0:
            halved = np.linalg.solve(H + alpha * np.eye(d), H @ theta_star)
            diag = np.diag(H) / (np.diag(H) + 2 * alpha) * theta_star
            no_h = np.linalg.solve(H + 2 * alpha * np.eye(d), theta_star)
            if np.abs(got - halved).max() <= 1e-8 * scale:
                hint = ("you used lambda_i / (lambda_i + alpha), Goodfellow et al.'s factor for "
                        "the penalty (alpha/2)|theta|^2; with alpha |theta|^2 it is "
                        "lambda_i / (lambda_i + 2 alpha)")
            elif np.abs(got - diag).max() <= 1e-8 * scale:
                hint = ("you shrank each coordinate by H_ii / (H_ii + 2 alpha); the factors "
                        "apply to the components in the eigenbasis of H, Q^T theta_star")
            elif np.abs(got - no_h).max() <= 1e-8 * scale:
                hint = "the right-hand side is H theta_star, not theta_star"
        raise AssertionError(
            f"{name}: your theta differs from the minimizer by {np.abs(got - want).max():.2e}; "
            f"{hint}"
        )
    print(f"check_l2_shrinkage: your penalized minimizer is right on all {len(cases)} quadratics, "
          "the singular one included.")


def check_proximal_l1_step(your_fn):
    """Check ``your_fn(theta, g, lr, alpha) -> theta_new``: one proximal (ISTA) step for L1.

    theta_new = sign(z) max(|z| - lr * alpha, 0) with z = theta - lr * g: a gradient step on
    the data term, then soft thresholding with the threshold tau = lr * alpha
    (`lib.regularization.soft_threshold`). Cases with entries that land inside the threshold,
    exactly on it, beyond it on both sides, a matrix, and alpha = 0 (plain gradient descent).
    """
    from lib.regularization import soft_threshold

    _require_callable(your_fn, "your_fn")
    rng = np.random.default_rng(13)
    cases = [
        ("a vector with entries inside, on and beyond the threshold",
         np.array([0.05, -0.05, 0.3, -0.3, 0.02, 1.0, -0.13, 0.0]),
         np.array([0.1, -0.2, 0.5, 0.0, -0.1, 2.0, 0.3, 0.4]), 0.1, 0.5),
        ("a 4 x 3 matrix", rng.standard_normal((4, 3)), rng.standard_normal((4, 3)), 0.2, 1.5),
        ("alpha = 0 (no penalty)", rng.standard_normal(6), rng.standard_normal(6), 0.3, 0.0),
        ("a large threshold", rng.standard_normal(6), rng.standard_normal(6), 0.5, 4.0),
    ]
    for name, theta, g, lr, alpha in cases:
        got = np.asarray(your_fn(theta.copy(), g.copy(), lr, alpha), dtype=np.float64)
        assert got.shape == theta.shape, (
            f"{name}: theta_new must have theta's shape {theta.shape}, got {got.shape}"
        )
        z = theta - lr * g
        want = soft_threshold(z, lr * alpha)
        if np.abs(got - want).max() <= 1e-12 * (1.0 + np.abs(want).max()):
            continue
        tol = 1e-12 * (1.0 + np.abs(want).max())
        if np.abs(got - (z - lr * alpha * np.sign(theta))).max() <= tol:
            hint = ("that is the subgradient step (5.34), theta - lr (g + alpha sign(theta)); "
                    "threshold the gradient step instead: soft_threshold(theta - lr g, lr alpha)")
        elif np.abs(got - soft_threshold(z, alpha)).max() <= tol:
            hint = "the threshold is lr * alpha, not alpha: the penalty enters the step times lr"
        elif np.abs(got - (soft_threshold(theta, lr * alpha) - lr * g)).max() <= tol:
            hint = "take the gradient step first, then threshold its result"
        elif np.abs(got - np.where(np.abs(z) > lr * alpha, z, 0.0)).max() <= tol:
            hint = ("that is hard thresholding: the surviving entries must also move lr * alpha "
                    "toward 0, sign(z) (|z| - lr alpha)")
        else:
            hint = "compute sign(z) * max(|z| - lr * alpha, 0) with z = theta - lr * g"
        raise AssertionError(
            f"{name}: your step differs from the proximal step by "
            f"{np.abs(got - want).max():.2e}; {hint}"
        )
    print(f"check_proximal_l1_step: your proximal step matches soft thresholding on all "
          f"{len(cases)} cases, exact zeros included.")


# Curvature and Newton's method: Hessian-vector products by centered differences.


def _hvp_cases():
    """(name, grad, H(theta), theta, d, h) with exact Hessians for the reference products."""
    from lib.losses import softmax_loss

    rng = np.random.default_rng(0)
    M = rng.standard_normal((6, 6))
    A = M @ M.T + 0.5 * np.eye(6)
    c = rng.standard_normal(6)
    rosen = Rosenbrock()

    X = rng.standard_normal((40, 4))
    y = rng.integers(0, 3, 40)

    def soft_grad(w):
        return softmax_loss(w.reshape(4, 3), X, y, reg=0.01)[1].ravel()

    def soft_hess(w):
        S = X @ w.reshape(4, 3)
        P = np.exp(S - S.max(axis=1, keepdims=True))
        P /= P.sum(axis=1, keepdims=True)
        XP = (X[:, :, None] * P[:, None, :]).reshape(len(X), -1)
        H = -XP.T @ XP
        for j in range(3):
            H[j::3, j::3] += (X * P[:, j:j + 1]).T @ X
        return H / len(X) + 0.02 * np.eye(12)

    def quartic_grad(t):
        return 4 * t**3 + t

    def quartic_hess(t):
        return np.diag(12 * t**2 + 1)

    return [
        ("a quadratic in 6 dimensions", lambda t: A @ (t - c), lambda t: A,
         rng.standard_normal(6), rng.standard_normal(6), 1e-3),
        ("Rosenbrock at (-1.2, 1), d = (1, 0.5)", rosen.grad, rosen.hessian,
         np.array([-1.2, 1.0]), np.array([1.0, 0.5]), 1e-4),
        ("Rosenbrock at (0.3, 0.8), a long d", rosen.grad, rosen.hessian,
         np.array([0.3, 0.8]), np.array([-3.0, 4.0]), 1e-5),
        ("sum(t^4 + t^2 / 2) at random t", quartic_grad, quartic_hess,
         rng.standard_normal(5), rng.standard_normal(5), 1e-4),
        ("a softmax loss, W (4, 3) flattened", soft_grad, soft_hess,
         0.3 * rng.standard_normal(12), rng.standard_normal(12), 1e-4),
    ]


def check_hessian_vector_product(your_fn):
    """Check ``your_fn(grad, theta, d, h)``: the centered difference (grad(theta + h d) -
    grad(theta - h d)) / (2h), an approximation of the Hessian-vector product H d.

    Cases: a quadratic (where the difference is exact), Rosenbrock's function at two points
    (one with a long d, which must not be normalized), a separable quartic and a small softmax
    loss; each reference is the exact Hessian times d. The step h is given and must be used
    as it is; theta and d must come back unchanged. A forward difference (error O(h)) fails
    the tolerance, which the centered difference (error O(h^2)) meets.
    """
    _require_callable(your_fn, "your_fn")
    cases = _hvp_cases()
    for name, grad, hess, theta, d, h in cases:
        theta_before, d_before = theta.copy(), d.copy()
        got = your_fn(grad, theta, d, h)
        if not (np.array_equal(theta, theta_before) and np.array_equal(d, d_before)):
            raise AssertionError(f"{name}: your function changed theta or d; work on new arrays")
        got = np.asarray(got, dtype=np.float64)
        want = hess(theta) @ d
        if got.shape != want.shape:
            raise AssertionError(f"{name}: the product must have theta's shape {want.shape}, "
                                 f"got {got.shape}")
        if not np.all(np.isfinite(got)):
            raise AssertionError(f"{name}: your product has NaN or infinite entries")
        err = rel_error(got, want)
        if err < 1e-6:
            continue
        hint = ""
        forward = (grad(theta + h * d) - grad(theta)) / h
        unit = d / np.linalg.norm(d)
        if np.allclose(got, 2 * want, rtol=1e-5):
            hint = " It is twice H d: divide the difference of the two gradients by 2h, not h."
        elif np.allclose(got, want / 2, rtol=1e-5):
            hint = " It is half of H d: the two gradients are 2h apart, so divide by 2h only."
        elif np.allclose(got, forward, rtol=1e-9, atol=1e-12):
            hint = (" It matches the forward difference (grad(theta + h d) - grad(theta)) / h, "
                    "whose error is O(h); use the centered one.")
        elif np.allclose(got, hess(theta) @ unit, rtol=1e-5):
            hint = " It is H d / |d|: do not normalize d; the product is linear in d."
        elif np.allclose(got, -want, rtol=1e-5):
            hint = " The sign is flipped: grad(theta + h d) comes first."
        raise AssertionError(f"{name}: relative error {err:.1e} against the exact H d at "
                             f"h = {h:g} (expected below 1e-6).{hint}")
    print(f"check_hessian_vector_product: your products match the exact H d in all "
          f"{len(cases)} cases, and theta and d come back unchanged.")


def _batchnorm_backward_cases():
    """(name, x, gamma, dout, eps): 2-D and 4-D inputs, one far from zero, one tiny batch."""
    rng = np.random.default_rng(21)
    return [
        ("x of shape (8, 3)", rng.normal([1.0, -2.0, 0.5], [2.0, 0.3, 1.0], size=(8, 3)),
         np.array([1.5, 0.5, -2.0]), rng.standard_normal((8, 3)), 1e-5),
        ("x of shape (4, 3, 5, 6)", rng.normal(0.0, 2.0, size=(4, 3, 5, 6)),
         np.array([1.0, 2.0, 0.5]), rng.standard_normal((4, 3, 5, 6)), 1e-5),
        ("x of shape (2, 4): a batch of two", rng.standard_normal((2, 4)),
         np.array([1.0, 0.7, 1.3, 2.0]), rng.standard_normal((2, 4)), 1e-3),
        ("x of shape (6, 2, 3, 3) with mean 1000", 1000.0 + rng.standard_normal((6, 2, 3, 3)),
         np.array([0.8, 1.2]), rng.standard_normal((6, 2, 3, 3)), 1e-5),
    ]


def _batchnorm_reference(x, gamma, dout, eps, ddof=0, terms=(1, 1, 1), per_position=False):
    """BatchNorm's training backward (dx, dgamma, dbeta), with the usual slips as options.

    terms switches the three terms of dx on or off; ddof=1 normalizes with the unbiased
    variance; per_position takes the statistics over axis 0 only (one per channel and position).
    """
    axes = (0,) if per_position else (0, *range(2, x.ndim))
    shape = (1, -1) + (1,) * (x.ndim - 2)
    count = x.size // int(np.prod([x.shape[k] for k in range(x.ndim) if k not in axes]))
    xc = x - x.mean(axis=axes, keepdims=True)
    var = (xc * xc).sum(axis=axes, keepdims=True) / (count - ddof)
    s_eps = np.sqrt(var + eps)
    zhat = xc / s_eps
    dx = np.reshape(gamma, shape) / s_eps * (
        terms[0] * dout - terms[1] * dout.mean(axis=axes, keepdims=True)
        - terms[2] * zhat * (dout * zhat).mean(axis=axes, keepdims=True))
    return dx, (dout * zhat).sum(axis=axes), dout.sum(axis=axes)


def _batchnorm_hint(x, gamma, dout, eps, dx):
    """Why the reader's dx differs: the usual slips, or ''."""
    def close(kind):
        try:
            u = kind()[0]
        except (ValueError, IndexError):
            return False
        return np.shape(u) == np.shape(dx) and np.allclose(dx, u, rtol=1e-8, atol=1e-10)

    if close(lambda: _batchnorm_reference(x, gamma, dout, eps, terms=(1, 0, 1))):
        return " The term -mean(dout) (the path through the batch mean) is missing."
    if close(lambda: _batchnorm_reference(x, gamma, dout, eps, terms=(1, 1, 0))):
        return (" The term -zhat * mean(dout * zhat) (the path through the batch variance) is "
                "missing.")
    if close(lambda: _batchnorm_reference(x, gamma, dout, eps, terms=(1, 0, 0))):
        return (" dx treats the batch mean and variance as constants: both correction terms are "
                "missing.")
    if close(lambda: _batchnorm_reference(x, gamma, dout, eps, ddof=1)):
        return " The batch is normalized with the biased variance (divide by B, not B - 1)."
    if x.ndim == 4 and close(lambda: _batchnorm_reference(x, gamma, dout, eps,
                                                          per_position=True)):
        return (" The statistics are taken over the batch axis only: for (N, C, H, W) input they "
                "run over axes 0, 2 and 3 (every position of a channel).")
    return ""


def check_batchnorm_backward(your_fn):
    """Check ``your_fn(dout, x, gamma, eps) -> (dx, dgamma, dbeta)``: BatchNorm's training backward.

    x: (N, C) or (N, C, H, W); gamma: (C,); dout: x's shape. The statistics of each channel run
    over every axis except axis 1, with the biased variance; with zhat the normalized x,
    dgamma = sum of dout * zhat, dbeta = sum of dout (both (C,)), and
    dx = gamma / sqrt(var + eps) * (dout - mean(dout) - zhat * mean(dout * zhat)).
    Compared with `lib.nn.BatchNorm(C, eps=eps)` in training mode, on four cases.
    """
    from lib.nn import BatchNorm

    _require_callable(your_fn, "your_fn")
    cases = _batchnorm_backward_cases()
    for name, x, gamma, dout, eps in cases:
        layer = BatchNorm(len(gamma), eps=eps)
        layer.params["gamma"][...] = gamma
        layer.forward(x)
        want_dx = layer.backward(dout)
        want = (want_dx, layer.grads["gamma"].copy(), layer.grads["beta"].copy())
        before = x.copy(), gamma.copy(), dout.copy()
        out = your_fn(dout, x, gamma, eps)
        if not (isinstance(out, tuple) and len(out) == 3):
            raise AssertionError(
                f"{name}: return a tuple (dx, dgamma, dbeta), got {type(out).__name__}")
        if not all(np.array_equal(u, v) for u, v in zip((x, gamma, dout), before, strict=True)):
            raise AssertionError(f"{name}: your function changed its inputs in place")
        got = [np.asarray(o, dtype=np.float64) for o in out]
        for label, g, w in zip(("dx", "dgamma", "dbeta"), got, want, strict=True):
            if g.shape != w.shape:
                extra = (" one entry per channel: sum over every axis but axis 1"
                         if label != "dx" else "")
                raise AssertionError(
                    f"{name}: {label} must have shape {w.shape}, got {g.shape};{extra}")
            if not np.all(np.isfinite(g)):
                raise AssertionError(f"{name}: {label} has NaN or infinite entries")
            scale = max(1.0, float(np.abs(w).max()))
            if not np.allclose(g, w, rtol=1e-7, atol=1e-9 * scale):
                hint = _batchnorm_hint(x, gamma, dout, eps, got[0]) if label == "dx" else ""
                if label == "dgamma" and np.allclose(
                        g, (dout * x).sum(axis=(0, *range(2, x.ndim))), rtol=1e-8):
                    hint = " dgamma sums dout times the *normalized* x, zhat, not x itself."
                raise AssertionError(
                    f"{name}: {label} differs from lib.nn.BatchNorm's by "
                    f"{np.abs(g - w).max():.2e} (largest entry {np.abs(w).max():.3g}).{hint}")
    print(f"check_batchnorm_backward: your dx, dgamma and dbeta match lib.nn.BatchNorm in all "
          f"{len(cases)} cases, (N, C, H, W) and a mean of 1000 included.")


def _fold_next_cases():
    """(name, gamma, beta, running_mean, running_var, eps, W, b, a) for the folding check."""
    rng = np.random.default_rng(22)
    cases = []
    for name, n_in, n_out, eps in [("4 features into 3 units", 4, 3, 1e-5),
                                   ("6 features into 2 units", 6, 2, 1e-3),
                                   ("1 feature into 5 units", 1, 5, 1e-5)]:
        cases.append((name, rng.uniform(0.5, 2.0, n_in) * rng.choice([-1.0, 1.0], n_in),
                      rng.standard_normal(n_in), rng.standard_normal(n_in) * 3.0,
                      rng.uniform(0.2, 4.0, n_in), eps, rng.standard_normal((n_in, n_out)),
                      rng.standard_normal(n_out), rng.standard_normal((7, n_in)) * 2.0 + 1.0))
    return cases


def check_batchnorm_fold_next(your_fn):
    """Check ``your_fn(gamma, beta, running_mean, running_var, eps, W, b) -> (W_new, b_new)``.

    The pair must make ``a @ W_new + b_new`` equal to BatchNorm in eval mode (with those
    parameters and statistics) followed by the Linear layer ``z = x @ W + b``: with
    s = gamma / sqrt(running_var + eps) and t = beta - s * running_mean,
    W_new = s[:, None] * W and b_new = t @ W + b. Compared on three cases (some gamma negative).
    """
    from lib.nn import BatchNorm

    _require_callable(your_fn, "your_fn")
    cases = _fold_next_cases()
    for name, gamma, beta, mean, var, eps, W, b, a in cases:
        bn = BatchNorm(len(gamma), eps=eps).eval()
        bn.params["gamma"][...] = gamma
        bn.params["beta"][...] = beta
        bn.running_mean[...] = mean
        bn.running_var[...] = var
        want = bn.forward(a) @ W + b
        args = (gamma, beta, mean, var, eps, W, b)
        before = [v.copy() for v in args if isinstance(v, np.ndarray)]
        out = your_fn(*args)
        if not (isinstance(out, tuple) and len(out) == 2):
            raise AssertionError(f"{name}: return a pair (W_new, b_new), got {type(out).__name__}")
        after = [v for v in args if isinstance(v, np.ndarray)]
        if not all(np.array_equal(u, v) for u, v in zip(before, after, strict=True)):
            raise AssertionError(f"{name}: your function changed its inputs in place")
        W_new, b_new = (np.asarray(o, dtype=np.float64) for o in out)
        if W_new.shape != W.shape or b_new.shape != b.shape:
            raise AssertionError(
                f"{name}: W_new and b_new must have the shapes of W and b, {W.shape} and "
                f"{b.shape}, got {W_new.shape} and {b_new.shape}")
        got = a @ W_new + b_new
        if not np.allclose(got, want, rtol=1e-10, atol=1e-10):
            s = gamma / np.sqrt(var + eps)
            t = beta - s * mean
            hint = ""
            if np.allclose(W_new, s[:, None] * W) and np.allclose(b_new, b + t.sum()):
                hint = " The shift enters through W: b_new = t @ W + b."
            elif np.allclose(W_new, s[:, None] * W) and np.allclose(b_new, b):
                hint = " The shift t = beta - s * running_mean is missing from b_new (as t @ W)."
            elif np.allclose(W_new, W / np.sqrt(var + eps)[:, None]):
                hint = " gamma is missing from the scale: s = gamma / sqrt(running_var + eps)."
            elif np.allclose(W_new, (gamma / np.sqrt(var))[:, None] * W, rtol=1e-12):
                hint = " eps is missing: s = gamma / sqrt(running_var + eps)."
            raise AssertionError(
                f"{name}: a @ W_new + b_new differs from BatchNorm (eval) then Linear by "
                f"{np.abs(got - want).max():.2e}.{hint}")
    print(f"check_batchnorm_fold_next: your folded layer matches BatchNorm followed by Linear in "
          f"all {len(cases)} cases.")


def _orthogonal_shapes():
    """(n_in, n_out) cases: tall, wide, square, a single column and a single row."""
    return [(6, 4), (3, 7), (5, 5), (8, 1), (1, 5)]


def check_orthogonal_init(your_fn):
    """Check ``your_fn(n_in, n_out, rng) -> W``: a uniformly (Haar) distributed orthogonal init.

    W must be a finite float64 array of shape (n_in, n_out) with orthonormal columns,
    :math:`W^\\top W = I`, when n_in >= n_out and orthonormal rows, :math:`W W^\\top = I`,
    otherwise; drawn from `rng` alone (the same seed gives the same W, other seeds other
    matrices); and Haar-distributed. For the last point the check draws 2000 matrices of
    3 x 3 and of 4 x 4: under the Haar distribution every diagonal entry is negative with
    probability 1/2, a square W is a reflection (det W = -1) with probability 1/2, and every
    entry has the mean square 1/n. numpy's QR without the sign correction fails the first two
    (its Q_11 is always negative, and for a square matrix its determinant always has the same
    sign); a random +-1 diagonal passes them and fails the third.
    """
    _require_callable(your_fn, "your_fn")
    for n_in, n_out in _orthogonal_shapes():
        name = f"n_in = {n_in}, n_out = {n_out}"
        W = your_fn(n_in, n_out, np.random.default_rng(7))
        if not isinstance(W, np.ndarray):
            raise AssertionError(f"{name}: return a numpy array, got {type(W).__name__}")
        if W.shape != (n_in, n_out):
            raise AssertionError(
                f"{name}: W must have shape (n_in, n_out) = {(n_in, n_out)}, got {W.shape}; "
                "factor the tall orientation (max, min) in reduced form and transpose for a "
                "wide layer"
            )
        if W.dtype != np.float64 or not np.all(np.isfinite(W)):
            raise AssertionError(f"{name}: W must be finite float64, got dtype {W.dtype}")
        gram, what = (W.T @ W, "W^T W") if n_in >= n_out else (W @ W.T, "W W^T")
        err = np.abs(gram - np.eye(len(gram))).max()
        if err > 1e-10:
            raise AssertionError(
                f"{name}: {what} differs from the identity by {err:.2e}: the "
                f"{'columns' if n_in >= n_out else 'rows'} are not orthonormal"
            )
        again = your_fn(n_in, n_out, np.random.default_rng(7))
        if not np.array_equal(np.asarray(again), W):
            raise AssertionError(f"{name}: the same seed gave a different W; draw only from rng")
        other = your_fn(n_in, n_out, np.random.default_rng(8))
        if min(n_in, n_out) > 1 and np.allclose(np.asarray(other), W):
            raise AssertionError(f"{name}: another seed gave the same W; draw from rng, not from "
                                 "a generator of your own")
    n_draws = 2000
    for n in (3, 4):
        Ws = np.array([np.asarray(your_fn(n, n, np.random.default_rng(1000 + s)), dtype=float)
                       for s in range(n_draws)])
        neg = (np.diagonal(Ws, axis1=1, axis2=2) < 0).mean(axis=0)
        # a fraction of 2000 fair coin flips has standard deviation 0.011: 0.06 is > 5 of them
        if np.any(np.abs(neg - 0.5) > 0.06):
            raise AssertionError(
                f"{n} x {n}: the diagonal entries are negative in fractions "
                f"{np.round(neg, 3).tolist()} of {n_draws} draws, expected about 0.5 each. "
                "Multiply column j of Q by the sign of R_jj (of R, not of Q) after the QR "
                "decomposition"
            )
        refl = float((np.linalg.det(Ws) < 0).mean())
        if abs(refl - 0.5) > 0.06:
            raise AssertionError(
                f"{n} x {n}: det W = -1 in a fraction {refl:.3f} of {n_draws} draws, expected "
                "about 0.5: the distribution is not uniform over the orthogonal matrices"
            )
        # Under the Haar distribution every entry has E[W_ij^2] = 1/n (the sd of a mean of
        # 2000 squares is below 0.007): fair signs alone (a random +-1 diagonal) are not enough.
        second = (Ws**2).mean(axis=0)
        if np.abs(second - 1 / n).max() > 0.04:
            raise AssertionError(
                f"{n} x {n}: the mean of W_ij^2 over {n_draws} draws ranges from "
                f"{second.min():.3f} to {second.max():.3f}, expected about 1/{n} = {1 / n:.3f} for "
                "every entry: the matrix favours some directions. Factor a Gaussian matrix drawn "
                "with rng"
            )
    print(f"check_orthogonal_init: orthonormal in all {len(_orthogonal_shapes())} shapes, "
          f"reproducible from rng, and the signs of {2 * n_draws} square draws look uniform.")


# The activation-functions chapter: the exact GELU with its derivative, and PReLU's backward
# pass with the gradient of its learned slopes.


def _gelu_exact_reference(z):
    """z Phi(z) and its derivative Phi(z) + z Phi'(z), Phi the standard normal CDF."""
    from scipy.special import ndtr

    cdf = ndtr(z)
    return z * cdf, cdf + z * np.exp(-0.5 * z * z) / np.sqrt(2.0 * np.pi)


def _gelu_hint(z, a, dadz):
    """Why (a, dadz) differs from the exact GELU: the usual wrong formulas, or ''."""
    from scipy.special import erf, ndtr

    from lib.nn import GELU

    pdf = np.exp(-0.5 * z * z) / np.sqrt(2.0 * np.pi)
    layer = GELU()
    tanh_a = layer.forward(z)
    tanh_d = layer.backward(np.ones_like(z))
    with np.errstate(over="ignore"):
        sig = 1.0 / (1.0 + np.exp(-1.702 * z))
    half_erf = 0.5 * (1.0 + erf(z))

    def close(u, v):
        return np.allclose(u, v, rtol=1e-9, atol=1e-12)

    if close(a, tanh_a) or close(dadz, tanh_d):
        return (" That is the tanh approximation (lib.nn.GELU, PyTorch's approximate='tanh'), "
                "off by up to 5e-4; the exact GELU is z Phi(z) with "
                "Phi(z) = (1 + erf(z/sqrt(2)))/2.")
    if close(a, z * sig):
        return " That is the sigmoid approximation z sigma(1.702 z); use Phi(z) itself."
    if close(a, z * half_erf):
        return " Phi(z) is (1 + erf(z / sqrt(2))) / 2: the argument of erf is z / sqrt(2), not z."
    if close(a, z * ndtr(z)):
        if close(dadz, ndtr(z)):
            return (" The derivative of z Phi(z) needs the product rule: Phi(z) + z Phi'(z), "
                    "with Phi'(z) = exp(-z^2/2) / sqrt(2 pi).")
        if close(dadz, ndtr(z) + z * np.exp(-0.5 * z * z)):
            return (" Phi'(z) is exp(-z^2/2) / sqrt(2 pi): the normal density needs its "
                    "1/sqrt(2 pi).")
        if close(dadz, z * pdf):
            return " The derivative is Phi(z) + z Phi'(z): the term Phi(z) is missing."
    return ""


def check_gelu_exact(your_fn):
    """Check ``your_fn(z) -> (a, dadz)``: the exact GELU a = z Phi(z) and its derivative.

    Phi is the standard normal CDF, Phi(z) = (1 + erf(z / sqrt(2))) / 2, and the derivative
    is Phi(z) + z Phi'(z) with Phi'(z) = exp(-z^2 / 2) / sqrt(2 pi). Compared with
    `scipy.special.ndtr` on a grid, on large |z| (where a must be 0 or z, without NaN or
    overflow), on a matrix, and against the tanh approximation that `lib.nn.GELU` computes,
    which is off by up to 5e-4 and does not pass.
    """
    _require_callable(your_fn, "your_fn")
    rng = np.random.default_rng(14)
    cases = [
        ("a grid from -6 to 6", np.linspace(-6.0, 6.0, 241)),
        ("large |z| (-40 to 40)", np.array([-40.0, -25.0, -12.0, 12.0, 25.0, 40.0])),
        ("a 4 x 5 matrix", rng.standard_normal((4, 5)) * 2.0),
        ("values near the tanh form's largest error (about -2.7)", np.linspace(-3.2, -2.2, 11)),
    ]
    for name, z in cases:
        z_before = z.copy()
        out = your_fn(z)
        if not (isinstance(out, tuple) and len(out) == 2):
            raise AssertionError(f"{name}: return a pair (a, dadz), got {type(out).__name__}")
        if not np.array_equal(z, z_before):
            raise AssertionError(f"{name}: your function changed z in place")
        want_a, want_d = _gelu_exact_reference(z)
        for label, got, want in (("a", out[0], want_a), ("dadz", out[1], want_d)):
            got = np.asarray(got, dtype=np.float64)
            if got.shape != z.shape:
                raise AssertionError(
                    f"{name}: {label} must have z's shape {z.shape}, got {got.shape}"
                )
            if not np.all(np.isfinite(got)):
                raise AssertionError(
                    f"{name}: {label} has NaN or infinite entries; for large |z|, Phi(z) is 0 or 1 "
                    "and needs no exp of a large number"
                )
            if not np.allclose(got, want, rtol=1e-9, atol=1e-12):
                k = int(np.argmax(np.abs(got - want).ravel()))
                hint = _gelu_hint(z, np.asarray(out[0], dtype=np.float64),
                                  np.asarray(out[1], dtype=np.float64))
                raise AssertionError(
                    f"{name}: {label} at z = {z.ravel()[k]:.4g} is {got.ravel()[k]:.10g}, "
                    f"expected {want.ravel()[k]:.10g}.{hint}"
                )
    print(f"check_gelu_exact: your GELU and its derivative match z Phi(z) in all {len(cases)} "
          "cases, large |z| included.")


def _prelu_cases():
    """(name, x, omega, dout): one slope per channel, (N, C) and (N, C, H, W) inputs."""
    rng = np.random.default_rng(15)
    return [
        ("x of shape (6, 4)", rng.standard_normal((6, 4)), np.array([0.25, 0.1, -0.2, 1.5]),
         rng.standard_normal((6, 4))),
        ("x of shape (5, 3, 2, 2)", rng.standard_normal((5, 3, 2, 2)), np.array([0.3, 0.0, 0.7]),
         rng.standard_normal((5, 3, 2, 2))),
        ("all x negative, shape (4, 2)", -np.abs(rng.standard_normal((4, 2))) - 0.1,
         np.array([0.25, 0.5]), rng.standard_normal((4, 2))),
        ("one channel, shape (7, 1)", rng.standard_normal((7, 1)), np.array([0.01]),
         rng.standard_normal((7, 1))),
    ]


def _prelu_hint(x, omega, dout, dx, domega, want_dx, want_domega):
    """Why the reader's PReLU gradients differ: the usual slips, or ''."""
    shape = (1, len(omega)) + (1,) * (x.ndim - 2)
    w = omega.reshape(shape)
    axes = (0, *range(2, x.ndim))
    neg = np.minimum(x, 0.0)

    def close(u, v):
        u = np.asarray(u, dtype=np.float64)
        return u.shape == np.shape(v) and np.allclose(u, v, rtol=1e-10, atol=1e-12)

    if close(domega, (dout * x).sum(axis=axes)):
        return (" d omega_c sums dout * min(0, x) over the channel: only the entries on the "
                "negative side depend on omega.")
    if close(domega, neg.sum(axis=axes)):
        return " d omega_c is the sum of dout * min(0, x): the upstream gradient dout is missing."
    if close(domega, -(dout * neg).sum(axis=axes)):
        return " d omega_c is the sum of dout * min(0, x), with a plus sign."
    if close(dx, dout * w):
        return " dx is dout where x > 0 and omega * dout elsewhere: the positive side has slope 1."
    if close(dx, dout * np.where(x > 0, w, 1.0)):
        return " The slopes are swapped: 1 where x > 0, omega where x <= 0."
    return ""


def check_prelu_backward(your_fn):
    """Check ``your_fn(x, omega, dout) -> (dx, domega)``: PReLU's backward, one slope per channel.

    out = max(0, x) + omega_c min(0, x) for the entries of channel c (axis 1 of x, which is
    (N, C) or (N, C, H, W)); dx = dout where x > 0 and omega_c dout elsewhere, and
    d omega_c = sum of dout * min(0, x) over every entry of channel c, shape (C,).
    Compared with `lib.nn.PReLU(C)`; no entry of x is exactly 0 (where any slope between
    omega_c and 1 would be a subgradient).
    """
    from lib.nn import PReLU

    _require_callable(your_fn, "your_fn")
    cases = _prelu_cases()
    for name, x, omega, dout in cases:
        layer = PReLU(len(omega))
        layer.params["alpha"][...] = omega
        layer.forward(x)
        want_dx = layer.backward(dout)
        want_domega = layer.grads["alpha"].copy()
        before = x.copy(), omega.copy(), dout.copy()
        out = your_fn(x, omega, dout)
        if not (isinstance(out, tuple) and len(out) == 2):
            raise AssertionError(f"{name}: return a pair (dx, domega), got {type(out).__name__}")
        if not all(np.array_equal(u, v) for u, v in zip((x, omega, dout), before, strict=True)):
            raise AssertionError(f"{name}: your function changed its inputs in place")
        dx, domega = (np.asarray(o, dtype=np.float64) for o in out)
        hint = _prelu_hint(x, omega, dout, dx, domega, want_dx, want_domega)
        if dx.shape != x.shape:
            raise AssertionError(f"{name}: dx must have x's shape {x.shape}, got {dx.shape}")
        if domega.shape != omega.shape:
            raise AssertionError(
                f"{name}: domega must have omega's shape {omega.shape}, one entry per channel, got "
                f"{domega.shape}; sum over every axis but axis 1 (the channels)"
            )
        if not np.allclose(dx, want_dx, rtol=1e-10, atol=1e-12):
            raise AssertionError(
                f"{name}: dx differs from PReLU's by {np.abs(dx - want_dx).max():.2e}.{hint}"
            )
        if not np.allclose(domega, want_domega, rtol=1e-10, atol=1e-12):
            raise AssertionError(
                f"{name}: domega is {np.round(domega, 6).tolist()}, expected "
                f"{np.round(want_domega, 6).tolist()}.{hint}"
            )
    print(f"check_prelu_backward: your dx and slope gradients match lib.nn.PReLU in all "
          f"{len(cases)} cases, (N, C, H, W) included.")


def _inverted_dropout_cases():
    """(name, x, dout, p, seed): 2-D and 4-D inputs, a large and a zero drop probability."""
    rng = np.random.default_rng(31)
    cases = []
    for name, shape, p, seed in [("x of shape (4, 6), p = 0.5", (4, 6), 0.5, 1),
                                 ("x of shape (3, 2, 5, 5), p = 0.2", (3, 2, 5, 5), 0.2, 2),
                                 ("x of shape (50, 20), p = 0.8", (50, 20), 0.8, 3),
                                 ("x of shape (5, 7), p = 0", (5, 7), 0.0, 4)]:
        cases.append((name, rng.standard_normal(shape), rng.standard_normal(shape), p, seed))
    return cases


def _inverted_dropout_hint(x, dout, p, u, out, dx):
    """Why the reader's (out, dx) differ from inverted dropout's: the usual slips, or ''."""
    keep, kept_low = u >= p, u < p

    def close(a, b):
        return np.shape(a) == np.shape(b) and np.allclose(a, b, rtol=1e-10, atol=1e-12)

    if close(out, x * keep / (1 - p)):                   # the forward is right: the backward
        if close(dx, dout / (1 - p)) or close(dx, dout):
            return (" The backward pass must go through the same mask: dropped entries pass no "
                    "gradient.")
        if close(dx, dout * keep):
            return " The backward pass must scale by 1 / (1 - p) too, like the forward pass."
        if close(dx, x * keep / (1 - p)):
            return " dx is dout times the mask / (1 - p), not x times it."
        return ""
    if p > 0 and any(close(out, x * kept_low / s) for s in (1 - p, p, 1.0)):
        return (" You keep an entry when u < p, that is with probability p; p is the probability "
                "to *drop* (PyTorch's convention): keep the entries with u >= p.")
    if p > 0 and close(out, x * keep):
        return (" The kept entries are not rescaled: inverted dropout divides them by 1 - p in "
                "training, so that E[out] = x and inference needs no scaling.")
    if p > 0 and close(out, x * keep / p):
        return " Divide by the probability to keep, 1 - p, not by p."
    if p > 0 and close(out, x * keep * (1 - p)):
        return (" Multiplying by 1 - p is the test-time weight scaling of standard dropout; "
                "inverted dropout *divides* by 1 - p during training.")
    scaled = x / (1 - p)
    zero_or_scaled = np.isclose(out, 0.0, rtol=0, atol=1e-12) | np.isclose(
        out, scaled, rtol=1e-10, atol=1e-12)
    if p > 0 and np.shape(out) == np.shape(x) and np.all(zero_or_scaled):
        return (" Your entries are 0 or x / (1 - p), but not at the right places: keep exactly "
                "the entries where u >= p, with the u you are given, and draw no random "
                "numbers of your own.")
    return ""


def check_inverted_dropout(your_fn):
    """Check ``your_fn(x, dout, p, u) -> (out, dx)``: inverted dropout, forward and backward.

    x: any shape; dout: the upstream gradient, x's shape; p: the drop probability, in [0, 1);
    u: uniform random numbers in [0, 1), x's shape, one per entry. An entry is kept where
    u >= p (probability 1 - p); out = x * keep / (1 - p) and dx = dout * keep / (1 - p).
    Compared with `lib.nn.Dropout(p, seed)`, which draws u = np.random.default_rng(seed).random(
    x.shape), on four cases (p = 0 included, where out = x and dx = dout).
    """
    from lib.nn import Dropout

    _require_callable(your_fn, "your_fn")
    cases = _inverted_dropout_cases()
    for name, x, dout, p, seed in cases:
        layer = Dropout(p, seed=seed)
        want_out = layer.forward(x).copy()
        want_dx = layer.backward(dout).copy()
        u = np.random.default_rng(seed).random(x.shape)
        before = x.copy(), dout.copy(), u.copy()
        result = your_fn(x, dout, p, u)
        if not (isinstance(result, tuple) and len(result) == 2):
            raise AssertionError(f"{name}: return a pair (out, dx), got {type(result).__name__}")
        if not all(np.array_equal(a, b) for a, b in zip((x, dout, u), before, strict=True)):
            raise AssertionError(f"{name}: your function changed its inputs in place")
        out, dx = (np.asarray(r, dtype=np.float64) for r in result)
        for label, got, want in (("out", out, want_out), ("dx", dx, want_dx)):
            if got.shape != want.shape:
                raise AssertionError(f"{name}: {label} must have x's shape {want.shape}, got "
                                     f"{got.shape}")
            if not np.allclose(got, want, rtol=1e-12, atol=1e-14):
                hint = _inverted_dropout_hint(x, dout, p, u, out, dx)
                raise AssertionError(
                    f"{name}: {label} differs from lib.nn.Dropout's by "
                    f"{np.abs(got - want).max():.2e}.{hint}")
    print(f"check_inverted_dropout: your forward and backward match lib.nn.Dropout in all "
          f"{len(cases)} cases, p = 0 and a 4-D input included.")


# The hyperparameter-search chapter: a log-uniform sampler and the rungs of successive halving.
# The imports are local to the functions so that this block could be appended in one piece.


def _log_uniform_cases():
    """(low, high, seed): ranges of a few decades, of less than one, and far from 1."""
    return [(1e-4, 1e-1, 0), (1e-6, 1e-2, 1), (0.5, 2.0, 2), (3.0, 3000.0, 3)]


def check_log_uniform_sampler(your_fn):
    """Check ``your_fn(low, high, n, rng) -> draws``: n draws, log-uniform on [low, high].

    The draws must lie in [low, high], have logarithms uniform on [log low, log high] (so that
    every factor of 10 gets the same share; `lib.hyperparameters.log_uniform` is the reference
    distribution), and come from the numpy Generator `rng` they are given: the same seed gives
    the same draws. Checked with a Kolmogorov-Smirnov test on 20000 draws for each of four
    ranges, with fixed seeds, so the verdict is reproducible.
    """
    from scipy import stats

    _require_callable(your_fn, "your_fn")
    n = 20_000
    cases = _log_uniform_cases()
    for low, high, seed in cases:
        name = f"low={low:g}, high={high:g}"
        got = np.asarray(your_fn(low, high, n, np.random.default_rng(seed)), dtype=np.float64)
        assert got.shape == (n,), (
            f"{name}: return an array of the n={n} draws, got shape {got.shape}"
        )
        assert np.all(np.isfinite(got)), f"{name}: your draws have NaN or infinite entries"
        again = np.asarray(your_fn(low, high, n, np.random.default_rng(seed)), dtype=np.float64)
        assert np.array_equal(got, again), (
            f"{name}: two calls with generators of the same seed gave different draws; draw "
            "from the rng you are given (rng.uniform(...)), not from np.random's global state"
        )
        other = np.asarray(your_fn(low, high, n, np.random.default_rng(seed + 100)),
                           dtype=np.float64)
        assert not np.array_equal(got, other), (
            f"{name}: generators of different seeds gave the same draws, so your function does "
            "not draw from the rng it is given (a seed of its own?); use rng.uniform(...)"
        )
        if got.min() < low * (1 - 1e-12) or got.max() > high * (1 + 1e-12):
            if np.all((got >= 10 ** low) & (got <= 10 ** high)):
                hint = ("you used low and high as exponents, 10 ** uniform(low, high); take "
                        "their logarithms first: 10 ** uniform(log10(low), log10(high))")
            elif np.all((got >= np.exp(np.log10(low))) & (got <= np.exp(np.log10(high)))) or np.all(
                (got >= 10 ** np.log(low)) & (got <= 10 ** np.log(high))
            ):
                hint = ("the bases do not match: exp of a uniform draw between log10(low) and "
                        "log10(high); use np.log with np.exp, or np.log10 with 10 **")
            else:
                hint = "exponentiate a uniform draw between log(low) and log(high)"
            raise AssertionError(
                f"{name}: your draws range from {got.min():.3g} to {got.max():.3g}, outside "
                f"[{low:g}, {high:g}]; {hint}"
            )
        logs = stats.uniform(np.log(low), np.log(high) - np.log(low))
        p_log = stats.kstest(np.log(got), logs.cdf).pvalue
        if p_log > 1e-4:
            continue
        mid = np.sqrt(low * high)                     # the middle of the range on a log scale
        share_low = float(np.mean(got < mid))
        if stats.kstest(got, stats.uniform(low, high - low).cdf).pvalue > 1e-4:
            hint = ("these are uniform on [low, high], not on a log scale: almost all of them "
                    "fall in the top decade of the range")
        else:
            hint = "draw log(x) uniformly on [log(low), log(high)], then exponentiate"
        raise AssertionError(
            f"{name}: the logarithms of your draws are not uniform (Kolmogorov-Smirnov "
            f"p = {p_log:.1e}); {share_low:.1%} of them lie below the log-midpoint "
            f"sqrt(low * high) = {mid:.3g}, where half should; {hint}"
        )
    print(f"check_log_uniform_sampler: your draws are log-uniform on all {len(cases)} ranges, "
          "and the same seed gives the same draws.")


def _halving_cases():
    """(n_configs, min_budget, max_budget, nu): exact powers, a cap, a count that runs out."""
    return [(27, 1, 9, 3), (81, 1, 81, 3), (16, 1, 16, 2), (20, 1, 9, 3), (10, 2, 50, 3),
            (9, 1, 27, 3), (5, 4, 4, 3)]


def _halving_variants(n_configs, min_budget, max_budget, nu):
    """Rungs with typical slips: ceil for floor, no cap, counts allowed to reach 0."""
    import math

    budgets = [min_budget]
    while budgets[-1] < max_budget:
        budgets.append(budgets[-1] * nu)
    capped = [*budgets[:-1], max_budget]
    floors, ceils, zeros = [n_configs], [n_configs], [n_configs]
    for _ in budgets[1:]:
        floors.append(max(1, floors[-1] // nu))
        ceils.append(max(1, math.ceil(ceils[-1] / nu)))
        zeros.append(zeros[-1] // nu)
    return {
        "ceil": list(zip(ceils, capped, strict=True)),
        "uncapped": list(zip(floors, budgets, strict=True)),
        "zeros": list(zip(zeros, capped, strict=True)),
        "short": list(zip(floors, capped, strict=True))[:-1],
    }


def check_halving_schedule(your_fn):
    """Check ``your_fn(n_configs, min_budget, max_budget, nu) -> [(count, budget), ...]``.

    The rungs of successive halving, against `lib.hyperparameters.halving_schedule`: budgets
    min_budget, min_budget * nu, ... with the last one capped at max_budget, and counts
    n_configs, then max(1, floor(count / nu)) for each next rung. Cases with exact powers of nu,
    a last budget that must be capped, a count that would reach zero, and a single rung.
    """
    from lib.hyperparameters import halving_schedule

    _require_callable(your_fn, "your_fn")
    cases = _halving_cases()
    for args in cases:
        name = "n_configs={}, min_budget={}, max_budget={}, nu={}".format(*args)
        want = [(int(c), float(b)) for c, b in halving_schedule(*args)]
        out = your_fn(*args)
        try:
            got = [(int(c), float(b)) for c, b in out]
        except (TypeError, ValueError):
            raise AssertionError(
                f"{name}: return a list of (count, budget) pairs, got {out!r}"
            ) from None
        if len(got) == len(want) and all(
            c == wc and abs(b - wb) <= 1e-9 * wb for (c, b), (wc, wb) in zip(got, want, strict=True)
        ):
            continue
        variants = {k: [(int(c), float(b)) for c, b in v]
                    for k, v in _halving_variants(*args).items()}
        if got == variants["uncapped"]:
            hint = (f"your last budget {got[-1][1]:g} exceeds max_budget={args[2]}: cap it, "
                    "min(nu * budget, max_budget)")
        elif got == variants["ceil"]:
            hint = "the counts round down: floor(count / nu), not ceil"
        elif got == variants["zeros"]:
            hint = "a rung keeps at least one configuration: max(1, floor(count / nu))"
        elif got == variants["short"] or (got and got[-1][1] < args[2]):
            hint = f"the last rung must train with max_budget={args[2]}"
        else:
            hint = "budgets grow by the factor nu up to max_budget, counts shrink by nu"
        raise AssertionError(f"{name}: your rungs are {got}, expected {want}; {hint}")
    print(f"check_halving_schedule: your rungs match lib.hyperparameters.halving_schedule on "
          f"all {len(cases)} cases, capped budgets and single rungs included.")


def _cg_reference(A, b, tol, max_iter, kind="right"):
    """Linear CG from 0 (Algorithm 5.2) and the usual slips, for check_linear_cg's hints.

    kind: "right"; "steepest" (d = -g at every step); "inverted_beta" (beta = old/new);
    "absolute" (stop when ||g|| < tol, not tol * ||b||); "late_test" (one step too many:
    the test made after each step and a last step taken anyway). Returns (x, steps).
    """
    n = len(b)
    x = np.zeros(n)
    g = -b.astype(float)
    d = -g
    gg = float(g @ g)
    threshold = tol if kind == "absolute" else tol * float(np.linalg.norm(b))
    steps = 0
    while steps < max_iter:
        if np.sqrt(gg) < threshold or gg == 0.0:
            if kind != "late_test" or steps == 0:
                break
            kind = "right"  # take the one extra step, then stop like the right version
            threshold = np.inf
        Ad = A @ d
        eta = gg / float(d @ Ad)
        x = x + eta * d
        g = g + eta * Ad
        gg_new = float(g @ g)
        if kind == "steepest":
            beta = 0.0
        elif kind == "inverted_beta":
            beta = gg / gg_new if gg_new > 0 else 0.0
        else:
            beta = gg_new / gg
        d = -g + beta * d
        gg = gg_new
        steps += 1
    return x, steps


def _cg_cases():
    """(name, A, b, tol, max_iter) for check_linear_cg."""
    rng = np.random.default_rng(31)

    def spd(eigenvalues):
        Q, _ = np.linalg.qr(rng.standard_normal((len(eigenvalues),) * 2))
        A = (Q * np.asarray(eigenvalues, dtype=float)) @ Q.T
        return (A + A.T) / 2

    A60 = spd(np.geomspace(1.0, 1e3, 60))
    b60 = 100.0 * rng.standard_normal(60)
    return [
        ("Example 5-2: H = diag(2, 8), q = (4, 8)", np.diag([2.0, 8.0]), np.array([4.0, 8.0]),
         1e-12, 100),
        ("n = 10, curvatures 1 to 10", spd(np.geomspace(1.0, 10.0, 10)),
         rng.standard_normal(10), 1e-10, 100),
        ("n = 30 with 3 distinct eigenvalues", spd(np.repeat([1.0, 5.0, 25.0], 10)),
         rng.standard_normal(30), 1e-10, 100),
        ("n = 60, kappa = 1000, |q| about 800, tol 1e-6", A60, b60, 1e-6, 1000),
        ("the same system stopped by max_iter = 5", A60, b60, 1e-6, 5),
        ("q = 0", spd(np.geomspace(1.0, 10.0, 5)), np.zeros(5), 1e-10, 100),
    ]


def check_linear_cg(your_fn):
    """Check ``your_fn(A, b, tol, max_iter) -> (theta, steps)``: linear conjugate gradients.

    From :math:`\\theta_0 = 0` the function runs Algorithm 5.2 of Nocedal and Wright (the
    book's Algorithm alg-ls-linear-cg) on :math:`A\\theta = b` with A symmetric positive
    definite: :math:`g_0 = -b`, :math:`d_0 = -g_0`, the exact step :math:`\\eta_t = g_t^\\top
    g_t / d_t^\\top A d_t`, :math:`g_{t+1} = g_t + \\eta_t A d_t`, :math:`\\beta_{t+1} =
    g_{t+1}^\\top g_{t+1} / g_t^\\top g_t`, :math:`d_{t+1} = -g_{t+1} + \\beta_{t+1} d_t`. Before
    each step it stops when :math:`\\lVert g_t\\rVert_2 < \\text{tol}\\,\\lVert b\\rVert_2`, or
    when max_iter steps are done, and returns the iterate and the number of steps taken.
    The reference is `lib.second_order.conjugate_gradient` (SciPy's stopping test): the step
    counts must agree exactly and the iterates to 1e-8. Cases: Example 5-2 (two steps), three
    distinct eigenvalues (three steps), an ill-conditioned system whose b is far from unit
    length (a relative test), a run cut by max_iter, and b = 0 (no step). A and b must come
    back unchanged.
    """
    from lib.second_order import conjugate_gradient

    _require_callable(your_fn, "your_fn")
    cases = _cg_cases()
    for name, A, b, tol, max_iter in cases:
        A_in, b_in = A.copy(), b.copy()
        out = your_fn(A_in, b_in, tol, max_iter)
        if not (np.array_equal(A_in, A) and np.array_equal(b_in, b)):
            raise AssertionError(f"{name}: your function changed A or b; work on new arrays")
        if not (isinstance(out, tuple) and len(out) == 2):
            raise AssertionError(f"{name}: return a pair (theta, steps), got "
                                 f"{type(out).__name__}")
        theta, steps = out
        theta = np.asarray(theta, dtype=np.float64)
        if theta.shape != b.shape:
            raise AssertionError(f"{name}: theta must have b's shape {b.shape}, got {theta.shape}")
        if np.ndim(steps) != 0 or int(steps) != steps:
            raise AssertionError(f"{name}: steps must be a whole number, got {steps!r}")
        ref = conjugate_gradient(A, b, tol=tol, max_iter=max_iter, keep_path=False)
        scale = max(float(np.linalg.norm(ref.x)), 1e-300)
        close = float(np.linalg.norm(theta - ref.x)) <= 1e-8 * scale
        if int(steps) == ref.nit and close:
            continue
        hint = ""
        for kind, text in [
            ("steepest", " Your iterates are steepest descent's with exact steps: the new "
                         "direction must keep part of the old one, d = -g + beta * d."),
            ("inverted_beta", " beta is upside down: beta = (g_new @ g_new) / (g_old @ g_old)."),
            ("absolute", " The stopping test must be relative: ||g|| < tol * ||b||."),
            ("late_test", " One step too many: test the gradient before each step, not after."),
        ]:
            x_k, steps_k = _cg_reference(A, b, tol, max_iter, kind)
            if int(steps) == steps_k and np.linalg.norm(theta - x_k) <= 1e-8 * max(
                    float(np.linalg.norm(x_k)), 1e-300):
                hint = text
                break
        if not hint and np.linalg.norm(theta + ref.x) <= 1e-6 * scale:
            hint = " theta is the negative of the solution: g = A theta - b, d_0 = -g_0 = b."
        if not hint and int(steps) == ref.nit:
            hint = (" The step count is right but theta is not: check eta = (g @ g) / "
                    "(d @ A @ d) and the updates theta += eta d, g += eta A d.")
        raise AssertionError(
            f"{name}: {int(steps)} steps and theta {np.round(theta[:3], 6).tolist()}..., "
            f"expected {ref.nit} steps and theta {np.round(ref.x[:3], 6).tolist()}... "
            f"(relative difference {float(np.linalg.norm(theta - ref.x)) / scale:.1e}).{hint}")
    print(f"check_linear_cg: your iterates and step counts match lib's conjugate_gradient in all "
          f"{len(cases)} cases.")


def _bfgs_inverse_reference(Hinv, s, y, kind="right"):
    """The BFGS inverse update (book eq-qn-bfgs) and the usual slips, for hints."""
    n = len(s)
    eye = np.eye(n)
    ys = float(y @ s)
    rho = {"right": 1.0 / ys, "rho_ss": 1.0 / float(s @ s), "rho_yy": 1.0 / float(y @ y)}.get(
        kind, 1.0 / ys)
    V = eye - rho * np.outer(y, s)
    if kind == "swapped":
        return V @ Hinv @ V.T + rho * np.outer(s, s)
    if kind == "no_ss":
        return V.T @ Hinv @ V
    if kind == "dfp":
        Hy = Hinv @ y
        return Hinv - np.outer(Hy, Hy) / float(y @ Hy) + np.outer(s, s) / ys
    if kind == "direct":
        Hs = Hinv @ s
        return Hinv - np.outer(Hs, Hs) / float(s @ Hs) + np.outer(y, y) / ys
    if kind == "cross_sign":
        Hy = Hinv @ y
        return Hinv + rho * (np.outer(Hy, s) + np.outer(s, Hy)) + (
            rho * rho * float(y @ Hy) + rho) * np.outer(s, s)
    return V.T @ Hinv @ V + rho * np.outer(s, s)


def _bfgs_inverse_cases():
    """(name, Hinv, s, y): symmetric positive definite Hinv, pairs with y @ s > 0."""
    rng = np.random.default_rng(31)
    cases = []
    for n, spread in [(2, 1.0), (5, 10.0), (30, 1e6)]:
        Q, _ = np.linalg.qr(rng.standard_normal((n, n)))
        Hinv = Q @ np.diag(np.geomspace(1.0, spread, n)) @ Q.T
        Hinv = (Hinv + Hinv.T) / 2
        s = rng.standard_normal(n)
        A = rng.standard_normal((n, n))
        y = (A @ A.T / n + 0.1 * np.eye(n)) @ s          # y = (a positive definite matrix) s
        cases.append((f"n = {n}, eigenvalues of B^-1 from 1 to {spread:g}", Hinv, s, y))
    # one dimension last: there the update is s / y, and several slips coincide with it
    cases.append(("n = 1", np.array([[2.0]]), np.array([0.5]), np.array([2.0])))
    return cases


def check_bfgs_inverse_update(your_fn):
    """Check ``your_fn(Hinv, s, y) -> Hinv_new``: the BFGS update of the inverse Hessian
    approximation, B_{t+1}^-1 = V^T B_t^-1 V + s s^T / (y^T s) with V = I - y s^T / (y^T s),
    for Hinv (n, n) symmetric positive definite and s = Δθ_t, y = Δg_t (n,) with y @ s > 0.

    Compared with the textbook formula on four cases (n = 2, 5, 30, the last with B^-1's
    eigenvalues spread over six decades, and n = 1); the result must be a new (n, n) array,
    symmetric, with Hinv_new @ y = s, and Hinv, s and y must come back unchanged. Wrong
    answers that match a usual slip (V on the wrong sides, the s s^T term missing, the DFP
    update, the update of B instead of B^-1, the wrong normalization, a sign) are named.
    """
    _require_callable(your_fn, "your_fn")
    cases = _bfgs_inverse_cases()
    for name, Hinv, s, y in cases:
        before = (Hinv.copy(), s.copy(), y.copy())
        got = your_fn(Hinv, s, y)
        if not all(np.array_equal(a, b) for a, b in zip((Hinv, s, y), before, strict=True)):
            raise AssertionError(f"{name}: your function changed Hinv, s or y; return a new array")
        got = np.asarray(got, dtype=np.float64)
        n = len(s)
        if got.shape != (n, n):
            raise AssertionError(f"{name}: the update must have shape {(n, n)}, got {got.shape}")
        if not np.all(np.isfinite(got)):
            raise AssertionError(f"{name}: your matrix has NaN or infinite entries")
        want = _bfgs_inverse_reference(Hinv, s, y)
        scale = float(np.abs(want).max())
        if np.abs(got - want).max() <= 1e-9 * scale:
            continue
        hint = ""
        for kind, text in [
            ("swapped", " The factors are on the wrong sides: it is V^T B^-1 V with "
                        "V = I - y s^T / (y^T s), not V B^-1 V^T."),
            ("no_ss", " The term s s^T / (y^T s) is missing: without it B^-1 y would be 0, not s."),
            ("dfp", " That is the DFP update, B^-1 - B^-1 y y^T B^-1 / (y^T B^-1 y) + s s^T / "
                    "(y^T s); BFGS's differs."),
            ("direct", " That is the update of B itself (the form of eq-qn-bfgs-direct) "
                       "applied to B^-1; the inverse update maps y to s."),
            ("rho_ss", " The normalization must be 1 / (y^T s), not 1 / (s^T s)."),
            ("rho_yy", " The normalization must be 1 / (y^T s), not 1 / (y^T y)."),
            ("cross_sign", " The cross terms have the wrong sign: B^-1 - (B^-1 y s^T + "
                           "s y^T B^-1) / (y^T s) + (1 + y^T B^-1 y / (y^T s)) s s^T / (y^T s)."),
        ]:
            slip = _bfgs_inverse_reference(Hinv, s, y, kind)
            if n > 1 and np.abs(got - slip).max() <= 1e-9 * scale:
                hint = text
                break
        secant = float(np.linalg.norm(got @ y - s) / np.linalg.norm(s))
        asym = float(np.abs(got - got.T).max() / scale)
        raise AssertionError(
            f"{name}: your update differs from B^-1 of eq-qn-bfgs by "
            f"{np.abs(got - want).max():.2e} (largest entry {scale:.2e}); secant residual "
            f"|Hinv_new y - s| / |s| = {secant:.1e}, asymmetry {asym:.1e}.{hint}")
    print(f"check_bfgs_inverse_update: your update matches the BFGS formula in all {len(cases)} "
          "cases (symmetric, Hinv_new @ y = s), and the inputs come back unchanged.")


# The chapter "Early stopping and data augmentation": early stopping with patience on a list of
# validation losses, and a one-pixel shift of an 8 x 8 digit.


def _early_stopping_reference(losses, patience, start=np.inf, ties_improve=False, late=False,
                              previous=False):
    """(best_epoch, stop_epoch), 1-based, of early stopping on `losses`; the flags make the slips.

    start: the initial best (1.0 is the lecture notes' slip for a loss); ties_improve: a tie
    counts as an improvement; late: stop only when the wait exceeds patience (off by one);
    previous: compare with the previous loss instead of the best one.
    """
    best, best_epoch, wait, last = start, 0, 0, start
    for epoch, v in enumerate(losses, start=1):
        ref = last if previous else best
        better = v <= ref if ties_improve else v < ref
        last = v
        if better:
            wait = 0
            if v < best or ties_improve:
                best, best_epoch = v, epoch
        else:
            wait += 1
            if (wait > patience) if late else (wait >= patience):
                return best_epoch, epoch
    return best_epoch, len(losses)


def _early_stopping_cases():
    zigzag = [1.0, 0.8, 0.7, 0.72, 0.69, 0.75, 0.8, 0.9, 0.95, 1.0, 1.1]
    return [
        ("a zigzag that turns up, patience 2", zigzag, 2),
        ("the same, patience 1", zigzag, 1),
        ("the same, patience 3", zigzag, 3),
        ("ties after an improvement, patience 2", [0.5, 0.4, 0.4, 0.4, 0.3, 0.35], 2),
        ("a loss that only falls (never stops), patience 3", [3.0, 2.0, 1.0, 0.5, 0.25], 3),
        ("a cross-entropy that starts above 1, patience 3",
         [2.3, 2.1, 1.9, 1.7, 1.2, 0.9, 0.8, 0.85, 0.83, 0.9, 0.95], 3),
        ("a patience longer than the run", [0.9, 0.7, 0.8, 0.75, 0.72], 10),
    ]


def check_early_stopping(your_fn):
    """Check ``your_fn(val_losses, patience) -> (best_epoch, stop_epoch)``: early stopping.

    val_losses: the validation losses after epochs 1, 2, ...; patience: int >= 1. An epoch
    improves when its loss is strictly below the lowest one so far (the first epoch always
    improves); training stops after the epoch at which `patience` epochs in a row have not
    improved. best_epoch is the epoch of the lowest loss up to the stop, the one whose weights
    are restored; stop_epoch is len(val_losses) if the patience never runs out. Epochs count
    from 1. Compared with `lib.train.EarlyStopping` on zigzags, ties, a loss that only falls,
    a cross-entropy that starts above 1 and a patience longer than the run.
    """
    from lib.train import EarlyStopping

    _require_callable(your_fn, "your_fn")
    cases = _early_stopping_cases()
    for name, losses, patience in cases:
        keeper, stop = EarlyStopping(patience=patience), len(losses)
        for epoch, v in enumerate(losses, start=1):
            if keeper.update(epoch, v, {"w": np.zeros(1)}):
                stop = epoch
                break
        want = (keeper.best_epoch, stop)
        assert want == _early_stopping_reference(losses, patience), "internal: references differ"
        got = your_fn(list(losses), patience)
        try:
            got = tuple(int(g) for g in got)
        except (TypeError, ValueError):
            raise AssertionError(
                f"{name}: return a pair of ints (best_epoch, stop_epoch), got {got!r}") from None
        if len(got) != 2:
            raise AssertionError(f"{name}: return a pair (best_epoch, stop_epoch), got {got!r}")
        if got == want:
            continue
        slips = [
            (dict(start=1.0), "you start the best loss at 1.0, the lecture notes' largest error "
                              "rate; a loss can exceed 1, so start at +infinity"),
            (dict(ties_improve=True), "a tie is not an improvement: count an epoch as better only "
                                      "when its loss is strictly below the best so far"),
            (dict(previous=True), "compare each loss with the best one so far, not with the "
                                  "previous epoch's (that is the naive rule of Algorithm 5-6)"),
            (dict(late=True), "you stop one epoch late: stop when the count of epochs without "
                              "improvement reaches patience, not when it exceeds it"),
        ]
        hint = ""
        for flags, text in slips:
            if got == _early_stopping_reference(losses, patience, **flags):
                hint = text
                break
        if not hint and got == (want[0] - 1, want[1] - 1):
            hint = "count epochs from 1: the first loss is that of epoch 1"
        elif not hint and got[1] == want[1] and got[0] == want[1]:
            hint = ("best_epoch is the epoch of the lowest loss, whose weights are restored, not "
                    "the epoch at which training stops")
        elif not hint:
            hint = ("keep the lowest loss so far and its epoch, count the epochs since it, and "
                    "stop when the count reaches patience")
        raise AssertionError(
            f"{name}: got (best_epoch, stop_epoch) = {got}, expected {want}; {hint}")
    print(f"check_early_stopping: your early stopping agrees with lib.train.EarlyStopping on all "
          f"{len(cases)} curves, ties and a loss above 1 included.")


def _shift_cases():
    rng = np.random.default_rng(21)
    img = rng.integers(0, 17, size=(8, 8)).astype(float)     # ink up to every border
    img[0, 0], img[7, 7] = 16.0, 9.0
    shifts = [(1, 0), (-1, 0), (0, 1), (0, -1), (1, 1), (-1, 1), (0, 0), (2, -1)]
    return img, shifts


def check_one_pixel_shift(your_fn):
    """Check ``your_fn(img, dx, dy) -> shifted``: an 8 x 8 image moved by whole pixels.

    img: (8, 8) raw grey levels, row 0 at the top; dx columns to the right, dy rows down
    (negative: left, up); shifted[r, c] = img[r - dy, c - dx] where that pixel exists, and 0
    (the background) where it does not. Pixels pushed over the border are lost. img must come
    back unchanged. Compared with `lib.augment.shift` for one-pixel moves in every direction,
    a diagonal one, no move, and a move by two.
    """
    from lib.augment import shift

    _require_callable(your_fn, "your_fn")
    img, shifts = _shift_cases()
    for dx, dy in shifts:
        name = f"dx = {dx}, dy = {dy}"
        before = img.copy()
        got = your_fn(img, dx, dy)
        if not np.array_equal(img, before):
            raise AssertionError(f"{name}: your function changed img; return a new array")
        got = np.asarray(got, dtype=np.float64)
        if got.shape != (8, 8):
            raise AssertionError(f"{name}: the result must have shape (8, 8), got {got.shape}")
        want = shift(img.reshape(1, 64), dx=dx, dy=dy).reshape(8, 8)
        if np.array_equal(got, want):
            continue
        rolled = np.roll(np.roll(img, dy, axis=0), dx, axis=1)
        if np.array_equal(got, rolled):
            hint = ("np.roll wraps the pixels pushed over one border around to the other; they "
                    "must be lost, and the uncovered row or column set to 0")
        elif np.array_equal(got, shift(img.reshape(1, 64), dx=dy, dy=dx).reshape(8, 8)):
            hint = "dx moves columns (to the right) and dy moves rows (down): you swapped them"
        elif np.array_equal(got, shift(img.reshape(1, 64), dx=-dx, dy=-dy).reshape(8, 8)):
            hint = ("the direction is reversed: shifted[r, c] = img[r - dy, c - dx], so a "
                    "positive dx moves the ink to the right")
        else:
            r, c = np.argwhere(got != want)[0]
            hint = f"pixel [{r}, {c}] is {got[r, c]:g}, expected {want[r, c]:g}"
        raise AssertionError(f"{name}: your shifted image differs from lib.augment.shift; {hint}")
    print(f"check_one_pixel_shift: your shift matches lib.augment.shift for all {len(shifts)} "
          "moves, the lost border pixels included.")
