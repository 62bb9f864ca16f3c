"""lib.second_order (and lib.landscapes.ExtendedRosenbrock, which Part VI adds): every method
against scipy.optimize on Rosenbrock (2-D and 10-D), a convex quadratic and the canyon;
linear CG against numpy.linalg.solve and scipy.sparse.linalg.cg; properties the theory
promises (one Newton step on a quadratic, quadratic convergence, conjugacy, the secant
condition, y @ s > 0 under Wolfe, the two-loop recursion); the failures the chapters show;
bad input.

Run with -s to see the comparison rows (iterations, nfev, ngev beside SciPy's)."""

import numpy as np
import pytest
import scipy.linalg
import scipy.optimize
import scipy.sparse
import scipy.sparse.linalg

from lib.landscapes import Canyon, ExtendedRosenbrock, Himmelblau, Quadratic, Rosenbrock, Saddle
from lib.second_order import bfgs, conjugate_gradient, lbfgs, newton, nonlinear_cg


class Counted:
    """f, grad and hess with counters of our own, to check the library's nfev, ngev, nhev."""

    def __init__(self, f, grad, hess=None):
        self._f, self._g, self._h = f, grad, hess
        self.nf = self.ng = self.nh = 0

    def f(self, x):
        self.nf += 1
        return self._f(x)

    def grad(self, x):
        self.ng += 1
        return self._g(x)

    def hess(self, x):
        self.nh += 1
        return self._h(x)


class QuadraticND:
    r"""The convex quadratic :math:`\frac12 (\theta - c)^\top A (\theta - c)` in n dimensions,
    curvatures log-spaced from 1 to `condition`, axes turned by a random rotation."""

    def __init__(self, n=20, condition=100.0, seed=0):
        rng = np.random.default_rng(seed)
        Q, _ = np.linalg.qr(rng.standard_normal((n, n)))
        A = Q @ np.diag(np.logspace(0, np.log10(condition), n)) @ Q.T
        self.A = (A + A.T) / 2
        self.c = rng.standard_normal(n)
        self.start = np.zeros(n)
        self.minima = self.c[None, :]

    def __call__(self, x):
        r = x - self.c
        return 0.5 * float(r @ self.A @ r)

    def grad(self, x):
        return self.A @ (x - self.c)

    def hessian(self, x):
        return self.A.copy()

    def __repr__(self):
        return f"QuadraticND(n={self.c.size})"


def _problems():
    R, E, C = Rosenbrock(), ExtendedRosenbrock(10), Canyon()
    return {
        "Rosenbrock 2-D": (R, np.array([-1.2, 1.0]), R.minima[0]),
        "extended Rosenbrock n=10": (E, E.start, E.minima[0]),
        "quadratic n=20": (QuadraticND(), np.zeros(20), QuadraticND().c),
        "canyon": (C, np.array(C.start), C.minima[0]),
    }


PROBLEMS = _problems()
SCIPY_METHOD = {"newton": "trust-exact", "nonlinear_cg": "CG", "bfgs": "BFGS", "lbfgs": "L-BFGS-B"}


def run_ours(fn, L, x0, **kw):
    if fn.__name__ == "newton":
        return fn(L, L.grad, L.hessian, x0, **kw)
    return fn(L, L.grad, x0, **kw)


def run_scipy(method, L, x0, gtol):
    options = {"gtol": gtol}
    if method == "L-BFGS-B":
        options["ftol"] = 0.0  # L-BFGS-B's test on the decrease of f off: both stop on ||g||
    kw = {"hess": L.hessian} if method == "trust-exact" else {}
    return scipy.optimize.minimize(lambda x: float(L(x)), x0, jac=L.grad, method=method,
                                   options=options, **kw)


def compare_with_scipy(fn, name, **kw):
    """Counts at the default gtol no worse than 1.5 x SciPy's; the same minimizer to 1e-6
    when both run to gtol = 1e-7 (at 1e-5 the iterates may still differ by about 1e-5)."""
    L, x0, x_star = PROBLEMS[name]
    method = SCIPY_METHOD[fn.__name__]
    ours, ref = run_ours(fn, L, x0, **kw), run_scipy(method, L, x0, 1e-5)
    row = (f"{fn.__name__:13s} {name:25s} nit {ours.nit:4d} vs {ref.nit:4d}   "
           f"nfev {ours.nfev:4d} vs {ref.nfev:4d}   ngev {ours.ngev:4d} vs {ref.njev:4d}"
           f"   (ours vs SciPy {method})")
    print("\n" + row)
    assert ours.success, ours.message
    assert ref.success, ref.message
    assert ours.nit <= 1.5 * ref.nit, row
    assert ours.nfev <= 1.5 * ref.nfev, row
    assert ours.ngev <= 1.5 * ref.njev, row
    tight, ref_tight = run_ours(fn, L, x0, gtol=1e-7, **kw), run_scipy(method, L, x0, 1e-7)
    assert tight.success, tight.message
    np.testing.assert_allclose(tight.x, ref_tight.x, rtol=0, atol=1e-6, err_msg=row)
    np.testing.assert_allclose(tight.x, x_star, rtol=0, atol=1e-6, err_msg=row)


def check_wolfe_path(L, res, c1=1e-4, c2=0.9):
    """Every accepted step of a run satisfies the strong Wolfe conditions (recomputed)."""
    P = res.path
    G = np.array([L.grad(p) for p in P])
    F = np.array([float(L(p)) for p in P])
    S = np.diff(P, axis=0)
    slope0 = np.sum(G[:-1] * S, axis=1)  # eta * g_t @ d_t
    slope1 = np.sum(G[1:] * S, axis=1)
    assert np.all(slope0 < 0), "a step that is not a descent step"
    assert np.all(F[1:] <= F[:-1] + c1 * slope0), "Armijo fails"
    assert np.all(np.abs(slope1) <= c2 * np.abs(slope0) * (1 + 1e-12)), "curvature fails"


