r"""Line searches: how far to go along a descent direction.

At an iterate :math:`\theta_t` with gradient :math:`g_t` and a descent direction
:math:`d_t` (:math:`g_t^\top d_t < 0`), a line search picks the step length
:math:`\eta_t > 0` of the update :math:`\theta_{t+1} = \theta_t + \eta_t d_t` by looking at
the one-dimensional slice

.. math::
    \phi(\eta) = L(\theta_t + \eta\, d_t), \qquad \phi'(\eta) = \nabla L(\theta_t + \eta\,
    d_t)^\top d_t, \qquad \phi'(0) = g_t^\top d_t < 0.

The step length is ``alpha`` in the code, SciPy's name (the book writes :math:`\eta_t`).
Two conditions on it, with constants :math:`0 < c_1 < c_2 < 1`:

- sufficient decrease (Armijo): :math:`\phi(\eta) \le \phi(0) + c_1 \eta\, \phi'(0)`;
- curvature (strong Wolfe): :math:`|\phi'(\eta)| \le c_2\, |\phi'(0)|`.

`backtracking` enforces the first (Nocedal and Wright's Algorithm 3.1), `wolfe` both
(Algorithms 3.5 and 3.6, choosing its trial steps by cubic and quadratic interpolation as
``scipy.optimize.line_search`` does, with the differences its docstring lists). Both take
the value and gradient at x when the caller has them (`f0`, `g0`), so that an optimizer
never computes them twice, and both return a `LineSearchResult` whose `nfev` and `ngev`
count the calls of f and grad made inside.

f and grad take a 1-D float array; f returns a real number, grad an array of x's shape.
f may return inf or nan at a trial step (an overflow far along d): such a step fails the
sufficient-decrease test and is shortened. A gradient of the wrong shape, or one that is
not finite, raises ValueError.
"""

import math

import numpy as np

from lib import _validate


class _Result(dict):
    """A dict whose keys are also attributes, like ``scipy.optimize.OptimizeResult``."""

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None

    __setattr__ = dict.__setitem__
    __delattr__ = dict.__delitem__

    def __dir__(self):
        return list(self.keys())

    def __repr__(self):
        def short(v):
            if isinstance(v, np.ndarray):
                if v.size <= 6:
                    return np.array2string(v, precision=6)
                return f"array of shape {v.shape}"
            return repr(v)

        width = max(map(len, self.keys()), default=0) + 1
        return "\n".join(f"{k.rjust(width)}: {short(v)}" for k, v in self.items())


class LineSearchResult(_Result):
    """What a line search returns (keys are attributes).

    alpha : float
        The step length :math:`\\eta_t` (0.0 when the search failed before finding any
        step with sufficient decrease).
    x : array (n,)
        The new point ``x + alpha * d``.
    fun : float
        f at the new point (f0 when alpha is 0).
    grad : array (n,) or None
        grad at the new point when the search evaluated it (always for `wolfe` when it
        succeeds; never for `backtracking`, which needs no gradient there).
    nfev, ngev : int
        Calls of f and of grad made by the search, including f0 and g0 when the caller did
        not pass them.
    success : bool
        True when the step satisfies the conditions the search enforces.
    message : str
    """


class _Counted:
    """f and grad with call counters and checks of what they return."""

    def __init__(self, f, grad, n):
        _require_callable(f, "f")
        _require_callable(grad, "grad")
        self.f, self.g, self.n = f, grad, n
        self.nfev = self.ngev = 0

    def fun(self, x):
        v = self.f(x)
        self.nfev += 1
        if isinstance(v, (bool, np.bool_)) or np.ndim(v) != 0:
            raise ValueError(f"f must return a real scalar, got {_validate._describe(v)}")
        try:
            return float(v)
        except (TypeError, ValueError):
            raise ValueError(
                f"f must return a real scalar, got {_validate._describe(v)}"
            ) from None

    def grad(self, x, finite=True):
        g = self.g(x)
        self.ngev += 1
        try:  # a copy: a grad that reuses one output array would alias the stored gradients
            g = np.array(g, dtype=np.float64)
        except (TypeError, ValueError):
            raise ValueError(
                f"grad must return a float array of shape ({self.n},), "
                f"got {_validate._describe(g)}"
            ) from None
        if g.shape != (self.n,):
            raise ValueError(f"grad must return an array of shape ({self.n},), got {g.shape}")
        if finite and not _validate.all_finite(g):
            raise ValueError(
                f"grad must return finite values, got {np.size(g) - np.isfinite(g).sum()} "
                "NaN or infinite entries"
            )
        return g


