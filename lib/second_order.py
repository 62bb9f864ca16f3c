r"""Second-order methods: Newton, conjugate gradients (linear and nonlinear), BFGS, L-BFGS.

Every method minimizes a smooth L: R^n -> R given as callables of a 1-D float array
:math:`\theta` of shape (n,): ``f(theta)`` returns a real number, ``grad(theta)`` an array
(n,) and, for `newton`, ``hess(theta)`` an array (n, n). A `lib.landscapes` object serves
directly, as ``(L, L.grad, L.hessian)``. The exception is `conjugate_gradient`, which solves
the linear system :math:`H\theta = q` of a quadratic.

Each returns an `OptimizeResult`, SciPy's result object (``scipy.optimize.minimize``) with
the same keys ``x, fun, grad, nit, nfev, ngev, success, message`` (SciPy calls the
gradient ``jac`` and its count ``njev``), plus ``path``, the iterates as an array of shape
(nit + 1, n) for the figures, and ``fun_path``, L at each of them.

Notation (the book's): :math:`\theta_t` the iterate after t updates, :math:`g_t` its
gradient, :math:`d_t` the search direction, :math:`\eta_t` the step length the line search
picks (``alpha``, as in SciPy and `lib.line_search`), :math:`\theta_{t+1} = \theta_t +
\eta_t d_t`. The secant pair is :math:`\Delta\theta_t = \theta_{t+1} - \theta_t` and
:math:`\Delta g_t = g_{t+1} - g_t` (``s`` and ``y``), :math:`B_t` and :math:`B_t^{-1}` a
quasi-Newton approximation of the Hessian H and of its inverse, M the number of pairs
L-BFGS keeps (``m``).

Stopping rule, SciPy's: success when :math:`\lVert g_t\rVert_\infty \le` `gtol` (default
1e-5), otherwise after `max_iter` updates, or when a line search finds no acceptable step
(then ``success`` is False and ``message`` says why). ``nfev`` and ``ngev`` count every call
of f and grad, those of the line searches included, so that they compare with SciPy's
``nfev`` and ``njev``.

Bad input raises ValueError naming the argument: an x0 that is not a finite non-empty 1-D
array, a grad that returns the wrong shape or non-finite values (f may return inf at a trial
step that is too long: the line search shortens it), impossible constants. An undamped
Newton step that overflows is a result, not an error: `newton` stops with success False.
"""

import math

import numpy as np
import scipy.linalg
from scipy.linalg.blas import daxpy as _daxpy
from scipy.linalg.blas import ddot as _ddot

from lib import _validate
from lib.line_search import (
    _backtracking,
    _check_c1_c2,
    _check_point,
    _Counted,
    _require_callable,
    _Result,
    _wolfe,
)


class OptimizeResult(_Result):
    """The outcome of a run; keys are also attributes (``res.x`` or ``res["x"]``).

    x : array (n,)
        The last iterate :math:`\\theta_T`.
    fun : float
        L at x.
    grad : array (n,)
        The gradient at x.
    nit : int
        Updates made, T.
    nfev, ngev : int
        Calls of f and of grad (``nhev``: of hess, for `newton`).
    success : bool
        True when :math:`\\lVert g_T\\rVert_\\infty \\le` gtol.
    message : str
    path : array (nit + 1, n) or None
        :math:`\\theta_0, \\dots, \\theta_T` (None with ``keep_path=False``).
    fun_path : array (nit + 1,)
        L at each iterate.

    and, depending on the method: ``hess_inv`` (`bfgs`, the final :math:`B_T^{-1}`),
    ``restarts`` (`nonlinear_cg`), ``shifts`` (`newton`, the multiple of I added to each
    Hessian), ``skipped_updates`` (`bfgs`, `lbfgs`), ``residuals`` and ``nmatvec``
    (`conjugate_gradient`).
    """


_SUCCESS = "Optimization terminated successfully: ||grad||_inf <= gtol."
_MAXITER = "Maximum number of iterations has been exceeded."


