r"""Layers of a neural network, each a forward pass paired with its backward pass.

``forward(x)`` returns the layer's output and caches what the backward pass needs.
``backward(dout)`` takes the upstream gradient :math:`\partial L/\partial\,\text{out}`,
returns :math:`\partial L/\partial x` and writes :math:`\partial L/\partial\theta` for each
parameter into ``layer.grads``, a dict with the keys and shapes of ``layer.params``.

Gradients are *written*, not accumulated as in PyTorch: each backward replaces the
previous one, in the same arrays, and each layer caches only the input of its latest
forward. So a layer object used twice in one network (shared weights) gets a wrong
gradient: the second use's forward replaces the first's cache, and the first use's
backward overwrites the second's share. Shared weights need one layer object per use,
holding the same arrays, and the sum of their ``grads`` (the backpropagation chapter shows
it). Parameters are likewise updated in place by the
optimizers (``W -= lr * dW``), so a name bound to ``model.params["0.W"]`` or
``model.grads["0.W"]`` always sees the current values. Change a parameter in place
(``layer.params["W"][...] = W0``), never by rebinding it.

A two-layer network and one training step, with ``X`` (N, 64) and labels ``y`` (N,)::

    model = Sequential(Linear(64, 100, seed=0), ReLU(), Linear(100, 10, seed=1))
    loss = SoftmaxCrossEntropy()
    L = loss.forward(model.forward(X), y)
    model.backward(loss.backward())
    SGD(lr=0.1).step(model.params, model.grads)

Modes, as in PyTorch: every layer has ``training`` (True when built); ``layer.train()`` and
``layer.eval()`` set it and return the layer, and a Sequential passes them on to its layers.
Only `Dropout` and `BatchNorm` behave differently in the two modes. `lib.train.fit` trains
in train mode and evaluates in eval mode.

Everything is float64. The checks (shape, dtype, finiteness of the input) run on every
call, so they are kept to attribute tests and one reduction, without copying the input.
"""

import contextlib
import math

import numpy as np

from lib import _validate
from lib import init as _init


def _input(x, name, width=None, ndim=None):
    """`x` as a finite float64 array, without a copy when it already is one."""
    if (
        type(x) is np.ndarray
        and x.dtype == np.float64
        and (width is None or (x.ndim == 2 and x.shape[1] == width))
        and (ndim is None or x.ndim == ndim)
    ):
        if not _validate.all_finite(x):
            _validate.float_array(x, name)  # raises, counting the bad entries
        return x
    # Anything else is converted (ints, float32) or rejected with a precise message.
    return _validate.float_array(x, name, ndim=ndim, shape=None if width is None else (None, width))


def _upstream(dout, shape):
    """The upstream gradient: a finite float64 array of the shape of the last output."""
    if type(dout) is np.ndarray and dout.dtype == np.float64 and dout.shape == shape:
        if not _validate.all_finite(dout):
            _validate.float_array(dout, "dout")
        return dout
    return _validate.float_array(dout, "dout", shape=shape)


class Layer:
    """Base of the layers: ``params`` and ``grads`` share keys and shapes (both empty here)."""

    def __init__(self):
        self.params = {}
        self.grads = {}
        self.training = True

    @property
    def buffers(self):
        """State not learned by gradients (BatchNorm's running statistics): name -> array."""
        return {}

    def train(self, mode=True):
        """Set training mode (``mode=True``) or evaluation mode (False); return the layer."""
        if not isinstance(mode, bool):
            raise ValueError(f"mode must be True or False, got {_validate._describe(mode)}")
        self.training = mode
        return self

    def eval(self):
        """Set evaluation mode (``train(False)``); return the layer."""
        return self.train(False)

    def __call__(self, x):
        return self.forward(x)

    def forward(self, x):
        """Output of the layer for input x, caching what `backward` needs."""
        return self._forward(_input(x, "x"))

    def backward(self, dout, need_dx=True):
        """dL/dx for upstream gradient dout (shaped like the last output); fills ``grads``.

        With ``need_dx=False`` only ``grads`` are computed and None is returned: the first
        layer of a network needs no gradient with respect to the data.
        """
        shape = self._output_shape()
        if shape is None:
            raise ValueError(f"backward called before forward: {self!r} has nothing cached")
        return self._backward(_upstream(dout, shape), need_dx)

    def zero_grad(self):
        """Set every gradient to 0 in place (backward overwrites them anyway)."""
        for g in self.grads.values():
            g.fill(0.0)

    def __repr__(self):
        return f"{type(self).__name__}()"


