"""lib.nn: every backward against finite differences, and forward and gradients against PyTorch."""

import numpy as np
import pytest
from scipy.special import expit

from lib import init
from lib.gradcheck import numerical_gradient
from lib.nn import (
    ELU,
    GELU,
    BatchNorm,
    Dropout,
    LayerNorm,
    LeakyReLU,
    Linear,
    Maxout,
    PReLU,
    ReLU,
    Sequential,
    Sigmoid,
    SiLU,
    SoftmaxCrossEntropy,
    Softplus,
    Tanh,
)
from lib.optim import SGD


def assert_matches_numerical(analytic, numerical):
    """Finite differences are off by about 1e-10 in absolute terms; a wrong formula by far more."""
    np.testing.assert_allclose(analytic, numerical, rtol=1e-6, atol=1e-9)


def away_from_zero(x, gap=1e-3):
    """ReLU has a kink at 0: keep entries where a finite difference would straddle it off it."""
    x[np.abs(x) < gap] = 0.5
    return x


def layer_cases():
    """(layer, input) pairs of several random shapes per layer type."""
    cases = []
    for seed in range(3):
        rng = np.random.default_rng(seed)
        n, d_in, d_out = rng.integers(1, 7, size=3)
        x = away_from_zero(rng.standard_normal((n, d_in)))
        cases += [
            (Linear(int(d_in), int(d_out), seed=seed), x),
            (ReLU(), x),
            (Sigmoid(), 3 * x),
            (Tanh(), 2 * x),
        ]
    return cases


def check_backward_against_finite_differences(layer, x):
    """dx and every parameter gradient of `layer` at x, for L = sum(out * dout), dout random."""
    rng = np.random.default_rng(1)
    out = layer.forward(x)
    dout = rng.standard_normal(out.shape)
    # L = sum(out * dout) has dL/dout = dout, so its gradients are what backward returns.
    def L(_):
        return float(np.sum(layer.forward(x) * dout))

    layer.forward(x)
    dx = layer.backward(dout)
    assert dx.shape == x.shape
    assert dx.dtype == np.float64
    assert_matches_numerical(dx, numerical_gradient(L, x))
    assert layer.grads.keys() == layer.params.keys()
    for name, p in layer.params.items():
        # numerical_gradient perturbs the layer's own array in place and restores it.
        num = numerical_gradient(L, p)
        assert layer.grads[name].shape == p.shape
        assert_matches_numerical(layer.grads[name], num)


@pytest.mark.parametrize(("layer", "x"), layer_cases(), ids=lambda c: repr(c)[:40])
def test_layer_backward_matches_finite_differences(layer, x):
    check_backward_against_finite_differences(layer, x)


@pytest.mark.parametrize("seed", range(4))
def test_loss_backward_matches_finite_differences(seed):
    rng = np.random.default_rng(seed)
    n, c = rng.integers(1, 8), rng.integers(2, 6)
    scores = 3 * rng.standard_normal((n, c))
    y = rng.integers(0, c, size=n)
    loss = SoftmaxCrossEntropy()
    value = loss.forward(scores, y)
    dscores = loss.backward()
    assert dscores.shape == scores.shape
    # The mean of -log p_{i, y_i}, written out.
    p = np.exp(scores) / np.exp(scores).sum(axis=1, keepdims=True)
    assert value == pytest.approx(-np.mean(np.log(p[np.arange(n), y])), rel=1e-12)
    num = numerical_gradient(lambda s: loss.forward(s, y), scores)
    assert_matches_numerical(dscores, num)


def test_loss_is_stable_and_exact_for_huge_scores():
    loss = SoftmaxCrossEntropy()
    assert loss.forward(np.array([[1000.0, 0.0, -1000.0]]), [1]) == pytest.approx(1000.0)
    assert loss.forward(np.zeros((4, 10)), [0, 3, 5, 9]) == pytest.approx(np.log(10))
    np.testing.assert_allclose(loss.backward().sum(axis=1), 0.0, atol=1e-15)


def mlp(seed=0):
    return Sequential(
        Linear(5, 7, seed=seed), ReLU(), Linear(7, 7, seed=seed + 1), Tanh(),
        Linear(7, 4, seed=seed + 2), Sigmoid(), Linear(4, 4, seed=seed + 3),
    )


def batch(seed, n=6, d=5, c=4):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, d)), rng.integers(0, c, size=n)


@pytest.mark.parametrize("seed", range(3))
def test_sequential_end_to_end_matches_finite_differences(seed):
    model, loss = mlp(seed), SoftmaxCrossEntropy()
    X, y = batch(seed)

    def L(_):
        return loss.forward(model.forward(X), y)

    L(None)
    dX = model.backward(loss.backward())
    assert_matches_numerical(dX, numerical_gradient(L, X))
    grads = {k: g.copy() for k, g in model.grads.items()}
    assert list(grads) == ["0.W", "0.b", "2.W", "2.b", "4.W", "4.b", "6.W", "6.b"]
    for name, p in model.params.items():
        assert_matches_numerical(grads[name], numerical_gradient(L, p))


def test_need_dx_false_skips_only_the_input_gradient():
    model, loss = mlp(), SoftmaxCrossEntropy()
    X, y = batch(0)
    loss.forward(model.forward(X), y)
    assert model.backward(loss.backward(), need_dx=False) is None
    without = {k: g.copy() for k, g in model.grads.items()}
    assert model.backward(loss.backward()).shape == X.shape
    for name, g in model.grads.items():
        np.testing.assert_array_equal(g, without[name])


def test_params_and_grads_are_the_layers_arrays():
    model = mlp()
    layer = model.layers[2]
    assert model.params["2.W"] is layer.params["W"]
    assert model.grads["2.b"] is layer.grads["b"]
    X, y = batch(1)
    loss = SoftmaxCrossEntropy()
    loss.forward(model.forward(X), y)
    model.backward(loss.backward())
    grads = model.grads  # bound once, as an optimizer or a training loop does
    first = {k: g.copy() for k, g in grads.items()}
    before = layer.params["W"].copy()

    SGD(lr=0.5).step(model.params, grads)
    np.testing.assert_allclose(layer.params["W"], before - 0.5 * first["2.W"], rtol=1e-15)

    # A second backward writes new gradients into the same arrays.
    X2, y2 = batch(2)
    loss.forward(model.forward(X2), y2)
    model.backward(loss.backward())
    for name, g in grads.items():
        assert g is model.grads[name]
        assert np.shares_memory(g, model.layers[int(name[0])].grads[name[2:]])
    assert not np.allclose(grads["2.W"], first["2.W"])

    def L(_):
        return loss.forward(model.forward(X2), y2)

    assert_matches_numerical(grads["0.W"], numerical_gradient(L, model.params["0.W"]))