class _Run:
    """The bookkeeping every optimizer shares: checks, counters, the path, the result."""

    def __init__(self, f, grad, x0, gtol, max_iter, default_max_iter, keep_path):
        x0 = _check_point(x0, "x0")
        self.n = x0.size
        self.prob = _Counted(f, grad, self.n)
        self.gtol = _validate.real(gtol, "gtol", low=0.0)
        if max_iter is None:
            max_iter = default_max_iter(self.n)
        self.max_iter = _validate.integer(max_iter, "max_iter", low=0)
        if not isinstance(keep_path, (bool, np.bool_)):
            raise ValueError(
                f"keep_path must be True or False, got {_validate._describe(keep_path)}")
        self.keep_path = bool(keep_path)
        self.x = x0.copy()
        self.fun = self.prob.fun(self.x)
        if not math.isfinite(self.fun):
            raise ValueError(f"f must be finite at x0, got f(x0) = {self.fun}")
        self.g = self.prob.grad(self.x)
        self.t = 0
        self.path = [self.x.copy()] if self.keep_path else None
        self.fun_path = [self.fun]
        self.message = None

    def converged(self):
        return float(np.max(np.abs(self.g))) <= self.gtol

    def running(self):
        """True while neither the gradient test nor max_iter nor a failure has stopped it."""
        if self.message is not None:
            return False
        if self.converged():
            self.message = _SUCCESS
            return False
        if self.t >= self.max_iter:
            self.message = _MAXITER
            return False
        return True

    def accept(self, x, fun, g):
        self.x, self.fun, self.g = x, fun, g
        self.t += 1
        if self.keep_path:  # every method makes a new array for each iterate: no copy
            self.path.append(x)
        self.fun_path.append(fun)

    def stop(self, message):
        self.message = message

    def result(self, **extra):
        return OptimizeResult(
            x=self.x, fun=self.fun, grad=self.g, nit=self.t,
            nfev=self.prob.nfev, ngev=self.prob.ngev,
            success=self.message == _SUCCESS, message=self.message,
            path=np.array(self.path) if self.keep_path else None,
            fun_path=np.array(self.fun_path), **extra,
        )


def _line_search_failed(ls):
    return f"Line search failed: {ls.message}."


def _scipy_max_iter(n):
    return 200 * n  # scipy.optimize's default for BFGS and CG


# Linear conjugate gradients ----------------------------------------------------------


def conjugate_gradient(A, b, x0=None, tol=1e-10, max_iter=None, keep_path=True):
    r"""Linear conjugate gradients: solve :math:`H\theta = q` for symmetric positive definite H.

    Equivalently, minimize the quadratic :math:`\frac12\theta^\top H\theta - q^\top\theta`,
    whose gradient is the negative residual :math:`r_k = q - H\theta_k`. (Here the matrix is
    the argument `A` and the right-hand side `b`, SciPy's names.) Nocedal and Wright's
    Algorithm 5.2, from :math:`r_0 = q - H\theta_0`, :math:`p_0 = r_0`:

    .. math::
        \alpha_k = \frac{r_k^\top r_k}{p_k^\top H p_k}, \quad
        \theta_{k+1} = \theta_k + \alpha_k p_k, \quad
        r_{k+1} = r_k - \alpha_k H p_k, \quad
        p_{k+1} = r_{k+1} + \frac{r_{k+1}^\top r_{k+1}}{r_k^\top r_k}\, p_k .

    The directions are H-conjugate (:math:`p_i^\top H p_j = 0` for i != j), so in exact
    arithmetic the method ends in at most n steps; the error falls at least as fast as
    :math:`2\left(\frac{\sqrt\kappa - 1}{\sqrt\kappa + 1}\right)^k` in the H-norm. One
    product with H per step (``nmatvec``), nothing else of size n^2.

    The stopping test is ``scipy.sparse.linalg.cg``'s with ``rtol=tol, atol=0``, made before
    each step: stop when :math:`\lVert r_k\rVert_2 < \text{tol}\,\lVert q\rVert_2`, so both
    make the same number of steps for the same tolerance.

    Parameters
    ----------
    A : array (n, n), symmetric positive definite, or anything with ``A.shape == (n, n)``
        and ``A @ v`` (a sparse matrix, a ``scipy.sparse.linalg.LinearOperator``). Checked
        to be finite and symmetric by a probe that costs one product with A (a relative
        asymmetry above about 1e-10 sqrt(n) is caught); a step with :math:`p^\top H p \le
        0` shows that A is not positive definite. Either raises ValueError.
    b : array (n,)
    x0 : array (n,), optional (zeros)
    tol : float >= 0
        Relative residual tolerance.
    max_iter : int >= 0, default 10 n (SciPy's)
    keep_path : bool

    Returns
    -------
    OptimizeResult with x, fun (the quadratic's value), grad (:math:`H\theta - q = -r`), nit,
    nmatvec, residuals (:math:`\lVert r_k\rVert_2`, k = 0..nit), success, message, path.
    """
    A, n, dense = _check_operator(A)
    b = _validate.float_array(b, "b", shape=(n,))
    x = np.zeros(n) if x0 is None else _validate.float_array(x0, "x0", shape=(n,)).copy()
    tol = _validate.real(tol, "tol", low=0.0)
    max_iter = _validate.integer(10 * n if max_iter is None else max_iter, "max_iter", low=0)
    if not isinstance(keep_path, (bool, np.bool_)):
        raise ValueError(
            f"keep_path must be True or False, got {_validate._describe(keep_path)}")
    b_norm = float(np.linalg.norm(b))
    if b_norm == 0.0:  # H positive definite: theta = 0 is the solution (SciPy returns b too)
        x[:] = 0.0
    nmatvec = 0
    if x.any():
        r = b - _matvec(A, x, dense)
        nmatvec += 1
    else:
        r = b.copy()
    path = [x.copy()] if keep_path else None
    rr = float(r @ r)
    residuals = [math.sqrt(rr)]
    threshold = tol * b_norm
    p = r.copy()
    k = 0
    message = _MAXITER
    while True:
        if math.sqrt(rr) < threshold or rr == 0.0:  # 0: exact solution, or b = 0
            message = "Converged: ||r|| < tol * ||b||."
            break
        if k >= max_iter:
            break
        q = _matvec(A, p, dense)
        nmatvec += 1
        pq = float(p @ q)
        if not pq > 0.0:
            raise ValueError(
                f"A must be positive definite, got p @ A @ p = {pq:.3g} <= 0 at step {k}")
        alpha = rr / pq
        x += alpha * p
        r -= alpha * q
        rr_new = float(r @ r)
        p *= rr_new / rr
        p += r
        rr = rr_new
        k += 1
        residuals.append(math.sqrt(rr))
        if keep_path:
            path.append(x.copy())
    return OptimizeResult(
        x=x, fun=-0.5 * float(x @ (b + r)), grad=-r, nit=k, nmatvec=nmatvec,
        residuals=np.array(residuals), success=message.startswith("Converged"),
        message=message, path=np.array(path) if keep_path else None,
    )