class Linear(Layer):
    r"""Affine layer :math:`z = xW + b`.

    x: (N, n_in) -> out: (N, n_out). ``params = {"W": (n_in, n_out), "b": (n_out,)}``.

    ``init`` chooses W, drawn from ``np.random.default_rng(seed)`` (see `lib.init` for the
    variances and why); b = 0 except for "torch":

    - "lecun" (the default): :math:`W_{kl} \sim \mathcal N(0, 1/n_{in})`, i.e. standard
      deviation :math:`\sqrt{1/n_{in}}`, so that each output has about the variance of one
      input;
    - "xavier", "xavier_uniform": variance :math:`2/(n_{in} + n_{out})`;
    - "he", "he_uniform": variance :math:`2/n_{in}`;
    - "orthogonal": orthonormal columns (n_in >= n_out) or rows;
    - "torch": PyTorch's ``nn.Linear`` default, W and b both uniform on
      :math:`\pm 1/\sqrt{n_{in}}` (``kaiming_uniform_`` with a = √5: not He's variance but a
      sixth of it). The distributions are PyTorch's, not its random numbers;
    - "zeros": W = 0 (every hidden unit then stays identical to the others: the symmetry
      problem);
    - a callable ``init(n_in, n_out, rng)`` returning W (n_in, n_out), such as
      ``functools.partial(lib.init.he_normal, gain=0.5)``.
    """

    def __init__(self, n_in, n_out, seed=0, init="lecun"):
        super().__init__()
        self.n_in = _validate.integer(n_in, "n_in", low=1)
        self.n_out = _validate.integer(n_out, "n_out", low=1)
        rng = np.random.default_rng(_validate.integer(seed, "seed", low=0))
        self.init = init
        W, b = _initial_weights(init, self.n_in, self.n_out, rng)
        self.params = {"W": W, "b": b}
        self.grads = {"W": np.zeros_like(W), "b": np.zeros(self.n_out)}
        self._x = None

    def forward(self, x):
        """x: (N, n_in) -> x @ W + b: (N, n_out)."""
        return self._forward(_input(x, "x", width=self.n_in))

    def _forward(self, x):
        # Local derivatives: ds/dW is x (cached), ds/dx is W, ds/db is 1.
        self._x = x
        out = x @ self.params["W"]
        out += self.params["b"]
        return out

    def _output_shape(self):
        return None if self._x is None else (self._x.shape[0], self.n_out)

    def _backward(self, dout, need_dx):
        # dL/dW = x^T dout (n_in, n_out), dL/db = sum of dout over the batch (n_out,),
        # written into the preallocated arrays so model.grads stays bound to them.
        np.matmul(self._x.T, dout, out=self.grads["W"])
        np.sum(dout, axis=0, out=self.grads["b"])
        return dout @ self.params["W"].T if need_dx else None

    def __repr__(self):
        return f"Linear({self.n_in}, {self.n_out}{_init_repr(self.init)})"


INIT_NAMES = (*_init.INITIALIZERS, "zeros")


def _initial_weights(init, n_in, n_out, rng):
    """W for `init` (a name of INIT_NAMES or a callable) and b (zeros, or PyTorch's for "torch")."""
    shape = (n_in, n_out)
    if callable(init):
        W = init(n_in, n_out, rng)
        W = np.array(_validate.float_array(W, "init(n_in, n_out, rng)", shape=shape), copy=True)
        return W, np.zeros(shape[-1])
    if not isinstance(init, str) or init not in INIT_NAMES:
        raise ValueError(
            f"init must be one of {list(INIT_NAMES)} or a callable (n_in, n_out, rng) -> W, "
            f"got {_validate._describe(init)}"
        )
    if init == "zeros":
        return np.zeros(shape), np.zeros(shape[-1])
    W = _init.INITIALIZERS[init](n_in, n_out, rng)
    b = np.zeros(n_out)
    if init == "torch":
        bound = 1.0 / math.sqrt(n_in)  # PyTorch's bias: uniform on +-1/sqrt(fan_in)
        b = rng.uniform(-bound, bound, size=n_out)
    return W, b


def _init_repr(init):
    if isinstance(init, str):
        return "" if init == "lecun" else f", init={init!r}"
    return f", init={getattr(init, '__name__', type(init).__name__)}"


class _Elementwise(Layer):
    """An activation applied entry by entry: backward multiplies by the cached local derivative."""

    def __init__(self):
        super().__init__()
        self._local = None  # d out / d x, entry by entry, computed in forward

    def _output_shape(self):
        return None if self._local is None else self._local.shape

    def _backward(self, dout, need_dx):
        return dout * self._local if need_dx else None


class ReLU(_Elementwise):
    """out = max(0, x), any shape; the derivative is 1 where x > 0 and 0 elsewhere (also at 0)."""

    def _forward(self, x):
        self._local = x > 0
        return np.maximum(x, 0.0)


class Sigmoid(_Elementwise):
    r"""out = :math:`\sigma(x) = 1/(1 + e^{-x})`, any shape; :math:`\sigma' = \sigma(1-\sigma)`."""

    def _forward(self, x):
        # With z = e^{-|x|} <= 1 nothing overflows: sigma(x) = 1/(1+z) for x >= 0, z/(1+z) below.
        z = np.exp(-np.abs(x))
        out = np.where(x >= 0, 1.0, z)
        out /= 1.0 + z
        self._local = out * (1.0 - out)
        return out


class Tanh(_Elementwise):
    r"""out = tanh(x), any shape; :math:`\tanh' = 1 - \tanh^2`."""

    def _forward(self, x):
        out = np.tanh(x)
        self._local = (1.0 - out) * (1.0 + out)  # more accurate than 1 - out**2 near |out| = 1
        return out


def _sigmoid(x):
    """sigma(x) without overflow, and z = exp(-|x|) for callers that also need it."""
    z = np.exp(-np.abs(x))
    out = np.where(x >= 0, 1.0, z)
    out /= 1.0 + z
    return out, z


class LeakyReLU(_Elementwise):
    r"""out = :math:`\max(0, x) + \omega \min(0, x)`, any shape; ω = ``negative_slope``.

    The derivative is 1 where x > 0 and ω elsewhere (also at 0, as ReLU and PyTorch).
    """

    def __init__(self, negative_slope=0.01):
        super().__init__()
        self.negative_slope = _validate.real(negative_slope, "negative_slope")

    def _forward(self, x):
        self._local = np.where(x > 0, 1.0, self.negative_slope)
        return x * self._local

    def __repr__(self):
        return f"LeakyReLU(negative_slope={self.negative_slope})"


class ELU(_Elementwise):
    r"""out = x for x > 0, :math:`\omega(e^x - 1)` otherwise; any shape; ω = ``alpha``.

    The derivative is 1 for x > 0 and :math:`\omega e^x` otherwise (continuous at 0 when ω = 1).
    """

    def __init__(self, alpha=1.0):
        super().__init__()
        self.alpha = _validate.real(alpha, "alpha")

    def _forward(self, x):
        neg = np.minimum(x, 0.0)  # exp of the negative part only: no overflow for large x
        positive = x > 0
        self._local = np.where(positive, 1.0, self.alpha * np.exp(neg))
        return np.where(positive, x, self.alpha * np.expm1(neg))

    def __repr__(self):
        return f"ELU(alpha={self.alpha})"


