"""lib.init: the variances on large matrices, orthogonality, the QR sign correction, LSUV, and
the Linear layer's init names; PyTorch's initializers as the reference where torch is installed."""

import math
from functools import partial

import numpy as np
import pytest
from scipy import stats

from lib import init
from lib.nn import BatchNorm, Linear, ReLU, Sequential, Tanh

N_IN, N_OUT = 800, 600  # 480,000 entries: a sample variance is within 0.2 % (one sigma)

# name in Linear, function, variance with gain 1, normal (True) or uniform (False)
TABLE = [
    ("lecun", init.lecun_normal, 1 / N_IN, True),
    ("xavier", init.xavier_normal, 2 / (N_IN + N_OUT), True),
    ("xavier_uniform", init.xavier_uniform, 2 / (N_IN + N_OUT), False),
    ("he", init.he_normal, 2 / N_IN, True),
    ("he_uniform", init.he_uniform, 2 / N_IN, False),
    ("torch", init.torch_uniform, 1 / (3 * N_IN), False),
]


@pytest.mark.parametrize(("name", "fn", "var", "normal"), TABLE, ids=[t[0] for t in TABLE])
@pytest.mark.parametrize("gain", [1.0, 0.5, math.sqrt(2)])
def test_variance_and_distribution(name, fn, var, normal, gain):
    W = fn(N_IN, N_OUT, np.random.default_rng(0), gain=gain)
    assert W.shape == (N_IN, N_OUT)
    assert W.dtype == np.float64
    assert W.var() == pytest.approx(gain**2 * var, rel=0.01)
    assert abs(W.mean()) < 0.01 * W.std()
    # Kurtosis tells the two shapes apart: 3 for a normal, 1.8 for a uniform distribution.
    kurtosis = stats.kurtosis(W.ravel(), fisher=False)
    assert kurtosis == pytest.approx(3.0 if normal else 1.8, abs=0.03)
    if not normal:
        bound = math.sqrt(3 * gain**2 * var)  # sqrt(3) * std
        assert np.abs(W).max() <= bound
        assert np.abs(W).max() > 0.999 * bound


def test_seeded_by_the_generator_only():
    a = init.he_normal(30, 20, np.random.default_rng(5))
    b = init.he_normal(30, 20, np.random.default_rng(5))
    c = init.he_normal(30, 20, np.random.default_rng(6))
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    rng = np.random.default_rng(5)
    first, second = init.he_normal(30, 20, rng), init.he_normal(30, 20, rng)
    np.testing.assert_array_equal(first, a)
    assert not np.array_equal(second, a)  # the generator moves on


@pytest.mark.parametrize(("n_in", "n_out"), [(50, 20), (20, 50), (30, 30), (1, 7), (7, 1)])
@pytest.mark.parametrize("gain", [1.0, 2.5])
def test_orthogonal_is_orthonormal_times_gain(n_in, n_out, gain):
    W = init.orthogonal(n_in, n_out, np.random.default_rng(1), gain=gain)
    assert W.shape == (n_in, n_out)
    assert W.flags.c_contiguous
    gram = W.T @ W if n_in >= n_out else W @ W.T
    np.testing.assert_allclose(gram, gain**2 * np.eye(min(n_in, n_out)), rtol=0, atol=1e-12)


@pytest.mark.parametrize(("n_in", "n_out"), [(40, 10), (10, 40)])
def test_orthogonal_sign_correction_makes_the_diagonal_of_r_positive(n_in, n_out):
    W = init.orthogonal(n_in, n_out, np.random.default_rng(3))
    # The same Gaussian matrix A (max, min) that orthogonal drew, and R = Q^T A.
    A = np.random.default_rng(3).standard_normal((max(n_in, n_out), min(n_in, n_out)))
    Q = W if n_in >= n_out else W.T
    R = Q.T @ A
    np.testing.assert_allclose(np.tril(R, -1), 0.0, atol=1e-12)  # upper triangular: A = QR
    assert (np.diagonal(R) > 0).all()
    # numpy's own QR leaves signs to the data: some of its R's diagonal is negative.
    assert (np.diagonal(np.linalg.qr(A)[1]) < 0).any()


def test_orthogonal_is_uniformly_distributed():
    """Haar-distributed Q: every entry symmetric about 0. Without the sign correction numpy's Q
    has Q[0, 0] = A[0, 0] / R[0, 0] of one sign only (LAPACK makes R[0, 0] = -sign(A[0, 0]) |a_0|).
    """
    rng = np.random.default_rng(0)
    draws = np.array([init.orthogonal(4, 4, rng) for _ in range(4000)])
    # Under Haar measure each entry has mean 0 and variance 1/4: the mean of 4000 has sd 0.008.
    np.testing.assert_allclose(draws.mean(axis=0), 0.0, atol=0.04)
    np.testing.assert_allclose(draws.var(axis=0), 0.25, atol=0.02)
    plain = np.array([np.linalg.qr(rng.standard_normal((4, 4)))[0] for _ in range(4000)])
    assert abs(plain[:, 0, 0].mean()) > 0.3  # what the test would catch