def _matvec(A, v, dense):
    out = A @ v
    if dense:
        return out
    out = np.asarray(out, dtype=np.float64).reshape(-1)
    if out.shape != v.shape:
        raise ValueError(f"A @ v must have shape {v.shape}, got {out.shape}")
    return out


def _check_operator(A):
    r"""(A, n, dense) after checking shape, dtype, finiteness and symmetry.

    Symmetry is probed rather than checked entry by entry: for two fixed random vectors u, v,
    :math:`u^\top A v = v^\top A u` to 1e-10 of :math:`\lVert u\rVert\lVert Av\rVert +
    \lVert v\rVert\lVert Au\rVert`. That takes one pass over a dense A (the product with
    the two columns [u v]), as much as one CG step, where comparing A with A.T costs several
    (A.T is read across the rows); it catches any asymmetry A - A.T larger than about
    :math:`10^{-10}\sqrt n` of A in Frobenius norm, and a NaN or infinity in A.
    """
    dense = isinstance(A, (np.ndarray, list, tuple))
    if dense:
        A = _as_2d(A)
    else:
        shape = getattr(A, "shape", None)
        if not hasattr(A, "__matmul__") or shape is None or len(shape) != 2:
            raise ValueError(
                f"A must be a square array or an operator with shape and @, got "
                f"{_validate._describe(A)}")
        if shape[0] != shape[1]:
            raise ValueError(f"A must be square, got shape {tuple(shape)}")
    n = int(A.shape[0])
    U = np.random.default_rng(0).standard_normal((n, 2))  # a fixed probe: deterministic
    if dense:
        with np.errstate(all="ignore"):
            AU = A @ U
        Au, Av = AU[:, 0], AU[:, 1]
    else:
        Au, Av = _matvec(A, U[:, 0].copy(), False), _matvec(A, U[:, 1].copy(), False)
    if not (np.isfinite(Au).all() and np.isfinite(Av).all()):
        bad = int(A.size - np.count_nonzero(np.isfinite(A))) if dense else None
        if bad == 0:
            raise ValueError("A must be finite, got entries so large that A @ v overflows")
        got = f"{bad} NaN or infinite entries" if dense else "non-finite products A @ v"
        raise ValueError(f"A must be finite, got {got}")
    u, v = U[:, 0], U[:, 1]
    with np.errstate(over="ignore"):  # entries near 1e308: an infinite scale lets A pass
        gap = abs(float(u @ Av) - float(v @ Au))
        scale = np.linalg.norm(u) * np.linalg.norm(Av) + np.linalg.norm(v) * np.linalg.norm(Au)
    if gap > 1e-10 * scale:
        raise ValueError(
            f"A must be symmetric, got u @ (A v) - v @ (A u) = {gap:.3g} for two random "
            f"vectors u, v (relative {gap / scale:.1e}, tolerance 1e-10)")
    return A, n, dense


def _as_2d(A):
    arr = np.asarray(A)
    if arr.ndim != 2 or arr.shape[0] != arr.shape[1]:
        raise ValueError(f"A must be a square 2-D array, got shape {arr.shape}")
    if arr.dtype == object or not (np.issubdtype(arr.dtype, np.floating)
                                   or np.issubdtype(arr.dtype, np.integer)):
        raise ValueError(f"A must be a real numeric array, got {_validate._describe(arr)}")
    return np.ascontiguousarray(arr, dtype=np.float64)


# Newton ------------------------------------------------------------------------------

_LINE_SEARCHES = (None, "backtracking", "wolfe")