def test_linear_initialization_is_seeded_lecun_normal():
    a, b, c = Linear(400, 300, seed=3), Linear(400, 300, seed=3), Linear(400, 300, seed=4)
    assert a.params["W"].dtype == np.float64
    np.testing.assert_array_equal(a.params["W"], b.params["W"])
    assert not np.array_equal(a.params["W"], c.params["W"])
    np.testing.assert_array_equal(a.params["b"], np.zeros(300))
    assert a.params["W"].std() == pytest.approx(np.sqrt(1 / 400), rel=0.01)
    assert abs(a.params["W"].mean()) < 1e-3


def test_linear_default_weights_are_unchanged():
    """Values drawn by Linear before it took an ``init`` argument: chapters glue numbers that
    depend on them, so "lecun" must reproduce them bit for bit."""
    np.testing.assert_array_equal(
        Linear(64, 100).params["W"][[0, 5, 63], [0, 42, 99]],
        [0.015716277636674162, 0.16031015421039554, -0.06960184462693758],
    )
    np.testing.assert_array_equal(
        Linear(2, 50, seed=0).params["W"][1, [0, 49]], [0.2527061118401809, -0.9910244479381408]
    )
    np.testing.assert_array_equal(
        Linear(100, 10, seed=1, init="lecun").params["W"][[0, 99], [9, 3]],
        [0.0294132496655526, -0.021339817076162462],
    )


def test_activations_and_conversions():
    x = np.array([[-1e4, -2.0, 0.0, 3.0, 1e4]])
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # no overflow at +-1e4
        s = Sigmoid().forward(x)
        t = Tanh().forward(x)
    np.testing.assert_allclose(s, expit(x), rtol=1e-15)
    np.testing.assert_allclose(t, np.tanh(x))
    np.testing.assert_array_equal(ReLU().forward(x), [[0, 0, 0, 3, 1e4]])
    out = Linear(2, 3).forward(np.array([[1, 2]]))  # ints become float64
    assert out.dtype == np.float64
    assert out.shape == (1, 3)


def test_reprs():
    assert repr(Sequential(Linear(64, 100), ReLU(), Linear(100, 10))) == (
        "Sequential(Linear(64, 100), ReLU(), Linear(100, 10))"
    )
    assert repr(Sigmoid()) == "Sigmoid()"
    assert repr(SoftmaxCrossEntropy()) == "SoftmaxCrossEntropy()"
    assert len(mlp()) == 7
    assert isinstance(mlp()[1], ReLU)


def test_zero_grad():
    model, loss = mlp(), SoftmaxCrossEntropy()
    X, y = batch(0)
    loss.forward(model(X), y)
    model.backward(loss.backward())
    grads = model.grads
    model.zero_grad()
    assert all(not g.any() for g in grads.values())


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (
            lambda: Linear(64, 10).forward(np.ones((5, 3))),
            r"x must have shape \(any, 64\), got \(5, 3\)",
        ),
        (lambda: Linear(3, 2).forward(np.ones(3)), r"x must have shape \(any, 3\), got \(3,\)"),
        (lambda: Linear(3, 2).forward(np.array([[1.0, np.nan, 0.0]])), "x must be finite, got 1"),
        (lambda: ReLU().forward(np.array([np.inf])), "x must be finite"),
        (lambda: Tanh().forward("abc"), "x must be a numeric array"),
        (lambda: Linear(2, 2).forward(np.ones((1, 2), dtype=complex)), "x must be a real numeric"),
        (lambda: mlp().forward(np.ones((2, 4))), r"x must have shape \(any, 5\), got \(2, 4\)"),
        (lambda: mlp().forward(np.full((2, 5), np.nan)), "x must be finite, got 10 NaN"),
        (lambda: Linear(0, 3), "n_in must be >= 1, got 0"),
        (lambda: Linear(3, -1), "n_out must be >= 1, got -1"),
        (lambda: Linear(3.5, 2), "n_in must be an integer"),
        (lambda: Linear(3, 2, seed=-1), "seed must be >= 0"),
        (lambda: Sequential(), "at least one layer"),
        (lambda: Sequential(Linear(2, 2), "relu"), "layer 1 must be a Layer"),
    ],
)
def test_forward_and_constructors_reject_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()


_shared_linear, _shared_relu = Linear(3, 3), ReLU()


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: Sequential(_shared_linear, Tanh(), _shared_linear),
         "layer 2 is the same Linear object as layer 0"),
        (lambda: Sequential(Linear(3, 3), _shared_relu, Linear(3, 3), _shared_relu),
         "layer 3 is the same ReLU object as layer 1"),
        (lambda: Sequential(Sequential(_shared_linear, Tanh()), _shared_linear),
         "layer 1 is the same Linear object as layer 0"),
    ],
)
def test_a_layer_object_used_twice_is_refused(call, match):
    # one cache and written (not added) gradients per layer: a second use would corrupt them
    with pytest.raises(ValueError, match=match):
        call()


def test_two_layers_sharing_arrays_are_allowed_and_their_gradients_add_up():
    first, second = Linear(3, 3, seed=0), Linear(3, 3, seed=1)
    second.params["W"], second.params["b"] = first.params["W"], first.params["b"]
    net = Sequential(first, Tanh(), second)
    x = np.random.default_rng(0).standard_normal((4, 3))
    net.backward(net.forward(x))
    W = first.params["W"]
    num = numerical_gradient(lambda _: 0.5 * np.sum(net.forward(x) ** 2), W)
    assert np.allclose(first.grads["W"] + second.grads["W"], num, atol=1e-6)




@pytest.mark.parametrize("layer", [Linear(3, 2), ReLU(), Sigmoid(), Tanh(), mlp()])
def test_backward_before_forward_raises(layer):
    with pytest.raises(ValueError, match="backward called before forward"):
        layer.backward(np.ones((1, 2)))


