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


def test_amsgrad_keeps_the_largest_r_so_its_steps_stay_small():
    # one large gradient, then small ones: Adam's r forgets it, AMSGrad's r_max does not
    grads = [10.0] + [0.1] * 200
    steps = {}
    for amsgrad in (False, True):
        opt, w = Adam(0.01, betas=(0.0, 0.9), amsgrad=amsgrad), np.zeros(1)
        path = []
        for g in grads:
            opt.step({"w": w}, {"w": np.array([g])})
            path.append(w[0])
        steps[amsgrad] = -np.diff(path)
    # by hand, beta1 = 0: AMSGrad's step k is lr g_k / (sqrt(r_max / (1 - 0.9^k)) + eps) with
    # r_max = 0.1 * 100 = 10 from the first update on (r only decays after it)
    k = np.arange(2, 202)
    np.testing.assert_allclose(steps[True], 0.01 * 0.1 / (np.sqrt(10 / (1 - 0.9**k)) + 1e-8),
                               rtol=1e-12)
    assert steps[False][-1] > 0.9 * 0.01                 # plain Adam is back to steps of ~lr
    assert steps[True][-1] < 0.04 * 0.01                 # AMSGrad still divides by sqrt(10)
    # r_max never shrinks, but the denominator sqrt(r_max / (1 - 0.9^k)) does while the
    # correction fades: the steps grow a little, by sqrt((1 - 0.9^201) / (1 - 0.9^2)) in all
    np.testing.assert_allclose(steps[True][-1] / steps[True][0],
                               np.sqrt((1 - 0.9**201) / (1 - 0.9**2)), rtol=1e-7)


def test_adam_with_betas_zero_is_sign_descent():
    g = np.array([3e-4, -2.0, 50.0, -1e-6])
    params = {"w": np.zeros(4)}
    opt = Adam(0.1, betas=(0.0, 0.0))
    for _ in range(3):
        opt.step(params, {"w": g})
    # m_hat = g and r_hat = g^2 at every t: each step is lr g / (|g| + eps)
    np.testing.assert_allclose(params["w"], -3 * 0.1 * g / (np.abs(g) + 1e-8), rtol=1e-13)


def test_lr_can_be_reassigned_between_updates_and_is_checked():
    params, grads = problem()
    opt = SGD(0.1)
    W0 = params["W"].copy()
    opt.step(params, grads)
    opt.lr = 0.5
    opt.step(params, grads)
    np.testing.assert_allclose(params["W"], W0 - 0.6 * grads["W"], rtol=1e-14)
    with pytest.raises(ValueError, match=r"lr must be > 0\.0, got -1\.0"):
        opt.lr = -1.0
    assert opt.lr == 0.5
    opt.lr = cosine_decay(0.1, 10)
    assert opt.current_lr() == cosine_decay(0.1, 10)(2)


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


def test_state_names_and_memory():
    """0, 1, 2 or 3 arrays of each parameter's size: the optimizer's memory cost."""
    params, grads = problem()
    for opt, names in [
        (SGD(0.1), set()), (SGD(0.1, momentum=0.5), {"v"}), (AdaGrad(0.1), {"G"}),
        (RMSProp(0.1), {"r"}), (Adam(0.1), {"m", "r"}), (AdamW(0.1), {"m", "r"}),
        (Adam(0.1, amsgrad=True), {"m", "r", "r_max"}),
        (AdamW(0.1, amsgrad=True), {"m", "r", "r_max"}),
    ]:
        opt.step(params, grads)
        assert set(opt.state["W"]) == names, opt
        n_state = sum(a.size for state in opt.state.values() for a in state.values())
        assert n_state == len(names) * sum(p.size for p in params.values()), opt