# lib.landscapes.ExtendedRosenbrock -----------------------------------------------------


@pytest.mark.parametrize("n", [2, 3, 7, 50])
def test_extended_rosenbrock_chained_is_scipy_rosen(n):
    E = ExtendedRosenbrock(n, chained=True)
    rng = np.random.default_rng(n)
    for _ in range(3):
        x = rng.uniform(-2, 2, n)
        assert E(x) == pytest.approx(scipy.optimize.rosen(x), rel=1e-14)
        np.testing.assert_allclose(E.grad(x), scipy.optimize.rosen_der(x), rtol=1e-13, atol=1e-12)
        np.testing.assert_allclose(E.hessian(x), scipy.optimize.rosen_hess(x), rtol=1e-13,
                                   atol=1e-12)


def test_extended_rosenbrock_pairs_are_uncoupled_rosenbrocks():
    E, R = ExtendedRosenbrock(6, a=2.0, b=10.0), Rosenbrock(a=2.0, b=10.0)
    x = np.random.default_rng(0).uniform(-2, 2, 6)
    pairs = [x[i:i + 2] for i in (0, 2, 4)]
    assert E(x) == pytest.approx(sum(R(p) for p in pairs), rel=1e-14)
    np.testing.assert_allclose(E.grad(x), np.concatenate([R.grad(p) for p in pairs]), rtol=1e-14)
    blocks = scipy.linalg.block_diag(*[R.hessian(p) for p in pairs])
    np.testing.assert_allclose(E.hessian(x), blocks, rtol=1e-14)
    np.testing.assert_array_equal(E.minima, [[2.0, 4.0, 2.0, 4.0, 2.0, 4.0]])
    assert E(E.minima[0]) == 0.0
    np.testing.assert_array_equal(E.start, [-1.2, 1.0, -1.2, 1.0, -1.2, 1.0])
    # vectorized over a stack of points, like the 2-D landscapes
    np.testing.assert_allclose(E(np.stack([x, E.minima[0]])), [E(x), 0.0])


def test_extended_rosenbrock_minima_and_the_chained_local_minimizer():
    E = ExtendedRosenbrock(10, chained=True)
    np.testing.assert_array_equal(E.minima, np.ones((1, 10)))
    assert len(ExtendedRosenbrock(4, a=2.0, chained=True).minima) == 0
    # the second, local minimizer of the chained form (n >= 4), near (-1, 1, ..., 1)
    x0 = np.ones(10)
    x0[0] = -1.0
    res = scipy.optimize.minimize(E, x0, jac=E.grad, method="BFGS", options={"gtol": 1e-10})
    assert res.x[0] < -0.99
    assert res.fun > 3.9
    assert np.linalg.eigvalsh(E.hessian(res.x)).min() > 0


def test_extended_rosenbrock_rejects_bad_input():
    with pytest.raises(ValueError, match="n must be even for uncoupled pairs"):
        ExtendedRosenbrock(5)
    with pytest.raises(ValueError, match="n must be >= 2"):
        ExtendedRosenbrock(1, chained=True)
    with pytest.raises(ValueError, match="chained must be True or False"):
        ExtendedRosenbrock(4, chained=1)
    E = ExtendedRosenbrock(4)
    with pytest.raises(ValueError, match=r"w must have shape \(4,\) or \(..., 4\), got \(3,\)"):
        E(np.ones(3))
    with pytest.raises(ValueError, match=r"w must have shape \(4,\), got \(2, 4\)"):
        E.grad(np.ones((2, 4)))
    with pytest.raises(ValueError, match="w must be finite"):
        E.hessian(np.array([1.0, np.nan, 0.0, 0.0]))


# Linear conjugate gradients ----------------------------------------------------------


def spd(n, condition, seed):
    rng = np.random.default_rng(seed)
    Q, _ = np.linalg.qr(rng.standard_normal((n, n)))
    A = Q @ np.diag(np.logspace(0, np.log10(condition), n)) @ Q.T
    return (A + A.T) / 2, rng.standard_normal(n)


def scipy_cg_iterations(A, b, tol, x0=None):
    count = [0]

    def callback(_):
        count[0] += 1

    x, info = scipy.sparse.linalg.cg(A, b, x0=x0, rtol=tol, atol=0.0, callback=callback)
    return x, info, count[0]


@pytest.mark.parametrize(("n", "condition"), [(10, 10.0), (50, 1e3), (200, 1e4)])
@pytest.mark.parametrize("tol", [1e-5, 1e-10])
def test_linear_cg_matches_scipy_and_solve(n, condition, tol):
    A, b = spd(n, condition, seed=n)
    res = conjugate_gradient(A, b, tol=tol)
    x_ref, info, nit_ref = scipy_cg_iterations(A, b, tol)
    print(f"\nconjugate_gradient n={n} kappa={condition:g} tol={tol:g}: nit {res.nit} vs "
          f"scipy.sparse.linalg.cg {nit_ref}")
    assert info == 0
    assert res.success
    assert res.nit == nit_ref
    np.testing.assert_allclose(res.x, x_ref, rtol=1e-12, atol=1e-12)
    exact = np.linalg.solve(A, b)
    # the residual test bounds the error by kappa * tol in relative terms
    assert np.linalg.norm(res.x - exact) <= 2 * condition * tol * np.linalg.norm(exact)
    assert np.linalg.norm(b - A @ res.x) < tol * np.linalg.norm(b)
    assert res.nmatvec == res.nit


