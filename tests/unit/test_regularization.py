"""lib.regularization: penalties against finite differences, ridge against scikit-learn and the
normal equations, soft thresholding against a brute-force proximal step, the notes' Example 5-1."""

import numpy as np
import pytest
from sklearn.linear_model import ElasticNet, Ridge

from lib.gradcheck import numerical_gradient
from lib.nn import Linear, ReLU, Sequential
from lib.optim import SGD
from lib.regularization import (
    elastic_net_penalty,
    l1_penalty,
    l2_penalty,
    ridge,
    soft_threshold,
)


def _params(seed=0):
    rng = np.random.default_rng(seed)
    return {"0.W": rng.standard_normal((4, 3)), "0.b": rng.standard_normal(3),
            "2.W": rng.standard_normal((3, 2)), "2.b": rng.standard_normal(2)}


def _penalties():
    return {
        "l2": lambda p, **kw: l2_penalty(p, 0.3, **kw),
        "l1": lambda p, **kw: l1_penalty(p, 0.3, **kw),
        "elastic_net": lambda p, **kw: elastic_net_penalty(p, 0.3, 0.4, **kw),
    }


def _by_hand(kind, arrays):
    """The formulas of the docstrings, written out over a list of arrays."""
    l1 = sum(np.abs(a).sum() for a in arrays)
    l2 = sum((a**2).sum() for a in arrays)
    return {"l2": 0.3 * l2, "l1": 0.3 * l1, "elastic_net": 0.3 * (0.4 * l1 + 0.6 * l2)}[kind]


@pytest.mark.parametrize("kind", ["l2", "l1", "elastic_net"])
def test_penalty_value_and_gradient_against_finite_differences(kind):
    penalty = _penalties()[kind]
    params = _params()
    value, grads = penalty(params)
    assert value == pytest.approx(_by_hand(kind, [params["0.W"], params["2.W"]]), rel=1e-12)
    assert set(grads) == set(params)
    for name, p in params.items():
        assert grads[name].shape == p.shape
        assert grads[name].dtype == np.float64

        def f(q, name=name):
            return penalty({**params, name: q})[0]

        # No entry sits at 0, where |theta| has a kink: the centered difference is exact to h^2.
        num = numerical_gradient(f, p.copy(), h=1e-6)
        np.testing.assert_allclose(grads[name], num, atol=1e-8)
    for name in ("0.b", "2.b"):
        np.testing.assert_array_equal(grads[name], 0.0)


@pytest.mark.parametrize("kind", ["l2", "l1", "elastic_net"])
def test_include_predicate_chooses_the_arrays(kind):
    penalty = _penalties()[kind]
    params = _params(1)
    value, grads = penalty(params, include=lambda name: name.startswith("2."))
    assert value == pytest.approx(_by_hand(kind, [params["2.W"], params["2.b"]]), rel=1e-12)
    assert np.all(grads["0.W"] == 0)
    assert np.all(grads["0.b"] == 0)
    assert np.all(grads["2.b"] != 0)
    everything, _ = penalty(params, include=lambda name: True)
    assert everything == pytest.approx(_by_hand(kind, list(params.values())), rel=1e-12)


def test_default_leaves_biases_of_a_network_undecayed():
    model = Sequential(Linear(5, 4, seed=0), ReLU(), Linear(4, 3, seed=1))
    for b in (model.params["0.b"], model.params["2.b"]):
        b[...] = 1.0
    value, grads = l2_penalty(model.params, 0.5)
    W0, W2 = model.params["0.W"], model.params["2.W"]
    assert value == pytest.approx(0.5 * ((W0**2).sum() + (W2**2).sum()), rel=1e-12)
    assert sorted(grads) == sorted(model.params)
    assert np.all(grads["0.b"] == 0)
    np.testing.assert_allclose(grads["2.W"], W2)  # 2 * 0.5 * W