def test_backward_checks_dout():
    layer = Linear(3, 4)
    layer.forward(np.ones((5, 3)))
    with pytest.raises(ValueError, match=r"dout must have shape \(5, 4\), got \(5, 3\)"):
        layer.backward(np.ones((5, 3)))
    with pytest.raises(ValueError, match="dout must be finite"):
        layer.backward(np.full((5, 4), np.nan))
    model = mlp()
    model.forward(np.ones((2, 5)))
    with pytest.raises(ValueError, match=r"dout must have shape \(2, 4\)"):
        model.backward(np.ones((2, 5)))


def test_loss_rejects_bad_input():
    loss = SoftmaxCrossEntropy()
    with pytest.raises(ValueError, match="backward called before forward"):
        loss.backward()
    with pytest.raises(ValueError, match=r"labels in \[0, 2\], got values from 0 to 3"):
        loss.forward(np.ones((2, 3)), np.array([0, 3]))
    with pytest.raises(ValueError, match=r"labels in \[0, 2\], got values from -1 to 1"):
        loss.forward(np.ones((2, 3)), np.array([-1, 1]))
    with pytest.raises(ValueError, match=r"y must have shape \(2,\) to match X, got \(3,\)"):
        loss.forward(np.ones((2, 3)), np.array([0, 1, 2]))
    with pytest.raises(ValueError, match="scores must be 2-dimensional"):
        loss.forward(np.ones(3), np.array([0]))
    with pytest.raises(ValueError, match="scores must be finite"):
        loss.forward(np.array([[0.0, -np.inf]]), np.array([0]))
    with pytest.raises(ValueError, match="at least one row"):
        loss.forward(np.ones((0, 3)), np.array([], dtype=int))


def torch_mlp(model, torch):
    """The torch version of `mlp()`, holding copies of its weights (torch stores W transposed)."""
    activations = {"ReLU": torch.nn.ReLU, "Tanh": torch.nn.Tanh, "Sigmoid": torch.nn.Sigmoid}
    layers = []
    for layer in model.layers:
        if isinstance(layer, Linear):
            lin = torch.nn.Linear(layer.n_in, layer.n_out, dtype=torch.float64)
            with torch.no_grad():
                lin.weight.copy_(torch.from_numpy(layer.params["W"].T))
                lin.bias.copy_(torch.from_numpy(layer.params["b"]))
            layers.append(lin)
        else:
            layers.append(activations[type(layer).__name__]())
    return torch.nn.Sequential(*layers)


@pytest.mark.parametrize("seed", range(3))
def test_against_torch(seed):
    torch = pytest.importorskip("torch", reason="PyTorch is not installed: reference test skipped")
    model, loss = mlp(seed), SoftmaxCrossEntropy()
    X, y = batch(seed, n=9)
    X *= 2
    ref = torch_mlp(model, torch)
    Xt = torch.tensor(X, requires_grad=True)
    scores_t = ref(Xt)
    loss_t = torch.nn.functional.cross_entropy(scores_t, torch.from_numpy(y))
    loss_t.backward()

    scores = model.forward(X)
    np.testing.assert_allclose(scores, scores_t.detach().numpy(), rtol=1e-12, atol=1e-14)
    assert loss.forward(scores, y) == pytest.approx(loss_t.item(), rel=1e-12)
    dX = model.backward(loss.backward())
    np.testing.assert_allclose(dX, Xt.grad.numpy(), rtol=1e-12, atol=1e-15)
    for i, lin in enumerate(ref):
        if isinstance(lin, torch.nn.Linear):
            np.testing.assert_allclose(
                model.grads[f"{i}.W"], lin.weight.grad.numpy().T, rtol=1e-12, atol=1e-15
            )
            np.testing.assert_allclose(
                model.grads[f"{i}.b"], lin.bias.grad.numpy(), rtol=1e-12, atol=1e-15
            )


@pytest.mark.parametrize(("ours", "name"), [(ReLU, "relu"), (Sigmoid, "sigmoid"), (Tanh, "tanh")])
def test_activations_against_torch(ours, name):
    torch = pytest.importorskip("torch", reason="PyTorch is not installed: reference test skipped")
    rng = np.random.default_rng(0)
    x = away_from_zero(5 * rng.standard_normal((8, 6)))
    dout = rng.standard_normal(x.shape)
    xt = torch.tensor(x, requires_grad=True)
    out_t = getattr(torch, name)(xt)
    out_t.backward(torch.from_numpy(dout))
    layer = ours()
    np.testing.assert_allclose(layer.forward(x), out_t.detach().numpy(), rtol=1e-12, atol=1e-15)
    # Both compute tanh' from the rounded tanh(x); they differ by an ulp of 1 where tanh' is small.
    np.testing.assert_allclose(layer.backward(dout), xt.grad.numpy(), rtol=1e-12, atol=1e-15)


# Activations: LeakyReLU, ELU, Softplus, SiLU, GELU, PReLU, Maxout --------------------------------


def randomized(layer, rng):
    """The layer with random parameters (and running statistics), not the 1s and 0s it starts
    with, so that a gradient check exercises every term."""
    for p in layer.params.values():
        p[...] = rng.uniform(0.5, 1.5, size=p.shape) * rng.choice([-1.0, 1.0], size=p.shape)
    if hasattr(layer, "running_var"):
        layer.running_mean[...] = rng.standard_normal(layer.num_features)
        layer.running_var[...] = rng.uniform(0.5, 2.0, layer.num_features)
    return layer


def activation_cases():
    """(layer, input) pairs of several random shapes per activation layer."""
    cases = []
    for seed in range(3):
        rng = np.random.default_rng(seed)
        n, d_in, d_out = (int(v) for v in rng.integers(1, 7, size=3))
        x = away_from_zero(rng.standard_normal((n, d_in)))
        x4 = away_from_zero(rng.standard_normal((n, 3, 2, d_in)))
        cases += [
            (LeakyReLU(0.1), x),
            (ELU(1.3), 2 * x),
            (Softplus(), 3 * x),
            (SiLU(), 3 * x),
            (GELU(), 3 * x),
            (PReLU(), x),
            (randomized(PReLU(d_in), rng), x),
            (randomized(PReLU(3), rng), x4),
            (Maxout(d_in, d_out, pieces=seed + 2, seed=seed), x),
        ]
    return cases


@pytest.mark.parametrize(("layer", "x"), activation_cases(), ids=lambda c: repr(c)[:40])
def test_activation_backward_matches_finite_differences(layer, x):
    check_backward_against_finite_differences(layer, x)