def test_linear_cg_ends_in_at_most_n_steps_with_conjugate_directions():
    n = 12
    A, b = spd(n, 10.0, seed=1)
    res = conjugate_gradient(A, b, tol=1e-12)
    assert res.success
    assert res.nit <= n
    np.testing.assert_allclose(res.x, np.linalg.solve(A, b), rtol=1e-10)
    P = np.diff(res.path, axis=0)  # alpha_k p_k: the directions up to their step lengths
    M = P @ A @ P.T
    d = np.sqrt(np.diag(M))
    off = np.abs(M / np.outer(d, d) - np.eye(len(P)))
    assert off.max() < 1e-8  # p_i^T A p_j = 0 for i != j
    # the residuals are orthogonal too, and the recorded norms are b - A theta_k
    R = b - res.path @ A.T
    np.testing.assert_allclose(np.linalg.norm(R, axis=1), res.residuals, rtol=1e-8, atol=1e-13)
    G = R[:-1] @ R[:-1].T
    g = np.sqrt(np.diag(G))
    assert np.abs(G / np.outer(g, g) - np.eye(len(G))).max() < 1e-8
    np.testing.assert_allclose(res.grad, A @ res.x - b, atol=1e-12)
    assert res.fun == pytest.approx(0.5 * res.x @ A @ res.x - b @ res.x, rel=1e-12)


def test_linear_cg_error_within_the_sqrt_kappa_bound():
    A, b = spd(100, 1e3, seed=2)
    res = conjugate_gradient(A, b, tol=1e-12)
    exact = np.linalg.solve(A, b)
    E = res.path - exact
    err_A = np.sqrt(np.einsum("ki,ij,kj->k", E, A, E))
    kappa = np.linalg.cond(A)
    q = (np.sqrt(kappa) - 1) / (np.sqrt(kappa) + 1)
    k = np.arange(len(err_A))
    assert np.all(err_A <= 2 * q**k * err_A[0] * (1 + 1e-8) + 1e-12)
    # and much faster than steepest descent's (kappa - 1) / (kappa + 1) per step
    assert res.nit < 0.1 * np.log(1e-12) / np.log((kappa - 1) / (kappa + 1))


def test_linear_cg_operators_start_and_zero_right_hand_side():
    A, b = spd(30, 100.0, seed=3)
    exact = np.linalg.solve(A, b)
    for op in (scipy.sparse.linalg.aslinearoperator(A), scipy.sparse.csr_matrix(A), A.tolist()):
        res = conjugate_gradient(op, b, tol=1e-12)
        np.testing.assert_allclose(res.x, exact, rtol=1e-9)
    x0 = np.ones(30)
    res = conjugate_gradient(A, b, x0=x0, tol=1e-8)
    _, _, nit_ref = scipy_cg_iterations(A, b, 1e-8, x0=x0.copy())
    assert res.nit == nit_ref
    np.testing.assert_array_equal(res.path[0], x0)
    np.testing.assert_array_equal(x0, np.ones(30))  # not modified
    res = conjugate_gradient(A, np.zeros(30), x0=x0)
    assert res.nit == 0
    assert res.success
    np.testing.assert_array_equal(res.x, 0.0)
    res = conjugate_gradient(A, b, tol=1e-12, max_iter=5, keep_path=False)
    assert res.nit == 5
    assert not res.success
    assert res.path is None
    assert len(res.residuals) == 6


@pytest.mark.parametrize(
    ("A", "b", "match"),
    [
        (np.ones((3, 4)), np.ones(3), r"A must be a square 2-D array, got shape \(3, 4\)"),
        (np.ones(3), np.ones(3), r"A must be a square 2-D array, got shape \(3,\)"),
        (np.array([[2.0, 1.0], [0.0, 2.0]]), np.ones(2),
         r"A must be symmetric, got u @ \(A v\) - v @ \(A u\)"),
        (np.array([[2.0, np.nan], [np.nan, 2.0]]), np.ones(2), r"A must be finite"),
        (np.array([[np.inf, 0.0], [0.0, 2.0]]), np.ones(2), r"A must be finite"),
        (np.eye(2), np.ones(3), r"b must have shape \(2,\), got \(3,\)"),
        (np.eye(2), np.array([1.0, np.nan]), r"b must be finite"),
        (np.diag([1.0, -1.0]), np.ones(2), r"A must be positive definite, got p @ A @ p"),
        (np.array([["a", "b"], ["c", "d"]]), np.ones(2), r"A must be a real numeric array"),
        ("A", np.ones(2), r"A must be a square array or an operator with shape and @"),
        (scipy.sparse.csr_matrix(np.array([[2.0, 1.0], [0.0, 2.0]])), np.ones(2),
         r"A must be symmetric, got u @ \(A v\) - v @ \(A u\)"),
        (scipy.sparse.csr_matrix(np.ones((2, 3))), np.ones(2), r"A must be square"),
    ],
)
def test_linear_cg_rejects_bad_input(A, b, match):
    with pytest.raises(ValueError, match=match):
        conjugate_gradient(A, b)


