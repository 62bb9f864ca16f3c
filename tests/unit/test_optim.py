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


def test_rejects_a_schedule_that_leaves_the_positive_numbers():
    params, grads = problem()
    opt = SGD(lambda t: 0.1 - 0.1 * t)
    opt.step(params, grads)
    W1 = params["W"].copy()
    with pytest.raises(ValueError, match=r"lr\(1\) must be > 0.0, got 0.0"):
        opt.step(params, grads)
    np.testing.assert_array_equal(params["W"], W1)
    assert opt.t == 1
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
