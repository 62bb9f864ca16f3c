"""lib.optim: the SGD update, its state and schedule, its checks, a training run against PyTorch."""

import numpy as np
import pytest

from lib.nn import Linear, ReLU, Sequential, SoftmaxCrossEntropy, Tanh
from lib.optim import SGD


def problem(seed=0):
    rng = np.random.default_rng(seed)
    params = {"W": rng.standard_normal((3, 4)), "b": rng.standard_normal(4)}
    grads = {"W": rng.standard_normal((3, 4)), "b": rng.standard_normal(4)}
    return params, grads


def test_sgd_step_is_theta_minus_lr_g_in_place():
    params, grads = problem()
    arrays = dict(params)
    expected = {k: params[k] - 0.3 * grads[k] for k in params}
    opt = SGD(lr=0.3)
    assert opt.t == 0
    opt.step(params, grads)
    for k in params:
        assert params[k] is arrays[k]
        np.testing.assert_allclose(params[k], expected[k], rtol=1e-15)
    assert opt.t == 1
    assert opt.state == {"W": {}, "b": {}}
    assert repr(opt) == "SGD(lr=0.3)"


def test_schedule_is_called_with_the_update_count_from_zero():
    calls = []

    def schedule(t):
        calls.append(t)
        return 0.5 / (1 + t)

    params, grads = problem(1)
    W0 = params["W"].copy()
    opt = SGD(lr=schedule)
    for _ in range(3):
        opt.step(params, grads)
    assert calls == [0, 1, 2]
    assert opt.t == 3
    np.testing.assert_allclose(params["W"], W0 - (0.5 + 0.25 + 0.5 / 3) * grads["W"], rtol=1e-14)


@pytest.mark.parametrize("lr", [0, -0.1, np.nan, np.inf, "0.1", None])
def test_rejects_bad_lr(lr):
    with pytest.raises(ValueError, match="lr must be"):
        SGD(lr)


def test_rejects_a_schedule_that_goes_negative_but_allows_zero():
    params, grads = problem()
    opt = SGD(lambda t: 0.1 - 0.1 * t)
    opt.step(params, grads)
    W1 = params["W"].copy()
    opt.step(params, grads)  # lr(1) = 0: the end of a linear decay, a step that changes nothing
    np.testing.assert_array_equal(params["W"], W1)
    with pytest.raises(ValueError, match=r"lr\(2\) must be >= 0.0, got -0.1"):
        opt.step(params, grads)
    np.testing.assert_array_equal(params["W"], W1)
    assert opt.t == 2
    with pytest.raises(ValueError, match=r"lr\(0\) must be finite, got nan"):
        SGD(lambda t: np.nan).step(params, grads)
    with pytest.raises(ValueError, match=r"lr\(0\) must be a real number"):
        SGD(lambda t: "0.1").step(params, grads)


@pytest.mark.parametrize(
    ("change", "match"),
    [
        (lambda p, g: g.pop("b"), r"same names, got \['W', 'b'\] and \['W'\]"),
        (lambda p, g: g.update(c=np.ones(2)), "params and grads must have the same names"),
        (lambda p, g: g.update(W=np.ones((4, 3))),
         r"grads\['W'\] must have shape \(3, 4\) like params\['W'\], got \(4, 3\)"),
        (lambda p, g: g["W"].__setitem__((0, 1), np.nan), r"grads\['W'\] must be finite, got 1"),
        (lambda p, g: g["b"].__setitem__(2, -np.inf), r"grads\['b'\] must be finite"),
        (lambda p, g: g.update(b=[1.0, 2.0, 3.0, 4.0]), r"grads\['b'\] must be a float array"),
        (lambda p, g: p.update(b=np.zeros(4, dtype=int)), r"params\['b'\] must be a writeable"),
    ],
)
def test_step_rejects_mismatched_or_non_finite_input_and_changes_nothing(change, match):
    params, grads = problem()
    change(params, grads)
    before = {k: np.copy(v) for k, v in params.items()}
    opt = SGD(0.1)
    with pytest.raises(ValueError, match=match):
        opt.step(params, grads)
    for k in params:
        np.testing.assert_array_equal(params[k], before[k])
    assert opt.t == 0