def _require_callable(fn, name):
    if not callable(fn):
        raise ValueError(f"{name} must be callable, got {_validate._describe(fn)}")


def _check_point(x, name="x"):
    x = _validate.float_array(x, name)
    if x.ndim != 1 or x.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-D array, got shape {x.shape}")
    return x


def _check_c1_c2(c1, c2):
    c1 = _validate.real(c1, "c1")
    c2 = _validate.real(c2, "c2")
    if not 0.0 < c1 < c2 < 1.0:
        raise ValueError(f"c1 and c2 must satisfy 0 < c1 < c2 < 1, got c1={c1}, c2={c2}")
    return c1, c2


def _start(f, grad, x, d, alpha0, f0, g0):
    """Checks shared by both searches; f0, g0 evaluated if missing; phi'(0) < 0 required."""
    x = _check_point(x)
    d = _validate.float_array(d, "d", shape=x.shape)
    alpha0 = _validate.real(alpha0, "alpha0", low=0.0, low_open=True)
    prob = _Counted(f, grad, x.size)
    if f0 is None:
        f0 = prob.fun(x)
    f0 = _validate.real(f0, "f0")
    if g0 is None:
        g0 = prob.grad(x)
    else:
        g0 = _validate.float_array(g0, "g0", shape=x.shape)
    slope0 = _check_descent(g0, d)
    return x, d, alpha0, prob, f0, g0, slope0


def _check_descent(g0, d):
    slope0 = float(g0 @ d)
    if not slope0 < 0.0:
        raise ValueError(
            "d must be a descent direction, with grad(x) @ d < 0, "
            f"got grad(x) @ d = {slope0:.6g}"
        )
    return slope0


# Backtracking (Armijo) ---------------------------------------------------------------


def backtracking(f, grad, x, d, alpha0=1.0, rho=0.5, c1=1e-4, f0=None, g0=None, max_iter=50):
    r"""Backtracking line search for sufficient decrease (Nocedal and Wright, Algorithm 3.1).

    Try :math:`\eta = \eta_0` (`alpha0`), then :math:`\rho\eta_0, \rho^2\eta_0, \dots`
    until the Armijo condition holds:

    .. math::
        L(\theta + \eta d) \le L(\theta) + c_1\, \eta\, \nabla L(\theta)^\top d .

    Each trial costs one call of f; grad is called only for g0 when it is not given, and
    never at the new point (``result.grad`` is None).

    Parameters
    ----------
    f, grad : callables of a 1-D float array x (n,)
    x, d : arrays (n,)
        The point and a descent direction (``grad(x) @ d < 0``, else ValueError).
    alpha0 : float > 0
        The first trial step :math:`\eta_0` (1 for a Newton or quasi-Newton direction).
    rho : float in (0, 1)
        The contraction factor :math:`\rho`.
    c1 : float in (0, 1)
        The sufficient-decrease constant :math:`c_1`.
    f0, g0 : float and array (n,), optional
        f(x) and grad(x), when the caller already has them.
    max_iter : int >= 1
        Trials before giving up (success False, alpha 0, x unchanged).

    Returns
    -------
    LineSearchResult with alpha, x, fun, grad (None), nfev, ngev, success, message.
    """
    rho = _validate.real(rho, "rho")
    if not 0.0 < rho < 1.0:
        raise ValueError(f"rho must satisfy 0 < rho < 1, got {rho}")
    c1 = _validate.real(c1, "c1")
    if not 0.0 < c1 < 1.0:
        raise ValueError(f"c1 must satisfy 0 < c1 < 1, got {c1}")
    max_iter = _validate.integer(max_iter, "max_iter", low=1)
    x, d, alpha0, prob, f0, g0, slope0 = _start(f, grad, x, d, alpha0, f0, g0)
    res = _backtracking(prob, x, d, f0, slope0, alpha0, rho, c1, max_iter)
    res.nfev, res.ngev = prob.nfev, prob.ngev  # with f0 and g0 when computed here
    return res


