r"""Weight initializations for the book's ``x @ W`` convention, and LSUV.

Each initializer is a function ``(n_in, n_out, rng, gain=1.0)`` returning a float64 array
W of shape (n_in, n_out), so that a layer computes :math:`z = xW + b`; ``rng`` is a
``numpy.random.Generator`` (``np.random.default_rng(seed)``), the only source of
randomness. The variance of every entry :math:`W_{kl}`, zero-mean in all cases:

- ``lecun_normal``: normal, :math:`\text{gain}^2 / n_{in}`;
- ``xavier_normal``: normal, :math:`\text{gain}^2 \cdot 2/(n_{in} + n_{out})`;
- ``xavier_uniform``: uniform on ±√3·std, the same variance;
- ``he_normal``: normal, :math:`\text{gain}^2 \cdot 2/n_{in}`;
- ``he_uniform``: uniform on ±√3·std, the same variance;
- ``torch_uniform``: uniform on :math:`\pm\text{gain}/\sqrt{n_{in}}`, so
  :math:`\text{gain}^2 / (3 n_{in})` (PyTorch's default, below);
- ``orthogonal``: gain times orthonormal columns or rows, so
  :math:`\text{gain}^2 / \max(n_{in}, n_{out})` on average.

(A uniform distribution on [−a, a] has variance a²/3, hence the bound √3·std.)

Why these variances (at initialization, with independent zero-mean weights and inputs):
a unit :math:`z = \sum_k x_k W_{kl}` has :math:`\operatorname{Var} z = n_{in}
\operatorname{Var} W \, \mathbb E[x^2]`, so :math:`1/n_{in}` (LeCun) keeps the forward
variance; the backward pass sums over :math:`n_{out}` units, so :math:`1/n_{out}` keeps
the gradients' variance; Xavier/Glorot takes the harmonic mean of the two,
:math:`2/(n_{in} + n_{out})` (for tanh); He's factor 2 makes up for the half of the
pre-activations a ReLU sets to zero.

PyTorch's ``nn.Linear`` does none of these by default: it calls
``kaiming_uniform_(weight, a=math.sqrt(5))``, a He-uniform bound with the leaky-ReLU gain
:math:`\sqrt{2/(1 + a^2)} = \sqrt{1/3}`, which works out to the uniform distribution on
:math:`\pm 1/\sqrt{n_{in}}`: variance :math:`1/(3 n_{in})`, a third of LeCun's and a sixth
of He's. It draws the bias from the same interval. ``torch_uniform`` is that weight
distribution (``Linear(..., init="torch")`` also draws the bias like PyTorch).

``orthogonal`` follows Saxe et al. (2014) and ``torch.nn.init.orthogonal_``: the QR
decomposition of a Gaussian matrix, with each column of Q multiplied by the sign of the
matching diagonal entry of R. Without that sign correction Q is not uniformly (Haar)
distributed (Mezzadri, 2007), because numpy's QR (LAPACK's Householder reflections) leaves
the signs of R's diagonal to the data.

``lsuv`` (Mishkin and Matas, 2016, "All you need is a good init") rescales the weights of
each Linear layer of a network, first to last, until the layer's output on a batch of data
has variance 1.
"""

import math

import numpy as np

from lib import _validate


def _check(n_in, n_out, rng, gain):
    n_in = _validate.integer(n_in, "n_in", low=1)
    n_out = _validate.integer(n_out, "n_out", low=1)
    if not isinstance(rng, np.random.Generator):
        raise ValueError(
            "rng must be a numpy.random.Generator (np.random.default_rng(seed)), got "
            + _validate._describe(rng)
        )
    gain = _validate.real(gain, "gain", low=0.0, low_open=True)
    return n_in, n_out, gain


def lecun_normal(n_in, n_out, rng, gain=1.0):
    r"""W (n_in, n_out) with entries :math:`\mathcal N(0, \text{gain}^2/n_{in})`."""
    n_in, n_out, gain = _check(n_in, n_out, rng, gain)
    # gain * sqrt(1/n_in), not sqrt(gain^2/n_in): with gain = 1 this is exactly the scale
    # lib.nn.Linear has always drawn with, so its default weights stay the same bit for bit.
    return rng.normal(0.0, gain * math.sqrt(1.0 / n_in), size=(n_in, n_out))


def xavier_normal(n_in, n_out, rng, gain=1.0):
    r"""W (n_in, n_out) with entries :math:`\mathcal N(0, \text{gain}^2 \cdot 2/(n_{in}+n_{out}))`.

    Glorot and Bengio (2010), "Xavier" for short; for tanh and sigmoid networks.
    """
    n_in, n_out, gain = _check(n_in, n_out, rng, gain)
    return rng.normal(0.0, gain * math.sqrt(2.0 / (n_in + n_out)), size=(n_in, n_out))


def xavier_uniform(n_in, n_out, rng, gain=1.0):
    r"""W (n_in, n_out) uniform on :math:`\pm\text{gain}\sqrt{6/(n_{in}+n_{out})}`.

    The variance of `xavier_normal`; Glorot and Bengio's own proposal.
    """
    n_in, n_out, gain = _check(n_in, n_out, rng, gain)
    bound = gain * math.sqrt(6.0 / (n_in + n_out))  # sqrt(3) * std
    return rng.uniform(-bound, bound, size=(n_in, n_out))


def he_normal(n_in, n_out, rng, gain=1.0):
    r"""W (n_in, n_out) with entries :math:`\mathcal N(0, \text{gain}^2 \cdot 2/n_{in})`.

    He et al. (2015), for ReLU networks (PyTorch's ``kaiming_normal_`` with its defaults).
    """
    n_in, n_out, gain = _check(n_in, n_out, rng, gain)
    return rng.normal(0.0, gain * math.sqrt(2.0 / n_in), size=(n_in, n_out))