def test_step_rejects_non_dicts():
    with pytest.raises(ValueError, match="grads must be a dict"):
        SGD(0.1).step({"W": np.ones(2)}, [np.ones(2)])


def test_step_on_model_params_trains_the_layers():
    model = Sequential(Linear(3, 5, seed=0), Tanh(), Linear(5, 2, seed=1))
    loss = SoftmaxCrossEntropy()
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((20, 3)), rng.integers(0, 2, size=20)
    W = model.layers[0].params["W"]
    W0 = W.copy()
    opt = SGD(0.5)
    losses = []
    for _ in range(30):
        losses.append(loss.forward(model.forward(X), y))
        model.backward(loss.backward())
        opt.step(model.params, model.grads)
    assert model.layers[0].params["W"] is W  # updated in place, never rebound
    assert not np.array_equal(W, W0)
    assert losses[-1] < 0.8 * losses[0]


def test_sgd_training_matches_torch():
    torch = pytest.importorskip("torch", reason="PyTorch is not installed: reference test skipped")
    rng = np.random.default_rng(3)
    X, y = rng.standard_normal((40, 6)), rng.integers(0, 3, size=40)
    model = Sequential(Linear(6, 16, seed=0), ReLU(), Linear(16, 3, seed=1))
    ref = torch.nn.Sequential(
        torch.nn.Linear(6, 16), torch.nn.ReLU(), torch.nn.Linear(16, 3)
    ).double()
    with torch.no_grad():
        for i in (0, 2):
            ref[i].weight.copy_(torch.from_numpy(model.params[f"{i}.W"].T))
            ref[i].bias.copy_(torch.from_numpy(model.params[f"{i}.b"]))
    loss, opt = SoftmaxCrossEntropy(), SGD(0.2)
    opt_t = torch.optim.SGD(ref.parameters(), lr=0.2)
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    for step in range(20):
        idx = rng.choice(40, size=8, replace=False)
        ours = loss.forward(model.forward(X[idx]), y[idx])
        model.backward(loss.backward())
        opt.step(model.params, model.grads)

        it = torch.from_numpy(idx)
        theirs = torch.nn.functional.cross_entropy(ref(Xt[it]), yt[it])
        opt_t.zero_grad()
        theirs.backward()
        opt_t.step()
        assert ours == pytest.approx(theirs.item(), rel=1e-10), step
    for i in (0, 2):
        np.testing.assert_allclose(
            model.params[f"{i}.W"], ref[i].weight.detach().numpy().T, rtol=1e-10, atol=1e-12
        )
        np.testing.assert_allclose(
            model.params[f"{i}.b"], ref[i].bias.detach().numpy(), rtol=1e-10, atol=1e-12
        )


# The other optimizers -----------------------------------------------------------------

import math  # noqa: E402
import warnings  # noqa: E402

import lib.optim  # noqa: E402
from lib.landscapes import Quadratic, Rosenbrock, Saddle  # noqa: E402
from lib.optim import AdaGrad, Adam, AdamW, RMSProp, optimize_path  # noqa: E402
from lib.schedules import cosine_decay, linear_warmup, step_decay  # noqa: E402

# A fixed problem worked by hand: theta0 = (1, -2), gradients g1 = (0.5, 1), g2 = (-1, 2).
G1, G2 = (0.5, 1.0), (-1.0, 2.0)


def two_steps(opt):
    params = {"w": np.array([1.0, -2.0])}
    path = []
    for g in (G1, G2):
        opt.step(params, {"w": np.array(g)})
        path.append(params["w"].copy())
    return path


def test_momentum_by_hand():
    th1, th2 = two_steps(SGD(0.1, momentum=0.9))
    # v1 = g1 = (0.5, 1);            theta1 = (1 - 0.1*0.5, -2 - 0.1*1)       = (0.95, -2.1)
    # v2 = 0.9 v1 + g2 = (-0.55, 2.9); theta2 = (0.95 + 0.055, -2.1 - 0.29)     = (1.005, -2.39)
    np.testing.assert_allclose(th1, [0.95, -2.1], rtol=1e-15)
    np.testing.assert_allclose(th2, [1.005, -2.39], rtol=1e-15)