def newton(f, grad, hess, x0, line_search="wolfe", damping="auto", gtol=1e-5,
           max_iter=None, c1=1e-4, c2=0.9, rho=0.5, keep_path=True):
    r"""Newton's method: step to the minimizer of the local quadratic model.

    The model :math:`L(\theta_t + d) \approx L(\theta_t) + g_t^\top d + \frac12 d^\top H_t
    d` has its stationary point at the Newton direction

    .. math::
        d_t = -(H_t + \tau_t I)^{-1} g_t, \qquad \theta_{t+1} = \theta_t + \eta_t d_t,

    with :math:`\tau_t = 0` for the pure method. On a convex quadratic one full step
    (:math:`\eta_t = 1`) lands on the minimizer; near a minimizer with H positive definite
    the convergence is quadratic (the error is squared at every step).

    The two safeguards, each optional so that the pure method's failures can be shown:

    - `damping`, the shift :math:`\tau_t`. ``"auto"`` (default): Nocedal and Wright's
      Algorithm 3.3 (Cholesky with added multiple of the identity), :math:`\tau_t = 0`
      when H is positive definite, otherwise the first of :math:`\tau = \beta -
      \min_i H_{ii}`, then doubling (at least :math:`\beta = 10^{-3}`), that makes the
      Cholesky factorization succeed; then :math:`d_t` is a descent direction. A number
      :math:`\lambda \ge 0` adds the fixed :math:`\lambda I` (Levenberg's damping); 0 is
      the pure Newton direction, which an indefinite H can turn uphill or toward a saddle.
    - `line_search`: ``"wolfe"`` (strong Wolfe, first trial :math:`\eta = 1`; default),
      ``"backtracking"`` (Armijo, :math:`\eta = 1, \rho, \rho^2, \dots`), or None for the
      full step :math:`\eta_t = 1`. Far from the minimizer a Newton step can be thousands
      of times too long (on the canyon's walls); the Wolfe search's interpolation cuts it
      down in a few trials, where halving takes a dozen. With a line search, a direction
      that is not a descent direction stops the run (success False): use
      ``damping="auto"``. Without one, f is evaluated only to record ``fun``.

    The pure method, ``newton(f, grad, hess, x0, line_search=None, damping=0)``, is
    attracted to any stationary point (saddles and maxima included) and can diverge even
    on a convex function: on :math:`\sqrt{1 + \theta^2}` the step is
    :math:`\theta_{t+1} = -\theta_t^3`, divergent from :math:`|\theta_0| > 1`. When an
    iterate, its value or its gradient is no longer finite the run stops (success False,
    "diverged").

    Each update costs one call of hess, one of grad and the line search's calls of f
    (one when the full step is accepted). Solving with H costs :math:`O(n^3)` time and
    :math:`O(n^2)` memory.

    Parameters
    ----------
    f, grad, hess : callables of theta (n,), returning a float, (n,), (n, n)
    x0 : array (n,)
    line_search : {"wolfe", "backtracking", None}
    damping : "auto" or float >= 0
    gtol : float >= 0
    max_iter : int >= 0, default 200 n
    c1, c2, rho : the line search's constants (c2 for "wolfe", rho for "backtracking")
    keep_path : bool

    Returns
    -------
    OptimizeResult, with ``nhev`` (calls of hess) and ``shifts`` (:math:`\tau_t` per update).
    """
    _require_callable(hess, "hess")
    if line_search not in _LINE_SEARCHES:
        raise ValueError(
            f"line_search must be one of 'wolfe', 'backtracking' or None, got {line_search!r}")
    if isinstance(damping, str):
        _validate.choice(damping, "damping", {"auto"})
    else:
        try:
            damping = _validate.real(damping, "damping", low=0.0)
        except ValueError:
            raise ValueError(
                f"damping must be 'auto' or a number >= 0, got {_validate._describe(damping)}"
            ) from None
    c1, c2 = _check_c1_c2(c1, c2)
    rho = _validate.real(rho, "rho")
    if not 0.0 < rho < 1.0:
        raise ValueError(f"rho must satisfy 0 < rho < 1, got {rho}")
    run = _Run(f, grad, x0, gtol, max_iter, _scipy_max_iter, keep_path)
    n, prob = run.n, run.prob
    nhev = [0]

    def hessian(x, first):
        H = hess(x)
        nhev[0] += 1
        H = np.asarray(H, dtype=np.float64)
        if H.shape != (n, n):
            raise ValueError(f"hess must return an array of shape ({n}, {n}), got {H.shape}")
        if first and not np.isfinite(H).all():
            raise ValueError("hess must return finite values, got NaN or infinite entries "
                             "at x0")
        return H

    shifts = []
    eye = np.eye(n)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        while run.running():
            H = hessian(run.x, first=run.t == 0)
            if not np.isfinite(H).all():
                run.stop("Diverged: the Hessian is no longer finite.")
                break
            try:
                if damping == "auto":
                    d, tau = _modified_newton_direction(H, run.g, eye)
                else:
                    tau = damping
                    d = -np.linalg.solve(H + tau * eye if tau else H, run.g)
            except np.linalg.LinAlgError:
                run.stop("The Hessian is singular: no Newton step (use damping).")
                break
            if line_search is None:
                x_new = run.x + d
                if not np.isfinite(x_new).all():
                    run.stop("Diverged: the iterate is no longer finite.")
                    break
                g_new = prob.grad(x_new, finite=False)
                f_new = prob.fun(x_new)
                shifts.append(tau)
                if not (np.isfinite(g_new).all() and math.isfinite(f_new)):
                    run.stop("Diverged: the value or the gradient is no longer finite.")
                    break
                run.accept(x_new, f_new, g_new)
                continue
            slope = float(run.g @ d)
            if not slope < 0.0:
                run.stop(f"The Newton direction is not a descent direction (g @ d = "
                         f"{slope:.3g}): H + tau I is not positive definite (use damping).")
                break
            if line_search == "wolfe":
                ls = _wolfe(prob, run.x, d, run.fun, slope, 1.0, c1, c2, 10)
            else:
                ls = _backtracking(prob, run.x, d, run.fun, slope, 1.0, rho, c1, 50)
            if not ls.success:
                run.stop(_line_search_failed(ls))
                break
            g_new = ls.grad if ls.grad is not None else prob.grad(ls.x)
            shifts.append(tau)
            run.accept(ls.x, ls.fun, g_new)
    return run.result(nhev=nhev[0], shifts=np.array(shifts, dtype=np.float64))


