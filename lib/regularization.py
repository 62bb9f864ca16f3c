r"""Weight penalties, the soft-thresholding (proximal) step of L1, and ridge regression.

The regularized loss is :math:`L(\theta) = \frac1N\sum_i L_i(\theta) + \alpha R(\theta)`, with
:math:`\alpha \ge 0` the regularization strength (``lam`` in the code) and :math:`R` the penalty.
Every penalty function takes a params dict (name -> array, e.g. ``model.params`` of
`lib.nn`) and returns ``(value, grads)``: the float :math:`\alpha R(\theta)` and a dict with the
keys and shapes of `params` holding :math:`\alpha\,\partial R/\partial\theta` (zeros for the
arrays the penalty leaves out). Add them to the data loss and its gradients::

    value, pgrads = l2_penalty(model.params, lam=1e-3)
    L = loss.forward(model.forward(Xb), yb) + value
    model.backward(loss.backward())
    for name, g in pgrads.items():
        model.grads[name] += g
    SGD(lr=0.1).step(model.params, model.grads)

Which arrays are penalized. ``include`` is a predicate on the names (``lambda name:
name.endswith("W")``). By default (``include=None``) the arrays with two or more dimensions
are penalized, the weight matrices :math:`W` of `lib.nn.Linear` (``"0.W"``, ``"2.W"``), and the
one-dimensional ones are not: the biases :math:`b` and a normalization layer's
:math:`\gamma, \beta`. A bias multiplies no input, so shrinking it does not make the function
smoother, it only pulls the outputs towards 0 and can cause underfitting (Goodfellow et al.,
*Deep Learning*, section 7.1); a batch-normalized layer's output does not depend on the scale
of the weights before it, and decaying :math:`\gamma` only fights what the normalization is for.
A linear classifier with the bias trick keeps its bias in :math:`W`'s last row, which the
default does penalize, as the earlier chapters' ``reg`` did. A predicate that selects none of
the arrays of a non-empty dict raises ValueError (a one-dimensional ``{"w": w}`` needs
``include=lambda name: True``) instead of silently returning a penalty of 0.

The strengths. :math:`R` is the book's: :math:`R = \sum_{k,l} W_{kl}^2` for L2, without a
factor 1/2, as in the lecture notes' :math:`\lambda\|\Theta\|_2^2` (their :math:`\lambda` is our
:math:`\alpha`). Its gradient is :math:`2\alpha\theta`, so one SGD step is the notes' (5.23),
:math:`\theta \leftarrow (1 - 2\eta\alpha)\,\theta - \eta g`. `lib.optim`'s ``weight_decay``, like
PyTorch's, adds :math:`\text{weight\_decay}\cdot\theta` to the gradient, the gradient of
:math:`\frac{\text{weight\_decay}}{2}\|\theta\|^2`: ``l2_penalty(params, lam)`` is
``SGD(weight_decay=2 * lam)``, except that the optimizer decays every array, biases
included. Under Adam the two differ anyway (the penalty's gradient is rescaled, AdamW's decay
is not).
"""

from collections.abc import Mapping

import numpy as np

from lib import _validate


def _selected(params, include):
    """The names of the arrays of `params` to penalize, after checking `params` and `include`."""
    if not isinstance(params, Mapping):
        raise ValueError(
            "params must be a dict of name -> array (e.g. model.params; wrap a single array "
            f"as {{'w': w}}), got {_validate._describe(params)}"
        )
    if include is not None and not callable(include):
        raise ValueError(
            f"include must be None or a predicate on names, got {_validate._describe(include)}"
        )
    arrays = {}
    for name, p in params.items():
        if not isinstance(name, str):
            raise ValueError(f"params must have str names, got {_validate._describe(name)}")
        arrays[name] = _validate.float_array(p, f"params[{name!r}]")
    if include is None:
        names = [name for name, p in arrays.items() if p.ndim >= 2]
    else:
        names = [name for name in arrays if include(name)]
    if arrays and not names:
        rule = "the default penalizes arrays with 2 or more dimensions only" if include is None \
            else "include returned False for every name"
        raise ValueError(
            f"include selects none of the parameters {sorted(arrays)} ({rule}); "
            "pass include=lambda name: True to penalize every array"
        )
    return arrays, names


def _lam(lam):
    return _validate.real(lam, "lam", low=0.0)