def test_nesterov_by_hand():
    opt = SGD(0.1, momentum=0.9, nesterov=True)
    th1, th2 = two_steps(opt)
    # v1 = g1; d1 = g1 + 0.9 v1 = (0.95, 1.9);  theta1 = (1 - 0.095, -2 - 0.19)   = (0.905, -2.19)
    # v2 = (-0.55, 2.9); d2 = g2 + 0.9 v2 = (-1.495, 4.61); theta2 = (1.0545, -2.651)
    np.testing.assert_allclose(th1, [0.905, -2.19], rtol=1e-15)
    np.testing.assert_allclose(th2, [1.0545, -2.651], rtol=1e-15)
    np.testing.assert_allclose(opt.state["w"]["v"], [-0.55, 2.9], rtol=1e-15)


def test_sgd_weight_decay_by_hand():
    th1, _ = two_steps(SGD(0.1, weight_decay=0.1))
    # g1 + 0.1 theta0 = (0.5 + 0.1, 1 - 0.2) = (0.6, 0.8); theta1 = (1 - 0.06, -2 - 0.08)
    np.testing.assert_allclose(th1, [0.94, -2.08], rtol=1e-15)


def test_adagrad_by_hand():
    opt = AdaGrad(0.1)
    th1, th2 = two_steps(opt)
    # G1 = g1^2 = (0.25, 1);  theta1 = theta0 - 0.1 * (0.5 / 0.5, 1 / 1) = (0.9, -2.1)
    # G2 = G1 + g2^2 = (1.25, 5); theta2 = theta1 - 0.1 * (-1 / sqrt(1.25), 2 / sqrt(5))
    np.testing.assert_allclose(th1, [0.9, -2.1], rtol=1e-9)
    np.testing.assert_allclose(
        th2, [0.9 + 0.1 / math.sqrt(1.25), -2.1 - 0.2 / math.sqrt(5)], rtol=1e-9
    )
    np.testing.assert_allclose(opt.state["w"]["G"], [1.25, 5.0], rtol=1e-15)


def test_rmsprop_by_hand():
    opt = RMSProp(0.01, alpha=0.9)
    th1, th2 = two_steps(opt)
    # r1 = 0.1 g1^2 = (0.025, 0.1): each g / sqrt(r1) = sqrt(10), so theta1 = theta0 - 0.01 sqrt(10)
    # r2 = 0.9 r1 + 0.1 g2^2 = (0.1225, 0.49), sqrt = (0.35, 0.7)
    # (eps = 1e-8 is written out: next to sqrt(r) ~ 0.16 it shows in the 8th digit)
    eps = 1e-8
    th1_hand = [1 - 0.01 * 0.5 / (math.sqrt(0.025) + eps), -2 - 0.01 * 1 / (math.sqrt(0.1) + eps)]
    np.testing.assert_allclose(th1, th1_hand, rtol=1e-13)
    r = 0.01 * math.sqrt(10)
    np.testing.assert_allclose(th1, [1 - r, -2 - r], rtol=1e-7)
    th2_hand = [th1_hand[0] + 0.01 / (0.35 + eps), th1_hand[1] - 0.02 / (0.7 + eps)]
    np.testing.assert_allclose(th2, th2_hand, rtol=1e-13)
    np.testing.assert_allclose(opt.state["w"]["r"], [0.1225, 0.49], rtol=1e-15)