def _backtracking(prob, x, d, f0, slope0, alpha0, rho, c1, max_iter):
    nfev0, ngev0 = prob.nfev, prob.ngev
    alpha = alpha0
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(max_iter):
            x_new = x + alpha * d
            f_new = prob.fun(x_new)
            if f_new <= f0 + c1 * alpha * slope0:  # False for nan: shorten the step
                return _ls_result(prob, alpha, x_new, f_new, None, True,
                                  "the Armijo condition holds", nfev0, ngev0)
            alpha *= rho
    return _ls_result(prob, 0.0, x.copy(), f0, None, False,
                      f"no step in alpha0 * rho^k, k < {max_iter}, satisfies the Armijo "
                      "condition", nfev0, ngev0)


def _ls_result(prob, alpha, x, fun, grad, success, message, nfev0, ngev0):
    # the calls made since the search began: an optimizer shares one counter across searches
    return LineSearchResult(alpha=float(alpha), x=x, fun=fun, grad=grad,
                            nfev=prob.nfev - nfev0, ngev=prob.ngev - ngev0,
                            success=success, message=message)


# Strong Wolfe (bracketing and zoom) --------------------------------------------------


def wolfe(f, grad, x, d, c1=1e-4, c2=0.9, alpha0=1.0, f0=None, g0=None, max_iter=10):
    r"""Line search for the strong Wolfe conditions (Nocedal and Wright, Algorithms 3.5-3.6).

    Finds :math:`\eta` with

    .. math::
        \phi(\eta) \le \phi(0) + c_1 \eta\, \phi'(0), \qquad
        |\phi'(\eta)| \le c_2\, |\phi'(0)|,

    for :math:`\phi(\eta) = L(\theta + \eta d)`.

    Bracketing (Algorithm 3.5): try :math:`\eta_0` (`alpha0`); while the trial lowers the
    value with sufficient decrease and the slope is still steeply negative, try a longer
    step. As soon as a trial fails sufficient decrease, or does not lower the value, or has
    a slope >= 0, an interval that contains acceptable steps is known. Zoom (Algorithm
    3.6) shrinks it until a trial satisfies both conditions.

    The trial steps are chosen by interpolation, as Nocedal and Wright's Section 3.5
    recommends: the minimizer of the cubic that matches values and slopes at two points
    (their (3.59)), or of the quadratic through a value and slope and a second value, with
    safeguards that keep the trial away from the ends of the interval (SciPy's margins:
    20 % of the width for a cubic, 10 % for a quadratic). The longer steps of the
    bracketing phase go to the cubic's minimizer, kept between 2.1 and 5 times the last step
    (MINPACK's rule). Where SciPy's pure-Python search (``scalar_search_wolfe2``) doubles
    the step, or bisects when a quadratic's minimizer lies too close to an end, this one
    extrapolates, or clips the minimizer to the margin: a first trial 1000 times too long is
    cut down in about three trials instead of ten. Its evaluation counts are close to those
    of the MINPACK search that SciPy's BFGS and CG call first.

    A trial costs a call of f, and a call of grad only when it passes the sufficient-
    decrease test (otherwise its slope is not needed), so ``ngev <= nfev``. The accepted
    point's gradient is returned, for the optimizer to reuse.

    The curvature condition with :math:`c_2 < 1` keeps :math:`\Delta g^\top \Delta\theta
    = \eta\,(\phi'(\eta) - \phi'(0)) > 0` (code ``y @ s > 0``), which BFGS needs. Use
    c2 = 0.9 for Newton and quasi-Newton directions, c2 = 0.1 for nonlinear conjugate
    gradients (Nocedal and Wright, Section 3.1).

    Parameters
    ----------
    f, grad : callables of a 1-D float array x (n,)
    x, d : arrays (n,)
        The point and a descent direction (``grad(x) @ d < 0``, else ValueError).
    c1, c2 : floats with 0 < c1 < c2 < 1
    alpha0 : float > 0
        The first trial step.
    f0, g0 : float and array (n,), optional
        f(x) and grad(x), when the caller already has them.
    max_iter : int >= 1
        Trials allowed in each phase (SciPy's 10).

    Returns
    -------
    LineSearchResult with alpha, x, fun, grad, nfev, ngev, success, message. On failure
    (success False) alpha is the best step found with sufficient decrease, or 0.
    """
    c1, c2 = _check_c1_c2(c1, c2)
    max_iter = _validate.integer(max_iter, "max_iter", low=1)
    x, d, alpha0, prob, f0, g0, slope0 = _start(f, grad, x, d, alpha0, f0, g0)
    res = _wolfe(prob, x, d, f0, slope0, alpha0, c1, c2, max_iter)
    res.nfev, res.ngev = prob.nfev, prob.ngev  # with f0 and g0 when computed here
    return res