def _modified_newton_direction(H, g, eye, beta=1e-3):
    """Nocedal and Wright's Algorithm 3.3: the smallest tau of the sequence with H + tau I
    positive definite (its Cholesky factorization succeeds); returns (d, tau)."""
    min_diag = float(np.min(np.diag(H)))
    tau = 0.0 if min_diag > 0 else beta - min_diag
    for _ in range(100):  # tau doubles: 100 doublings exceed any finite spectrum
        try:
            factor = scipy.linalg.cho_factor(H + tau * eye if tau else H, check_finite=False)
        except np.linalg.LinAlgError:
            tau = max(2.0 * tau, beta)
            continue
        return -scipy.linalg.cho_solve(factor, g, check_finite=False), tau
    raise np.linalg.LinAlgError("no shift makes H positive definite")


# Nonlinear conjugate gradients -------------------------------------------------------

_BETAS = ("FR", "PR", "PR+")


def _scipy_initial_step(fun, fun_prev, slope):
    """Nocedal and Wright's (3.60), as SciPy uses it: the minimizer of the quadratic through
    phi(0), phi'(0) that predicts the last decrease again, times 1.01, at most 1."""
    alpha0 = min(1.0, 1.01 * 2.0 * (fun - fun_prev) / slope)
    return alpha0 if alpha0 > 0.0 else 1.0