def test_l1_subgradient_at_zero_is_zero():
    w = np.array([[-2.0, 0.0], [0.0, 3.0]])
    value, grads = l1_penalty({"W": w}, 0.7)
    assert value == pytest.approx(0.7 * 5)
    np.testing.assert_array_equal(grads["W"], [[-0.7, 0.0], [0.0, 0.7]])
    _, g_en = elastic_net_penalty({"W": w}, 0.7, 0.5)
    np.testing.assert_allclose(g_en["W"], [[-0.35 - 1.4, 0.0], [0.0, 0.35 + 2.1]])


def test_elastic_net_ends_are_l1_and_l2():
    params = _params(2)
    for ratio, other in ((1.0, l1_penalty), (0.0, l2_penalty)):
        v, g = elastic_net_penalty(params, 0.2, ratio)
        v_ref, g_ref = other(params, 0.2)
        assert v == pytest.approx(v_ref, rel=1e-14)
        for name in params:
            np.testing.assert_allclose(g[name], g_ref[name], rtol=1e-14)


def test_inputs_are_not_modified_and_ints_are_accepted():
    params = _params(3)
    before = {k: v.copy() for k, v in params.items()}
    for penalty in _penalties().values():
        penalty(params)
    for k in params:
        np.testing.assert_array_equal(params[k], before[k])
    value, grads = l2_penalty({"W": np.array([[1, 2], [3, 4]])}, 1)
    assert value == 30.0
    assert grads["W"].dtype == np.float64


def test_sgd_step_with_the_l2_gradient_is_the_notes_weight_decay_factor():
    # The notes: rho = 0.01, lambda = 2.0 gives the factor (1 - 2 rho lambda) = 0.96.
    eta, alpha = 0.01, 2.0
    rng = np.random.default_rng(4)
    W, g = rng.standard_normal((3, 2)), rng.standard_normal((3, 2))
    _, pg = l2_penalty({"W": W}, alpha)
    stepped = W - eta * (g + pg["W"])
    np.testing.assert_allclose(stepped, 0.96 * W - eta * g, rtol=1e-14)
    # lib.optim's weight_decay adds weight_decay * theta: the same step at weight_decay = 2 alpha.
    params, grads = {"W": W.copy()}, {"W": g.copy()}
    SGD(lr=eta, weight_decay=2 * alpha).step(params, grads)
    np.testing.assert_allclose(params["W"], stepped, rtol=1e-14)