def test_linear_cg_symmetry_probe():
    """Rounding-level asymmetry passes; one entry off by 1e-6 of the largest does not."""
    rng = np.random.default_rng(4)
    n = 300
    Q, _ = np.linalg.qr(rng.standard_normal((n, n)))
    A = Q @ np.diag(np.logspace(0, 3, n)) @ Q.T  # not symmetrized: asymmetric by rounding
    assert not np.array_equal(A, A.T)
    b = rng.standard_normal(n)
    assert conjugate_gradient(A, b).success
    B = (A + A.T) / 2
    B[3, 250] += 1e-6 * np.abs(B).max()
    with pytest.raises(ValueError, match="A must be symmetric"):
        conjugate_gradient(B, b)
    with pytest.raises(ValueError, match="so large that A @ v overflows"):
        conjugate_gradient(np.diag(np.full(10, 1.7e308)), np.ones(10))


def test_linear_cg_rejects_bad_settings():
    with pytest.raises(ValueError, match=r"tol must be >= 0\.0"):
        conjugate_gradient(np.eye(2), np.ones(2), tol=-1.0)
    with pytest.raises(ValueError, match="max_iter must be >= 0"):
        conjugate_gradient(np.eye(2), np.ones(2), max_iter=-1)
    with pytest.raises(ValueError, match=r"x0 must have shape \(2,\)"):
        conjugate_gradient(np.eye(2), np.ones(2), x0=np.ones(3))


# Newton -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(PROBLEMS))
def test_newton_matches_scipy_trust_exact(name):
    compare_with_scipy(newton, name)


def test_newton_one_step_on_a_quadratic():
    """The notes' Example 5-3: from (4, 2) one step lands on the minimizer (2, 1)."""
    J = Quadratic([[2.0, 0.0], [0.0, 8.0]], center=(2.0, 1.0))
    for kw in ({"line_search": None, "damping": 0.0}, {}):
        res = newton(J, J.grad, J.hessian, np.array([4.0, 2.0]), **kw)
        assert res.nit == 1
        assert res.success
        np.testing.assert_allclose(res.path, [[4.0, 2.0], [2.0, 1.0]], atol=1e-15)
    Q = QuadraticND(n=30, condition=1e6)
    res = newton(Q, Q.grad, Q.hessian, Q.start)
    assert res.nit == 1
    assert res.nfev == 2  # f(x0), then the unit step accepted at once
    np.testing.assert_allclose(res.x, Q.c, rtol=1e-8)


def test_newton_converges_quadratically():
    R = Rosenbrock()
    res = newton(R, R.grad, R.hessian, np.array([-1.2, 1.0]), gtol=1e-12)
    err = np.linalg.norm(res.path - R.minima[0], axis=1)
    near = np.flatnonzero((err[:-1] < 1e-2) & (err[1:] > 0))
    assert len(near) >= 3
    # e_{t+1} <= C e_t^2: the number of correct digits about doubles at every step
    assert np.all(err[near + 1] <= 100 * err[near] ** 2)


def sqrt1p():
    """f = sqrt(1 + theta^2): convex, and the pure Newton step is theta -> -theta^3."""
    return (lambda x: float(np.sqrt(1 + x[0] ** 2)), lambda x: x / np.sqrt(1 + x * x),
            lambda x: np.array([[(1 + x[0] ** 2) ** -1.5]]))


def test_pure_newton_diverges_on_sqrt_1_plus_x2_beyond_1():
    f, g, h = sqrt1p()
    for x0, converges in ((0.5, True), (0.99, True), (1.01, False), (1.1, False)):
        res = newton(f, g, h, np.array([x0]), line_search=None, damping=0.0, max_iter=200)
        x = res.path[:, 0]
        np.testing.assert_allclose(x[1:], -x[:-1] ** 3, rtol=1e-9, atol=1e-15)
        assert res.success == converges
        if not converges:
            assert "Diverged" in res.message
            assert np.all(np.isfinite(res.path))
        safe = newton(f, g, h, np.array([x0]))  # the line search tames it
        assert safe.success
        assert abs(safe.x[0]) < 1e-5
    assert newton(f, g, h, np.array([50.0])).success


def test_pure_newton_is_attracted_to_saddles_and_maxima():
    S = Saddle()
    res = newton(S, S.grad, S.hessian, np.array([1.0, 0.3]), line_search=None, damping=0.0)
    assert res.nit == 1
    assert res.success  # the gradient vanishes: the stopping rule cannot tell
    np.testing.assert_allclose(res.x, 0.0, atol=1e-15)
    eig = np.linalg.eigvalsh(S.hessian(res.x))
    assert eig[0] < 0 < eig[1]
    H = Himmelblau()  # a local maximum near (-0.2708, -0.9230)
    x0 = np.array([0.03, -0.62])
    pure = newton(H, H.grad, H.hessian, x0, line_search=None, damping=0.0)
    assert pure.success
    assert np.all(np.linalg.eigvalsh(H.hessian(pure.x)) < 0)  # a maximum
    assert pure.fun > H(x0)
    safe = newton(H, H.grad, H.hessian, x0)  # damping "auto" and a line search
    assert safe.success
    assert safe.shifts[0] > 0
    assert np.min(np.abs(H.minima - safe.x).max(axis=1)) < 1e-6
    # a line search alone cannot help an uphill direction: the run stops and says why
    stuck = newton(H, H.grad, H.hessian, x0, damping=0.0)
    assert not stuck.success
    assert "not a descent direction" in stuck.message