def nonlinear_cg(f, grad, x0, beta="PR+", c1=1e-4, c2=0.1, gtol=1e-5, max_iter=None,
                 restart_every=None, keep_path=True):
    r"""Nonlinear conjugate gradients (Fletcher-Reeves, Polak-Ribière, PR+), with restarts.

    The direction mixes the new gradient with the last direction,

    .. math::
        d_0 = -g_0, \qquad d_{t+1} = -g_{t+1} + \beta_{t+1} d_t, \qquad
        \beta_{t+1}^{\text{FR}} = \frac{g_{t+1}^\top g_{t+1}}{g_t^\top g_t}, \qquad
        \beta_{t+1}^{\text{PR}} = \frac{g_{t+1}^\top (g_{t+1} - g_t)}{g_t^\top g_t},

    and "PR+" is :math:`\max(\beta^{\text{PR}}, 0)` (Nocedal and Wright, Section 5.2). On a
    convex quadratic with exact line searches all three are linear CG. The step length comes
    from a strong Wolfe line search with c2 = 0.1 (Nocedal and Wright's advice for CG: with
    c2 < 1/2 Fletcher-Reeves directions are always descent directions), its first trial
    being (3.60) as SciPy computes it.

    Restart (:math:`\beta = 0`, steepest descent) every `restart_every` updates (default n,
    the dimension, after which the quadratic theory is spent), and whenever the new
    direction is not a descent direction (:math:`g_{t+1}^\top d_{t+1} \ge 0`, possible for
    PR). ``result.restarts`` counts both kinds.

    SciPy's ``minimize(method="CG")`` is PR+ with c2 = 0.4 and, instead of restarts, a
    line search that also requires :math:`g^\top d \le -0.01\,\lVert g\rVert^2` of the
    next direction.

    Parameters
    ----------
    f, grad : callables of theta (n,)
    x0 : array (n,)
    beta : {"PR+", "PR", "FR"}
    c1, c2 : floats, 0 < c1 < c2 < 1
    gtol : float >= 0
    max_iter : int >= 0, default 200 n (SciPy's)
    restart_every : int >= 1, default n
    keep_path : bool
    """
    _validate.choice(beta, "beta", set(_BETAS))
    c1, c2 = _check_c1_c2(c1, c2)
    run = _Run(f, grad, x0, gtol, max_iter, _scipy_max_iter, keep_path)
    restart_every = run.n if restart_every is None else restart_every
    restart_every = _validate.integer(restart_every, "restart_every", low=1)
    prob = run.prob
    d = -run.g
    gg = float(run.g @ run.g)
    fun_prev = run.fun + math.sqrt(gg) / 2  # SciPy's: the first trial step has length ~1
    restarts = 0
    while run.running():
        slope = float(run.g @ d)
        if not slope < 0.0:  # not a descent direction: restart
            d = -run.g
            slope = -gg
            restarts += 1
        alpha0 = _scipy_initial_step(run.fun, fun_prev, slope)
        ls = _wolfe(prob, run.x, d, run.fun, slope, alpha0, c1, c2, 10)
        if not ls.success:
            run.stop(_line_search_failed(ls))
            break
        g_new = ls.grad
        gg_new = float(g_new @ g_new)
        if beta == "FR":
            b = gg_new / gg
        else:
            b = (gg_new - float(g_new @ run.g)) / gg
            if beta == "PR+":
                b = max(b, 0.0)
        fun_prev = run.fun
        run.accept(ls.x, ls.fun, g_new)
        if run.t % restart_every == 0:
            b = 0.0
            restarts += 1
        d *= b
        d -= g_new
        gg = gg_new
    return run.result(restarts=restarts)


# BFGS --------------------------------------------------------------------------------


def _curvature_ok(s, y, ys):
    """The secant pair is used only when y @ s > 0 (with a margin for rounding)."""
    return ys > 1e-10 * float(np.linalg.norm(s) * np.linalg.norm(y))