def l2_penalty(params, lam, include=None):
    r"""The L2 penalty (weight decay) :math:`\alpha \sum_{\theta} \|\theta\|_2^2` and its gradient.

    params: dict name -> array (any shapes); lam: :math:`\alpha \ge 0`; include: predicate on the
    names, None for the arrays with 2 or more dimensions (see the module docstring).
    Returns ``(value, grads)``:

    .. math:: \alpha R(\theta) = \alpha \sum_{\text{selected}} \sum_j \theta_j^2, \qquad
              \frac{\partial\, \alpha R}{\partial \theta} = 2\alpha\theta

    with ``grads[name]`` zero for the arrays left out. One SGD step on the penalized loss is
    :math:`\theta \leftarrow (1 - 2\eta\alpha)\theta - \eta g`, the lecture notes' (5.23); it is
    ``lib.optim.SGD(lr, weight_decay=2 * lam)`` on the selected arrays.
    """
    lam = _lam(lam)
    arrays, names = _selected(params, include)
    grads = {name: np.zeros(p.shape) for name, p in arrays.items()}
    value = 0.0
    for name in names:
        flat = arrays[name].ravel()
        value += float(np.dot(flat, flat))
        np.multiply(arrays[name], 2.0 * lam, out=grads[name])
    return lam * value, grads


def l1_penalty(params, lam, include=None):
    r"""The L1 penalty :math:`\alpha \sum_{\theta} \|\theta\|_1` and a subgradient.

    params: dict name -> array; lam: :math:`\alpha \ge 0`; include: as in `l2_penalty`.
    Returns ``(value, grads)``:

    .. math:: \alpha R(\theta) = \alpha \sum_{\text{selected}} \sum_j |\theta_j|, \qquad
              g_R = \alpha \operatorname{sign}(\theta)

    :math:`|\theta_j|` has no derivative at 0, where its subdifferential is the interval
    :math:`[-\alpha, \alpha]`; the subgradient returned there is 0 (``np.sign(0) == 0``), the
    element of least magnitude, as PyTorch's ``abs`` backward gives. A subgradient step
    :math:`\theta - \eta(g + \alpha\operatorname{sign}\theta)` jumps over 0 and lands on it only by
    accident; the proximal step ``soft_threshold(theta - eta * g, eta * lam)`` sets every entry
    with :math:`|\theta_j - \eta g_j| \le \eta\alpha` to exactly 0, which is where L1's sparsity
    comes from.
    """
    lam = _lam(lam)
    arrays, names = _selected(params, include)
    grads = {name: np.zeros(p.shape) for name, p in arrays.items()}
    value = 0.0
    for name in names:
        value += float(np.abs(arrays[name]).sum())
        np.sign(arrays[name], out=grads[name])
        grads[name] *= lam
    return lam * value, grads


def elastic_net_penalty(params, lam, l1_ratio, include=None):
    r"""The elastic-net penalty, a mix of L1 and L2 with weights ``l1_ratio`` and ``1 - l1_ratio``.

    params: dict name -> array; lam: :math:`\alpha \ge 0`; l1_ratio: the share of L1, in
    [0, 1]; include: as in `l2_penalty`. Returns ``(value, grads)``:

    .. math:: \alpha R(\theta) = \alpha \sum_{\text{selected}} \left(\text{l1\_ratio}
              \,\|\theta\|_1 + (1 - \text{l1\_ratio})\,\|\theta\|_2^2\right),

              g_R = \alpha\left(\text{l1\_ratio}\operatorname{sign}(\theta)
              + 2(1 - \text{l1\_ratio})\,\theta\right),

    so that ``l1_ratio=1`` is `l1_penalty` and ``l1_ratio=0`` is `l2_penalty`, with the same
    ``lam`` (the subgradient at 0 is the same as `l1_penalty`'s).

    This is not scikit-learn's parameterization. ``sklearn.linear_model.ElasticNet(alpha=A,
    l1_ratio=P)`` minimizes ``1/(2N) ||y - Xw||^2 + A P ||w||_1 + A (1 - P) / 2 ||w||^2``,
    which is ours with the data term ``1/(2N) ||y - Xw||^2`` when ``A = lam * (2 - l1_ratio)``
    and ``P = l1_ratio / (2 - l1_ratio)``; the other way round, ``l1_ratio = 2 P / (1 + P)``
    and ``lam = A (1 + P) / 2``. The lecture notes'
    :math:`\lambda\sum_{k,l}(\beta W_{kl}^2 + |W_{kl}|)` (their :math:`\lambda`, :math:`\beta`)
    is ours with ``lam`` :math:`= \lambda(1 + \beta)` and ``l1_ratio`` :math:`= 1/(1 + \beta)`.
    """
    lam = _lam(lam)
    r = _validate.real(l1_ratio, "l1_ratio", low=0.0, high=1.0)
    arrays, names = _selected(params, include)
    grads = {name: np.zeros(p.shape) for name, p in arrays.items()}
    value = 0.0
    for name in names:
        p = arrays[name]
        flat = p.ravel()
        value += r * float(np.abs(flat).sum()) + (1.0 - r) * float(np.dot(flat, flat))
        g = grads[name]
        np.sign(p, out=g)
        g *= lam * r
        g += (2.0 * lam * (1.0 - r)) * p
    return lam * value, grads