def test_newton_damping():
    R = Rosenbrock()
    x0 = np.array([0.0, 1.0])  # H = diag(-398, 200): indefinite
    H, g = R.hessian(x0), R.grad(x0)
    for lam in (0.0, 1.0, 500.0):
        res = newton(R, R.grad, R.hessian, x0, line_search=None, damping=lam, max_iter=1)
        np.testing.assert_allclose(res.path[1] - x0, -np.linalg.solve(H + lam * np.eye(2), g),
                                   rtol=1e-12)
        np.testing.assert_array_equal(res.shifts, [lam])
    res = newton(R, R.grad, R.hessian, x0, line_search=None, max_iter=1)
    tau = res.shifts[0]
    assert tau > 398  # H + tau I positive definite, the first of N&W's Algorithm 3.3 sequence
    assert np.linalg.eigvalsh(H + tau * np.eye(2)).min() > 0
    assert (res.path[1] - x0) @ g < 0
    # singular Hessian: the pure step does not exist; the shifted one does
    f = lambda x: float(x[0] ** 4 + x[1] ** 2)  # noqa: E731
    gr = lambda x: np.array([4 * x[0] ** 3, 2 * x[1]])  # noqa: E731
    he = lambda x: np.diag([12 * x[0] ** 2, 2.0])  # noqa: E731
    res = newton(f, gr, he, np.array([0.0, 1.0]), line_search=None, damping=0.0)
    assert not res.success
    assert "singular" in res.message
    assert newton(f, gr, he, np.array([0.0, 1.0])).success


def test_newton_with_backtracking_and_wolfe():
    R = Rosenbrock()
    for ls in ("backtracking", "wolfe"):
        res = newton(R, R.grad, R.hessian, np.array([-1.2, 1.0]), line_search=ls)
        assert res.success
        np.testing.assert_allclose(res.x, 1.0, atol=1e-6)
    check_wolfe_path(R, newton(R, R.grad, R.hessian, np.array([-1.2, 1.0])))


# Nonlinear conjugate gradients -------------------------------------------------------


@pytest.mark.parametrize("name", list(PROBLEMS))
def test_nonlinear_cg_matches_scipy_cg(name):
    compare_with_scipy(nonlinear_cg, name)


@pytest.mark.parametrize("beta", ["FR", "PR", "PR+"])
@pytest.mark.parametrize("name", list(PROBLEMS))
def test_nonlinear_cg_every_beta_converges_with_wolfe_steps(beta, name):
    L, x0, x_star = PROBLEMS[name]
    res = nonlinear_cg(L, L.grad, x0, beta=beta, gtol=1e-7)
    assert res.success, res.message
    np.testing.assert_allclose(res.x, x_star, atol=1e-6)
    check_wolfe_path(L, res, c2=0.1)


@pytest.mark.parametrize("beta", ["FR", "PR", "PR+"])
def test_nonlinear_cg_is_linear_cg_on_a_quadratic(beta):
    """With (nearly) exact line searches and no restarts, FR, PR and PR+ all reproduce the
    iterates of linear CG on a convex quadratic."""
    Q = QuadraticND()
    lin = conjugate_gradient(Q.A, Q.A @ Q.c, tol=1e-14)
    res = nonlinear_cg(Q, Q.grad, Q.start, beta=beta, c1=1e-9, c2=1e-6, restart_every=1000,
                       gtol=1e-12)
    k = 12
    scale = np.abs(lin.path[:k]).max()
    np.testing.assert_allclose(res.path[:k], lin.path[:k], rtol=0, atol=1e-9 * scale)
    assert res.restarts == 0


def test_nonlinear_cg_restarts():
    Q = QuadraticND()
    # restart_every=1 is steepest descent with a line search: every step along -g
    res = nonlinear_cg(Q, Q.grad, Q.start, restart_every=1, max_iter=30)
    S = np.diff(res.path, axis=0)
    G = np.array([Q.grad(p) for p in res.path[:-1]])
    cos = -np.sum(S * G, axis=1) / (np.linalg.norm(S, axis=1) * np.linalg.norm(G, axis=1))
    np.testing.assert_allclose(cos, 1.0, atol=1e-12)
    assert res.restarts == res.nit
    # FR with c2 < 1/2 only restarts on schedule: every n = 20 updates
    R = ExtendedRosenbrock(20)
    res = nonlinear_cg(R, R.grad, R.start, beta="FR")
    assert res.success
    assert res.restarts == res.nit // 20
    res = nonlinear_cg(R, R.grad, R.start, beta="FR", restart_every=7)
    assert res.restarts >= res.nit // 7


# BFGS --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(PROBLEMS))
def test_bfgs_matches_scipy_bfgs(name):
    compare_with_scipy(bfgs, name)


def test_bfgs_default_initial_matrix_is_scipys_on_the_quadratic():
    """The default B_0^-1 = I is SciPy's: on the n = 20 quadratic (where the scaled start of
    N&W 6.20 used to cost 2.5 x SciPy's iterations) the counts are SciPy's own, and the
    iterates are those of an explicit hess_inv0=I."""
    L, x0, _ = PROBLEMS["quadratic n=20"]
    ours, ref = bfgs(L, L.grad, x0), run_scipy("BFGS", L, x0, 1e-5)
    print(f"\nquadratic n=20: lib bfgs nit {ours.nit} nfev {ours.nfev} ngev {ours.ngev}; "
          f"SciPy BFGS nit {ref.nit} nfev {ref.nfev} njev {ref.njev}")
    assert ours.nit <= 1.5 * ref.nit
    assert ours.nfev <= 1.5 * ref.nfev
    assert ours.ngev <= 1.5 * ref.njev
    explicit = bfgs(L, L.grad, x0, hess_inv0=np.eye(20))
    np.testing.assert_array_equal(ours.path, explicit.path)


