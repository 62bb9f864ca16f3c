"""lib.line_search: the returned steps satisfy the conditions they claim, on easy and hard
1-D slices; evaluation counts against independent counters and against SciPy's search;
f0/g0 reuse; bad input."""

import math
import warnings

import numpy as np
import pytest
import scipy.optimize

from lib.landscapes import Canyon, Rosenbrock
from lib.line_search import backtracking, wolfe


class Counted:
    """f and grad of a problem, with counters of our own (not the library's)."""

    def __init__(self, f, grad):
        self._f, self._g = f, grad
        self.nf = self.ng = 0

    def f(self, x):
        self.nf += 1
        return self._f(x)

    def grad(self, x):
        self.ng += 1
        return self._g(x)


def phi_problem(phi, dphi):
    """A 1-D slice phi(alpha) as a problem on x of shape (1,), searched from x = 0, d = 1."""
    return (lambda x: float(phi(x[0])), lambda x: np.array([dphi(x[0])]))


# Moré and Thuente (1994), "Line search algorithms with guaranteed sufficient decrease",
# Section 5: the standard hard slices, all with phi'(0) < 0 (with their c1, c2, made
# c1 < c2 where they used equal constants).
def mt1(beta=2.0):
    return phi_problem(lambda a: -a / (a * a + beta),
                       lambda a: (a * a - beta) / (a * a + beta) ** 2)


def mt2(beta=0.004):
    return phi_problem(lambda a: (a + beta) ** 5 - 2 * (a + beta) ** 4,
                       lambda a: (a + beta) ** 3 * (5 * (a + beta) - 8))


def mt3(beta=0.01, ell=39):
    """A piecewise quadratic floor with a wiggle of 39 half-periods: many local minima."""

    def phi0(a):
        if a <= 1 - beta:
            return 1 - a
        if a >= 1 + beta:
            return a - 1
        return (a - 1) ** 2 / (2 * beta) + beta / 2

    def dphi0(a):
        if a <= 1 - beta:
            return -1.0
        if a >= 1 + beta:
            return 1.0
        return (a - 1) / beta

    k = 2 * (1 - beta) / (ell * math.pi)
    return phi_problem(lambda a: phi0(a) + k * math.sin(ell * math.pi * a / 2),
                       lambda a: dphi0(a) + (1 - beta) * math.cos(ell * math.pi * a / 2))


def yanai(b1, b2):
    """Moré-Thuente functions 4-6 (Yanai, Ozawa and Kaneko)."""

    def g(b):
        return math.sqrt(1 + b * b) - b

    def phi(a):
        return g(b1) * math.sqrt((1 - a) ** 2 + b2 * b2) + g(b2) * math.sqrt(a * a + b1 * b1)

    def dphi(a):
        return (g(b1) * (a - 1) / math.sqrt((1 - a) ** 2 + b2 * b2)
                + g(b2) * a / math.sqrt(a * a + b1 * b1))

    return phi_problem(phi, dphi)


def rosenbrock_slice(x0):
    R = Rosenbrock()
    return (R, R.grad, np.asarray(x0, float), -R.grad(np.asarray(x0, float)))


def canyon_slice():
    C = Canyon()
    x0 = np.array(C.start)
    return (C, C.grad, x0, -C.grad(x0))


def one_d(problem):
    f, g = problem
    return (f, g, np.zeros(1), np.ones(1))


SLICES = {
    "MT1": (one_d(mt1()), 1e-3, 0.1),
    "MT2": (one_d(mt2()), 1e-3, 0.1),
    "MT3 wiggly": (one_d(mt3()), 1e-3, 0.1),
    "MT4": (one_d(yanai(0.001, 0.001)), 1e-4, 1e-3),
    "MT5": (one_d(yanai(0.01, 0.001)), 1e-4, 1e-3),
    "MT6": (one_d(yanai(0.001, 0.01)), 1e-4, 1e-3),
    "Rosenbrock -g": (rosenbrock_slice([-1.2, 1.0]), 1e-4, 0.9),
    "Rosenbrock -g, c2=0.1": (rosenbrock_slice([-1.2, 1.0]), 1e-4, 0.1),
    "canyon -g": (canyon_slice(), 1e-4, 0.1),
}
ALPHA0 = [1e-3, 1e-1, 1.0, 10.0, 1e3]