def test_reprs_show_what_differs_from_the_defaults():
    assert repr(SGD(0.1, momentum=0.9, nesterov=True)) == "SGD(lr=0.1, momentum=0.9, nesterov=True)"
    assert repr(Adam(0.001)) == "Adam(lr=0.001)"
    assert repr(AdamW(0.001, weight_decay=0.1)) == "AdamW(lr=0.001, weight_decay=0.1)"
    assert repr(RMSProp(0.01, alpha=0.9)) == "RMSProp(lr=0.01, alpha=0.9)"
    assert repr(Adam(0.01, amsgrad=True)) == "Adam(lr=0.01, amsgrad=True)"
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
        (lambda: Adam(0.1, amsgrad=1), "amsgrad must be True or False, got int 1"),
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
        ((SGD(0.1), Quadratic(), (1.0, 1.0, 1.0), 5), r"start must have shape \(2,\)"),
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
    "AMSGrad": (
        lambda: Adam(0.05, betas=(0.8, 0.9), amsgrad=True),
        lambda torch, ps: torch.optim.Adam(ps, lr=0.05, betas=(0.8, 0.9), amsgrad=True),
    ),
    "AdamW AMSGrad": (
        lambda: AdamW(0.05, weight_decay=0.1, amsgrad=True),
        lambda torch, ps: torch.optim.AdamW(ps, lr=0.05, weight_decay=0.1, amsgrad=True),
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


# Gradient clipping and parameter averaging, against torch.nn.utils and torch.optim.swa_utils

from lib.optim import ParameterAverage, clip_grad_norm, clip_grad_value  # noqa: E402


def grads_to_clip(scale, seed=7):
    rng = np.random.default_rng(seed)
    return {"W": scale * rng.standard_normal((4, 3)), "b": scale * rng.standard_normal(3),
            "c": scale * rng.standard_normal((2, 2, 2))}


@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.0, math.inf])
@pytest.mark.parametrize("scale", [0.01, 1.0, 100.0])
def test_clip_grad_norm_matches_torch(norm_type, scale):
    torch = pytest.importorskip("torch", reason="PyTorch is not installed: reference test skipped")
    ours = grads_to_clip(scale)
    tensors = [torch.nn.Parameter(torch.zeros(g.shape, dtype=torch.float64)) for g in ours.values()]
    for t, g in zip(tensors, ours.values(), strict=True):
        t.grad = torch.from_numpy(g.copy())
    total_torch = torch.nn.utils.clip_grad_norm_(tensors, max_norm=2.0, norm_type=norm_type)
    total = clip_grad_norm(ours, 2.0, norm_type=norm_type)
    assert total == pytest.approx(float(total_torch), rel=1e-12)
    for t, g in zip(tensors, ours.values(), strict=True):
        np.testing.assert_allclose(g, t.grad.numpy(), rtol=1e-12, atol=1e-300)


def test_clip_grad_norm_keeps_the_direction_and_caps_the_length():
    grads = grads_to_clip(10.0)
    before = {k: g.copy() for k, g in grads.items()}
    flat = np.concatenate([g.ravel() for g in before.values()])
    total = clip_grad_norm(grads, 1.0)
    assert total == pytest.approx(np.linalg.norm(flat), rel=1e-14)
    after = np.concatenate([g.ravel() for g in grads.values()])
    assert np.linalg.norm(after) == pytest.approx(1.0, rel=1e-5)      # 1 / (1 + 1e-6 / total)
    np.testing.assert_allclose(after / np.linalg.norm(after), flat / total, rtol=1e-12)
    small = grads_to_clip(1e-3)
    kept = {k: g.copy() for k, g in small.items()}
    clip_grad_norm(small, 1.0)
    for k in small:
        np.testing.assert_array_equal(small[k], kept[k])              # below the cap: untouched


@pytest.mark.parametrize("clip", [0.05, 0.5, 5.0])
def test_clip_grad_value_matches_torch(clip):
    torch = pytest.importorskip("torch", reason="PyTorch is not installed: reference test skipped")
    ours = grads_to_clip(1.0)
    tensors = [torch.nn.Parameter(torch.zeros(g.shape, dtype=torch.float64)) for g in ours.values()]
    for t, g in zip(tensors, ours.values(), strict=True):
        t.grad = torch.from_numpy(g.copy())
    torch.nn.utils.clip_grad_value_(tensors, clip_value=clip)
    assert clip_grad_value(ours, clip) is None
    for t, g in zip(tensors, ours.values(), strict=True):
        np.testing.assert_array_equal(g, t.grad.numpy())
        assert np.abs(g).max() <= clip


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda g: clip_grad_norm(g, 0.0), "max_norm must be > 0.0, got 0.0"),
        (lambda g: clip_grad_norm(g, 1.0, norm_type=-2), "norm_type must be > 0.0"),
        (lambda g: clip_grad_norm(g, np.nan), "max_norm must be finite"),
        (lambda g: clip_grad_value(g, -1.0), "clip_value must be > 0.0, got -1.0"),
        (lambda g: clip_grad_norm([g["W"]], 1.0), "grads must be a dict"),
        (lambda g: clip_grad_norm({"W": [1.0, 2.0]}, 1.0),
         r"grads\['W'\] must be a writeable float"),
    ],
)
def test_clipping_rejects_bad_arguments(call, match):
    with pytest.raises(ValueError, match=match):
        call(grads_to_clip(1.0))