def soft_threshold(x, t):
    r"""Soft thresholding, the proximal operator of :math:`\tau|\cdot|`, entry by entry.

    x: array of any shape; t: the threshold :math:`\tau \ge 0`, a number or an array that
    broadcasts against x. Returns a new float64 array of x's (broadcast) shape:

    .. math:: \operatorname{prox}_{\tau|\cdot|}(x) = \arg\min_\zeta \tfrac12 (\zeta - x)^2
              + \tau|\zeta| = \operatorname{sign}(x)\max(|x| - \tau, 0).

    Entries with :math:`|x| \le \tau` become exactly 0, the others move by τ towards 0. The
    proximal gradient (ISTA) step for :math:`L + \alpha\|\theta\|_1` is
    ``soft_threshold(theta - eta * g, eta * lam)``.
    """
    x = _validate.float_array(x, "x")
    if isinstance(t, np.ndarray) and t.ndim > 0:
        t = _validate.float_array(t, "t")
        if np.any(t < 0):
            raise ValueError(f"t must be >= 0 everywhere, got a minimum of {t.min()}")
        try:
            np.broadcast_shapes(x.shape, t.shape)
        except ValueError:
            raise ValueError(
                f"t must broadcast against x of shape {x.shape}, got shape {t.shape}"
            ) from None
    else:
        t = _validate.real(t, "t", low=0.0)
    out = np.asarray(np.abs(x) - t)  # a 0-d array, not a scalar, for a 0-d x
    np.maximum(out, 0.0, out=out)
    out *= np.sign(x)
    return out


def ridge(X, y, lam):
    r"""Ridge regression: the minimizer of :math:`\|Xw - y\|_2^2 + \alpha\|w\|_2^2`, in closed form.

    X: (N, D); y: (N,) or (N, k) for k targets at once; lam: :math:`\alpha \ge 0`. Returns w of
    shape (D,) or (D, k), the solution of the normal equations

    .. math:: (X^\top X + \alpha I)\,w = X^\top y,

    computed by a linear solve, not by inverting the matrix. When D > N the same w is
    computed from the smaller N x N system, :math:`w = X^\top (XX^\top + \alpha I)^{-1} y`. With
    lam = 0 it is the least-squares solution of least norm (``np.linalg.lstsq``), the limit of
    ridge as :math:`\alpha \to 0^+`, also when :math:`X^\top X` is singular.

    This is scikit-learn's ``Ridge(alpha=lam, fit_intercept=False)``, which minimizes the same
    :math:`\|y - Xw\|^2 + \alpha\|w\|^2`. The lecture notes' (5.29),
    :math:`(X^\top X + 2\lambda I)^{-1}X^\top y`, is ``ridge(X, y, 2 * lambda)``: it minimizes
    :math:`\frac12\|Xw - y\|^2 + \lambda\|w\|^2`, not their (5.27), whose gradient has a factor 2
    on the data term that (5.28) drops.

    Our objective is twice :math:`\frac12\|Xw - y\|^2 + \frac{\alpha}{2}\|w\|^2`, Goodfellow et
    al.'s form (section 7.1.1), whose data term has the Hessian :math:`H = X^\top X`: in the
    eigenbasis of H (eigenvalues :math:`\lambda_i`) ridge scales each component of the
    least-squares solution by :math:`\lambda_i/(\lambda_i + \alpha)`.
    """
    X = _validate.float_array(X, "X", ndim=2)
    n, d = X.shape
    if n == 0 or d == 0:
        raise ValueError(f"X must have at least one row and one column, got shape {X.shape}")
    y = _validate.float_array(y, "y")
    if y.ndim not in (1, 2) or y.shape[0] != n:
        raise ValueError(f"y must have shape ({n},) or ({n}, k) to match X, got {y.shape}")
    lam = _lam(lam)
    if lam == 0.0:
        return np.linalg.lstsq(X, y, rcond=None)[0]
    if d <= n:
        A = X.T @ X
        A.flat[:: d + 1] += lam
        return np.linalg.solve(A, X.T @ y)
    K = X @ X.T
    K.flat[:: n + 1] += lam
    return X.T @ np.linalg.solve(K, y)