def torch_or_skip():
    return pytest.importorskip("torch", reason="PyTorch is not installed: reference test skipped")


def compare_elementwise(layer, ref, x, torch):
    """Forward and dx of our layer and the torch module ref on x, with a random upstream."""
    dout = np.random.default_rng(2).standard_normal(x.shape)
    xt = torch.tensor(x, requires_grad=True)
    out_t = ref(xt)
    out_t.backward(torch.from_numpy(dout))
    np.testing.assert_allclose(layer.forward(x), out_t.detach().numpy(), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(layer.backward(dout), xt.grad.numpy(), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize(
    ("ours", "reference"),
    [
        (lambda: LeakyReLU(), lambda nn: nn.LeakyReLU()),
        (lambda: LeakyReLU(0.2), lambda nn: nn.LeakyReLU(0.2)),
        (lambda: ELU(), lambda nn: nn.ELU()),
        (lambda: ELU(1.7), lambda nn: nn.ELU(alpha=1.7)),
        (lambda: Softplus(), lambda nn: nn.Softplus()),
        (lambda: SiLU(), lambda nn: nn.SiLU()),
        (lambda: GELU(), lambda nn: nn.GELU(approximate="tanh")),
    ],
    ids=["leaky_relu", "leaky_relu_0.2", "elu", "elu_1.7", "softplus", "silu", "gelu_tanh"],
)
def test_new_activations_against_torch(ours, reference):
    torch = torch_or_skip()
    rng = np.random.default_rng(0)
    # Below 20: torch's Softplus switches to the identity above its threshold of 20.
    x = np.clip(away_from_zero(4 * rng.standard_normal((9, 7))), -19.0, 19.0)
    x[0, :3] = [-40.0, 19.5, -1e-2]
    compare_elementwise(ours(), reference(torch.nn).double(), x, torch)


def test_activation_defaults_are_torchs():
    torch = torch_or_skip()
    assert LeakyReLU().negative_slope == torch.nn.LeakyReLU().negative_slope
    assert ELU().alpha == torch.nn.ELU().alpha
    assert PReLU().params["alpha"][0] == torch.nn.PReLU().weight.item()


def test_activations_do_not_overflow():
    x = np.array([[-1e4, -30.0, 0.0, 30.0, 1e4]])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        for layer in (ELU(), Softplus(), SiLU(), GELU(), LeakyReLU()):
            out = layer.forward(x)
            layer.backward(np.ones_like(x))
            assert np.isfinite(out).all()
    np.testing.assert_allclose(Softplus().forward(x), [[0, 9.357622968840175e-14, np.log(2),
                                                        30 + 9.357622968840175e-14, 1e4]],
                               rtol=1e-12)


@pytest.mark.parametrize(("num_parameters", "shape"), [(1, (6, 4)), (4, (6, 4)),
                                                         (1, (3, 4, 2, 5)), (4, (3, 4, 2, 5))])
def test_prelu_against_torch(num_parameters, shape):
    torch = torch_or_skip()
    rng = np.random.default_rng(1)
    x = away_from_zero(rng.standard_normal(shape))
    dout = rng.standard_normal(shape)
    layer = PReLU(num_parameters)
    layer.params["alpha"][...] = rng.uniform(-0.5, 0.8, num_parameters)
    ref = torch.nn.PReLU(num_parameters, dtype=torch.float64)
    with torch.no_grad():
        ref.weight.copy_(torch.from_numpy(layer.params["alpha"]))
    xt = torch.tensor(x, requires_grad=True)
    out_t = ref(xt)
    out_t.backward(torch.from_numpy(dout))
    np.testing.assert_allclose(layer.forward(x), out_t.detach().numpy(), rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(layer.backward(dout), xt.grad.numpy(), rtol=1e-13, atol=1e-15)
    # The slope's gradient: one number, or one per channel.
    assert layer.grads["alpha"].shape == (num_parameters,)
    np.testing.assert_allclose(layer.grads["alpha"], ref.weight.grad.numpy(), rtol=1e-12)


@pytest.mark.parametrize(
    ("ours", "reference"),
    [
        (lambda: ReLU(), lambda nn: nn.ReLU()),
        (lambda: LeakyReLU(0.2), lambda nn: nn.LeakyReLU(0.2)),
        (lambda: ELU(1.7), lambda nn: nn.ELU(alpha=1.7)),
        (lambda: PReLU(), lambda nn: nn.PReLU()),
        (lambda: Softplus(), lambda nn: nn.Softplus()),
        (lambda: SiLU(), lambda nn: nn.SiLU()),
        (lambda: GELU(), lambda nn: nn.GELU(approximate="tanh")),
    ],
    ids=["relu", "leaky_relu", "elu", "prelu", "softplus", "silu", "gelu_tanh"],
)
def test_activations_at_the_kink_match_torch(ours, reference):
    # The other tests keep x away from 0; at x = 0 exactly the ReLU family must pick
    # PyTorch's one-sided derivative (0 for ReLU, the negative slope for the others).
    torch = torch_or_skip()
    x = np.array([[-1e-300, 0.0, -0.0, 1e-300, 0.0, 2.0]])
    compare_elementwise(ours(), reference(torch.nn).double(), x, torch)


def test_maxout_against_torch_ops():
    torch = torch_or_skip()
    rng = np.random.default_rng(2)
    layer = randomized(Maxout(5, 4, pieces=3, seed=1), rng)
    x, dout = rng.standard_normal((7, 5)), rng.standard_normal((7, 4))
    W = torch.tensor(layer.params["W"], requires_grad=True)
    b = torch.tensor(layer.params["b"], requires_grad=True)
    xt = torch.tensor(x, requires_grad=True)
    out_t = (torch.matmul(xt, W) + b[:, None, :]).max(dim=0).values  # the definition
    out_t.backward(torch.from_numpy(dout))
    np.testing.assert_allclose(layer.forward(x), out_t.detach().numpy(), rtol=1e-13)
    np.testing.assert_allclose(layer.backward(dout), xt.grad.numpy(), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(layer.grads["W"], W.grad.numpy(), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(layer.grads["b"], b.grad.numpy(), rtol=1e-12, atol=1e-15)
    # Every piece wins somewhere, so the test covers every piece's gradient.
    assert len(np.unique(layer._winner)) == 3


def test_maxout_init_and_shapes():
    layer = Maxout(6, 3, pieces=4, seed=2)
    assert layer.params["W"].shape == (4, 6, 3)
    assert layer.params["b"].shape == (4, 3)
    # Each piece drawn like a Linear, one after another from the same generator.
    rng = np.random.default_rng(2)
    for k in range(4):
        np.testing.assert_array_equal(layer.params["W"][k], init.lecun_normal(6, 3, rng))
    he = Maxout(6, 3, pieces=2, seed=2, init="he")
    rng = np.random.default_rng(2)
    np.testing.assert_array_equal(he.params["W"][1], [init.he_normal(6, 3, rng) for _ in "ab"][1])
    assert repr(layer) == "Maxout(6, 3, pieces=4)"
    assert layer.forward(np.ones((2, 6))).shape == (2, 3)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: PReLU(3).forward(np.ones((2, 4))),
         r"x must have 3 features or channels on axis 1, shape \(N, 3, \.\.\.\), "
         r"got shape \(2, 4\)"),
        (lambda: PReLU(3).forward(np.ones(3)), r"got shape \(3,\)"),
        (lambda: PReLU(0), "num_parameters must be >= 1, got 0"),
        (lambda: Maxout(3, 2, pieces=1), "pieces must be >= 2, got 1"),
        (lambda: Maxout(3, 2, pieces=2.0), "pieces must be an integer"),
        (lambda: Maxout(3, 2).forward(np.ones((2, 4))), r"x must have shape \(any, 3\)"),
        (lambda: Maxout(3, 2, init="normal"), "init must be one of"),
        (lambda: LeakyReLU(float("inf")), "negative_slope must be finite"),
        (lambda: ELU("1"), "alpha must be a real number"),
        (lambda: GELU().forward(np.array([np.nan])), "x must be finite"),
    ],
)
def test_activation_layers_reject_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()


@pytest.mark.parametrize("layer", [LeakyReLU(), ELU(), Softplus(), SiLU(), GELU(), PReLU(),
                                   Maxout(3, 2)])
def test_activation_layers_backward_before_forward_raises(layer):
    with pytest.raises(ValueError, match="backward called before forward"):
        layer.backward(np.ones((1, 2)))


def test_activation_reprs():
    assert repr(PReLU(3)) == "PReLU(num_parameters=3)"
    assert repr(LeakyReLU(0.2)) == "LeakyReLU(negative_slope=0.2)"
    assert repr(ELU()) == "ELU(alpha=1.0)"
    assert repr(Sequential(Linear(2, 3, init="he"), GELU(), SiLU(), Softplus())) == (
        "Sequential(Linear(2, 3, init='he'), GELU(), SiLU(), Softplus())"
    )


# Normalization and modes: BatchNorm, LayerNorm, train() and eval() -------------------------------


def normalization_cases():
    """(layer, input) pairs: BatchNorm in both modes on 2-d and 4-d input, LayerNorm."""
    cases = []
    for seed in range(3):
        rng = np.random.default_rng(seed)
        n, d = (int(v) for v in rng.integers(1, 7, size=2))
        x = away_from_zero(rng.standard_normal((n, d)))
        x2 = away_from_zero(rng.standard_normal((n + 1, d)))  # two values per channel at least
        x4 = away_from_zero(rng.standard_normal((n, 3, 2, d)))
        cases += [
            (randomized(BatchNorm(d), rng), 3 * x2 - 1),
            (randomized(BatchNorm(d), rng).eval(), 2 * x + 1),
            (randomized(BatchNorm(3), rng), x4 + 2),
            (randomized(BatchNorm(3), rng).eval(), x4),
            (randomized(LayerNorm(d), rng), 2 * x + 1),
            (randomized(LayerNorm(d), rng), x4),
        ]
    return cases


@pytest.mark.parametrize(("layer", "x"), normalization_cases(), ids=lambda c: repr(c)[:40])
def test_normalization_backward_matches_finite_differences(layer, x):
    check_backward_against_finite_differences(layer, x)


def test_normalization_defaults_are_torchs():
    torch = torch_or_skip()
    assert BatchNorm(3).momentum == torch.nn.BatchNorm1d(3).momentum
    assert BatchNorm(3).eps == torch.nn.BatchNorm1d(3).eps
    assert LayerNorm(3).eps == torch.nn.LayerNorm(3).eps


def torch_batchnorm(layer, shape, torch):
    cls = torch.nn.BatchNorm1d if len(shape) == 2 else torch.nn.BatchNorm2d
    ref = cls(layer.num_features, eps=layer.eps, momentum=layer.momentum, dtype=torch.float64)
    with torch.no_grad():
        ref.weight.copy_(torch.from_numpy(layer.params["gamma"]))
        ref.bias.copy_(torch.from_numpy(layer.params["beta"]))
    return ref


def assert_batchnorm_step_matches(layer, ref, x, dout, torch):
    """One forward and backward of both; outputs, every gradient and the running statistics."""
    ref.zero_grad()
    xt = torch.tensor(x, requires_grad=True)
    out_t = ref(xt)
    out_t.backward(torch.from_numpy(dout))
    np.testing.assert_allclose(layer.forward(x), out_t.detach().numpy(), rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(layer.backward(dout), xt.grad.numpy(), rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(layer.grads["gamma"], ref.weight.grad.numpy(), rtol=1e-11)
    np.testing.assert_allclose(layer.grads["beta"], ref.bias.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(layer.running_mean, ref.running_mean.numpy(), rtol=1e-13)
    np.testing.assert_allclose(layer.running_var, ref.running_var.numpy(), rtol=1e-13)


@pytest.mark.parametrize("shape", [(16, 5), (2, 5), (6, 3, 4, 5), (1, 3, 2, 1)])
@pytest.mark.parametrize(("momentum", "eps"), [(0.1, 1e-5), (0.35, 1e-2), (1.0, 1e-5), (0.0, 1e-5)])
@pytest.mark.parametrize("offset", [2.0, 300.0])
def test_batchnorm_against_torch(shape, momentum, eps, offset):
    """offset 2: statistics from sums of z and z^2; offset 300 (100 standard deviations): the
    second, centered pass that avoids cancellation."""
    torch = torch_or_skip()
    rng = np.random.default_rng(3)
    layer = randomized(BatchNorm(shape[1], momentum=momentum, eps=eps), rng)
    layer.running_mean[...], layer.running_var[...] = 0.0, 1.0
    ref = torch_batchnorm(layer, shape, torch)
    # Several training batches: the running statistics accumulate, with PyTorch's momentum.
    for step in range(4):
        x = (offset + step) + 3.0 * rng.standard_normal(shape)
        assert_batchnorm_step_matches(layer, ref, x, rng.standard_normal(shape), torch)
        # The path each case is meant to test (two values per channel can be close enough
        # for the centered pass, whatever the offset).
        if offset > 100:
            assert layer._exact
        elif x.size // shape[1] >= 16:
            assert not layer._exact
    if momentum > 0:
        assert not np.allclose(layer.running_var, 1.0)
    # Eval mode: the running statistics normalize, and nothing is updated.
    layer.eval()
    ref.eval()
    before = layer.running_mean.copy(), layer.running_var.copy()
    for size in (shape, (1, *shape[1:])):  # one example is fine in eval mode
        x = 1.0 + 2.0 * rng.standard_normal(size)
        assert_batchnorm_step_matches(layer, ref, x, rng.standard_normal(size), torch)
    np.testing.assert_array_equal(layer.running_mean, before[0])
    np.testing.assert_array_equal(layer.running_var, before[1])
    # And back to training.
    layer.train()
    ref.train()
    x = rng.standard_normal(shape)
    assert_batchnorm_step_matches(layer, ref, x, rng.standard_normal(shape), torch)


def test_batchnorm_normalizes_each_channel_with_the_biased_variance():
    rng = np.random.default_rng(4)
    x = 5.0 + 2.0 * rng.standard_normal((8, 3, 4, 4))
    layer = BatchNorm(3, momentum=1.0, eps=1e-5)
    out = layer.forward(x)
    # gamma = 1, beta = 0: each channel has mean 0 and variance sigma^2 / (sigma^2 + eps).
    var = x.var(axis=(0, 2, 3))  # biased (ddof=0)
    np.testing.assert_allclose(out.mean(axis=(0, 2, 3)), 0.0, atol=1e-14)
    np.testing.assert_allclose(out.var(axis=(0, 2, 3)), var / (var + 1e-5), rtol=1e-12)
    # momentum 1: the running estimate is the last batch's, with the unbiased variance.
    np.testing.assert_allclose(layer.running_mean, x.mean(axis=(0, 2, 3)), rtol=1e-14)
    np.testing.assert_allclose(layer.running_var, x.var(axis=(0, 2, 3), ddof=1), rtol=1e-13)


def test_batchnorm_in_eval_mode_is_the_folded_affine_map():
    rng = np.random.default_rng(5)
    layer = randomized(BatchNorm(4), rng).eval()
    x = rng.standard_normal((6, 4))
    scale = layer.params["gamma"] / np.sqrt(layer.running_var + layer.eps)
    shift = layer.params["beta"] - layer.running_mean * scale
    np.testing.assert_allclose(layer.forward(x), x * scale + shift, rtol=1e-14, atol=1e-15)


def test_batchnorm_blocks_give_the_same_result_as_one_block(monkeypatch):
    """Large inputs are processed in blocks of rows: the block size changes only rounding."""
    import lib.nn

    rng = np.random.default_rng(6)
    results = []
    for block in (lib.nn.BLOCK, 10**9, 7):
        monkeypatch.setattr(lib.nn, "BLOCK", block)
        layer = randomized(BatchNorm(5), np.random.default_rng(0))
        x = rng.standard_normal((100, 5, 3, 3)) if not results else results[0][0]
        dout = rng.standard_normal(x.shape) if not results else results[0][1]
        out = layer.forward(x)
        dx = layer.backward(dout)
        results.append((x, dout, out, dx, layer.grads["gamma"].copy(), layer.running_var.copy()))
    for other in results[1:]:
        for a, b in zip(results[0][2:], other[2:], strict=True):
            np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("block", [32768, 64])
@pytest.mark.parametrize(("offset", "rtol", "exact"), [(9.0, 1e-12, False), (11.0, 1e-14, True),
                                                       (1e6, 1e-14, True)])
def test_batchnorm_statistics_are_accurate_far_from_zero(monkeypatch, block, offset, rtol, exact):
    """Means 9, 11 and 10^6 standard deviations from zero, in one block or in 64: the one-pass
    statistics lose at most two digits (9), and beyond 10 the centered pass loses none."""
    import lib.nn

    monkeypatch.setattr(lib.nn, "BLOCK", block)
    x = offset + np.random.default_rng(0).standard_normal((4096, 16))
    layer = BatchNorm(16, momentum=1.0)
    layer.forward(x)
    assert layer._exact == exact
    np.testing.assert_allclose(layer.running_mean, x.mean(axis=0), rtol=1e-14)
    np.testing.assert_allclose(layer.running_var, x.var(axis=0, ddof=1), rtol=rtol)


def test_batchnorm_checks_its_input_and_upstream_gradient():
    """The sums BatchNorm computes stand in for the finiteness checks: the same messages."""
    x = np.ones((4, 3))
    x[1, 2], x[3, 0] = np.nan, np.inf
    with np.errstate(all="raise"):  # no floating-point warning on the way to the error
        for layer in (BatchNorm(3), BatchNorm(3).eval()):
            with pytest.raises(ValueError, match="x must be finite, got 2 NaN or infinite"):
                layer.forward(x)
        layer = BatchNorm(3)
        layer.forward(np.arange(12.0).reshape(4, 3))
        with pytest.raises(ValueError, match="dout must be finite, got 2 NaN or infinite"):
            layer.backward(x)
    with pytest.raises(ValueError, match=r"dout must have shape \(4, 3\), got \(4, 2\)"):
        layer.backward(np.ones((4, 2)))
    with np.errstate(over="ignore"), pytest.raises(ValueError, match="x is too large: its sum"):
        BatchNorm(1).forward(np.array([[1e308], [-1e308], [1e308], [1e308]]))
    out = BatchNorm(2).forward([[1, 2], [3, 5]])  # lists and ints are converted
    np.testing.assert_allclose(out, [[-1, -1], [1, 1]], atol=1e-5)


def test_batchnorm_of_one_example_works_in_eval_mode():
    layer = randomized(BatchNorm(3), np.random.default_rng(0)).eval()
    x = np.array([[1.0, 2.0, 3.0]])
    expected = (x - layer.running_mean) / np.sqrt(layer.running_var + 1e-5)
    expected = expected * layer.params["gamma"] + layer.params["beta"]
    np.testing.assert_allclose(layer.forward(x), expected, rtol=1e-14)


@pytest.mark.parametrize("shape", [(7, 5), (3, 4, 6), (2, 3, 4, 5)])
@pytest.mark.parametrize("eps", [1e-5, 1e-2])
def test_layernorm_against_torch(shape, eps):
    torch = torch_or_skip()
    rng = np.random.default_rng(7)
    layer = randomized(LayerNorm(shape[-1], eps=eps), rng)
    ref = torch.nn.LayerNorm(shape[-1], eps=eps, dtype=torch.float64)
    with torch.no_grad():
        ref.weight.copy_(torch.from_numpy(layer.params["gamma"]))
        ref.bias.copy_(torch.from_numpy(layer.params["beta"]))
    x = 3.0 + 2.0 * rng.standard_normal(shape)
    dout = rng.standard_normal(shape)
    xt = torch.tensor(x, requires_grad=True)
    out_t = ref(xt)
    out_t.backward(torch.from_numpy(dout))
    np.testing.assert_allclose(layer.forward(x), out_t.detach().numpy(), rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(layer.backward(dout), xt.grad.numpy(), rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose(layer.grads["gamma"], ref.weight.grad.numpy(), rtol=1e-11)
    np.testing.assert_allclose(layer.grads["beta"], ref.bias.grad.numpy(), rtol=1e-12)
    # The same in eval mode: no batch statistics involved.
    np.testing.assert_array_equal(layer.eval().forward(x), layer.train().forward(x))


ALL_LAYERS = [
    lambda: Linear(3, 4), ReLU, Sigmoid, Tanh, LeakyReLU, ELU, Softplus, SiLU, GELU, PReLU,
    lambda: Maxout(3, 4), lambda: BatchNorm(4), lambda: LayerNorm(4),
    lambda: Sequential(Linear(3, 4), ReLU()),
]


@pytest.mark.parametrize("make", ALL_LAYERS)
def test_every_layer_has_modes(make):
    layer = make()
    assert layer.training is True
    assert layer.eval() is layer
    assert layer.training is False
    assert layer.train() is layer
    assert layer.training is True
    assert layer.train(False) is layer
    assert layer.training is False
    with pytest.raises(ValueError, match="mode must be True or False, got str 'eval'"):
        layer.train("eval")


def test_sequential_passes_modes_on():
    inner = Sequential(BatchNorm(4), ReLU())
    model = Sequential(Linear(3, 4), inner, Linear(4, 2))
    layers = [model, *model.layers, *inner.layers]
    model.eval()
    assert not any(layer.training for layer in layers)
    model.train()
    assert all(layer.training for layer in layers)
    # Eval mode uses the running statistics: a single example gives its own output, while in
    # training mode the other examples of the batch change it.
    x = np.random.default_rng(0).standard_normal((10, 3))
    model.forward(x)  # running statistics no longer 0 and 1
    model.eval()
    np.testing.assert_allclose(model.forward(x[:1]), model.forward(x)[:1], rtol=1e-14)
    model.train()
    assert not np.allclose(model.forward(x[:2])[:1], model.forward(x)[:1])
    assert list(model.buffers) == ["1.0.running_mean", "1.0.running_var"]
    assert model.buffers["1.0.running_var"] is inner.layers[0].running_var


def test_buffers_are_the_layers_arrays():
    model = Sequential(Linear(3, 4), BatchNorm(4), ReLU(), BatchNorm(4))
    assert list(model.buffers) == ["1.running_mean", "1.running_var", "3.running_mean",
                                   "3.running_var"]
    assert model.buffers["3.running_var"] is model.layers[3].running_var
    before = model.buffers
    model.forward(np.random.default_rng(0).standard_normal((5, 3)))
    assert before["1.running_mean"] is model.layers[1].running_mean  # updated in place
    assert before["1.running_mean"].any()
    assert Linear(2, 2).buffers == {}


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: BatchNorm(3).forward(np.ones((1, 3))),
         r"more than one value per channel in training mode, got shape \(1, 3\) \(1 per channel\)"),
        (lambda: BatchNorm(3).forward(np.ones((1, 3, 1, 1))), "more than one value per channel"),
        (lambda: Sequential(Linear(2, 3), BatchNorm(3)).forward(np.ones((1, 2))),
         "more than one value per channel"),
        (lambda: BatchNorm(3).forward(np.ones((5, 4))),
         r"x must have shape \(N, 3\) or \(N, 3, H, W\) for BatchNorm\(3\), got shape \(5, 4\)"),
        (lambda: BatchNorm(3).forward(np.ones((5, 4, 2, 2))), r"got shape \(5, 4, 2, 2\)"),
        (lambda: BatchNorm(3).forward(np.ones((5, 3, 2))), r"got shape \(5, 3, 2\)"),
        (lambda: Sequential(Linear(2, 4), BatchNorm(3)).forward(np.ones((5, 2))),
         r"got shape \(5, 4\)"),
        (lambda: BatchNorm(3).forward(np.full((4, 3), np.inf)), "x must be finite"),
        (lambda: BatchNorm(3, momentum=-0.1), r"momentum must be >= 0\.0, got -0\.1"),
        (lambda: BatchNorm(3, momentum=1.5), r"momentum must be <= 1\.0, got 1\.5"),
        (lambda: BatchNorm(3, eps=0.0), r"eps must be > 0\.0, got 0\.0"),
        (lambda: BatchNorm(3, eps=-1e-5), r"eps must be > 0\.0, got -1e-05"),
        (lambda: BatchNorm(0), "num_features must be >= 1, got 0"),
        (lambda: LayerNorm(4, eps=0), r"eps must be > 0\.0, got 0\.0"),
        (lambda: LayerNorm(4).forward(np.ones((2, 3))),
         r"x must have 4 features on its last axis, shape \(\.\.\., 4\), got shape \(2, 3\)"),
    ],
)
def test_normalization_layers_reject_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()


@pytest.mark.parametrize("layer", [BatchNorm(2), LayerNorm(2)])
def test_normalization_backward_before_forward_raises(layer):
    with pytest.raises(ValueError, match="backward called before forward"):
        layer.backward(np.ones((1, 2)))


def test_normalization_reprs():
    assert repr(BatchNorm(4)) == "BatchNorm(4, momentum=0.1, eps=1e-05)"
    assert repr(LayerNorm(4)) == "LayerNorm(4, eps=1e-05)"


# Dropout -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
def test_dropout_statistics(p):
    n = 10**6
    x = np.ones((1000, 1000))
    out = Dropout(p, seed=0).forward(x)
    dropped = np.mean(out == 0)
    # Binomial: the fraction of zeros has standard deviation sqrt(p (1 - p) / n) < 5e-4.
    assert abs(dropped - p) < 5 * np.sqrt(p * (1 - p) / n)
    # Inverted scaling keeps the mean: each entry is 0 or 1/(1 - p), variance p/(1 - p).
    assert abs(out.mean() - 1.0) < 5 * np.sqrt(p / (1 - p) / n)
    np.testing.assert_array_equal(np.unique(out), [0.0, 1.0 / (1.0 - p)])


@pytest.mark.parametrize("p", [0.2, 0.5])
def test_dropout_follows_torchs_conventions(p):
    torch = torch_or_skip()
    rng = np.random.default_rng(8)
    x = rng.standard_normal((400, 500))
    ours, ref = Dropout(p, seed=1), torch.nn.Dropout(p)
    torch.manual_seed(0)
    out, out_t = ours.forward(x), ref(torch.from_numpy(x)).numpy()
    # p is the probability to drop for both, and kept entries are scaled by 1/(1 - p) the same way.
    assert abs(np.mean(out == 0) - np.mean(out_t == 0)) < 0.01
    both = (out != 0) & (out_t != 0)
    assert both.mean() > 0.5 * (1 - p) ** 2
    np.testing.assert_array_equal(out[both], out_t[both])
    # Both multiply by the rounded 1/(1 - p), which can differ from x/(1 - p) by an ulp.
    np.testing.assert_array_equal(out[out != 0], x[out != 0] * (1 / (1 - p)))
    np.testing.assert_allclose(out[out != 0], x[out != 0] / (1 - p), rtol=3e-16)
    # Eval mode: the identity for both (the very input, for torch and for us).
    ours.eval()
    ref.eval()
    xt = torch.from_numpy(x)
    assert ours.forward(x) is x
    assert ref(xt) is xt
    # Backward in training mode: torch multiplies by the mask it used, and so do we.
    ours.train()
    ref.train()
    xt = torch.tensor(x, requires_grad=True)
    ref(xt).backward(torch.ones_like(xt))
    out = ours.forward(x)
    dx = ours.backward(np.ones_like(x))
    assert set(np.unique(xt.grad.numpy())) == set(np.unique(dx)) == {0.0, 1 / (1 - p)}
    np.testing.assert_array_equal(dx == 0, out == 0)


def test_dropout_backward_uses_the_forward_mask():
    rng = np.random.default_rng(9)
    x, dout = rng.standard_normal((30, 20)), rng.standard_normal((30, 20))
    layer = Dropout(0.4, seed=3)
    out = layer.forward(x)
    dx = layer.backward(dout)
    kept = out != 0
    np.testing.assert_array_equal(dx[kept], dout[kept] / 0.6)
    np.testing.assert_array_equal(dx[~kept], 0.0)
    np.testing.assert_array_equal(layer.backward(dout), dx)  # again: the same mask

    # Finite differences with the mask held fixed (the generator rewound before each forward).
    def L(_):
        layer.rng = np.random.default_rng(11)
        return float(np.sum(layer.forward(x) * dout))

    L(None)
    assert_matches_numerical(layer.backward(dout), numerical_gradient(L, x))


def test_dropout_draws_a_fresh_seeded_mask_each_forward():
    x = np.ones((50, 40))
    a, b = Dropout(0.5, seed=2), Dropout(0.5, seed=2)
    first, second = a.forward(x), a.forward(x)
    assert not np.array_equal(first, second)
    np.testing.assert_array_equal(b.forward(x), first)
    np.testing.assert_array_equal(b.forward(x), second)
    assert not np.array_equal(Dropout(0.5, seed=3).forward(x), first)


def test_dropout_identities():
    x = np.random.default_rng(0).standard_normal((5, 6))
    dout = np.ones_like(x)
    zero = Dropout(0.0, seed=4)
    state = zero.rng.bit_generator.state
    assert zero.forward(x) is x  # p = 0 in training mode: the identity, no numbers drawn
    assert zero.backward(dout) is dout
    assert zero.rng.bit_generator.state == state
    half = Dropout(0.5).eval()
    state = half.rng.bit_generator.state
    assert half.forward(x) is x
    np.testing.assert_array_equal(half.backward(dout), dout)
    assert half.rng.bit_generator.state == state
    assert repr(half) == "Dropout(p=0.5)"


def test_dropout_in_a_sequential_follows_its_mode():
    inner = Sequential(Dropout(0.5, seed=1), ReLU())
    model = Sequential(Linear(3, 4), inner, Linear(4, 2))
    assert Dropout().training
    x = np.random.default_rng(0).standard_normal((10, 3))
    assert model.eval() is model
    assert not inner.layers[0].training
    np.testing.assert_array_equal(model.forward(x), model.forward(x))  # no dropout
    model.train()
    assert inner.layers[0].training
    assert not np.array_equal(model.forward(x), model.forward(x))  # a fresh mask each time
    assert repr(Sequential(Dropout(0.1))) == "Sequential(Dropout(p=0.1))"


def test_dropout_default_is_torchs():
    torch = torch_or_skip()
    assert Dropout().p == torch.nn.Dropout().p


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: Dropout(1.0), r"p must be the drop probability, in \[0, 1\), got float 1\.0"),
        (lambda: Dropout(-0.1), r"p must be the drop probability, in \[0, 1\), got float -0\.1"),
        (lambda: Dropout(1.5), r"in \[0, 1\), got float 1\.5"),
        (lambda: Dropout(float("nan")), r"in \[0, 1\), got float nan"),
        (lambda: Dropout("0.5"), r"in \[0, 1\), got str '0\.5'"),
        (lambda: Dropout(0.5, seed=-1), "seed must be >= 0"),
        (lambda: Dropout().forward(np.array([np.inf])), "x must be finite"),
    ],
)
def test_dropout_rejects_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_dropout_backward_before_forward_raises():
    with pytest.raises(ValueError, match="backward called before forward"):
        Dropout().backward(np.ones((1, 2)))