def _elastic_net_data(seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((40, 6))
    X[:, 1] = X[:, 0] + 0.05 * rng.standard_normal(40)  # two correlated features
    y = X @ np.array([1.5, 1.0, 0.0, -2.0, 0.0, 0.3]) + 0.1 * rng.standard_normal(40)
    return X, y


def test_elastic_net_maps_to_scikit_learns_parameters():
    # sklearn's solution must satisfy the optimality conditions of our objective
    # (1/2N)||y - Xw||^2 + elastic_net_penalty(w, lam, r) at lam, r from the documented map.
    X, y = _elastic_net_data()
    n = len(y)
    lam, r = 0.05, 0.5
    model = ElasticNet(alpha=lam * (2 - r), l1_ratio=r / (2 - r), fit_intercept=False,
                       tol=1e-12, max_iter=100_000).fit(X, y)
    w = model.coef_
    assert np.count_nonzero(w == 0) >= 1  # the test sees both cases of the condition
    data_grad = X.T @ (X @ w - y) / n
    _, pg = elastic_net_penalty({"w": w}, lam, r, include=lambda name: True)
    nonzero = w != 0
    np.testing.assert_allclose((data_grad + pg["w"])[nonzero], 0.0, atol=1e-8)
    # Where w = 0 the subdifferential lam * r * [-1, 1] must contain -data_grad.
    assert np.all(np.abs(data_grad[~nonzero]) <= lam * r + 1e-8)
    # With the wrong (unmapped) parameters the conditions fail.
    wrong = ElasticNet(alpha=lam, l1_ratio=r, fit_intercept=False, tol=1e-12,
                       max_iter=100_000).fit(X, y).coef_
    _, pg_wrong = elastic_net_penalty({"w": wrong}, lam, r, include=lambda name: True)
    residual = X.T @ (X @ wrong - y) / n + pg_wrong["w"]
    assert np.max(np.abs(residual[wrong != 0])) > 1e-3


@pytest.mark.parametrize("t", [0.0, 0.3, 1.0, 2.5])
def test_soft_threshold_is_the_prox_of_t_abs(t):
    # Brute force: minimize (z - x)^2 / 2 + t|z| over a fine grid of z for each x.
    x = np.linspace(-3, 3, 61)
    z = np.linspace(-4, 4, 80_001)  # spacing 1e-4
    objective = 0.5 * (z[None, :] - x[:, None]) ** 2 + t * np.abs(z)[None, :]
    brute = z[np.argmin(objective, axis=1)]
    np.testing.assert_allclose(soft_threshold(x, t), brute, atol=1e-4)


def test_soft_threshold_zeros_and_shifts():
    out = soft_threshold([[-2.0, -0.5], [0.5, 3.0]], 1.0)
    np.testing.assert_array_equal(out, [[-1.0, 0.0], [0.0, 2.0]])
    np.testing.assert_array_equal(soft_threshold([1.0, -1.0, 4.0], np.array([0.5, 2.0, 0.0])),
                                  [0.5, 0.0, 4.0])
    assert soft_threshold(np.array([0.2]), 0.2)[0] == 0.0


def test_prox_step_lands_on_zero_and_subgradient_step_does_not():
    # Minimize (theta - 0.3)^2 / 2 + |theta|: the minimizer is 0 (|0.3| <= 1).
    eta, alpha = 0.1, 1.0
    theta_sub = theta_prox = 2.0
    for _ in range(200):
        _, g = l1_penalty({"w": np.array([theta_sub])}, alpha, include=lambda name: True)
        theta_sub -= eta * ((theta_sub - 0.3) + g["w"][0])
        theta_prox = soft_threshold(theta_prox - eta * (theta_prox - 0.3), eta * alpha)[()]
    assert theta_prox == 0.0
    assert theta_sub != 0.0
    assert abs(theta_sub) < eta  # it oscillates around 0 within a step


@pytest.mark.parametrize("k", [None, 3])
@pytest.mark.parametrize(("n", "d"), [(30, 5), (6, 12)])
def test_ridge_against_sklearn_and_the_normal_equations(n, d, k):
    rng = np.random.default_rng(n + d)
    X = rng.standard_normal((n, d))
    y = rng.standard_normal(n if k is None else (n, k))
    for lam in (1e-3, 0.5, 10.0):
        w = ridge(X, y, lam)
        assert w.shape == ((d,) if k is None else (d, k))
        ref = Ridge(alpha=lam, fit_intercept=False, solver="cholesky").fit(X, y).coef_
        np.testing.assert_allclose(w, ref.T, rtol=1e-9, atol=1e-11)
        # The gradient of ||Xw - y||^2 + lam ||w||^2 vanishes at w.
        np.testing.assert_allclose(2 * X.T @ (X @ w - y) + 2 * lam * w, 0.0, atol=1e-9)


def test_ridge_without_penalty_is_least_squares_of_least_norm():
    rng = np.random.default_rng(5)
    X = rng.standard_normal((10, 4))
    X[:, 3] = X[:, 2]  # X^T X is singular
    y = rng.standard_normal(10)
    w = ridge(X, y, 0.0)
    np.testing.assert_allclose(w, np.linalg.pinv(X) @ y, atol=1e-12)
    np.testing.assert_allclose(w, ridge(X, y, 1e-10), atol=1e-6)


def test_ridge_shrinks_each_eigen_direction_by_s_over_s_plus_alpha():
    rng = np.random.default_rng(6)
    X = rng.standard_normal((20, 3)) * np.array([3.0, 1.0, 0.2])
    y = rng.standard_normal(20)
    s, V = np.linalg.eigh(X.T @ X)
    w_ls, w = ridge(X, y, 0.0), ridge(X, y, 2.0)
    np.testing.assert_allclose(V.T @ w, s / (s + 2.0) * (V.T @ w_ls), rtol=1e-10)


def test_notes_example_5_1():
    X = np.array([[1.0, 1.0], [2.0, 3.0], [3.0, 3.0]])
    y = np.array([3.0, 7.0, 8.8])
    lam_notes = 0.25
    # Their (X^T X + 2 lambda I)^{-1} X^T y, which is our lam = 2 lambda = 0.5.
    w = ridge(X, y, 2 * lam_notes)
    np.testing.assert_allclose(w, [1.4916, 1.3607], atol=5e-5)
    assert np.array([5.0, 4.0]) @ w == pytest.approx(12.9009, abs=5e-5)
    ref = np.linalg.solve(X.T @ X + 2 * lam_notes * np.eye(2), X.T @ y)
    np.testing.assert_allclose(w, ref, rtol=1e-13)
    # Their own objective (5.27), ||Xw - y||^2 + lambda ||w||^2, has another minimizer.
    w_527 = ridge(X, y, lam_notes)
    assert np.max(np.abs(w_527 - w)) > 1e-3
    np.testing.assert_allclose(2 * X.T @ (X @ w_527 - y) + 2 * lam_notes * w_527, 0, atol=1e-10)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: l2_penalty({"W": np.ones((2, 2))}, -0.1), r"lam must be >= 0.0, got -0.1"),
        (lambda: l1_penalty({"W": np.ones((2, 2))}, np.nan), r"lam must be finite"),
        (lambda: l2_penalty({"W": np.ones((2, 2))}, "0.1"), r"lam must be a real number"),
        (lambda: elastic_net_penalty({"W": np.ones((2, 2))}, 0.1, 1.5),
         r"l1_ratio must be <= 1.0, got 1.5"),
        (lambda: elastic_net_penalty({"W": np.ones((2, 2))}, 0.1, -0.5),
         r"l1_ratio must be >= 0.0"),
        (lambda: l2_penalty(np.ones((2, 2)), 0.1), r"params must be a dict"),
        (lambda: l2_penalty({"W": np.full((2, 2), np.inf)}, 0.1), r"params\['W'\] must be finite"),
        (lambda: l2_penalty({"W": "abc"}, 0.1), r"params\['W'\] must be a numeric array"),
        (lambda: l2_penalty({"w": np.ones(3)}, 0.1), r"include selects none of the parameters"),
        (lambda: l1_penalty({"W": np.ones((2, 2))}, 0.1, include=lambda n: False),
         r"include returned False for every name"),
        (lambda: l1_penalty({"W": np.ones((2, 2))}, 0.1, include="W"), r"include must be None"),
        (lambda: l1_penalty({1: np.ones((2, 2))}, 0.1), r"params must have str names"),
        (lambda: soft_threshold([1.0], -1.0), r"t must be >= 0.0, got -1.0"),
        (lambda: soft_threshold([1.0, 2.0], np.array([1.0, -1.0])), r"t must be >= 0 everywhere"),
        (lambda: soft_threshold(np.ones(3), np.ones(2)), r"t must broadcast against x"),
        (lambda: soft_threshold([np.nan], 1.0), r"x must be finite"),
        (lambda: ridge(np.ones(3), np.ones(3), 1.0), r"X must be 2-dimensional"),
        (lambda: ridge(np.ones((3, 2)), np.ones(4), 1.0),
         r"y must have shape \(3,\) or \(3, k\) to match X, got \(4,\)"),
        (lambda: ridge(np.ones((3, 2)), np.ones((3, 2, 1)), 1.0), r"y must have shape"),
        (lambda: ridge(np.ones((3, 2)), np.ones(3), -1.0), r"lam must be >= 0.0"),
        (lambda: ridge(np.ones((0, 2)), np.ones(0), 1.0), r"at least one row"),
        (lambda: ridge(np.full((3, 2), np.nan), np.ones(3), 1.0), r"X must be finite"),
    ],
)
def test_bad_input_raises(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_empty_params_give_zero():
    value, grads = l2_penalty({}, 1.0)
    assert value == 0.0
    assert grads == {}