def test_adam_by_hand():
    opt = Adam(0.1)
    th1, th2 = two_steps(opt)
    # t = 1: m = 0.1 g1, r = 0.001 g1^2, so m_hat = g1, r_hat = g1^2: a step of lr * sign(g1)
    # (up to eps = 1e-8 next to sqrt(r_hat) = |g1|, which moves the 8th digit)
    np.testing.assert_allclose(th1, [0.9, -2.1], rtol=1e-7)
    # t = 2: m = 0.09 g1 + 0.1 g2 = (-0.055, 0.29),  m_hat = m / (1 - 0.9^2) = m / 0.19
    #        r = 0.999 * 0.001 g1^2 + 0.001 g2^2 = (0.00124975, 0.004999), r_hat = r / 0.001999
    m_hat = np.array([-0.055, 0.29]) / 0.19
    r_hat = np.array([0.00124975, 0.004999]) / 0.001999
    np.testing.assert_allclose(th2, th1 - 0.1 * m_hat / (np.sqrt(r_hat) + 1e-8), rtol=1e-13)
    np.testing.assert_allclose(opt.state["w"]["m"], [-0.055, 0.29], rtol=1e-14)
    np.testing.assert_allclose(opt.state["w"]["r"], [0.00124975, 0.004999], rtol=1e-14)
    assert opt.t == 2


def test_adamw_decays_the_weights_outside_the_scaling():
    th1, _ = two_steps(AdamW(0.1, weight_decay=0.1))
    # theta0 (1 - 0.1 * 0.1) = (0.99, -1.98), then the Adam step -0.1 * sign(g1)
    np.testing.assert_allclose(th1, [0.89, -2.08], rtol=1e-7)
    # Adam's L2 decay only changes g1 to (0.6, 0.8): same signs, so the same first step
    th1_l2, _ = two_steps(Adam(0.1, weight_decay=0.1))
    np.testing.assert_allclose(th1_l2, [0.9, -2.1], rtol=1e-7)


ALL = {
    "SGD": lambda lr: SGD(lr),
    "momentum": lambda lr: SGD(lr, momentum=0.9),
    "Nesterov": lambda lr: SGD(lr, momentum=0.9, nesterov=True, weight_decay=0.01),
    "AdaGrad": lambda lr: AdaGrad(lr, weight_decay=0.01),
    "RMSProp": lambda lr: RMSProp(lr, alpha=0.9, weight_decay=0.01),
    "Adam": lambda lr: Adam(lr, weight_decay=0.01),
    "AdamW": lambda lr: AdamW(lr),
}


@pytest.mark.parametrize("make", ALL.values(), ids=ALL.keys())
def test_updates_in_place_with_named_state_and_blocks_change_nothing(make, monkeypatch):
    params, grads = problem(4)
    arrays = dict(params)
    opt = make(0.01)
    for _ in range(3):
        opt.step(params, grads)
    for k in params:
        assert params[k] is arrays[k]
        for v in opt.state[k].values():
            assert v.shape == params[k].shape
    # Blocks of 5 entries (and a Fortran-ordered parameter, updated in one piece) give the
    # same numbers bit for bit: every operation is elementwise.
    monkeypatch.setattr(lib.optim, "BLOCK", 5)
    blocked, _ = problem(4)
    blocked["W"] = np.asfortranarray(blocked["W"])
    opt2 = make(0.01)
    for _ in range(3):
        opt2.step(blocked, grads)
    for k in params:
        np.testing.assert_array_equal(blocked[k], params[k])


def test_state_names():
    params, grads = problem()
    for opt, names in [
        (SGD(0.1), set()), (SGD(0.1, momentum=0.5), {"v"}), (AdaGrad(0.1), {"G"}),
        (RMSProp(0.1), {"r"}), (Adam(0.1), {"m", "r"}), (AdamW(0.1), {"m", "r"}),
    ]:
        opt.step(params, grads)
        assert set(opt.state["W"]) == names, opt