def slope(grad, x, d, alpha):
    return float(np.asarray(grad(x + alpha * d)) @ d)


@pytest.mark.parametrize("alpha0", ALPHA0)
@pytest.mark.parametrize("name", SLICES)
def test_wolfe_step_satisfies_strong_wolfe(name, alpha0):
    (f, grad, x, d), c1, c2 = SLICES[name]
    res = wolfe(f, grad, x, d, c1=c1, c2=c2, alpha0=alpha0, max_iter=30)
    assert res.success, res.message
    a = res.alpha
    f0, s0 = f(x), slope(grad, x, d, 0.0)
    # checked with our own evaluations, not the values the search reports
    assert f(x + a * d) <= f0 + c1 * a * s0, f"{name}: Armijo fails at alpha={a}"
    assert abs(slope(grad, x, d, a)) <= c2 * abs(s0), f"{name}: curvature fails at alpha={a}"
    np.testing.assert_array_equal(res.x, x + a * d)
    assert res.fun == f(res.x)
    np.testing.assert_array_equal(res.grad, grad(res.x))


@pytest.mark.parametrize("alpha0", ALPHA0)
@pytest.mark.parametrize("name", SLICES)
def test_backtracking_step_is_the_first_armijo_step(name, alpha0):
    (f, grad, x, d), c1, _ = SLICES[name]
    rho = 0.5
    res = backtracking(f, grad, x, d, alpha0=alpha0, rho=rho, c1=c1)
    assert res.success
    f0, s0 = f(x), slope(grad, x, d, 0.0)

    def armijo(a):
        return f(x + a * d) <= f0 + c1 * a * s0

    a = res.alpha
    k = round(math.log(a / alpha0, rho))
    assert a == pytest.approx(alpha0 * rho**k, rel=1e-12)
    assert armijo(a)
    assert all(not armijo(alpha0 * rho**j) for j in range(k))  # no earlier trial passes
    assert res.nfev == k + 2
    assert res.ngev == 1
    assert res.grad is None


def test_counts_match_independent_counters():
    for name, ((f, grad, x, d), c1, c2) in SLICES.items():
        for search, kw in ((wolfe, {"c1": c1, "c2": c2, "max_iter": 30}),
                           (backtracking, {"c1": c1})):
            p = Counted(f, grad)
            res = search(p.f, p.grad, x, d, **kw)
            assert (res.nfev, res.ngev) == (p.nf, p.ng), (name, search.__name__)
            assert res.ngev <= res.nfev


def test_f0_g0_reuse_saves_one_evaluation_each():
    for (f, grad, x, d), c1, c2 in SLICES.values():
        for search, kw in ((wolfe, {"c1": c1, "c2": c2, "max_iter": 30}),
                           (backtracking, {"c1": c1})):
            plain = search(f, grad, x, d, **kw)
            p = Counted(f, grad)
            given = search(p.f, p.grad, x, d, f0=f(x), g0=grad(x), **kw)
            assert given.alpha == plain.alpha
            assert (given.nfev, given.ngev) == (plain.nfev - 1, plain.ngev - 1) == (p.nf, p.ng)