def _wolfe(prob, x, d, f0, slope0, alpha0, c1, c2, max_iter):
    """Algorithm 3.5 on phi(alpha) = f(x + alpha d); every trial's point is kept for reuse."""
    nfev0, ngev0 = prob.nfev, prob.ngev
    trials = {}  # alpha -> (x + alpha d, f, grad or None)

    def phi(alpha):
        xa = x + alpha * d
        fa = prob.fun(xa)
        trials[alpha] = [xa, fa, None]
        return fa

    def dphi(alpha):
        entry = trials[alpha]
        entry[2] = prob.grad(entry[0])
        return float(entry[2] @ d)

    def done(alpha, success, message):
        if alpha == 0.0:
            return _ls_result(prob, 0.0, x.copy(), f0, None, False, message, nfev0, ngev0)
        xa, fa, ga = trials[alpha]
        return _ls_result(prob, alpha, xa, fa, ga, success, message, nfev0, ngev0)

    with np.errstate(over="ignore", invalid="ignore"):
        prev = (0.0, f0, slope0)  # the last trial, with its value and slope
        older = None  # the one before it
        a_cur = alpha0
        for i in range(max_iter):
            f_cur = phi(a_cur)
            if not f_cur <= f0 + c1 * a_cur * slope0 or (i > 0 and f_cur >= prev[1]):
                return _zoom(prev, (a_cur, f_cur, None), older, phi, dphi, f0, slope0,
                             c1, c2, max_iter, done)
            s_cur = dphi(a_cur)
            if abs(s_cur) <= -c2 * slope0:
                return done(a_cur, True, "the strong Wolfe conditions hold")
            if s_cur >= 0.0:
                return _zoom((a_cur, f_cur, s_cur), prev, None, phi, dphi, f0, slope0,
                             c1, c2, max_iter, done)
            older, prev = prev, (a_cur, f_cur, s_cur)
            a_cur = _extrapolate(*older, *prev)
        # still descending steeply after max_iter extrapolations: f may be unbounded below
        return done(prev[0], False,
                    f"no bracket after {max_iter} longer and longer trial steps "
                    "(is f bounded below?)")