def test_clipping_refuses_non_finite_gradients_and_changes_nothing():
    grads = grads_to_clip(1.0)
    grads["b"][0] = np.inf
    kept = grads["W"].copy()
    with pytest.raises(ValueError, match=r"grads\['b'\] must be finite, got 1"):
        clip_grad_norm(grads, 1.0)
    np.testing.assert_array_equal(grads["W"], kept)


def averaging_run(torch, make_averaged, ours, n_steps=30):
    """SGD on a small network; our average and torch's AveragedModel fed the same weights."""
    model = Sequential(Linear(3, 4, seed=0), Tanh(), Linear(4, 2, seed=1))
    ref = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 2))
    ref = ref.double()
    averaged = make_averaged(ref)
    rng = np.random.default_rng(2)
    X, y = rng.standard_normal((16, 3)), rng.integers(0, 2, size=16)
    loss, opt = SoftmaxCrossEntropy(), SGD(0.5, momentum=0.5)
    for _ in range(n_steps):
        loss.forward(model.forward(X), y)
        model.backward(loss.backward())
        opt.step(model.params, model.grads)
        with torch.no_grad():                         # torch's model holds our weights
            for i in (0, 2):
                ref[i].weight.copy_(torch.from_numpy(model.params[f"{i}.W"].T))
                ref[i].bias.copy_(torch.from_numpy(model.params[f"{i}.b"]))
        averaged.update_parameters(ref)
        ours.update(model.params)
    assert ours.n_averaged == n_steps == int(averaged.n_averaged)
    for i in (0, 2):
        layer = averaged.module[i]
        np.testing.assert_allclose(ours.params[f"{i}.W"], layer.weight.detach().numpy().T,
                                   rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(ours.params[f"{i}.b"], layer.bias.detach().numpy(),
                                   rtol=1e-12, atol=1e-14)
    return model


def test_plain_average_matches_torch_averaged_model():
    torch = pytest.importorskip("torch", reason="PyTorch is not installed: reference test skipped")
    from torch.optim.swa_utils import AveragedModel

    averaging_run(torch, AveragedModel, ParameterAverage())


@pytest.mark.parametrize("decay", [0.9, 0.99])
def test_ema_matches_torch_averaged_model_with_ema_multi_avg_fn(decay):
    torch = pytest.importorskip("torch", reason="PyTorch is not installed: reference test skipped")
    from torch.optim.swa_utils import AveragedModel, get_ema_multi_avg_fn

    averaging_run(torch, lambda m: AveragedModel(m, multi_avg_fn=get_ema_multi_avg_fn(decay)),
                  ParameterAverage(decay=decay))


def test_average_by_hand_and_copy_to():
    seq = [np.array([1.0, 2.0]), np.array([3.0, -2.0]), np.array([8.0, 6.0])]
    plain, ema = ParameterAverage(), ParameterAverage(decay=0.5)
    w = np.zeros(2)
    for x in seq:
        w[...] = x
        plain.update({"w": w})
        ema.update({"w": w})
    np.testing.assert_allclose(plain.params["w"], [4.0, 2.0], rtol=1e-15)
    # 1, then 0.5*1 + 0.5*3 = 2, then 0.5*2 + 0.5*8 = 5;  2, then 0, then 3
    np.testing.assert_allclose(ema.params["w"], [5.0, 3.0], rtol=1e-15)
    assert plain.params["w"] is not w
    target = {"w": np.zeros(2)}
    plain.copy_to(target)
    np.testing.assert_array_equal(target["w"], [4.0, 2.0])
    assert repr(ema) == "ParameterAverage(decay=0.5, n_averaged=3)"


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: ParameterAverage(decay=1.0), "decay must be < 1.0, got 1.0"),
        (lambda: ParameterAverage(decay=-0.1), "decay must be >= 0.0"),
        (lambda: ParameterAverage().copy_to({"w": np.zeros(2)}), "at least one update"),
        (lambda: ParameterAverage().update({"w": [1.0]}), r"params\['w'\] must be a float64 array"),
        (lambda: ParameterAverage().update({"w": np.array([np.nan])}), "must be finite"),
    ],
)
def test_average_rejects_bad_arguments(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_average_refuses_a_change_of_names_or_shapes():
    avg = ParameterAverage()
    avg.update({"w": np.zeros(2)})
    with pytest.raises(ValueError, match="names of the first update"):
        avg.update({"v": np.zeros(2)})
    with pytest.raises(ValueError, match=r"params\['w'\] must keep its shape \(2,\)"):
        avg.update({"w": np.zeros(3)})
    with pytest.raises(ValueError, match=r"must have shape \(2,\)"):
        avg.copy_to({"w": np.zeros(3)})