def test_wolfe_counts_against_scipy_line_search():
    """With f0 and g0 given to both, SciPy's ``line_search`` (``scalar_search_wolfe2``) and
    ours: ours succeeds on every slice, and makes fewer calls in total (not on every slice:
    on MT2 and MT6 SciPy's three-point cubic does better)."""
    rows, totals = [], np.zeros(4, dtype=int)
    for name, ((f, grad, x, d), c1, c2) in SLICES.items():
        f0, g0 = f(x), grad(x)
        p = Counted(f, grad)
        with warnings.catch_warnings():  # SciPy warns when it fails (on MT5)
            warnings.simplefilter("ignore", RuntimeWarning)  # its LineSearchWarning
            sp = scipy.optimize.line_search(p.f, p.grad, x, d, gfk=g0, old_fval=f0, c1=c1, c2=c2,
                                            maxiter=30)
        ours = wolfe(f, grad, x, d, c1=c1, c2=c2, f0=f0, g0=g0, max_iter=30)
        assert ours.success, name
        totals += [p.nf, p.ng, ours.nfev, ours.ngev]
        rows.append(f"{name:24s} alpha: SciPy {sp[0] or 0:<10.6g} ours {ours.alpha:<10.6g}"
                    f" nfev: SciPy {p.nf:3d} ours {ours.nfev:3d}"
                    f"  ngev: SciPy {p.ng:3d} ours {ours.ngev:3d}")
    rows.append(f"{'total':24s} {'':34s} nfev: SciPy {totals[0]:3d} ours {totals[2]:3d}"
                f"  ngev: SciPy {totals[1]:3d} ours {totals[3]:3d}")
    table = "\n".join(rows)
    print("\n" + table)
    assert totals[2] <= totals[0], table
    assert totals[3] <= totals[1], table


def test_wolfe_first_trial_accepted_on_quadratic_newton_step():
    A = np.diag([1.0, 10.0])
    f = lambda x: 0.5 * x @ A @ x  # noqa: E731
    g = lambda x: A @ x  # noqa: E731
    x = np.array([1.0, 1.0])
    res = wolfe(f, g, x, -np.linalg.solve(A, g(x)))
    assert res.alpha == 1.0
    assert res.nfev == 2
    assert res.ngev == 2
    np.testing.assert_allclose(res.x, 0.0, atol=1e-15)


def test_wolfe_interpolation_finds_exact_minimum_on_a_quadratic():
    """Along a quadratic slice the quadratic interpolant is exact: with a tight c2 the search
    lands on the exact minimizer at the first interpolated trial, unless that lies within the
    10 % margin of the interval, where it is clipped once first."""
    A = np.diag([1.0, 100.0])
    f = lambda x: 0.5 * x @ A @ x  # noqa: E731
    g = lambda x: A @ x  # noqa: E731
    x = np.array([1.0, 1.0])
    d = -g(x)
    exact = float(g(x) @ g(x) / (d @ A @ d))  # 0.0100001
    for alpha0, nfev in ((0.05, 3), (1.0, 4)):  # f0, alpha0, (0.1 clipped,) exact
        res = wolfe(f, g, x, d, c1=1e-9, c2=1e-8, alpha0=alpha0)
        assert res.alpha == pytest.approx(exact, rel=1e-12)
        assert res.nfev == nfev


def test_wolfe_extrapolates_when_the_first_trial_is_short():
    f, g = phi_problem(lambda a: (a - 50.0) ** 2, lambda a: 2 * (a - 50.0))
    res = wolfe(f, g, np.zeros(1), np.ones(1), alpha0=1e-2, c2=0.1)
    assert res.success
    assert abs(res.alpha - 50.0) <= 0.1 * 50.0
    assert res.nfev <= 10


def test_steps_into_overflow_are_shortened():
    """f is inf beyond a barrier (log(1 - x)): a trial there fails sufficient decrease."""
    def f(x):
        with np.errstate(divide="ignore", invalid="ignore"):
            return float(-np.log1p(-x[0]) + x[0] ** 2) if x[0] < 1 else math.inf

    def g(x):
        return np.array([1.0 / (1.0 - x[0]) + 2 * x[0]])

    x, d = np.array([-2.0]), np.array([1.0])
    for search in (wolfe, backtracking):
        res = search(f, g, x, d, alpha0=10.0)
        assert res.success
        assert math.isfinite(res.fun)
        assert res.x[0] < 1


def test_nan_values_are_shortened_too():
    def f(x):
        return float(x[0] ** 2) if x[0] > -1 else math.nan

    g = lambda x: 2 * x  # noqa: E731
    for search in (wolfe, backtracking):
        res = search(f, g, np.array([3.0]), np.array([-1.0]), alpha0=100.0)
        assert res.success
        assert res.x[0] > -1