def test_bfgs_initial_scaling_is_a_trade_off():
    """Scaling B_0^-1 by y.s / y.y (N&W 6.20, hess_inv0="scaled") undershoots the inverse
    Hessian in the flat directions of a quadratic whose curvatures run from 1 to 100, and
    costs iterations there; on Rosenbrock in 100 dimensions it saves most of them."""
    Q = QuadraticND()
    scaled, unit = bfgs(Q, Q.grad, Q.start, hess_inv0="scaled"), bfgs(Q, Q.grad, Q.start)
    ref = run_scipy("BFGS", Q, Q.start, 1e-5)
    print(f"\nquadratic n=20: nit {scaled.nit} scaled, {unit.nit} with B_0^-1 = I, "
          f"{ref.nit} SciPy BFGS")
    assert scaled.success
    assert scaled.nit > 1.5 * unit.nit
    E = ExtendedRosenbrock(100)
    scaled, unit = bfgs(E, E.grad, E.start, hess_inv0="scaled"), bfgs(E, E.grad, E.start)
    ref = run_scipy("BFGS", E, E.start, 1e-5)
    print(f"extended Rosenbrock n=100: nit {scaled.nit} scaled, {unit.nit} with B_0^-1 = I, "
          f"{ref.nit} SciPy BFGS")
    assert scaled.success
    assert unit.success
    assert scaled.nit < 0.5 * unit.nit
    assert unit.nit <= 1.5 * ref.nit