# Ours (with its gain) against torch.nn.init (with its arguments): the same distribution.
# torch's kaiming_* take a nonlinearity and a leaky slope a instead of a gain: their std is
# sqrt(2 / (1 + a^2)) / sqrt(fan_in) for leaky_relu, gain / sqrt(fan_in) otherwise, so
# he_normal(gain=g) is kaiming_normal_ with the gain sqrt(2) g.
TORCH_TABLE = [
    (init.xavier_normal, {}, "xavier_normal_", {}),
    (init.xavier_uniform, {}, "xavier_uniform_", {}),
    (init.he_normal, {}, "kaiming_normal_", {}),
    (init.he_uniform, {}, "kaiming_uniform_", {}),
    (init.orthogonal, {}, "orthogonal_", {}),
    (init.lecun_normal, {}, "kaiming_normal_", {"nonlinearity": "linear"}),
    (init.torch_uniform, {}, "kaiming_uniform_", {"a": math.sqrt(5)}),
    (init.xavier_normal, {"gain": 5 / 3}, "xavier_normal_", {"gain": 5 / 3}),
    (init.xavier_uniform, {"gain": 5 / 3}, "xavier_uniform_", {"gain": 5 / 3}),
    (init.orthogonal, {"gain": 2.0}, "orthogonal_", {"gain": 2.0}),
    (init.he_normal, {"gain": 1 / math.sqrt(1 + 0.2**2)}, "kaiming_normal_", {"a": 0.2}),
    (init.he_uniform, {"gain": 1 / math.sqrt(1 + 0.2**2)}, "kaiming_uniform_", {"a": 0.2}),
    (init.lecun_normal, {"gain": 5 / 3}, "kaiming_normal_", {"nonlinearity": "tanh"}),
]


@pytest.mark.parametrize(("ours", "ours_kw", "reference", "ref_kw"), TORCH_TABLE,
                         ids=[f"{t[0].__name__}{t[1]}-{t[2]}{t[3]}" for t in TORCH_TABLE])
def test_same_distribution_as_torch_nn_init(ours, ours_kw, reference, ref_kw):
    torch = pytest.importorskip("torch", reason="PyTorch is not installed: reference test skipped")
    torch.manual_seed(0)
    n_in, n_out = 300, 200
    # torch stores a Linear's weight as (n_out, n_in): fan_in is its second axis.
    ref = getattr(torch.nn.init, reference)(torch.empty(n_out, n_in, dtype=torch.float64),
                                            **ref_kw)
    ref = ref.numpy().T
    W = ours(n_in, n_out, np.random.default_rng(0), **ours_kw)
    assert W.std() == pytest.approx(ref.std(), rel=0.01)
    assert np.abs(W).max() == pytest.approx(np.abs(ref).max(), rel=0.05 if "uniform" in
                                            reference else 0.25)
    assert stats.ks_2samp(W.ravel(), ref.ravel()).pvalue > 1e-3
    # The same test tells different distributions apart: a sqrt(2) larger scale is rejected.
    assert stats.ks_2samp(math.sqrt(2) * W.ravel(), ref.ravel()).pvalue < 1e-6


@pytest.mark.parametrize(("n_in", "n_out"), [(3, 3), (6, 2), (2, 6)])
def test_orthogonal_matches_torch_in_orientation_and_signs(n_in, n_out):
    """Both are Haar: the same orientation (orthonormal columns of the (n_in, n_out) W for a
    tall layer, rows for a wide one), and the same law of a 3 x 3 matrix's sign pattern."""
    torch = pytest.importorskip("torch", reason="PyTorch is not installed: reference test skipped")
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    n_draws = 1000
    ours = np.array([init.orthogonal(n_in, n_out, rng) for _ in range(n_draws)])
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # thousands of tiny QRs: threads only add overhead
    try:
        ref = np.array([torch.nn.init.orthogonal_(torch.empty(n_out, n_in, dtype=torch.float64))
                        .numpy().T for _ in range(n_draws)])
    finally:
        torch.set_num_threads(threads)
    for Ws in (ours, ref):
        gram = Ws.transpose(0, 2, 1) @ Ws if n_in >= n_out else Ws @ Ws.transpose(0, 2, 1)
        np.testing.assert_allclose(gram, np.broadcast_to(np.eye(min(n_in, n_out)), gram.shape),
                                   atol=1e-12)
    # every entry symmetric about 0, in both (sd of a mean of 1000 entries: < 0.02), with the
    # same variance (1 / max(n_in, n_out) under Haar; sd of each estimate about 0.015)
    np.testing.assert_allclose(ours.mean(axis=0), 0.0, atol=0.08)
    np.testing.assert_allclose(ref.mean(axis=0), 0.0, atol=0.08)
    np.testing.assert_allclose(ours.var(axis=0), 1 / max(n_in, n_out), atol=0.07)
    np.testing.assert_allclose(ref.var(axis=0), 1 / max(n_in, n_out), atol=0.07)
    if n_in == n_out:  # rotations and reflections, half each (sd of the fraction 0.016)
        for Ws in (ours, ref):
            assert abs((np.linalg.det(Ws) < 0).mean() - 0.5) < 0.07