class Softplus(_Elementwise):
    r"""out = :math:`\log(1 + e^x)`, any shape; its derivative is :math:`\sigma(x)`.

    Computed as :math:`\max(x, 0) + \log(1 + e^{-|x|})`, exact and without overflow for any
    x. (PyTorch's ``nn.Softplus`` returns x itself above x = 20, which is off by
    :math:`\log(1 + e^{-20}) \approx 2\cdot 10^{-9}` there.)
    """

    def _forward(self, x):
        sig, z = _sigmoid(x)
        self._local = sig
        out = np.log1p(z)
        out += np.maximum(x, 0.0)
        return out


class SiLU(_Elementwise):
    r"""out = :math:`x\,\sigma(x)` (SiLU, also called swish), any shape.

    Derivative: :math:`\sigma(x) + x\sigma(x)(1 - \sigma(x)) = \sigma(x)(1 + x(1 - \sigma(x)))`.
    """

    def _forward(self, x):
        sig, _ = _sigmoid(x)
        out = x * sig
        self._local = sig * (1.0 + x * (1.0 - sig))
        return out


_GELU_C = math.sqrt(2.0 / math.pi)
_GELU_K = 0.044715


class GELU(_Elementwise):
    r"""GELU, tanh form: out = :math:`\tfrac12 x \bigl(1 + \tanh(\sqrt{2/\pi}\,(x + 0.044715
    x^3))\bigr)`, any shape.

    The tanh approximation of :math:`x\,\Phi(x)` (Hendrycks and Gimpel, 2016), PyTorch's
    ``nn.GELU(approximate="tanh")``; it is within 5e-4 of the exact GELU. Derivative, with
    tanh taken at the same argument: :math:`\tfrac12(1 + \tanh) + \tfrac12 x (1 -
    \tanh^2)\sqrt{2/\pi}\,(1 + 3 \cdot 0.044715 x^2)`.
    """

    def _forward(self, x):
        x2 = x * x
        t = np.tanh(_GELU_C * (x + _GELU_K * x2 * x))
        half_x = 0.5 * x
        right = 1.0 + t
        self._local = 0.5 * right + half_x * (1.0 - t * t) * (_GELU_C * (1.0 + 3.0 * _GELU_K * x2))
        return half_x * right


def _quiet(active):
    """Silence numpy's floating-point warnings when `active` (the caller checks the result)."""
    return np.errstate(invalid="ignore", over="ignore") if active else contextlib.nullcontext()


def _finite_sum(total, arr, name):
    """Raise as the input checks do when a sum over arr is not finite.

    A sum over every entry is finite when every entry is (unless finite entries overflow),
    so the sums a layer computes anyway can stand in for the check of its input.
    """
    if not np.isfinite(total).all():
        _validate.float_array(arr, name)  # raises, counting the bad entries
        raise ValueError(f"{name} is too large: its sum per channel overflows float64")


def _channels(x, count, name="x"):
    """Check that x (N, C, ...) has `count` channels on axis 1."""
    if x.ndim < 2 or x.shape[1] != count:
        raise ValueError(
            f"{name} must have {count} features or channels on axis 1, shape (N, {count}, ...), "
            f"got shape {x.shape}"
        )


class PReLU(Layer):
    r"""out = :math:`\max(0, x) + \omega \min(0, x)` with a learned slope ω (He et al., 2015).

    ``params = {"alpha": (num_parameters,)}``, all ``init`` at first. With num_parameters = 1
    one slope is shared by every entry of x (any shape); otherwise x is (N, C) or (N, C, H,
    W) with C = num_parameters and channel c has its own slope :math:`\omega_c`, as in PyTorch.
    out has the shape of x. Gradients: :math:`\partial\,\text{out}/\partial x` is 1 where
    x > 0 and ω elsewhere; :math:`\partial L/\partial\omega_c = \sum \text{dout} \cdot
    \min(0, x)` over the entries of channel c (over all of x for one shared slope).
    """

    def __init__(self, num_parameters=1, init=0.25):
        super().__init__()
        self.num_parameters = _validate.integer(num_parameters, "num_parameters", low=1)
        value = _validate.real(init, "init")
        self.params = {"alpha": np.full(self.num_parameters, value)}
        self.grads = {"alpha": np.zeros(self.num_parameters)}
        self._x = None

    def _slope_shape(self, x):
        # One slope per channel (axis 1), broadcast over N and the spatial axes.
        return (1, self.num_parameters) + (1,) * (x.ndim - 2) if self.num_parameters > 1 else ()

    def _forward(self, x):
        if self.num_parameters > 1:
            _channels(x, self.num_parameters)
        alpha = self.params["alpha"].reshape(self._slope_shape(x))
        self._x = x
        self._positive = x > 0
        return np.where(self._positive, x, alpha * x)

    def _output_shape(self):
        return None if self._x is None else self._x.shape

    def _backward(self, dout, need_dx):
        x, positive = self._x, self._positive
        neg_part = np.where(positive, 0.0, x)  # min(0, x): d out / d omega
        prod = dout * neg_part
        if self.num_parameters == 1:
            self.grads["alpha"][0] = prod.sum()
        else:
            axes = (0, *range(2, x.ndim))
            np.sum(prod, axis=axes, out=self.grads["alpha"])
        if not need_dx:
            return None
        alpha = self.params["alpha"].reshape(self._slope_shape(x))
        return dout * np.where(positive, 1.0, alpha)

    def __repr__(self):
        return f"PReLU(num_parameters={self.num_parameters})"


