r"""Two-dimensional test functions, Rosenbrock in n dimensions, and slices through losses.

A `Landscape` :math:`f: \mathbb R^2 \to \mathbb R` of a point :math:`\theta = (\theta_1, \theta_2)`
knows its value, gradient :math:`\nabla f` and Hessian :math:`H = \nabla^2 f`; inside the
classes the two coordinates are the arrays x and y, and a test function's own constants keep
their usual names (Rosenbrock's a and b), local to it. Values are vectorized over leading
axes, so ``f(np.stack([X, Y], axis=-1))`` evaluates a whole grid for a contour plot (X, Y:
the grid's coordinates); `grad` and `hessian` take one point of shape (2,)
(or a stack of points, shape (..., 2)). `ExtendedRosenbrock` does the same in n
dimensions (its `grad` and `hessian` take one point of shape (n,)), so that any of
them serves `lib.second_order` directly as ``(f, f.grad, f.hessian)``.
"""

import numpy as np

from lib import _validate


def _point(w, name="w"):
    w = _validate.float_array(w, name)
    if w.ndim == 0 or w.shape[-1] != 2:
        raise ValueError(f"{name} must have shape (2,) or (..., 2), got {w.shape}")
    return w


class Landscape:
    """Base class: subclasses define `_value`, `_grad`, `_hessian` on coordinate arrays x, y."""

    name = "landscape"
    xlim = (-2.0, 2.0)
    ylim = (-2.0, 2.0)
    start = (1.5, 1.5)

    def __call__(self, w):
        w = _point(w)
        return self._value(w[..., 0], w[..., 1])

    def grad(self, w):
        w = _point(w)
        return np.stack(self._grad(w[..., 0], w[..., 1]), axis=-1)

    def hessian(self, w):
        w = _point(w)
        (hxx, hxy), (_, hyy) = self._hessian(w[..., 0], w[..., 1])
        hxx, hxy, hyy, _ = np.broadcast_arrays(hxx, hxy, hyy, w[..., 0])
        return np.stack([np.stack([hxx, hxy], -1), np.stack([hxy, hyy], -1)], -2)

    def grid(self, n=200, xlim=None, ylim=None):
        """Coordinates X, Y (n, n) and values Z over the plotting window."""
        n = _validate.integer(n, "n", low=2)
        xlim = self.xlim if xlim is None else xlim
        ylim = self.ylim if ylim is None else ylim
        X, Y = np.meshgrid(np.linspace(*xlim, n), np.linspace(*ylim, n))
        return X, Y, self._value(X, Y)

    @property
    def minima(self):
        """Known global minimizers, shape (k, 2); empty when f is unbounded below."""
        return np.zeros((0, 2))

    def __repr__(self):
        return f"{type(self).__name__}()"


class Quadratic(Landscape):
    r"""The bowl :math:`f(\theta) = \frac12 (\theta - \theta^\star)^\top H (\theta - \theta^\star)`.

    A: the symmetric (2, 2) matrix H, which is also the Hessian; center: :math:`\theta^\star`,
    the minimizer when H is positive definite. The eigenvalues of H are the curvatures.
    """

    name = "quadratic"

    def __init__(self, A=((1.0, 0.0), (0.0, 1.0)), center=(0.0, 0.0)):
        A = _validate.float_array(A, "A", shape=(2, 2))
        if not np.allclose(A, A.T):
            raise ValueError(f"A must be symmetric, got {A.tolist()}")
        self.A = A
        self.center = _validate.float_array(center, "center", shape=(2,))
        r = 2.5  # plotting half-width around the center
        cx, cy = self.center
        self.xlim = (cx - r, cx + r)
        self.ylim = (cy - r, cy + r)
        self.start = (cx - 0.8 * r, cy + 0.6 * r)

    @classmethod
    def with_condition(cls, condition, angle=0.0, center=(0.0, 0.0)):
        r"""H with eigenvalues :math:`\lambda_{\min} = 1` and :math:`\lambda_{\max}` = `condition`.

        The eigenvectors are the coordinate axes turned by `angle` radians, so the condition
        number is :math:`\kappa = \lambda_{\max} / \lambda_{\min}` = `condition`.
        """
        condition = _validate.real(condition, "condition", low=1.0)
        angle = _validate.real(angle, "angle")
        c, s = np.cos(angle), np.sin(angle)
        R = np.array([[c, -s], [s, c]])
        return cls(R @ np.diag([1.0, condition]) @ R.T, center)

    @property
    def condition_number(self):
        eig = np.abs(np.linalg.eigvalsh(self.A))
        return float(eig.max() / eig.min()) if eig.min() > 0 else np.inf

    @property
    def minima(self):
        if np.all(np.linalg.eigvalsh(self.A) > 0):
            return self.center[None, :].copy()
        return np.zeros((0, 2))

    def _value(self, x, y):
        dx, dy = x - self.center[0], y - self.center[1]
        (a, b), (_, d) = self.A
        return 0.5 * (a * dx * dx + 2 * b * dx * dy + d * dy * dy)

    def _grad(self, x, y):
        dx, dy = x - self.center[0], y - self.center[1]
        (a, b), (_, d) = self.A
        return a * dx + b * dy, b * dx + d * dy

    def _hessian(self, x, y):
        (a, b), (_, d) = self.A
        return (a, b), (b, d)

    def __repr__(self):
        return f"Quadratic(A={self.A.tolist()}, center={self.center.tolist()})"