def test_bfgs_scaled_start_is_invariant_to_the_scale_of_the_loss():
    """With (6.20) the iterates of c L are those of L and B_t^-1 is divided by c (when the
    first trial step, min(1, 1.01 / |g_0|) along -g_0, is not capped at 1); with B_0^-1 = I
    they are not."""
    Q = QuadraticND(n=8, condition=30.0)

    class Times:
        def __init__(self, c):
            self.c = c

        def __call__(self, x):
            return self.c * Q(x)

        def grad(self, x):
            return self.c * Q.grad(x)

    assert np.linalg.norm(Q.grad(Q.start)) > 1.01  # so that c >= 1 leaves the cap inactive
    base = bfgs(Q, Q.grad, Q.start, hess_inv0="scaled", max_iter=6)
    unit_base = bfgs(Q, Q.grad, Q.start, max_iter=6)
    for c in (3.0, 1e2):
        L = Times(c)
        scaled = bfgs(L, L.grad, Q.start, hess_inv0="scaled", max_iter=6)
        np.testing.assert_allclose(scaled.path, base.path, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(c * scaled.hess_inv, base.hess_inv, rtol=1e-8, atol=1e-12)
        unit = bfgs(L, L.grad, Q.start, max_iter=6)
        assert np.abs(unit.path[2:] - unit_base.path[2:]).max() > 1e-3


def secant_pairs(L, res):
    G = np.array([L.grad(p) for p in res.path])
    return np.diff(res.path, axis=0), np.diff(G, axis=0)


@pytest.mark.parametrize("name", list(PROBLEMS))
def test_bfgs_curvature_positive_under_wolfe(name):
    L, x0, _ = PROBLEMS[name]
    res = bfgs(L, L.grad, x0)
    S, Y = secant_pairs(L, res)
    assert np.all(np.sum(S * Y, axis=1) > 0)  # y_t @ s_t > 0 at every accepted step
    assert res.skipped_updates == 0
    check_wolfe_path(L, res)
    np.testing.assert_allclose(res.hess_inv, res.hess_inv.T, rtol=1e-12, atol=1e-14)
    assert np.linalg.eigvalsh(res.hess_inv).min() > 0


def test_bfgs_without_wolfe_meets_negative_curvature():
    """With Armijo backtracking only, some pairs have y @ s <= 0 (the update would break
    positive definiteness): they are skipped, and counted."""
    R = Rosenbrock()
    res = bfgs(R, R.grad, np.array([2.0, -1.0]), line_search="backtracking")
    S, Y = secant_pairs(R, res)
    ys = np.sum(S * Y, axis=1)
    bad = ys <= 1e-10 * np.linalg.norm(S, axis=1) * np.linalg.norm(Y, axis=1)
    assert np.any(ys < 0)
    assert res.skipped_updates == bad.sum()
    assert res.success


def test_bfgs_secant_condition_and_update_formula():
    R = ExtendedRosenbrock(6)
    for t in (1, 2, 5, 9):
        res = bfgs(R, R.grad, R.start, max_iter=t)
        S, Y = secant_pairs(R, res)
        s, y = S[-1], Y[-1]
        np.testing.assert_allclose(res.hess_inv @ y, s, rtol=1e-10, atol=1e-14)  # B^-1 y = s
    # the O(n^2) update is the textbook (6.17)
    prev = bfgs(R, R.grad, R.start, max_iter=4)
    nxt = bfgs(R, R.grad, R.start, max_iter=5)
    S, Y = secant_pairs(R, nxt)
    s, y = S[-1], Y[-1]
    rho = 1.0 / (y @ s)
    Id = np.eye(6)
    textbook = (Id - rho * np.outer(s, y)) @ prev.hess_inv @ (Id - rho * np.outer(y, s)) \
        + rho * np.outer(s, s)
    np.testing.assert_allclose(nxt.hess_inv, textbook, rtol=1e-10)


def test_bfgs_inverse_approaches_the_true_inverse_hessian():
    """On a quadratic, measured: with (near-)exact line searches BFGS ends after n steps, and
    the n-th update, which the run skips because the gradient test has already stopped it,
    makes B_n^-1 = H^-1 (the finite-termination theorem); with the default c2 = 0.9 B_t^-1
    approaches H^-1."""
    Q = QuadraticND(n=6, condition=10.0)
    true = np.linalg.inv(Q.A)

    def rel(M):
        return np.linalg.norm(M - true) / np.linalg.norm(true)

    def errors(**kw):
        out = []
        for t in range(0, 40):
            res = bfgs(Q, Q.grad, Q.start, max_iter=t, gtol=1e-12, **kw)
            out.append(rel(res.hess_inv))
            if res.nit < t:
                break
        return np.array(out), res

    exact, res = errors(c1=1e-9, c2=1e-6)
    print("\n||B_t^-1 - H^-1|| / ||H^-1||, c2 = 1e-6:", np.round(exact, 3))
    assert res.success
    assert res.nit == 6
    S, Y = secant_pairs(Q, res)
    s, y = S[-1], Y[-1]
    rho = 1.0 / (y @ s)
    V = np.eye(6) - rho * np.outer(y, s)
    last = V.T @ res.hess_inv @ V + rho * np.outer(s, s)
    print("after the n-th update:", f"{rel(last):.1e}")
    assert rel(last) < 1e-8
    assert exact[5] > 0.1  # before it, not yet
    loose, _ = errors()
    print("||B_t^-1 - H^-1|| / ||H^-1||, c2 = 0.9:", np.round(loose, 3))
    assert loose[-1] < 0.2 * loose[0]
    assert loose[-1] < 0.15


# L-BFGS ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(PROBLEMS))
def test_lbfgs_matches_scipy_lbfgsb(name):
    compare_with_scipy(lbfgs, name)


@pytest.mark.parametrize("m", [1, 3, 10])
def test_lbfgs_two_loop_is_bfgs_from_gamma_i_over_the_last_m_pairs(m):
    """The direction the two-loop recursion returns is -H g with H built explicitly: start
    from gamma_t I (7.20) and apply the BFGS update (6.17) for the last m pairs."""
    E = ExtendedRosenbrock(8, chained=True)
    res = lbfgs(E, E.grad, np.full(8, 0.5), m=m, max_iter=25)
    assert res.skipped_updates == 0
    S, Y = secant_pairs(E, res)
    for t in range(1, res.nit):
        s_last, y_last = S[t - 1], Y[t - 1]
        H = (s_last @ y_last) / (y_last @ y_last) * np.eye(8)
        for s, y in zip(S[max(0, t - m):t], Y[max(0, t - m):t], strict=True):
            rho = 1.0 / (y @ s)
            V = np.eye(8) - rho * np.outer(y, s)
            H = V.T @ H @ V + rho * np.outer(s, s)
        d = -H @ E.grad(res.path[t])
        step = S[t]
        cos = step @ d / (np.linalg.norm(step) * np.linalg.norm(d))
        assert cos > 1 - 1e-10, (t, cos)


def test_lbfgs_memory_helps():
    E = ExtendedRosenbrock(100, chained=True)
    x0 = np.full(100, 0.5)
    runs = {m: lbfgs(E, E.grad, x0, m=m) for m in (1, 3, 10)}
    assert all(r.success for r in runs.values())
    assert runs[10].nit < runs[3].nit < runs[1].nit
    for r in runs.values():
        check_wolfe_path(E, r)


# Shared behaviour ---------------------------------------------------------------------


def all_methods(L, x0, **kw):
    return {
        "newton": newton(L, L.grad, L.hessian, x0, **kw),
        "nonlinear_cg": nonlinear_cg(L, L.grad, x0, **kw),
        "bfgs": bfgs(L, L.grad, x0, **kw),
        "lbfgs": lbfgs(L, L.grad, x0, **kw),
    }


def test_results_carry_the_path_and_consistent_values():
    R = Rosenbrock()
    x0 = np.array([-1.2, 1.0])
    keep = x0.copy()
    for name, res in all_methods(R, x0).items():
        assert {"x", "fun", "grad", "nit", "nfev", "ngev", "success", "message", "path",
                "fun_path"} <= set(res), name
        assert res.path.shape == (res.nit + 1, 2)
        np.testing.assert_array_equal(res.path[0], x0)
        np.testing.assert_array_equal(res.path[-1], res.x)
        np.testing.assert_allclose(res.fun_path, [R(p) for p in res.path], rtol=1e-15)
        assert res.fun == R(res.x)
        np.testing.assert_array_equal(res.grad, R.grad(res.x))
        assert res["x"] is res.x
        assert "nit" in repr(res)
    np.testing.assert_array_equal(x0, keep)  # x0 not modified
    for res in all_methods(R, x0, keep_path=False).values():
        assert res.path is None
        assert len(res.fun_path) == res.nit + 1


def test_counts_are_the_calls_made():
    R = Rosenbrock()
    x0 = np.array([-1.2, 1.0])
    for ls in ("wolfe", "backtracking", None):
        p = Counted(R, R.grad, R.hessian)
        res = newton(p.f, p.grad, p.hess, x0, line_search=ls, max_iter=50)
        assert (res.nfev, res.ngev, res.nhev) == (p.nf, p.ng, p.nh)
        assert res.nhev == res.nit + (0 if res.success or ls is None else 1)
    for fn in (nonlinear_cg, bfgs, lbfgs):
        p = Counted(R, R.grad)
        res = fn(p.f, p.grad, x0)
        assert (res.nfev, res.ngev) == (p.nf, p.ng), fn.__name__
    p = Counted(R, R.grad)
    res = bfgs(p.f, p.grad, x0, line_search="backtracking")
    assert (res.nfev, res.ngev) == (p.nf, p.ng)


def test_max_iter_and_immediate_success():
    R = Rosenbrock()
    for res in all_methods(R, np.array([-1.2, 1.0]), max_iter=3).values():
        assert res.nit == 3
        assert not res.success
        assert "Maximum number of iterations" in res.message
    for res in all_methods(R, np.array([1.0, 1.0])).values():  # already at the minimum
        assert res.nit == 0
        assert res.success
    for res in all_methods(R, np.array([-1.2, 1.0]), max_iter=0).values():
        assert res.nit == 0
        assert not res.success


# Bad input ---------------------------------------------------------------------------

R2 = Rosenbrock()
METHODS = {
    "newton": lambda f, g, x0, **kw: newton(f, g, R2.hessian, x0, **kw),
    "nonlinear_cg": nonlinear_cg,
    "bfgs": bfgs,
    "lbfgs": lbfgs,
}


@pytest.mark.parametrize("method", list(METHODS))
@pytest.mark.parametrize(
    ("args", "match"),
    [
        ({"x0": np.ones((2, 1))}, r"x0 must be a non-empty 1-D array, got shape \(2, 1\)"),
        ({"x0": np.array(1.0)}, r"x0 must be a non-empty 1-D array, got shape \(\)"),
        ({"x0": np.array([np.nan, 1.0])}, r"x0 must be finite, got 1 NaN or infinite"),
        ({"x0": "ab"}, r"x0 must be a numeric array"),
        ({"x0": None}, r"x0 must be a numeric array"),
        ({"g": lambda x: np.ones(3)}, r"grad must return an array of shape \(2,\), got \(3,\)"),
        ({"g": lambda x: np.array([np.inf, 0.0])}, r"grad must return finite values"),
        ({"g": lambda x: "no"}, r"grad must return a float array of shape \(2,\)"),
        ({"f": lambda x: np.ones(2)}, r"f must return a real scalar"),
        ({"f": lambda x: np.inf}, r"f must be finite at x0"),
        ({"f": "f"}, r"f must be callable"),
        ({"g": None}, r"grad must be callable"),
        ({"gtol": -1.0}, r"gtol must be >= 0.0"),
        ({"max_iter": -1}, r"max_iter must be >= 0"),
        ({"max_iter": 2.5}, r"max_iter must be an integer"),
        ({"keep_path": "yes"}, r"keep_path must be True or False"),
        ({"c1": 0.5, "c2": 0.1}, r"c1 and c2 must satisfy 0 < c1 < c2 < 1, got c1=0.5, c2=0.1"),
        ({"c1": 0.0}, r"c1 and c2 must satisfy 0 < c1 < c2 < 1"),
        ({"c2": 1.0}, r"c1 and c2 must satisfy 0 < c1 < c2 < 1"),
    ],
)
def test_optimizers_reject_bad_input(method, args, match):
    kw = {"f": R2, "g": R2.grad, "x0": np.array([-1.2, 1.0])} | args
    f, g, x0 = kw.pop("f"), kw.pop("g"), kw.pop("x0")
    with pytest.raises(ValueError, match=match):
        METHODS[method](f, g, x0, **kw)


def test_method_specific_bad_input():
    x0 = np.array([-1.2, 1.0])
    with pytest.raises(ValueError, match=r"m must be >= 1, got 0"):
        lbfgs(R2, R2.grad, x0, m=0)
    with pytest.raises(ValueError, match=r"m must be an integer"):
        lbfgs(R2, R2.grad, x0, m=2.0)
    with pytest.raises(ValueError, match=r"beta must be one of \['FR', 'PR', 'PR\+'\], got 'HS'"):
        nonlinear_cg(R2, R2.grad, x0, beta="HS")
    with pytest.raises(ValueError, match=r"restart_every must be >= 1"):
        nonlinear_cg(R2, R2.grad, x0, restart_every=0)
    with pytest.raises(ValueError, match=r"line_search must be one of"):
        bfgs(R2, R2.grad, x0, line_search="exact")
    with pytest.raises(ValueError, match=r"hess_inv0 must have shape \(2, 2\)"):
        bfgs(R2, R2.grad, x0, hess_inv0=np.eye(3))
    with pytest.raises(ValueError, match=r"hess_inv0 must be positive definite"):
        bfgs(R2, R2.grad, x0, hess_inv0=-np.eye(2))
    with pytest.raises(ValueError, match=r"hess_inv0 must be one of \['scaled'\], got 'unit'"):
        bfgs(R2, R2.grad, x0, hess_inv0="unit")
    with pytest.raises(ValueError, match=r"hess_inv0 must be symmetric"):
        bfgs(R2, R2.grad, x0, hess_inv0=np.array([[1.0, 0.5], [0.0, 1.0]]))
    with pytest.raises(ValueError, match=r"line_search must be one of 'wolfe', 'backtracking'"):
        newton(R2, R2.grad, R2.hessian, x0, line_search="armijo")
    with pytest.raises(ValueError, match=r"damping must be one of \['auto'\], got 'on'"):
        newton(R2, R2.grad, R2.hessian, x0, damping="on")
    with pytest.raises(ValueError, match=r"damping must be 'auto' or a number >= 0, got float"):
        newton(R2, R2.grad, R2.hessian, x0, damping=-1.0)
    with pytest.raises(ValueError, match=r"rho must satisfy 0 < rho < 1"):
        newton(R2, R2.grad, R2.hessian, x0, rho=1.0)
    with pytest.raises(ValueError, match=r"hess must be callable"):
        newton(R2, R2.grad, None, x0)
    with pytest.raises(ValueError, match=r"hess must return an array of shape \(2, 2\)"):
        newton(R2, R2.grad, lambda x: np.eye(3), x0)
    with pytest.raises(ValueError, match=r"hess must return finite values"):
        newton(R2, R2.grad, lambda x: np.full((2, 2), np.nan), x0)