def test_torch_default_linear_matches_torch_statistics():
    torch = pytest.importorskip("torch", reason="PyTorch is not installed: reference test skipped")
    torch.manual_seed(0)
    n_in, n_out = 400, 500
    ref = torch.nn.Linear(n_in, n_out, dtype=torch.float64)
    W_t, b_t = ref.weight.detach().numpy().T, ref.bias.detach().numpy()
    ours = Linear(n_in, n_out, seed=0, init="torch")
    W, b = ours.params["W"], ours.params["b"]
    bound = 1 / math.sqrt(n_in)
    for a, a_t in ((W, W_t), (b, b_t)):
        assert np.abs(a).max() <= bound
        assert np.abs(a_t).max() <= bound
        assert stats.ks_2samp(a.ravel(), a_t.ravel()).pvalue > 1e-3
    # Variance 1/(3 n_in): a third of LeCun's, a sixth of He's.
    assert W_t.var() == pytest.approx(1 / (3 * n_in), rel=0.02)
    assert W.var() == pytest.approx(W_t.var(), rel=0.02)
    assert W.var() == pytest.approx(init.he_normal(n_in, n_out, np.random.default_rng(0)).var() / 6,
                                    rel=0.02)


@pytest.mark.parametrize("name", ["lecun", "xavier", "xavier_uniform", "he", "he_uniform",
                                  "orthogonal"])
def test_linear_init_names_call_the_functions(name):
    layer = Linear(30, 20, seed=4, init=name)
    expected = init.INITIALIZERS[name](30, 20, np.random.default_rng(4))
    np.testing.assert_array_equal(layer.params["W"], expected)
    np.testing.assert_array_equal(layer.params["b"], np.zeros(20))
    expected_repr = "Linear(30, 20)" if name == "lecun" else f"Linear(30, 20, init={name!r})"
    assert repr(layer) == expected_repr


def test_linear_zeros_and_callable_inits():
    zeros = Linear(5, 3, init="zeros")
    assert not zeros.params["W"].any()
    assert not zeros.params["b"].any()
    half_he = partial(init.he_normal, gain=0.5)
    layer = Linear(30, 20, seed=2, init=half_he)
    np.testing.assert_array_equal(
        layer.params["W"], init.he_normal(30, 20, np.random.default_rng(2), gain=0.5)
    )
    assert repr(layer) == "Linear(30, 20, init=partial)"

    def constant(n_in, n_out, rng):
        return np.full((n_in, n_out), 0.1)

    const = np.full((4, 2), 0.1)
    layer = Linear(4, 2, init=constant)
    np.testing.assert_array_equal(layer.params["W"], const)
    layer.params["W"][0, 0] = 5.0  # the layer owns its array
    assert constant(4, 2, None)[0, 0] == 0.1


def mlp_for_lsuv(seed=0, init_name="orthogonal"):
    return Sequential(
        Linear(64, 100, seed=seed, init=init_name), Tanh(),
        Linear(100, 100, seed=seed + 1, init=init_name), ReLU(),
        Linear(100, 10, seed=seed + 2, init=init_name),
    )