class Rosenbrock(Landscape):
    r"""Rosenbrock's banana valley :math:`f = (a - \theta_1)^2 + b (\theta_2 - \theta_1^2)^2`.

    The minimum is at :math:`(a, a^2)`; a and b are the function's own constants.
    """

    name = "Rosenbrock"
    xlim = (-2.0, 2.0)
    ylim = (-1.0, 3.0)
    start = (-1.5, 2.0)

    def __init__(self, a=1.0, b=100.0):
        self.a = _validate.real(a, "a")
        self.b = _validate.real(b, "b", low=0.0, low_open=True)

    @property
    def minima(self):
        return np.array([[self.a, self.a**2]])

    def _value(self, x, y):
        return (self.a - x) ** 2 + self.b * (y - x * x) ** 2

    def _grad(self, x, y):
        r = y - x * x
        return -2 * (self.a - x) - 4 * self.b * x * r, 2 * self.b * r

    def _hessian(self, x, y):
        hxy = -4 * self.b * x
        return (2 - 4 * self.b * y + 12 * self.b * x * x, hxy), (hxy, 2 * self.b)

    def __repr__(self):
        return f"Rosenbrock(a={self.a}, b={self.b})"


class Saddle(Landscape):
    r"""The saddle :math:`f = \frac12 (a \theta_1^2 - b \theta_2^2)` with constants a, b > 0.

    A minimum along the first axis and a maximum along the second: the Hessian has the
    eigenvalues a and -b.
    """

    name = "saddle"
    start = (1.8, 0.05)

    def __init__(self, a=1.0, b=1.0):
        self.a = _validate.real(a, "a", low=0.0, low_open=True)
        self.b = _validate.real(b, "b", low=0.0, low_open=True)

    def _value(self, x, y):
        return 0.5 * (self.a * x * x - self.b * y * y)

    def _grad(self, x, y):
        return self.a * x, -self.b * y

    def _hessian(self, x, y):
        return (self.a, 0.0), (0.0, -self.b)

    def __repr__(self):
        return f"Saddle(a={self.a}, b={self.b})"


class Canyon(Landscape):
    r"""A canyon: steep walls down to a narrow floor that slopes gently to the minimum at 0.

    :math:`f = k\,(\sqrt{\theta_2^2 + w_c^2} - w_c) + \frac{c_s}{2} \theta_1^2` with the
    steepness :math:`k` = `steepness`, the floor's width :math:`w_c` = `width` and the gentle
    curvature :math:`c_s` = `slope` (names local to this function). Across the canyon
    (:math:`\theta_2`) the walls have slope almost k and the floor has curvature :math:`k / w_c`;
    along it (:math:`\theta_1`) the curvature is only :math:`c_s`. A step small enough not to
    bounce off the walls crawls along the floor.
    """

    name = "canyon"
    xlim = (-3.0, 3.0)
    ylim = (-1.5, 1.5)
    start = (-2.6, 1.2)

    def __init__(self, steepness=2.0, width=0.05, slope=0.2):
        self.steepness = _validate.real(steepness, "steepness", low=0.0, low_open=True)
        self.width = _validate.real(width, "width", low=0.0, low_open=True)
        self.slope = _validate.real(slope, "slope", low=0.0, low_open=True)

    @property
    def minima(self):
        return np.zeros((1, 2))

    def _value(self, x, y):
        k, d = self.steepness, self.width
        return k * (np.sqrt(y * y + d * d) - d) + 0.5 * self.slope * x * x

    def _grad(self, x, y):
        k, d = self.steepness, self.width
        return self.slope * x, k * y / np.sqrt(y * y + d * d)

    def _hessian(self, x, y):
        k, d = self.steepness, self.width
        return (self.slope, 0.0), (0.0, k * d * d / (y * y + d * d) ** 1.5)

    def __repr__(self):
        return f"Canyon(steepness={self.steepness}, width={self.width}, slope={self.slope})"