def test_reprs_show_what_differs_from_the_defaults():
    assert repr(SGD(0.1, momentum=0.9, nesterov=True)) == "SGD(lr=0.1, momentum=0.9, nesterov=True)"
    assert repr(Adam(0.001)) == "Adam(lr=0.001)"
    assert repr(AdamW(0.001, weight_decay=0.1)) == "AdamW(lr=0.001, weight_decay=0.1)"
    assert repr(RMSProp(0.01, alpha=0.9)) == "RMSProp(lr=0.01, alpha=0.9)"
    assert repr(AdaGrad(cosine_decay(0.1, 10))) == (
        "AdaGrad(lr=cosine_decay(lr0=0.1, total_steps=10, lr_min=0.0))"
    )


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda: SGD(0.1, momentum=-0.5), "momentum must be >= 0.0, got -0.5"),
        (lambda: SGD(0.1, nesterov=True), "nesterov=True needs momentum > 0"),
        (lambda: SGD(0.1, momentum=0.9, nesterov="yes"), "nesterov must be True or False"),
        (lambda: SGD(0.1, weight_decay=-1e-4), "weight_decay must be >= 0.0, got -0.0001"),
        (lambda: AdaGrad(0.0), "lr must be > 0.0, got 0.0"),
        (lambda: AdaGrad(0.1, eps=0.0), "eps must be > 0.0, got 0.0"),
        (lambda: AdaGrad(0.1, weight_decay=np.nan), "weight_decay must be finite"),
        (lambda: RMSProp(0.1, alpha=1.0), r"alpha must be < 1.0, got 1.0"),
        (lambda: RMSProp(0.1, alpha=-0.1), r"alpha must be >= 0.0, got -0.1"),
        (lambda: RMSProp(0.1, eps=-1e-8), "eps must be > 0.0"),
        (lambda: RMSProp(-0.1), "lr must be > 0.0, got -0.1"),
        (lambda: Adam(0.1, betas=(0.9, 1.0)), r"betas\[1\] must be < 1.0, got 1.0"),
        (lambda: Adam(0.1, betas=(-0.1, 0.999)), r"betas\[0\] must be >= 0.0, got -0.1"),
        (lambda: Adam(0.1, betas=0.9), r"betas must be a pair \(beta1, beta2\), got float 0.9"),
        (lambda: Adam(0.1, betas=(0.9, 0.99, 0.999)), "betas must be a pair"),
        (lambda: Adam(0.1, eps=0), "eps must be > 0.0, got 0.0"),
        (lambda: Adam(0.1, weight_decay=-0.1), "weight_decay must be >= 0.0"),
        (lambda: AdamW(0.1, weight_decay=-0.01), "weight_decay must be >= 0.0, got -0.01"),
        (lambda: AdamW(0.1, betas=(1.0, 0.999)), r"betas\[0\] must be < 1.0"),
        (lambda: AdamW(np.inf), "lr must be finite"),
    ],
)
def test_rejects_impossible_hyperparameters(make, match):
    with pytest.raises(ValueError, match=match):
        make()


@pytest.mark.parametrize("make", ALL.values(), ids=ALL.keys())
def test_every_optimizer_checks_its_step(make):
    params, grads = problem()
    grads["b"][1] = np.inf
    opt = make(0.1)
    with pytest.raises(ValueError, match=r"grads\['b'\] must be finite, got 1"):
        opt.step(params, grads)
    assert opt.t == 0
    params, grads = problem()
    with pytest.raises(ValueError, match=r"grads\['W'\] must have shape \(3, 4\)"):
        opt.step(params, {"W": np.ones((4, 3)), "b": grads["b"]})
    with pytest.raises(ValueError, match="same names"):
        opt.step(params, {"W": grads["W"]})


# Every optimizer on a table of landscapes (optax's alias_test) ---------------------------

LANDSCAPES = {
    "bowl": Quadratic(),
    "ill-conditioned": Quadratic.with_condition(50),
    "Rosenbrock": Rosenbrock(),
}
# name -> (optimizer, steps); the rates are the largest round ones that are stable on
# Rosenbrock's valley, whose curvature reaches about 2700 at the start (-1.5, 2).
CONVERGING = {
    "SGD": (lambda: SGD(1e-3), 20000),
    "momentum": (lambda: SGD(1e-3, momentum=0.9), 3000),
    "Nesterov": (lambda: SGD(1e-3, momentum=0.9, nesterov=True), 3000),
    "AdaGrad": (lambda: AdaGrad(0.5), 20000),
    # RMSProp's steps keep a size of about lr near the minimum: the rate must decay
    "RMSProp": (lambda: RMSProp(cosine_decay(1e-2, 4000, lr_min=1e-5)), 5000),
    "Adam": (lambda: Adam(0.02), 3000),
    "AdamW": (lambda: AdamW(0.02, weight_decay=1e-3), 5000),
}