def bfgs(f, grad, x0, c1=1e-4, c2=0.9, gtol=1e-5, max_iter=None, line_search="wolfe",
         hess_inv0=None, keep_path=True):
    r"""BFGS: a quasi-Newton method that learns the inverse Hessian from gradients.

    The direction is :math:`d_t = -B_t^{-1} g_t`. After each step the secant pair
    :math:`\Delta\theta_t = \theta_{t+1} - \theta_t`, :math:`\Delta g_t = g_{t+1} - g_t`
    (``s``, ``y``) updates the inverse approximation so that the secant condition
    :math:`B_{t+1}^{-1} \Delta g_t = \Delta\theta_t` holds (Nocedal and Wright, (6.17)):

    .. math::
        B_{t+1}^{-1} = (I - \rho_t \Delta\theta_t \Delta g_t^\top)\, B_t^{-1}\,
        (I - \rho_t \Delta g_t \Delta\theta_t^\top) + \rho_t \Delta\theta_t
        \Delta\theta_t^\top, \qquad \rho_t = \frac{1}{\Delta g_t^\top \Delta\theta_t}.

    It keeps :math:`B^{-1}` positive definite as long as :math:`\Delta g_t^\top
    \Delta\theta_t > 0`, which the strong Wolfe line search guarantees. This is Algorithm
    6.1 with SciPy's :math:`B_0^{-1} = I` by default. ``hess_inv0="scaled"`` replaces it by
    :math:`\frac{\Delta g_0^\top \Delta\theta_0}{\Delta g_0^\top \Delta g_0} I` before the
    first update (Nocedal and Wright's heuristic (6.20)), which makes :math:`B_t^{-1}` follow
    the scale of L: multiplying L by c divides it by c and leaves the iterates unchanged (if
    the first trial step is not capped at 1, see below), where with I they change. Neither
    choice wins everywhere; measured on the tests' problems, the scaling takes 2.5 times as
    many iterations as I on a quadratic with curvatures from 1 to 100 (its factor, about
    1/60, underestimates the inverse curvature 1 of the flat directions, and steps accepted
    at :math:`\eta = 1` are too short to expose it), and 7 times fewer on 50 uncoupled
    Rosenbrock valleys (n = 100), where I overestimates the inverse curvature everywhere.
    Each line search's first trial is SciPy's: :math:`\min(1, 1.01 \cdot 2(L(\theta_t) -
    L(\theta_{t-1})) / g_t^\top d_t)` (Nocedal and Wright's (3.60)), a step of length about
    1 at the start and :math:`\eta = 1` near the minimizer. With the default the counts are
    close to ``scipy.optimize.minimize(method="BFGS")``'s, which uses the same :math:`B_0^{-1}`
    and first trial (its line search is MINPACK's).

    With ``line_search="backtracking"`` (Armijo only) nothing keeps :math:`\Delta
    g_t^\top\Delta\theta_t` positive: a pair with :math:`\Delta g_t^\top\Delta\theta_t \le
    10^{-10} \lVert\Delta\theta_t\rVert \lVert\Delta g_t\rVert` is then skipped (counted in
    ``skipped_updates``), the usual safeguard. The update costs :math:`O(n^2)`, the memory
    is the dense :math:`B^{-1}` (n, n).

    Parameters
    ----------
    f, grad : callables of theta (n,)
    x0 : array (n,)
    c1, c2 : floats, 0 < c1 < c2 < 1 (c2 only for "wolfe")
    gtol : float >= 0
    max_iter : int >= 0, default 200 n (SciPy's)
    line_search : {"wolfe", "backtracking"}
    hess_inv0 : None, "scaled", or array (n, n), symmetric positive definite
        :math:`B_0^{-1}`: None (default) for I, as SciPy; "scaled" for (6.20), I rescaled
        once by :math:`\Delta g_0^\top\Delta\theta_0 / \Delta g_0^\top\Delta g_0` before the
        first update; an array is used as is.
    keep_path : bool

    Returns
    -------
    OptimizeResult with ``hess_inv`` (the final :math:`B_T^{-1}`) and ``skipped_updates``.
    """
    c1, c2 = _check_c1_c2(c1, c2)
    _validate.choice(line_search, "line_search", {"wolfe", "backtracking"})
    run = _Run(f, grad, x0, gtol, max_iter, _scipy_max_iter, keep_path)
    n, prob = run.n, run.prob
    scale_first = isinstance(hess_inv0, str)
    if scale_first:
        _validate.choice(hess_inv0, "hess_inv0", {"scaled"})
    if hess_inv0 is None or scale_first:
        Hinv = np.eye(n)
    else:
        Hinv = _validate.float_array(hess_inv0, "hess_inv0", shape=(n, n)).copy()
        if not np.allclose(Hinv, Hinv.T, rtol=1e-10, atol=0.0):
            raise ValueError("hess_inv0 must be symmetric")
        try:
            np.linalg.cholesky(Hinv)
        except np.linalg.LinAlgError:
            raise ValueError("hess_inv0 must be positive definite") from None
    skipped = 0
    fun_prev = run.fun + math.sqrt(float(run.g @ run.g)) / 2  # SciPy's: a first step of ~1
    while run.running():
        d = -(Hinv @ run.g)
        slope = float(run.g @ d)
        if not slope < 0.0:  # rounding only: B^-1 is positive definite
            run.stop(f"The direction is not a descent direction (g @ d = {slope:.3g}).")
            break
        alpha0 = _scipy_initial_step(run.fun, fun_prev, slope)
        fun_prev = run.fun
        if line_search == "wolfe":
            ls = _wolfe(prob, run.x, d, run.fun, slope, alpha0, c1, c2, 10)
        else:
            ls = _backtracking(prob, run.x, d, run.fun, slope, alpha0, 0.5, c1, 50)
        if not ls.success:
            run.stop(_line_search_failed(ls))
            break
        g_new = ls.grad if ls.grad is not None else prob.grad(ls.x)
        s = ls.x - run.x
        y = g_new - run.g
        run.accept(ls.x, ls.fun, g_new)
        if run.converged():
            continue  # no update: the result's hess_inv is the one that made the last step
        ys = float(y @ s)
        if not _curvature_ok(s, y, ys):
            skipped += 1
            continue
        if scale_first:
            Hinv *= ys / float(y @ y)  # (6.20), once, before the first update
            scale_first = False
        _bfgs_update(Hinv, s, y, ys)
    return run.result(hess_inv=Hinv, skipped_updates=skipped)


def _bfgs_update(Hinv, s, y, ys):
    """In place, in O(n^2): with Hy = B^-1 y (B^-1 symmetric), (6.17) expands to
    B^-1 + (rho^2 y.Hy + rho) s s^T - rho (Hy s^T + s Hy^T)."""
    rho = 1.0 / ys
    Hy = Hinv @ y
    Hinv += ((rho * rho) * float(y @ Hy) + rho) * np.outer(s, s)
    Hinv -= rho * (np.outer(Hy, s) + np.outer(s, Hy))


# L-BFGS ------------------------------------------------------------------------------


