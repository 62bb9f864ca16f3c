r"""Finite-difference gradients and gradient checking.

In the book's notation the point is :math:`\theta` (the argument ``x`` here), h is the step
and :math:`\mathbf 1_k` the array with a 1 in entry k and zeros elsewhere.

Forward difference, truncation error O(h):
    :math:`\partial f/\partial \theta_k \approx (f(\theta + h \mathbf 1_k) - f(\theta)) / h`
Centered difference, truncation error O(h^2):
    :math:`\partial f/\partial \theta_k \approx
    (f(\theta + h \mathbf 1_k) - f(\theta - h \mathbf 1_k)) / 2h`

Both also carry a round-off error of order :math:`\varepsilon_{\text{mach}} |f| / h`.
"""

from dataclasses import dataclass

import numpy as np

from lib import _validate

METHODS = ("centered", "forward")


def _check_x(x):
    if not isinstance(x, np.ndarray) or not np.issubdtype(x.dtype, np.floating):
        raise ValueError(
            "x must be a floating-point numpy array (it is perturbed in place), got "
            + _validate._describe(x)
        )
    if not x.flags.writeable:
        raise ValueError("x must be writeable (it is perturbed in place and restored)")
    _validate.float_array(x, "x")


def _value(f, x, where):
    v = f(x)
    try:
        v = float(v)
    except (TypeError, ValueError):
        raise ValueError(
            f"f must return a real scalar, got {_validate._describe(v)} {where}"
        ) from None
    if not np.isfinite(v):
        raise ValueError(f"f must return a finite value, got {v} {where}")
    return v


def _partial(f, x, ix, h, method, fx):
    """One finite-difference partial derivative along entry ix; x[ix] is restored exactly."""
    old = x[ix]
    try:
        x[ix] = old + h
        f_plus = _value(f, x, f"at x{list(ix)} + h")
        if method == "forward":
            return (f_plus - fx) / h
        x[ix] = old - h
        f_minus = _value(f, x, f"at x{list(ix)} - h")
        return (f_plus - f_minus) / (2 * h)
    finally:
        x[ix] = old  # restore, whatever happened


def numerical_gradient(f, x, h=1e-5, method="centered"):
    """Finite-difference gradient of a scalar function f at x; an array of x's shape.

    f: callable taking an array shaped like x and returning a real number.
    x: float ndarray. Each entry is nudged in place by h and then restored to its
       exact old value, also when f raises, so x is unchanged on return.
    method: "centered" (2 evaluations per entry) or "forward" (1 per entry, plus f(x)).

    The loop over entries is the lesson: it makes plain why the cost grows with
    the number of parameters.
    """
    if not callable(f):
        raise ValueError(f"f must be callable, got {_validate._describe(f)}")
    _check_x(x)
    h = _validate.real(h, "h", low=0.0, low_open=True)
    _validate.choice(method, "method", set(METHODS))
    grad = np.zeros(x.shape, dtype=np.float64)
    fx = _value(f, x, "at x") if method == "forward" else None
    it = np.nditer(x, flags=["multi_index"], op_flags=["readonly"])
    while not it.finished:
        grad[it.multi_index] = _partial(f, x, it.multi_index, h, method, fx)
        it.iternext()
    return grad


def rel_error(a, b, floor=1e-8):
    r"""Largest elementwise relative error, :math:`\max |a-b| / \max(|a|, |b|, \text{floor})`.

    The floor keeps entries where both values are (nearly) zero from dividing by zero; it is
    an absolute quantity, in the units of a and b.
    """
    a = _validate.float_array(a, "a")
    b = _validate.float_array(b, "b")
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same shape, got {a.shape} and {b.shape}")
    floor = _validate.real(floor, "floor", low=0.0, low_open=True)
    if a.size == 0:
        return 0.0
    denom = np.maximum(np.maximum(np.abs(a), np.abs(b)), floor)
    return float(np.max(np.abs(a - b) / denom))


@dataclass(frozen=True)
class GradCheckResult:
    """Outcome of `grad_check`: the worst entry and every checked entry's relative error."""

    max_rel_error: float
    worst_index: tuple
    worst_numerical: float
    worst_analytic: float
    indices: list
    rel_errors: np.ndarray

    @property
    def n_checked(self):
        return len(self.indices)

    def passed(self, tol=1e-6):
        return self.max_rel_error <= tol

    def __repr__(self):
        return (
            f"GradCheckResult(max_rel_error={self.max_rel_error:.2e} at {self.worst_index}: "
            f"numerical {self.worst_numerical:.6g}, analytic {self.worst_analytic:.6g}; "
            f"{self.n_checked} entries checked)"
        )


def grad_check(f, x, analytic, h=1e-5, num_checks=None, seed=0):
    r"""Compare an analytic gradient with centered differences; report the worst entry.

    f: scalar function of x; x: float ndarray (restored on return); analytic: array
    of x's shape. With num_checks=k only k entries drawn with `seed` are checked,
    which costs 2k evaluations of f instead of 2 * x.size. Each entry's relative error is
    :math:`|g_\text{num} - g_\text{ana}| / \max(|g_\text{num}|, |g_\text{ana}|, 10^{-8})`.
    """
    if not callable(f):
        raise ValueError(f"f must be callable, got {_validate._describe(f)}")
    _check_x(x)
    analytic = _validate.float_array(analytic, "analytic", shape=x.shape)
    h = _validate.real(h, "h", low=0.0, low_open=True)
    if num_checks is None:
        indices = list(np.ndindex(x.shape))
    else:
        num_checks = _validate.integer(num_checks, "num_checks", low=1)
        rng = np.random.default_rng(_validate.integer(seed, "seed", low=0))
        flat = rng.choice(x.size, size=min(num_checks, x.size), replace=False)
        indices = [np.unravel_index(k, x.shape) for k in flat]
        indices = [tuple(int(i) for i in ix) for ix in indices]
    numerical = np.array([_partial(f, x, ix, h, "centered", None) for ix in indices])
    picked = np.array([analytic[ix] for ix in indices])
    denom = np.maximum(np.maximum(np.abs(numerical), np.abs(picked)), 1e-8)
    errors = np.abs(numerical - picked) / denom
    worst = int(np.argmax(errors)) if len(errors) else 0
    return GradCheckResult(
        max_rel_error=float(errors[worst]) if len(errors) else 0.0,
        worst_index=tuple(int(i) for i in indices[worst]) if indices else (),
        worst_numerical=float(numerical[worst]) if len(errors) else 0.0,
        worst_analytic=float(picked[worst]) if len(errors) else 0.0,
        indices=indices,
        rel_errors=errors,
    )