class Maxout(Layer):
    r"""Maxout unit (Goodfellow et al., 2013): the largest of `pieces` affine maps.

    :math:`\text{out}_{ij} = \max_k z_{kij}`, :math:`z_k = x W_k + b_k`, k = 0..pieces-1.
    x: (N, n_in) -> out: (N, n_out).
    ``params = {"W": (pieces, n_in, n_out), "b": (pieces, n_out)}``; each :math:`W_k` drawn
    like a `Linear` with the same ``init`` (one after another from
    ``np.random.default_rng(seed)``), b = 0.
    The gradient flows only through the winning piece of each output entry: with
    :math:`\text{dout}_k` equal to dout where piece k wins and 0 elsewhere,
    :math:`\partial L/\partial W_k = x^\top \text{dout}_k`, :math:`\partial L/\partial b_k =
    \sum_i \text{dout}_{k,i}`, :math:`\partial L/\partial x = \sum_k \text{dout}_k W_k^\top`
    (a tie goes to the first piece, as ``argmax`` does).
    """

    def __init__(self, n_in, n_out, pieces=2, seed=0, init="lecun"):
        super().__init__()
        self.n_in = _validate.integer(n_in, "n_in", low=1)
        self.n_out = _validate.integer(n_out, "n_out", low=1)
        self.pieces = _validate.integer(pieces, "pieces", low=2)
        rng = np.random.default_rng(_validate.integer(seed, "seed", low=0))
        self.init = init
        W = np.stack(
            [_initial_weights(init, self.n_in, self.n_out, rng)[0] for _ in range(self.pieces)]
        )
        self.params = {"W": W, "b": np.zeros((self.pieces, self.n_out))}
        self.grads = {"W": np.zeros_like(W), "b": np.zeros((self.pieces, self.n_out))}
        self._x = None

    def forward(self, x):
        """x: (N, n_in) -> the maximum over the pieces of x @ W_k + b_k: (N, n_out)."""
        return self._forward(_input(x, "x", width=self.n_in))

    def _forward(self, x):
        z = np.matmul(x, self.params["W"])  # (pieces, N, n_out)
        z += self.params["b"][:, None, :]
        self._x = x
        self._winner = z.argmax(axis=0)[None]  # (1, N, n_out): the piece d out / d z selects
        return np.take_along_axis(z, self._winner, axis=0)[0]

    def _output_shape(self):
        return None if self._x is None else (self._x.shape[0], self.n_out)

    def _backward(self, dout, need_dx):
        dout_k = np.zeros((self.pieces, *dout.shape))  # dout routed to the winning pieces
        np.put_along_axis(dout_k, self._winner, dout[None], axis=0)
        np.matmul(self._x.T, dout_k, out=self.grads["W"])
        np.sum(dout_k, axis=1, out=self.grads["b"])
        if not need_dx:
            return None
        return np.matmul(dout_k, self.params["W"].transpose(0, 2, 1)).sum(axis=0)

    def __repr__(self):
        return f"Maxout({self.n_in}, {self.n_out}, pieces={self.pieces})"


BLOCK = 32768
"""Entries per block of BatchNorm's passes: a block's temporaries (256 KiB each) stay in the
L2 cache between the ufuncs that make one pass, so a large array is read from memory once per
pass instead of once per ufunc (see ``benchmarks/batchnorm.py``)."""


CANCELLATION = 100.0
"""BatchNorm computes its statistics from sum z and sum z^2 where zbar^2 <= CANCELLATION *
sigma_B^2 (|zbar| within 10 standard deviations of 0, at most 2 digits lost to
cancellation), and from z - zbar, in a second pass, elsewhere."""


def _channel_sum(a3):
    """Sum of a3 (b, C, S) over axes 0 and 2: (C,), by matrix-vector products (BLAS).

    Called on one block at a time: a product that small runs on one thread in OpenBLAS,
    where one on the whole array would use every core (and on a busy machine wait for them).
    """
    b, C, S = a3.shape
    if S == 1:
        return _ones(b) @ a3.reshape(b, C)
    # Over the contiguous axis first: the intermediate result is small, (b, C).
    return _ones(b) @ (a3.reshape(b * C, S) @ _ones(S)).reshape(b, C)


def _channel_dot(a3, b3):
    """Sum of a3 * b3 (b, C, S) over axes 0 and 2: (C,), without a temporary (einsum)."""
    if a3.shape[2] == 1:
        return np.einsum("ij,ij->j", a3[:, :, 0], b3[:, :, 0])
    return np.einsum("ijk,ijk->j", a3, b3)


_ONES = {}


def _ones(n):
    """np.ones(n), kept (read-only) for the matrix-vector products of `_channel_sum`."""
    ones = _ONES.get(n)
    if ones is None:
        if len(_ONES) > 64:  # many batch sizes: start over rather than grow without bound
            _ONES.clear()
        ones = _ONES[n] = np.ones(n)
        ones.flags.writeable = False
    return ones