@pytest.mark.parametrize("landscape", LANDSCAPES.values(), ids=LANDSCAPES.keys())
@pytest.mark.parametrize("name", CONVERGING)
def test_every_optimizer_converges_on_every_landscape(name, landscape):
    make, n_steps = CONVERGING[name]
    path = optimize_path(make(), landscape, landscape.start, n_steps)
    assert path.shape == (n_steps + 1, 2)
    np.testing.assert_array_equal(path[0], landscape.start)
    distance = np.linalg.norm(path[-1] - landscape.minima[0])
    assert distance < 1e-2, (name, distance)


def test_optimize_path_is_the_sequence_of_iterates():
    L = Quadratic.with_condition(4.0)
    path = optimize_path(SGD(0.1), L, (1.0, 1.0), 3)
    w, expected = np.array([1.0, 1.0]), [[1.0, 1.0]]
    for _ in range(3):
        w = w - 0.1 * L.grad(w)
        expected.append(w)
    np.testing.assert_allclose(path, expected, rtol=1e-15)
    assert optimize_path(SGD(0.1), L, (1.0, 1.0), 0).shape == (1, 2)


def test_optimize_path_stops_quietly_at_divergence():
    L = Quadratic.with_condition(50)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        path = optimize_path(SGD(0.1), L, (1.0, 1.0), 2000)  # lr * 50 = 5 > 2: diverges
        path_saddle = optimize_path(Adam(0.1), Saddle(), (1.0, 0.1), 50)
    assert 10 < len(path) < 2001
    assert np.all(np.isfinite(path))
    assert np.abs(path[-1]).max() > 1e100
    assert path_saddle.shape == (51, 2)


@pytest.mark.parametrize(
    ("args", "match"),
    [
        ((SGD, Quadratic(), (1.0, 1.0), 5), "optimizer must be a lib.optim optimizer"),
        ((SGD(0.1), lambda w: w @ w, (1.0, 1.0), 5), "landscape must be a lib.landscapes"),
        ((SGD(0.1), Quadratic(), (1.0, 1.0, 1.0), 5), r"start must have shape \(2\)"),
        ((SGD(0.1), Quadratic(), (1.0, np.nan), 5), "start must be finite"),
        ((SGD(0.1), Quadratic(), (1.0, 1.0), -1), "n_steps must be >= 0"),
        ((SGD(0.1), Quadratic(), (1.0, 1.0), 2.5), "n_steps must be an integer"),
    ],
)
def test_optimize_path_rejects_bad_arguments(args, match):
    with pytest.raises(ValueError, match=match):
        optimize_path(*args)


# Against PyTorch -------------------------------------------------------------------------


def quadratic_problem(seed=5):
    """L = 1/2 x^T A x - c^T x over x = (W.ravel(), b): SPD A, gradient A x - c."""
    rng = np.random.default_rng(seed)
    M = rng.standard_normal((10, 10))
    A = M @ M.T / 10 + 0.1 * np.eye(10)
    c = rng.standard_normal(10)
    params = {"W": rng.standard_normal((2, 3)), "b": rng.standard_normal(4)}

    def grads(W, b):
        gx = A @ np.concatenate([W.ravel(), b]) - c
        return gx[:6].reshape(2, 3), gx[6:]

    return params, grads