def he_uniform(n_in, n_out, rng, gain=1.0):
    r"""W (n_in, n_out) uniform on :math:`\pm\text{gain}\sqrt{6/n_{in}}` (He's variance)."""
    n_in, n_out, gain = _check(n_in, n_out, rng, gain)
    bound = gain * math.sqrt(6.0 / n_in)  # sqrt(3) * std
    return rng.uniform(-bound, bound, size=(n_in, n_out))


def torch_uniform(n_in, n_out, rng, gain=1.0):
    r"""W (n_in, n_out) uniform on :math:`\pm\text{gain}/\sqrt{n_{in}}`: PyTorch's Linear default.

    ``kaiming_uniform_(W, a=sqrt(5))`` has bound :math:`\sqrt3 \cdot \sqrt{2/(1+a^2)} /
    \sqrt{n_{in}} = 1/\sqrt{n_{in}}`, i.e. variance :math:`1/(3 n_{in})`.
    """
    n_in, n_out, gain = _check(n_in, n_out, rng, gain)
    bound = gain / math.sqrt(n_in)
    return rng.uniform(-bound, bound, size=(n_in, n_out))


def orthogonal(n_in, n_out, rng, gain=1.0):
    r"""W (n_in, n_out), gain times a matrix with orthonormal columns (n_in >= n_out) or rows.

    A Gaussian matrix A of shape (max, min) is factored A = QR (reduced QR, Q (max, min) with
    orthonormal columns); multiplying column j of Q by :math:`\operatorname{sign} R_{jj}`
    makes the factorization unique (R's diagonal positive) and Q Haar-distributed.
    W = gain·Q when n_in >= n_out, gain·Qᵀ otherwise, so that
    :math:`W^\top W = \text{gain}^2 I` or :math:`W W^\top = \text{gain}^2 I`.
    """
    n_in, n_out, gain = _check(n_in, n_out, rng, gain)
    rows, cols = max(n_in, n_out), min(n_in, n_out)
    A = rng.standard_normal((rows, cols))
    Q, R = np.linalg.qr(A)
    # sign(R_jj), never 0 (a zero diagonal has probability 0, and then +1 is as good as -1).
    Q *= np.where(np.diagonal(R) < 0, -1.0, 1.0)
    W = Q if n_in >= n_out else Q.T
    if gain != 1.0:
        W *= gain
    return np.ascontiguousarray(W)


INITIALIZERS = {
    "lecun": lecun_normal,
    "xavier": xavier_normal,
    "xavier_uniform": xavier_uniform,
    "he": he_normal,
    "he_uniform": he_uniform,
    "orthogonal": orthogonal,
    "torch": torch_uniform,
}
"""The names `lib.nn.Linear` accepts for ``init`` (besides "zeros" and a callable)."""


def lsuv(model, X, tol=0.1, max_iter=10):
    r"""Layer-sequential unit-variance initialization: rescale each Linear of `model` in place.

    model: a `lib.nn.Sequential`; X: (N, D) a batch of training inputs. For each Linear layer
    l, first to last, with :math:`Z_l` its output on X (earlier layers already rescaled):
    while :math:`|\operatorname{Var} Z_l - 1| > \text{tol}` (the variance of all entries of
    :math:`Z_l`), :math:`W_l \leftarrow W_l / \sqrt{\operatorname{Var} Z_l}`, at most
    `max_iter` times. With b = 0 one rescaling is exact; a nonzero bias needs a few.
    Mishkin and Matas start from orthogonal weights (``Linear(..., init="orthogonal")``);
    here the layers keep whatever initialization they were built with.

    The network runs in eval mode (running statistics untouched, no dropout); each layer's
    mode is restored on return. Returns the list of the final output variances, one per
    Linear layer. Raises ValueError when a layer's output has zero variance (nothing to
    rescale) or is still outside 1 ± tol after max_iter rescalings.
    """
    from lib.nn import Linear, Sequential

    if not isinstance(model, Sequential):
        raise ValueError(f"model must be a lib.nn.Sequential, got {_validate._describe(model)}")
    X = _validate.float_array(X, "X", ndim=2)
    if len(X) < 2:
        raise ValueError(f"X must have at least 2 rows to have a variance, got {len(X)}")
    tol = _validate.real(tol, "tol", low=0.0, low_open=True)
    max_iter = _validate.integer(max_iter, "max_iter", low=1)
    if not any(isinstance(layer, Linear) for layer in model.layers):
        raise ValueError(f"model must contain a Linear layer, got {model!r}")

    modes = [model.training] + [layer.training for layer in model.layers]
    model.eval()
    variances = []
    try:
        h = X
        for i, layer in enumerate(model.layers):
            if not isinstance(layer, Linear):
                h = layer.forward(h)
                continue
            W = layer.params["W"]
            for _ in range(max_iter):
                var = float(np.var(layer.forward(h)))
                if abs(var - 1.0) <= tol:
                    break
                if var == 0.0:
                    raise ValueError(
                        f"layer {i} ({layer!r}) has output variance 0 on X: nothing to rescale"
                    )
                W *= 1.0 / math.sqrt(var)  # in place: optimizers and model.params see it
            out = layer.forward(h)
            var = float(np.var(out))
            if abs(var - 1.0) > tol:
                raise ValueError(
                    f"layer {i} ({layer!r}) has output variance {var:.4g} after "
                    f"max_iter={max_iter} rescalings, expected 1 ± {tol}"
                )
            variances.append(var)
            h = out
    finally:
        for layer, mode in zip(model.layers, modes[1:], strict=True):
            layer.train(mode)
        model.training = modes[0]
    return variances