class Himmelblau(Landscape):
    r"""Himmelblau's :math:`(\theta_1^2 + \theta_2 - 11)^2 + (\theta_1 + \theta_2^2 - 7)^2`.

    Four global minima, all of value 0; near the origin the Hessian is indefinite.
    """

    name = "Himmelblau"
    xlim = (-5.0, 5.0)
    ylim = (-5.0, 5.0)
    start = (0.0, 0.0)

    @property
    def minima(self):
        return np.array([
            [3.0, 2.0],
            [-2.805118086952745, 3.131312518250573],
            [-3.779310253377747, -3.283185991286170],
            [3.584428340330492, -1.848126526964404],
        ])

    def _value(self, x, y):
        return (x * x + y - 11) ** 2 + (x + y * y - 7) ** 2

    def _grad(self, x, y):
        u, v = x * x + y - 11, x + y * y - 7
        return 4 * x * u + 2 * v, 2 * u + 4 * y * v

    def _hessian(self, x, y):
        hxy = 4 * x + 4 * y
        return (12 * x * x + 4 * y - 42, hxy), (hxy, 4 * x + 12 * y * y - 26)


class ExtendedRosenbrock:
    r"""Rosenbrock's valley in n dimensions: n/2 uncoupled pairs, or SciPy's chained sum.

    The extended Rosenbrock function of Moré, Garbow and Hillstrom (1981, problem 21), on
    which Liu and Nocedal (1989) tested L-BFGS, sums n/2 copies of `Rosenbrock` (n even):

    .. math::
        f(\theta) = \sum_{i=1}^{n/2} \left[ b\,(\theta_{2i} - \theta_{2i-1}^2)^2
        + (a - \theta_{2i-1})^2 \right],

    minimum f = 0 at (a, a^2, a, a^2, ...). With ``chained=True`` it is instead the sum over
    consecutive coordinates of `scipy.optimize.rosen`,
    :math:`\sum_{i=1}^{n-1} [b\,(\theta_{i+1} - \theta_i^2)^2 + (a - \theta_i)^2]`, minimum
    0 at (1, ..., 1) for a = 1; for n >= 4 it also has a local minimizer with
    :math:`\theta_1 < 0` (near (-1, 1, ..., 1) once n is 10 or more). For n = 2 both are
    `Rosenbrock`.

    Not a 2-D `Landscape`: the value takes a point of shape (n,) or a stack (..., n); `grad`
    (n,) and `hessian` (n, n), dense and banded, take one point of shape (n,). `start` is
    the classic (-1.2, 1, -1.2, 1, ...).
    """

    name = "extended Rosenbrock"

    def __init__(self, n, a=1.0, b=100.0, chained=False):
        self.n = _validate.integer(n, "n", low=2)
        self.a = _validate.real(a, "a")
        self.b = _validate.real(b, "b", low=0.0, low_open=True)
        if not isinstance(chained, (bool, np.bool_)):
            raise ValueError(f"chained must be True or False, got {_validate._describe(chained)}")
        self.chained = bool(chained)
        if not self.chained and self.n % 2:
            raise ValueError(f"n must be even for uncoupled pairs (chained=False), got {n}")
        # theta_i and the coordinate that follows it in each term: slices, no copies
        self._u, self._v = (slice(0, -1), slice(1, None)) if self.chained else (
            slice(0, None, 2), slice(1, None, 2))
        self.start = np.where(np.arange(self.n) % 2 == 0, -1.2, 1.0)

    def _point(self, w, stack=True):
        w = _validate.float_array(w, "w")
        if (w.ndim == 0 or w.shape[-1] != self.n) or (not stack and w.ndim != 1):
            want = f"({self.n},) or (..., {self.n})" if stack else f"({self.n},)"
            raise ValueError(f"w must have shape {want}, got {w.shape}")
        return w

    @property
    def minima(self):
        """The global minimizer, shape (1, n); empty when it has no closed form.

        That is (a, a^2, a, a^2, ...) for uncoupled pairs; (1, ..., 1) for the chained sum
        with a = 1, and (a, a^2) for n = 2 (for a != 1 and n > 2 the chained terms pull
        against each other).
        """
        if not self.chained or self.n == 2:
            return np.tile([self.a, self.a**2], self.n // 2)[None, :]
        if self.a == 1.0:
            return np.ones((1, self.n))
        return np.zeros((0, self.n))

    def __call__(self, w):
        w = self._point(w)
        u, v = w[..., self._u], w[..., self._v]
        return np.sum(self.b * (v - u * u) ** 2 + (self.a - u) ** 2, axis=-1)

    def grad(self, w):
        w = self._point(w, stack=False)
        u, v = w[self._u], w[self._v]
        r = 2.0 * self.b * (v - u * u)
        g = np.zeros(self.n)
        g[self._u] = -2.0 * u * r - 2.0 * (self.a - u)
        g[self._v] += r
        return g

    def hessian(self, w):
        w = self._point(w, stack=False)
        u, v = w[self._u], w[self._v]
        diag = np.zeros(self.n)
        diag[self._u] = 12.0 * self.b * u * u - 4.0 * self.b * v + 2.0
        diag[self._v] += 2.0 * self.b
        H = np.diag(diag)
        idx = np.arange(self.n)
        i, j = idx[self._u], idx[self._v]
        H[i, j] = H[j, i] = -4.0 * self.b * u
        return H

    def __repr__(self):
        return (f"ExtendedRosenbrock(n={self.n}, a={self.a}, b={self.b}, "
                f"chained={self.chained})")


# Slices through a loss with many parameters -----------------------------------------


def random_direction(shape, seed=0, like=None):
    r"""A standard-normal direction U of the given shape, optionally rescaled to `like`'s norm.

    Scaling the direction to the norm of the weights (`like`) makes a step of
    :math:`\nu = 1` along it comparable in size to the weights themselves.
    """
    seed = _validate.integer(seed, "seed", low=0)
    shape = tuple(np.atleast_1d(np.asarray(shape, dtype=np.int64)).tolist())
    d = np.random.default_rng(seed).standard_normal(shape)
    if like is not None:
        like = _validate.float_array(like, "like", shape=shape)
        d *= np.linalg.norm(like) / np.linalg.norm(d)
    return d


def _check_slice(f, W, directions, grids):
    if not callable(f):
        raise ValueError(f"f must be callable, got {_validate._describe(f)}")
    W = _validate.float_array(W, "W")
    out = []
    for name, d in directions.items():
        out.append(_validate.float_array(d, name, shape=W.shape))
    for name, g in grids.items():
        out.append(_validate.float_array(g, name, ndim=1))
    return W, out


def slice_1d(f, W, U1, nus):
    r"""Loss along a line, :math:`\nu \mapsto f(W + \nu U_1)`: shape (len(nus),).

    Entry k is ``f(W + nus[k] * U1)``; U1 has W's shape.
    """
    W, (U1, nus) = _check_slice(f, W, {"U1": U1}, {"nus": nus})
    return np.array([f(W + nu * U1) for nu in nus], dtype=np.float64)


def slice_2d(f, W, U1, U2, nus1, nus2):
    r"""Loss over a plane, :math:`(\nu_1, \nu_2) \mapsto f(W + \nu_1 U_1 + \nu_2 U_2)`.

    Entry [i, j] is ``f(W + nus1[j] * U1 + nus2[i] * U2)``. The (len(nus2), len(nus1))
    layout matches ``np.meshgrid(nus1, nus2)``, so the result goes straight into
    ``plt.contour(nus1, nus2, Z)``.
    """
    W, (U1, U2, nus1, nus2) = _check_slice(
        f, W, {"U1": U1, "U2": U2}, {"nus1": nus1, "nus2": nus2}
    )
    return np.array(
        [[f(W + nu1 * U1 + nu2 * U2) for nu1 in nus1] for nu2 in nus2], dtype=np.float64
    )