def torch_trajectory_matches(ours, make_torch, n_steps=100, make_scheduler=None):
    torch = pytest.importorskip("torch", reason="PyTorch is not installed: reference test skipped")
    params, grads = quadratic_problem()
    tw = torch.nn.Parameter(torch.from_numpy(params["W"].copy()))
    tb = torch.nn.Parameter(torch.from_numpy(params["b"].copy()))
    ref = make_torch(torch, [tw, tb])
    scheduler = None if make_scheduler is None else make_scheduler(torch, ref)
    for step in range(n_steps):
        gW, gb = grads(params["W"], params["b"])
        ours.step(params, {"W": gW, "b": gb})
        tgW, tgb = grads(tw.detach().numpy(), tb.detach().numpy())
        tw.grad, tb.grad = torch.from_numpy(tgW), torch.from_numpy(tgb)
        ref.step()
        if scheduler is not None:
            scheduler.step()
        for ours_p, theirs in ((params["W"], tw), (params["b"], tb)):
            np.testing.assert_allclose(
                ours_p, theirs.detach().numpy(), rtol=1e-10, atol=1e-10, err_msg=f"step {step}"
            )
    return params


TORCH = {
    "SGD momentum": (
        lambda: SGD(0.05, momentum=0.9),
        lambda torch, ps: torch.optim.SGD(ps, lr=0.05, momentum=0.9),
    ),
    "SGD Nesterov": (
        lambda: SGD(0.05, momentum=0.8, nesterov=True),
        lambda torch, ps: torch.optim.SGD(ps, lr=0.05, momentum=0.8, nesterov=True),
    ),
    "SGD weight decay": (
        lambda: SGD(0.05, momentum=0.5, weight_decay=0.1),
        lambda torch, ps: torch.optim.SGD(ps, lr=0.05, momentum=0.5, weight_decay=0.1),
    ),
    "AdaGrad": (
        lambda: AdaGrad(0.3, weight_decay=0.01),
        lambda torch, ps: torch.optim.Adagrad(ps, lr=0.3, eps=1e-10, weight_decay=0.01),
    ),
    "RMSProp": (
        lambda: RMSProp(0.002, alpha=0.95, weight_decay=0.01),
        lambda torch, ps: torch.optim.RMSprop(ps, lr=0.002, alpha=0.95, eps=1e-8,
                                              weight_decay=0.01),
    ),
    "RMSProp defaults": (
        lambda: RMSProp(0.01),
        lambda torch, ps: torch.optim.RMSprop(ps, lr=0.01, alpha=0.99, eps=1e-8),
    ),
    "Adam": (
        lambda: Adam(0.05, betas=(0.8, 0.99)),
        lambda torch, ps: torch.optim.Adam(ps, lr=0.05, betas=(0.8, 0.99), eps=1e-8),
    ),
    "Adam L2": (
        lambda: Adam(0.05, weight_decay=0.1),
        lambda torch, ps: torch.optim.Adam(ps, lr=0.05, weight_decay=0.1),
    ),
    "AdamW": (
        lambda: AdamW(0.05, weight_decay=0.1),
        lambda torch, ps: torch.optim.AdamW(ps, lr=0.05, eps=1e-8, weight_decay=0.1),
    ),
    "AdamW defaults": (
        lambda: AdamW(0.05),
        lambda torch, ps: torch.optim.AdamW(ps, lr=0.05, weight_decay=0.01),
    ),
}


@pytest.mark.parametrize("name", TORCH)
def test_trajectory_matches_torch_over_100_steps(name):
    ours, theirs = TORCH[name]
    params = torch_trajectory_matches(ours(), theirs)
    assert np.all(np.isfinite(params["W"]))


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        (lambda s: Adam(s), lambda torch, ps: torch.optim.Adam(ps, lr=0.05)),
        (lambda s: SGD(s, momentum=0.9), lambda torch, ps: torch.optim.SGD(ps, lr=0.05,
                                                                           momentum=0.9)),
    ],
    ids=["Adam", "momentum"],
)
@pytest.mark.parametrize(
    "schedule",
    [cosine_decay(0.05, 60), linear_warmup(step_decay(0.05, 20, 0.5), 10)],
    ids=["cosine", "warmup-step"],
)
def test_schedule_matches_torch_lambda_lr(ours, theirs, schedule):
    """Our schedule as the lr, against torch's LambdaLR with factor schedule(t) / lr0."""
    torch_trajectory_matches(
        ours(schedule), theirs,
        make_scheduler=lambda torch, opt: torch.optim.lr_scheduler.LambdaLR(
            opt, lambda t: schedule(t) / 0.05
        ),
    )