def _zoom(lo, hi, older, phi, dphi, f0, slope0, c1, c2, max_iter, done):
    """Algorithm 3.6. lo = (alpha, value, slope) has sufficient decrease and the lowest
    value so far, and its slope points toward hi = (alpha, value, slope or None), so the
    interval between them (in either order) holds acceptable steps. `older` is a previous
    lo (with its slope) or None.

    The next trial is the minimizer of the cubic that matches the values and slopes at
    two points (Nocedal and Wright, (3.59)): lo and hi when hi's slope is known, else lo
    and `older`; when that minimizer falls outside the middle 60 % of the interval (or
    does not exist), the minimizer of the quadratic through lo's value and slope and hi's
    value, clipped to the middle 80 %; the midpoint when there is no such quadratic.
    """
    delta_cubic, delta_quad = 0.2, 0.1  # the margins, as SciPy's zoom
    (a_lo, f_lo, s_lo), (a_hi, f_hi, s_hi) = lo, hi
    for _ in range(max_iter + 1):
        width = abs(a_hi - a_lo)
        left, right = min(a_lo, a_hi), max(a_lo, a_hi)
        if s_hi is not None:
            a_j = _hermite_min(a_lo, f_lo, s_lo, a_hi, f_hi, s_hi)
        elif older is not None:
            a_j = _hermite_min(*older, a_lo, f_lo, s_lo)
        else:
            a_j = None
        if a_j is None or not (left + delta_cubic * width <= a_j <= right - delta_cubic * width):
            a_j = _quadmin(a_lo, f_lo, s_lo, a_hi, f_hi)
            if a_j is None:
                a_j = 0.5 * (a_lo + a_hi)
            else:  # SciPy bisects here; clipping cuts a step 1000 times too long in 3 trials
                a_j = min(max(a_j, left + delta_quad * width), right - delta_quad * width)
        f_j = phi(a_j)
        if not f_j <= f0 + c1 * a_j * slope0 or f_j >= f_lo:
            a_hi, f_hi, s_hi = a_j, f_j, None
            continue
        s_j = dphi(a_j)
        if abs(s_j) <= -c2 * slope0:
            return done(a_j, True, "the strong Wolfe conditions hold")
        if s_j * (a_hi - a_lo) >= 0.0:  # the slope turned: the old lo becomes hi
            a_hi, f_hi, s_hi = a_lo, f_lo, s_lo
            older = None
        else:
            older = (a_lo, f_lo, s_lo)
        a_lo, f_lo, s_lo = a_j, f_j, s_j
    return done(a_lo, False,
                f"zoom found no step satisfying the strong Wolfe conditions in {max_iter + 1} "
                "trials (rounding errors near a minimizer?)")


def _extrapolate(a0, f0, s0, a1, f1, s1):
    """The next, longer trial step while phi still descends steeply at a1 > a0.

    The minimizer of the cubic with values and slopes (f0, s0) at a0 and (f1, s1) at a1,
    kept within [a1 + 1.1 (a1 - a0), a1 + 4 (a1 - a0)] as in MINPACK's line search (which
    SciPy's BFGS and CG call first); the upper end when the cubic has no minimizer there.
    """
    width = a1 - a0
    low, high = a1 + 1.1 * width, a1 + 4.0 * width
    a_next = _hermite_min(a0, f0, s0, a1, f1, s1)
    if a_next is None or a_next <= a1:
        return high
    return min(max(a_next, low), high)


def _hermite_min(a0, f0, s0, a1, f1, s1):
    """Minimizer of the cubic with values f0, f1 and slopes s0, s1 at a0, a1 (Nocedal and
    Wright, (3.59)), or None when it has none."""
    try:
        d1 = s0 + s1 - 3.0 * (f0 - f1) / (a0 - a1)
        d2 = math.copysign(math.sqrt(d1 * d1 - s0 * s1), a1 - a0)
        a_min = a1 - (a1 - a0) * (s1 + d2 - d1) / (s1 - s0 + 2.0 * d2)
    except (ArithmeticError, ValueError):  # a zero division, a negative radical
        return None
    return a_min if math.isfinite(a_min) else None


def _quadmin(a, fa, fpa, b, fb):
    """Minimizer of the quadratic through (a, fa), (b, fb) with slope fpa at a, or None."""
    try:
        db = b - a
        B = (fb - fa - fpa * db) / (db * db)
        xmin = a - fpa / (2.0 * B)
    except (ArithmeticError, ValueError):
        return None
    return xmin if math.isfinite(xmin) else None