def lbfgs(f, grad, x0, m=10, c1=1e-4, c2=0.9, gtol=1e-5, max_iter=None, keep_path=True):
    r"""L-BFGS: BFGS that keeps only the M most recent secant pairs (memory ``m``).

    :math:`B_t^{-1}` is never formed. The direction :math:`d_t = -B_t^{-1} g_t` comes from
    the two-loop recursion (Nocedal and Wright, Algorithm 7.4) over the stored pairs
    :math:`(\Delta\theta_i, \Delta g_i)`, :math:`\rho_i = 1/\Delta g_i^\top\Delta\theta_i`,
    i = t - M, ..., t - 1:

    .. math::
        q \leftarrow g_t; \quad \text{newest to oldest: } a_i = \rho_i \Delta\theta_i^\top q,
        \ q \leftarrow q - a_i \Delta g_i; \quad
        r \leftarrow \gamma_t q, \ \gamma_t = \frac{\Delta\theta_{t-1}^\top \Delta g_{t-1}}
        {\Delta g_{t-1}^\top \Delta g_{t-1}}; \quad
        \text{oldest to newest: } r \leftarrow r + \Delta\theta_i
        (a_i - \rho_i \Delta g_i^\top r),

    and :math:`d_t = -r`. :math:`\gamma_t I` is the initial matrix (7.20), rescaled at every
    step. That is 4Mn multiplications and 2Mn numbers of memory instead of BFGS's
    :math:`n^2`. Algorithm 7.5 around it: the first step is the gradient step scaled to
    length 1 (:math:`\eta_0 = 1/\lVert g_0\rVert_2`, as in L-BFGS-B), later trials start at
    :math:`\eta = 1`, every step satisfies the strong Wolfe conditions (so
    :math:`\Delta g^\top\Delta\theta > 0`); a pair that has :math:`\Delta g^\top\Delta\theta
    \le 10^{-10}\lVert\Delta\theta\rVert\lVert\Delta g\rVert` (rounding) is not stored
    (``skipped_updates``).

    SciPy's ``minimize(method="L-BFGS-B")`` is the same method with bounds (none here) and
    the Moré-Thuente line search; it also stops when the relative decrease of f falls below
    ``ftol`` (2.2e-9), a test this function does not make.

    Parameters
    ----------
    f, grad : callables of theta (n,)
    x0 : array (n,)
    m : int >= 1
        The memory M.
    c1, c2 : floats, 0 < c1 < c2 < 1
    gtol : float >= 0
    max_iter : int >= 0, default 15000 (L-BFGS-B's)
    keep_path : bool
    """
    m = _validate.integer(m, "m", low=1)
    c1, c2 = _check_c1_c2(c1, c2)
    run = _Run(f, grad, x0, gtol, max_iter, lambda n: 15000, keep_path)
    n, prob = run.n, run.prob
    # the pairs live in the rows of S and Y, a ring buffer; `order` lists the rows in use,
    # oldest first. Views of the rows and Python floats keep the loop's overhead small.
    S, Y = np.empty((m, n)), np.empty((m, n))
    S_rows, Y_rows = list(S), list(Y)
    s, y = np.empty(n), np.empty(n)  # the newest pair, before it is known to be usable
    rho, a = [0.0] * m, [0.0] * m
    order = []
    gamma = 1.0
    skipped = 0
    while run.running():
        if order:
            d = _two_loop(run.g, S_rows, Y_rows, rho, a, order, gamma)
            alpha0 = 1.0
        else:
            d = -run.g
            alpha0 = 1.0 / math.sqrt(_ddot(run.g, run.g))
        slope = _ddot(run.g, d)
        if not slope < 0.0:
            run.stop(f"The direction is not a descent direction (g @ d = {slope:.3g}).")
            break
        ls = _wolfe(prob, run.x, d, run.fun, slope, alpha0, c1, c2, 10)
        if not ls.success:
            run.stop(_line_search_failed(ls))
            break
        g_new = ls.grad
        np.subtract(ls.x, run.x, out=s)
        np.subtract(g_new, run.g, out=y)
        run.accept(ls.x, ls.fun, g_new)
        ys, yy = _ddot(y, s), _ddot(y, y)
        if not ys > 1e-10 * math.sqrt(_ddot(s, s) * yy):  # rounding: keep the old pairs
            skipped += 1
            continue
        slot = order.pop(0) if len(order) == m else len(order)  # overwrite the oldest
        S_rows[slot][:] = s
        Y_rows[slot][:] = y
        rho[slot] = 1.0 / ys
        gamma = ys / yy
        order.append(slot)
    return run.result(skipped_updates=skipped)


def _two_loop(g, S_rows, Y_rows, rho, a, order, gamma):
    """d = -B^-1 g by Algorithm 7.4. BLAS's daxpy updates q in place in one call, where
    numpy's ``q -= a * y`` would allocate a temporary: the loop runs 3-4 times faster."""
    q = g.copy()
    for i in reversed(order):  # newest to oldest
        a[i] = ai = rho[i] * _ddot(S_rows[i], q)
        q = _daxpy(Y_rows[i], q, a=-ai)
    q *= gamma
    for i in order:  # oldest to newest
        q = _daxpy(S_rows[i], q, a=a[i] - rho[i] * _ddot(Y_rows[i], q))
    np.negative(q, out=q)
    return q