@pytest.mark.parametrize("init_name", ["orthogonal", "lecun", "zeros_bias"])
def test_lsuv_reaches_unit_variance(init_name):
    X = 8.0 * np.random.default_rng(0).random((256, 64))  # raw-pixel-like: positive, large
    model = mlp_for_lsuv(init_name="lecun" if init_name == "zeros_bias" else init_name)
    if init_name == "zeros_bias":  # nonzero biases need more than one rescaling
        for layer in model.layers[::2]:
            layer.params["b"][...] = 0.5
    W0 = model.params["0.W"]
    before = W0.copy()
    variances = init.lsuv(model, X, tol=0.05)
    assert len(variances) == 3
    assert model.params["0.W"] is W0  # rescaled in place
    assert not np.allclose(W0, before)
    # Each Linear's output variance on X, recomputed from scratch.
    h = X
    for i, layer in enumerate(model.layers):
        h = layer.forward(h)
        if isinstance(layer, Linear):
            assert np.var(h) == pytest.approx(variances[i // 2], rel=1e-12)
            assert abs(np.var(h) - 1.0) <= 0.05
    # Rescaled, not redrawn: the direction of each W is unchanged.
    ratio = W0 / before
    np.testing.assert_allclose(ratio, ratio.flat[0], rtol=1e-12)


def test_lsuv_leaves_modes_and_running_statistics_alone():
    model = Sequential(Linear(8, 16, seed=0), BatchNorm(16), ReLU(), Linear(16, 4, seed=1))
    model.layers[1].eval()
    X = np.random.default_rng(1).standard_normal((50, 8))
    init.lsuv(model, X)
    assert model.training
    assert [layer.training for layer in model.layers] == [True, False, True, True]
    np.testing.assert_array_equal(model.layers[1].running_mean, np.zeros(16))
    np.testing.assert_array_equal(model.layers[1].running_var, np.ones(16))


def test_lsuv_rejects_what_it_cannot_rescale():
    X = np.random.default_rng(0).standard_normal((20, 3))
    with pytest.raises(ValueError, match=r"layer 0 \(Linear\(3, 2, init='zeros'\)\) has output "
                                         r"variance 0"):
        init.lsuv(Sequential(Linear(3, 2, init="zeros")), X)
    with pytest.raises(ValueError, match=r"model must be a lib\.nn\.Sequential, got Linear"):
        init.lsuv(Linear(3, 2), X)
    with pytest.raises(ValueError, match="model must contain a Linear layer"):
        init.lsuv(Sequential(ReLU()), X)
    with pytest.raises(ValueError, match="X must have at least 2 rows"):
        init.lsuv(Sequential(Linear(3, 2)), X[:1])
    with pytest.raises(ValueError, match=r"tol must be > 0\.0"):
        init.lsuv(Sequential(Linear(3, 2)), X, tol=0)
    with pytest.raises(ValueError, match="max_iter must be >= 1"):
        init.lsuv(Sequential(Linear(3, 2)), X, max_iter=0)
    with pytest.raises(ValueError, match=r"x must have shape \(any, 3\), got \(20, 4\)"):
        init.lsuv(Sequential(Linear(3, 2)), np.ones((20, 4)))
    # A bias far larger than the weights' part: one rescaling of W cannot reach variance 1.
    model = Sequential(Linear(3, 2, seed=0))
    model.layers[0].params["b"][...] = [-10.0, 10.0]
    with pytest.raises(ValueError, match=r"variance 100 after max_iter=3 rescalings, expected "
                                         r"1 ± 0.1"):
        init.lsuv(model, X, max_iter=3)


@pytest.mark.parametrize("fn", [init.lecun_normal, init.xavier_normal, init.xavier_uniform,
                                init.he_normal, init.he_uniform, init.orthogonal,
                                init.torch_uniform])
def test_initializers_reject_bad_arguments(fn):
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match=r"gain must be > 0\.0, got 0\.0"):
        fn(3, 2, rng, gain=0.0)
    with pytest.raises(ValueError, match=r"gain must be > 0\.0, got -1\.0"):
        fn(3, 2, rng, gain=-1.0)
    with pytest.raises(ValueError, match="gain must be a real number"):
        fn(3, 2, rng, gain="1")
    with pytest.raises(ValueError, match="n_in must be >= 1, got 0"):
        fn(0, 2, rng)
    with pytest.raises(ValueError, match="n_out must be an integer"):
        fn(3, 2.0, rng)
    with pytest.raises(ValueError, match=r"rng must be a numpy.random.Generator .*, got int 0"):
        fn(3, 2, 0)


def test_linear_rejects_unknown_inits():
    with pytest.raises(ValueError, match=r"init must be one of \['lecun', .*'zeros'\] or a "
                                         r"callable .*, got str 'kaiming'"):
        Linear(3, 2, init="kaiming")
    with pytest.raises(ValueError, match=r"init must be one of .*, got NoneType None"):
        Linear(3, 2, init=None)
    with pytest.raises(ValueError, match=r"init\(n_in, n_out, rng\) must have shape \(3, 2\), "
                                         r"got \(2, 3\)"):
        Linear(3, 2, init=lambda n_in, n_out, rng: np.ones((n_out, n_in)))
    with pytest.raises(ValueError, match=r"init\(n_in, n_out, rng\) must be finite"):
        Linear(3, 2, init=lambda n_in, n_out, rng: np.full((n_in, n_out), np.nan))