def test_failures_are_reported_not_raised():
    # unbounded below: wolfe keeps lengthening the step
    f, g = phi_problem(lambda a: -a, lambda a: -1.0)
    res = wolfe(f, g, np.zeros(1), np.ones(1), max_iter=5)
    assert not res.success
    assert "bracket" in res.message
    assert res.alpha > 0
    assert res.fun < 0
    # no step passes Armijo: f rises right away to first order, with a lying gradient
    f = lambda x: float(abs(x[0]))  # noqa: E731
    g = lambda x: np.array([-1.0])  # noqa: E731
    res = backtracking(f, g, np.zeros(1), np.ones(1), max_iter=8)
    assert not res.success
    assert res.alpha == 0.0
    assert res.nfev == 9
    np.testing.assert_array_equal(res.x, [0.0])
    res = wolfe(f, g, np.zeros(1), np.ones(1), max_iter=8)
    assert not res.success
    assert res.alpha == 0.0


# Bad input ---------------------------------------------------------------------------

R = Rosenbrock()
X = np.array([-1.2, 1.0])
D = -R.grad(X)


@pytest.mark.parametrize("search", [wolfe, backtracking])
@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"d": R.grad(X)}, r"d must be a descent direction.*got grad\(x\) @ d = "),
        ({"d": np.zeros(2)}, r"d must be a descent direction"),
        ({"d": np.ones(3)}, r"d must have shape \(2,\), got \(3,\)"),
        ({"d": np.array([np.nan, 1.0])}, r"d must be finite"),
        ({"x": np.ones((2, 1))}, r"x must be a non-empty 1-D array, got shape \(2, 1\)"),
        ({"x": np.array([np.inf, 1.0])}, r"x must be finite"),
        ({"x": "ab"}, r"x must be a numeric array"),
        ({"alpha0": 0.0}, r"alpha0 must be > 0.0, got 0.0"),
        ({"alpha0": -1.0}, r"alpha0 must be > 0.0"),
        ({"alpha0": np.inf}, r"alpha0 must be finite"),
        ({"c1": 0.0}, r"c1"),
        ({"c1": 1.0}, r"c1"),
        ({"f0": np.nan}, r"f0 must be finite"),
        ({"g0": np.ones(3)}, r"g0 must have shape \(2,\)"),
        ({"g0": np.array([1.0, np.nan])}, r"g0 must be finite"),
        ({"f": 3.0}, r"f must be callable, got float 3.0"),
        ({"grad": None}, r"grad must be callable"),
        ({"grad": lambda x: np.ones(3)}, r"grad must return an array of shape \(2,\), got \(3,\)"),
        ({"grad": lambda x: np.array([np.nan, 0.0])}, r"grad must return finite values"),
        ({"f": lambda x: np.ones(2)}, r"f must return a real scalar"),
        ({"max_iter": 0}, r"max_iter must be >= 1, got 0"),
    ],
)
def test_bad_input_raises(search, kwargs, match):
    args = {"f": R, "grad": R.grad, "x": X, "d": D} | kwargs
    with pytest.raises(ValueError, match=match):
        search(**args)


@pytest.mark.parametrize(("c1", "c2"), [(0.0, 0.9), (0.5, 0.5), (0.9, 0.1), (1e-4, 1.0),
                                        (-1e-4, 0.9), (1e-4, 1.5)])
def test_wolfe_needs_0_lt_c1_lt_c2_lt_1(c1, c2):
    with pytest.raises(ValueError, match=r"c1 and c2 must satisfy 0 < c1 < c2 < 1, got"):
        wolfe(R, R.grad, X, D, c1=c1, c2=c2)


@pytest.mark.parametrize("rho", [0.0, 1.0, -0.5, 2.0])
def test_backtracking_needs_0_lt_rho_lt_1(rho):
    with pytest.raises(ValueError, match=r"rho must satisfy 0 < rho < 1"):
        backtracking(R, R.grad, X, D, rho=rho)