class BatchNorm(Layer):
    r"""Batch normalization (Ioffe and Szegedy, 2015), with PyTorch's conventions.

    x: (N, C) or (N, C, H, W) with C = num_features -> out of the same shape.
    ``params = {"gamma": (C,), "beta": (C,)}`` (1 and 0 at first); ``running_mean`` and
    ``running_var`` (C,), 0 and 1 at first, in ``buffers``.

    Training mode, for each channel over its B values :math:`z_i` in the batch (B = N for
    (N, C) input, N·H·W for (N, C, H, W)):

    .. math::
        \bar z = \tfrac1B \textstyle\sum_i z_i, \quad
        \sigma_B^2 = \tfrac1B \textstyle\sum_i (z_i - \bar z)^2, \quad
        \hat z_i = \frac{z_i - \bar z}{\sqrt{\sigma_B^2 + \epsilon}}, \quad
        \text{out}_i = \gamma \hat z_i + \beta,

    the batch normalized with the biased variance, and the running estimates updated in
    place with the unbiased one and PyTorch's ``momentum``, the weight of the new batch
    (Keras's momentum=0.99 is the weight of the old estimate, 1 − momentum here):

    .. math::
        \text{running\_mean} \leftarrow (1 - \text{momentum})\,\text{running\_mean}
        + \text{momentum}\,\bar z, \\
        \text{running\_var} \leftarrow (1 - \text{momentum})\,\text{running\_var}
        + \text{momentum}\,\tfrac{B}{B-1}\sigma_B^2.

    Eval mode uses running_mean and running_var in place of :math:`\bar z` and
    :math:`\sigma_B^2` and updates nothing: the layer is then a fixed affine map, which can
    be folded into the layer before it.

    Backward in training mode, with sums over the channel's B values:
    :math:`\partial L/\partial\beta = \sum_i \text{dout}_i`,
    :math:`\partial L/\partial\gamma = \sum_i \text{dout}_i\,\hat z_i`, and, because
    :math:`\bar z` and :math:`\sigma_B^2` depend on every :math:`z_i`,

    .. math::
        \frac{\partial L}{\partial z_i} = \frac{\gamma}{\sqrt{\sigma_B^2 + \epsilon}}
        \Bigl(\text{dout}_i - \tfrac1B \textstyle\sum_j \text{dout}_j
        - \hat z_i\, \tfrac1B \sum_j \text{dout}_j\,\hat z_j\Bigr).

    In eval mode :math:`\partial L/\partial z_i = \text{dout}_i\,\gamma/\sqrt{\text{running\_var}
    + \epsilon}`.

    A batch with one value per channel (B = 1) has no variance: training mode raises
    ValueError (use eval mode for single examples).

    Performance (``benchmarks/batchnorm.py``): every pass over the batch goes block by block
    (`BLOCK` entries), so that the ufuncs of one pass find their operands in the cache, with
    the per-channel coefficients tiled once into blocks of the same shape (broadcasting a
    (C, 1) column costs more than a plain elementwise product). The statistics take one
    pass, :math:`\sigma_B^2 = \overline{z^2} - \bar z^2` from sums of z and z² (einsum, no
    temporary), wherever that loses at most two digits to cancellation (`CANCELLATION`);
    elsewhere a second pass centers the values first, and the backward pass centers them
    too. The sums of x and dout double as the finiteness checks of the input and of the
    upstream gradient.
    """

    def __init__(self, num_features, momentum=0.1, eps=1e-5):
        super().__init__()
        self.num_features = C = _validate.integer(num_features, "num_features", low=1)
        self.momentum = _validate.real(momentum, "momentum", low=0.0, high=1.0)
        self.eps = _validate.real(eps, "eps", low=0.0, low_open=True)
        self.params = {"gamma": np.ones(C), "beta": np.zeros(C)}
        self.grads = {"gamma": np.zeros(C), "beta": np.zeros(C)}
        self.running_mean = np.zeros(C)
        self.running_var = np.ones(C)
        self._x = None  # the last input viewed as (N, C, S), S = H·W (1 for (N, C) input)
        self._scratch = {}

    @property
    def buffers(self):
        return {"running_mean": self.running_mean, "running_var": self.running_var}

    def forward(self, x):
        """x: (N, C) or (N, C, H, W) -> the normalized, scaled and shifted x, same shape."""
        if type(x) is np.ndarray and x.dtype == np.float64:
            return self._forward(x, check_finite=True)
        return self._forward(_validate.float_array(x, "x"))  # converts, and checks everything

    def backward(self, dout, need_dx=True):
        """dL/dx for dout shaped like the last output; fills ``grads`` (see `Layer.backward`)."""
        if self._x is None:
            raise ValueError(f"backward called before forward: {self!r} has nothing cached")
        ok = type(dout) is np.ndarray and dout.dtype == np.float64 and dout.shape == self._shape
        if not ok:
            dout = _validate.float_array(dout, "dout", shape=self._shape)
        return self._backward(dout, need_dx, check_finite=True)

    def _forward(self, x, check_finite=False):
        C = self.num_features
        if x.ndim not in (2, 4) or x.shape[1] != C:
            raise ValueError(
                f"x must have shape (N, {C}) or (N, {C}, H, W) for BatchNorm({C}), "
                f"got shape {x.shape}"
            )
        n = x.shape[0]
        x3 = x.reshape(n, C, -1)  # a view for contiguous x: channels on axis 1, S = H·W
        m_count = x.size // C  # M, the values per channel
        blocks = self._blocks(x3)
        if self.training:
            if m_count < 2:
                raise ValueError(
                    f"x must have more than one value per channel in training mode, got shape "
                    f"{x.shape} ({m_count} per channel); call eval() to normalize single "
                    f"examples with the running statistics"
                )
            # One pass for both statistics, sum z and sum z^2 (no temporary), and
            # var = mean(z^2) - zbar^2. That subtraction loses about log10(1 + zbar^2 /
            # sigma_B^2) digits: where zbar^2 > CANCELLATION * sigma_B^2 the statistics are
            # computed again, exactly, on z - zbar (a second pass over x).
            s1, s2 = np.zeros(C), np.zeros(C)
            with _quiet(check_finite):  # a non-finite x is reported below, not warned about
                for blk in blocks:
                    xb = x3[blk]
                    s1 += _channel_sum(xb)
                    s2 += _channel_dot(xb, xb)
            if check_finite:
                _finite_sum(s1, x, "x")
            mean = s1 / m_count  # zbar
            var = s2 / m_count - mean * mean  # sigma_B^2, biased
            # (Written so that an overflow of sum z^2, inf or NaN, also takes the exact path.)
            self._exact = not (np.all(mean * mean <= CANCELLATION * var) and np.isfinite(var).all())
            self._z0 = z0 = mean
            if self._exact:
                z0_t = self._tiled("z0", z0, x3)
                s1[...], s2[...] = 0.0, 0.0
                with _quiet(check_finite):
                    for blk in blocks:
                        t = np.subtract(x3[blk], z0_t[: blk.stop - blk.start],
                                        out=self._block(x3, blk))
                        s1 += _channel_sum(t)
                        s2 += _channel_dot(t, t)
                d = s1 / m_count  # the rounding error of the first mean, zbar - z0
                var = s2 / m_count - d * d
                mean = z0 + d
                if check_finite and not np.isfinite(var).all():
                    raise ValueError("x is too large: its squares per channel overflow float64")
            var = np.maximum(var, 0.0)
            m = self.momentum
            # In place, so that the arrays in `buffers` stay bound.
            self.running_mean *= 1.0 - m
            self.running_mean += m * mean
            self.running_var *= 1.0 - m
            self.running_var += m * (var * (m_count / (m_count - 1)))  # unbiased
        else:
            if check_finite and not _validate.all_finite(x):
                _validate.float_array(x, "x")
            mean, var = self.running_mean.copy(), self.running_var.copy()
            # The batch's own mean is unknown here: the backward pass centers on the running
            # mean, exactly.
            self._exact, self._z0 = True, mean
            self._tiled("z0", mean, x3)
        inv_std = 1.0 / np.sqrt(var + self.eps)
        # out = gamma (x - zbar) inv_std + beta = x * scale + shift (PyTorch's form), one pass.
        scale = self.params["gamma"] * inv_std
        scale_t = self._tiled("a", scale, x3)
        shift_t = self._tiled("c", self.params["beta"] - mean * scale, x3)
        self._x, self._shape, self._mean, self._inv_std = x3, x.shape, mean, inv_std
        self._was_training = self.training
        out = np.empty(x3.shape)
        for blk in blocks:
            rows = blk.stop - blk.start
            o = np.multiply(x3[blk], scale_t[:rows], out=out[blk])
            o += shift_t[:rows]
        return out.reshape(x.shape)

    def _output_shape(self):
        return None if self._x is None else self._shape

    def _backward(self, dout, need_dx, check_finite=False):
        x3, mean, inv_std = self._x, self._mean, self._inv_std
        g = dout.reshape(x3.shape)
        m_count = x3.shape[0] * x3.shape[2]
        blocks = self._blocks(x3)
        s1, s2 = np.zeros(len(mean)), np.zeros(len(mean))
        with _quiet(check_finite):
            if self._exact:  # sum of g and sum of g (z - z0), z0 tiled by the forward pass
                z0_t = self._scratch["z0"]
                for blk in blocks:
                    g_blk = g[blk]
                    s1 += _channel_sum(g_blk)
                    t = np.subtract(x3[blk], z0_t[: blk.stop - blk.start], out=self._block(x3, blk))
                    s2 += _channel_dot(t, g_blk)
            else:  # sum of g and sum of g z, without a temporary
                for blk in blocks:
                    g_blk = g[blk]
                    s1 += _channel_sum(g_blk)
                    s2 += _channel_dot(x3[blk], g_blk)
        if check_finite:
            _finite_sum(s1, dout, "dout")
        s2 -= (mean - self._z0) * s1 if self._exact else mean * s1  # sum of g (z - zbar)
        self.grads["beta"][...] = s1
        np.multiply(s2, inv_std, out=self.grads["gamma"])  # sum of g zhat
        if not need_dx:
            return None
        a = self.params["gamma"] * inv_std
        a_t = self._tiled("a", a, x3)
        dx = np.empty(x3.shape)
        if not self._was_training:  # a fixed affine map: dx = g gamma / sqrt(var + eps)
            for blk in blocks:
                np.multiply(g[blk], a_t[: blk.stop - blk.start], out=dx[blk])
            return dx.reshape(dout.shape)
        # With g = dout and B values per channel, dx = a (g - s1/B - (z - zbar) k), where
        # a = gamma inv_std and k = s2 inv_std^2 / B, is computed as
        # dx = a g - (a k) z + a (zbar k - s1/B): four ufuncs per block, the block in cache.
        k = s2 * inv_std * inv_std / m_count
        ak_t = self._tiled("ak", a * k, x3)
        # Far from 0 (the exact path), z is centered first, on z0, so that (a k) z and the
        # constant do not cancel: dx = a g - (a k)(z - z0) + a ((zbar - z0) k - s1/B).
        z0 = self._z0 if self._exact else 0.0
        c_t = self._tiled("c", a * ((mean - z0) * k - s1 / m_count), x3)
        z0_t = self._scratch["z0"] if self._exact else None
        for blk in blocks:
            rows = blk.stop - blk.start
            if self._exact:
                t = np.subtract(x3[blk], z0_t[:rows], out=self._block(x3, blk))
                t *= ak_t[:rows]
            else:
                t = np.multiply(x3[blk], ak_t[:rows], out=self._block(x3, blk))
            d = np.multiply(g[blk], a_t[:rows], out=dx[blk])
            d -= t
            d += c_t[:rows]
        return dx.reshape(dout.shape)

    # Blocks of rows of the (N, C, S) view, and scratch arrays of one block's shape.

    def _rows(self, x3):
        return min(len(x3), max(1, BLOCK // (x3.shape[1] * x3.shape[2])))

    def _blocks(self, x3):
        rows = self._rows(x3)
        return [slice(i, min(i + rows, len(x3))) for i in range(0, len(x3), rows)]

    def _scratch_array(self, name, x3):
        shape = (self._rows(x3), *x3.shape[1:])
        buf = self._scratch.get(name)
        if buf is None or buf.shape != shape:
            buf = self._scratch[name] = np.empty(shape)
        return buf

    def _block(self, x3, blk):
        """The scratch block for temporaries, cut to the rows of blk (the last may be short)."""
        return self._scratch_array("t", x3)[: blk.stop - blk.start]

    def _tiled(self, name, coef, x3):
        """A block whose every row is the per-channel coefficient coef (C,), broadcast over S."""
        buf = self._scratch_array(name, x3)
        buf[...] = coef[:, None]
        return buf

    def __repr__(self):
        return f"BatchNorm({self.num_features}, momentum={self.momentum}, eps={self.eps})"


class LayerNorm(Layer):
    r"""Layer normalization (Ba et al., 2016): each example normalized over its last axis.

    x: (..., D) with D = num_features -> out of the same shape;
    ``params = {"gamma": (D,), "beta": (D,)}`` (1 and 0 at first). For each row z of D values,

    .. math::
        \bar z = \tfrac1D \textstyle\sum_j z_j, \quad
        \sigma^2 = \tfrac1D \textstyle\sum_j (z_j - \bar z)^2, \quad
        \hat z = \frac{z - \bar z}{\sqrt{\sigma^2 + \epsilon}}, \quad
        \text{out} = \gamma \hat z + \beta,

    the same in training and in eval mode: no batch statistics, no running estimates.
    Backward, with :math:`\hat g_j = \text{dout}_j\,\gamma_j` and sums along the row:

    .. math::
        \frac{\partial L}{\partial z_j} = \frac{1}{\sqrt{\sigma^2 + \epsilon}}
        \Bigl(\hat g_j - \tfrac1D \textstyle\sum_k \hat g_k - \hat z_j\, \tfrac1D \sum_k
        \hat g_k \hat z_k\Bigr),

    and :math:`\partial L/\partial\gamma = \sum \text{dout}\,\hat z`,
    :math:`\partial L/\partial\beta = \sum \text{dout}` over all rows.
    """

    def __init__(self, num_features, eps=1e-5):
        super().__init__()
        self.num_features = D = _validate.integer(num_features, "num_features", low=1)
        self.eps = _validate.real(eps, "eps", low=0.0, low_open=True)
        self.params = {"gamma": np.ones(D), "beta": np.zeros(D)}
        self.grads = {"gamma": np.zeros(D), "beta": np.zeros(D)}
        self._zhat = None

    def _forward(self, x):
        D = self.num_features
        if x.ndim < 1 or x.shape[-1] != D:
            raise ValueError(
                f"x must have {D} features on its last axis, shape (..., {D}), got shape {x.shape}"
            )
        zhat = x - x.mean(axis=-1, keepdims=True)
        var = np.einsum("...j,...j->...", zhat, zhat)[..., None] / D
        inv_std = 1.0 / np.sqrt(var + self.eps)
        zhat *= inv_std
        self._zhat, self._inv_std = zhat, inv_std
        out = zhat * self.params["gamma"]
        out += self.params["beta"]
        return out

    def _output_shape(self):
        return None if self._zhat is None else self._zhat.shape

    def _backward(self, dout, need_dx):
        zhat, D = self._zhat, self.num_features
        flat_dout, flat_zhat = dout.reshape(-1, D), zhat.reshape(-1, D)
        np.einsum("ij,ij->j", flat_dout, flat_zhat, out=self.grads["gamma"])
        np.sum(flat_dout, axis=0, out=self.grads["beta"])
        if not need_dx:
            return None
        g = dout * self.params["gamma"]
        mean_g = g.mean(axis=-1, keepdims=True)
        mean_gz = np.einsum("...j,...j->...", g, zhat)[..., None] / D
        dx = zhat * mean_gz
        np.subtract(g, dx, out=dx)
        dx -= mean_g
        dx *= self._inv_std
        return dx

    def __repr__(self):
        return f"LayerNorm({self.num_features}, eps={self.eps})"


class Dropout(_Elementwise):
    r"""Inverted dropout: each entry dropped with probability :math:`p_{\text{drop}}` = ``p``.

    Training mode: out = x · mask / (1 − p), with mask entries independent Bernoulli(1 − p)
    (1 = kept), a fresh mask at every forward from the layer's own generator
    ``np.random.default_rng(seed)``; the scaling keeps the expectation, E[out] = x, so that
    nothing needs rescaling at inference. Backward multiplies dout by the same mask / (1 − p).
    Eval mode, and p = 0 in either mode: the identity (out is x itself, as in PyTorch;
    no random numbers are drawn). x: any shape; out: the same shape.

    p is PyTorch's convention, the probability to *drop*; some older code (the original
    paper, TensorFlow 1's ``keep_prob``) passes the probability to keep, 1 − p.
    """

    def __init__(self, p=0.5, seed=0):
        super().__init__()
        if isinstance(p, bool) or not isinstance(p, (int, float, np.floating, np.integer)) or not (
            0.0 <= float(p) < 1.0
        ):
            raise ValueError(
                f"p must be the drop probability, in [0, 1), got {_validate._describe(p)}"
            )
        self.p = float(p)
        self.seed = _validate.integer(seed, "seed", low=0)
        self.rng = np.random.default_rng(self.seed)
        self._shape = None

    def _forward(self, x):
        self._shape = x.shape
        if not self.training or self.p == 0.0:
            self._local = None
            return x
        keep = self.rng.random(x.shape) >= self.p  # True with probability 1 - p
        # mask / (1 - p) as PyTorch computes it (a division), so kept entries agree exactly.
        self._local = np.divide(keep, 1.0 - self.p)
        return x * self._local

    def _output_shape(self):
        return self._shape

    def _backward(self, dout, need_dx):
        if not need_dx:
            return None
        return dout if self._local is None else dout * self._local

    def __repr__(self):
        return f"Dropout(p={self.p})"


def _sublayers(layer):
    """The layer and, for a Sequential, every layer inside it."""
    yield layer
    for inner in getattr(layer, "layers", ()):
        yield from _sublayers(inner)


class Sequential(Layer):
    """Layers applied in order; x: (N, D) -> the last layer's output.

    ``params`` and ``grads`` hold every layer's arrays (the same objects, not copies)
    under the name "<index of the layer>.<name in the layer>": "0.W", "0.b", "2.W", ...;
    ``buffers`` likewise. ``train()`` and ``eval()`` set the mode of every layer.
    """

    def __init__(self, *layers):
        if not layers:
            raise ValueError("Sequential needs at least one layer, got none")
        for i, layer in enumerate(layers):
            if not isinstance(layer, Layer):
                got = _validate._describe(layer)
                raise ValueError(f"layer {i} must be a Layer (Linear, ReLU, ...), got {got}")
        seen = {}
        for i, layer in enumerate(layers):
            for part in _sublayers(layer):
                if id(part) in seen:
                    # A layer keeps one cache and writes (not adds) its gradients, so a second
                    # use would silently corrupt the first use's backward pass.
                    raise ValueError(
                        f"layer {i} is the same {type(part).__name__} object as layer "
                        f"{seen[id(part)]}: a layer can be used once; to share weights, make "
                        "two layers whose params hold the same arrays and add their gradients")
                seen[id(part)] = i
        self.layers = tuple(layers)
        self.training = True

    @property
    def params(self):
        return {f"{i}.{k}": v for i, lay in enumerate(self.layers) for k, v in lay.params.items()}

    @property
    def grads(self):
        return {f"{i}.{k}": v for i, lay in enumerate(self.layers) for k, v in lay.grads.items()}

    @property
    def buffers(self):
        """Every layer's buffers, named like params: "1.running_mean", "1.running_var", ..."""
        return {f"{i}.{k}": v for i, lay in enumerate(self.layers) for k, v in lay.buffers.items()}

    def train(self, mode=True):
        """Set the mode of the Sequential and of every layer; return the Sequential."""
        super().train(mode)
        for layer in self.layers:
            layer.train(mode)
        return self

    def forward(self, x):
        """x: (N, D), D the width the first layer takes -> output of the last layer."""
        # The first layer checks the input; what the others get was made by a layer.
        out = self.layers[0].forward(x)
        for layer in self.layers[1:]:
            out = layer._forward(out)
        return out

    def _forward(self, x):
        for layer in self.layers:
            x = layer._forward(x)
        return x

    def _output_shape(self):
        return self.layers[-1]._output_shape()

    def _backward(self, dout, need_dx):
        # Chain rule, last layer first; the first layer's dx only if the caller wants it.
        for i in range(len(self.layers) - 1, -1, -1):
            dout = self.layers[i]._backward(dout, need_dx or i > 0)
        return dout

    def zero_grad(self):
        for layer in self.layers:
            layer.zero_grad()

    def __len__(self):
        return len(self.layers)

    def __getitem__(self, i):
        return self.layers[i]

    def __repr__(self):
        return "Sequential(" + ", ".join(map(repr, self.layers)) + ")"


class SoftmaxCrossEntropy:
    r"""Mean softmax cross-entropy (natural log) of scores (N, C) against labels y (N,).

    :math:`L = \frac1N \sum_i \left(-s_{iy_i} + \log\sum_j e^{s_{ij}}\right)`, computed with
    the log-sum-exp shift (stable for any finite scores);
    :math:`\partial L/\partial s_{ij} = (p_{ij} - \mathbb 1[j = y_i]) / N` with
    :math:`p_i = \operatorname{softmax}(s_i)`.
    """

    def __init__(self):
        self._dscores = None
        self._rows = np.arange(0)

    def __call__(self, scores, y):
        return self.forward(scores, y)

    def forward(self, scores, y):
        """Mean loss (a float) of scores (N, C) for labels y (N,) in [0, C); caches dL/dscores."""
        scores = _input(scores, "scores", ndim=2)
        n, c = scores.shape
        if n == 0 or c == 0:
            raise ValueError(f"scores must have at least one row and column, got shape {(n, c)}")
        y = _labels(y, n, c)
        if len(self._rows) != n:
            self._rows = np.arange(n)
        rows = self._rows
        # Shifting each row by its maximum changes no probability and keeps every exponent <= 0.
        shifted = scores - scores.max(axis=1, keepdims=True)
        picked = shifted[rows, y]
        p = np.exp(shifted, out=shifted)
        norm = p.sum(axis=1)
        loss = (np.log(norm).sum() - picked.sum()) / n
        # Local derivative next to the loss: dL/ds = (softmax(s) - onehot(y)) / N.
        p /= norm[:, None]
        p[rows, y] -= 1.0
        p *= 1.0 / n
        self._dscores = p
        return float(loss)

    def backward(self):
        """dL/dscores of the last forward: array (N, C), already averaged over N."""
        if self._dscores is None:
            raise ValueError("backward called before forward: the loss has nothing cached")
        return self._dscores

    def __repr__(self):
        return "SoftmaxCrossEntropy()"


def _labels(y, n, n_classes):
    """Integer labels y (n,), n >= 1, in [0, n_classes): no copy when y is an int array."""
    if (
        type(y) is np.ndarray and y.dtype.kind in "iu" and y.shape == (n,)
        and y.min() >= 0 and y.max() < n_classes
    ):
        return y
    return _validate.labels(y, n, n_classes)
