r"""Optimizers that update parameters in place from their gradients.

An optimizer's ``step(params, grads)`` takes two dicts, name -> float64 array, with the
same names and shapes (``model.params``, ``model.grads`` of `lib.nn`), and changes every
parameter array in place. Its state is named and explicit: ``opt.t`` counts the updates
made so far, ``opt.state[name]`` holds what the optimizer remembers about one parameter
(``{"v": ...}`` for momentum, ``{"G": ...}`` for AdaGrad, ``{"r": ...}`` for RMSProp,
``{"m": ..., "r": ...}`` for Adam and AdamW), arrays of the parameter's shape.

A learning rate is a positive number or a schedule: a plain function of the update count
t, called with t = 0 for the first update, e.g. ``lambda t: 0.1 / (1 + t / 100)`` or one
of `lib.schedules`. A schedule may reach 0 (the end of a linear or cosine decay). ``opt.lr``
may also be reassigned between updates (checked like the argument), which is what a
learning-rate range test does.

Around the step: `clip_grad_norm` and `clip_grad_value` rescale or clip the gradients in
place before it (as ``torch.nn.utils.clip_grad_norm_`` and ``clip_grad_value_`` do), and
`ParameterAverage` keeps a plain or exponential average of the parameters after it (as
``torch.optim.swa_utils.AveragedModel`` does).

Notation in the docstrings: :math:`\theta` a parameter, :math:`g` its gradient on the
current minibatch, :math:`\eta` the learning rate (:math:`\eta_t` for a schedule),
:math:`\alpha` the weight decay (the regularization strength), :math:`v` the momentum
velocity, :math:`G` AdaGrad's sum of squared gradients, :math:`r` the running average of
squared gradients (RMSProp, Adam) with decay :math:`\beta_2`, :math:`m` Adam's running
average of gradients with decay :math:`\beta_1`; products, squares, square roots and
quotients of vectors are elementwise. The formulas, and the order of the operations, are PyTorch's
(``torch.optim``), so that the two agree to rounding.

Performance: the updates use in-place ufuncs (``out=``). A large parameter is updated in
blocks of `BLOCK` entries, with two scratch blocks kept by the optimizer, so that the
intermediate results stay in the CPU cache and every state array is read and written
once per step (see ``benchmarks/adam.py``).
"""

import math

import numpy as np

from lib import _validate
from lib.landscapes import Landscape

BLOCK = 16384  # entries per block of a large parameter: 6 such arrays (768 KiB) stay in cache


class Optimizer:
    """Shared by the optimizers: argument checks, the learning rate or schedule, the counter t.

    A subclass names its per-parameter state in `state_names` and defines ``_update(p, g,
    lr, state, a, b)``, which updates one block: `p`, `g` and the arrays in `state` are
    views of the same entries, `a` and `b` scratch arrays of their shape.
    """

    state_names = ()

    def __init__(self, lr, weight_decay=0.0):
        self.lr = lr
        self.weight_decay = _validate.real(weight_decay, "weight_decay", low=0.0)
        self.t = 0
        self.state = {}
        self._scratch = None

    @property
    def lr(self):
        """The learning rate: a number > 0, or a schedule t -> rate; may be reassigned."""
        return self._lr

    @lr.setter
    def lr(self, lr):
        if not callable(lr):
            lr = _validate.real(lr, "lr", low=0.0, low_open=True)
        self._lr = lr

    def current_lr(self):
        """The learning rate of the next update: ``lr``, or ``lr(t)`` (>= 0) for a schedule."""
        if not callable(self.lr):
            return self.lr
        return _validate.real(self.lr(self.t), f"lr({self.t})", low=0.0)

    def step(self, params, grads):
        """Update every array in `params` in place from the array of the same name in `grads`."""
        _check_step(params, grads)
        lr = self.current_lr()
        self.t += 1  # counts this update from here on: Adam's bias correction uses t >= 1
        for name, p in params.items():
            state = self.state.get(name)
            if state is None:
                state = self.state[name] = {k: np.zeros(p.shape) for k in self.state_names}
            self._update_blocks(p, grads[name], lr, state)

    def _update_blocks(self, p, g, lr, state):
        if not p.flags.c_contiguous:  # no flat view of p to slice: one block, fresh scratch
            self._update(p, g, lr, state, np.empty(p.shape), np.empty(p.shape))
            return
        p, g = p.reshape(-1), g.reshape(-1)  # views (g is copied only if not contiguous)
        flat = {k: v.reshape(-1) for k, v in state.items()}
        if self._scratch is None:
            self._scratch = (np.empty(BLOCK), np.empty(BLOCK))
        a, b = self._scratch
        for lo in range(0, p.size, BLOCK):
            hi = min(lo + BLOCK, p.size)
            n = hi - lo
            self._update(
                p[lo:hi], g[lo:hi], lr, {k: v[lo:hi] for k, v in flat.items()}, a[:n], b[:n]
            )

    def _with_weight_decay(self, p, g, b):
        """The gradient of the L2-regularized loss, g + wd * p, in the scratch `b` (or g itself)."""
        if not self.weight_decay:
            return g
        np.multiply(p, self.weight_decay, out=b)
        b += g
        return b

    def _hyper(self):
        """Hyperparameters other than lr that differ from their defaults, for the repr."""
        return {}

    def __repr__(self):
        name = getattr(self.lr, "__qualname__", None) if callable(self.lr) else None
        args = [f"lr={name}" if name else f"lr={self.lr!r}"]
        args += [f"{k}={v!r}" for k, v in self._hyper().items()]
        return f"{type(self).__name__}({', '.join(args)})"


def _changed(opt, defaults):
    return {k: getattr(opt, k) for k, v in defaults.items() if getattr(opt, k) != v}


class SGD(Optimizer):
    r"""Stochastic gradient descent, with optional momentum, Nesterov momentum, weight decay.

    Plain (``momentum=0``): :math:`\theta \leftarrow \theta - \eta\, g`, no state per
    parameter (``opt.state[name]`` is an empty dict).

    With momentum :math:`\mu > 0`, the velocity ``v`` (``opt.state[name]["v"]``, zero at
    the start, so the first step has v = g) accumulates the gradients:

    .. math::
        v \leftarrow \mu v + g, \qquad \theta \leftarrow \theta - \eta\, v,

    and with ``nesterov=True`` the step looks ahead along the new velocity:
    :math:`\theta \leftarrow \theta - \eta\,(g + \mu v)`.

    Weight decay :math:`\alpha` (``weight_decay``) replaces g by :math:`g + \alpha\theta`
    (the gradient of the loss plus :math:`\frac{\alpha}{2}\lVert\theta\rVert^2`) before
    all of this.
    The velocity here is PyTorch's convention; some texts scale it, :math:`v \leftarrow
    \mu v - \eta g`, which is the same method for a constant :math:`\eta`.
    """

    def __init__(self, lr, momentum=0.0, nesterov=False, weight_decay=0.0):
        super().__init__(lr, weight_decay)
        self.momentum = _validate.real(momentum, "momentum", low=0.0)
        nesterov = _check_flag(nesterov, "nesterov")
        if nesterov and self.momentum == 0:
            raise ValueError("nesterov=True needs momentum > 0, got momentum=0.0")
        self.nesterov = bool(nesterov)
        self.state_names = ("v",) if self.momentum else ()

    def _update(self, p, g, lr, state, a, b):
        g = self._with_weight_decay(p, g, b)
        if self.momentum:
            v = state["v"]
            v *= self.momentum
            v += g
            if self.nesterov:
                np.multiply(v, self.momentum, out=a)
                a += g
                d = a
            else:
                d = v
        else:
            d = g
        np.multiply(d, lr, out=a)
        p -= a

    def _hyper(self):
        return _changed(self, {"momentum": 0.0, "nesterov": False, "weight_decay": 0.0})


def _check_eps(eps):
    return _validate.real(eps, "eps", low=0.0, low_open=True)


def _check_flag(value, name):
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} must be True or False, got {_validate._describe(value)}")
    return bool(value)


class AdaGrad(Optimizer):
    r"""AdaGrad: each coordinate's step shrinks with the sum of its squared gradients.

    .. math::
        G \leftarrow G + g^2, \qquad
        \theta \leftarrow \theta - \eta\,\frac{g}{\sqrt{G} + \epsilon},

    with G = ``opt.state[name]["G"]`` (zero at the start) and :math:`\epsilon` outside the
    square root, as in PyTorch. Weight decay :math:`\alpha` (``weight_decay``) replaces g by
    :math:`g + \alpha\theta` first.
    """

    state_names = ("G",)

    def __init__(self, lr, eps=1e-10, weight_decay=0.0):
        super().__init__(lr, weight_decay)
        self.eps = _check_eps(eps)

    def _update(self, p, g, lr, state, a, b):
        g = self._with_weight_decay(p, g, b)
        G = state["G"]
        np.multiply(g, g, out=a)
        G += a
        _scaled_step(p, g, G, self.eps, lr, a)

    def _hyper(self):
        return _changed(self, {"eps": 1e-10, "weight_decay": 0.0})


class RMSProp(Optimizer):
    r"""RMSProp: AdaGrad with a moving average of the squared gradients instead of their sum.

    .. math::
        r \leftarrow \beta_2 r + (1 - \beta_2)\, g^2, \qquad
        \theta \leftarrow \theta - \eta\,\frac{g}{\sqrt{r} + \epsilon},

    with r = ``opt.state[name]["r"]`` (zero at the start: no bias correction, as in
    PyTorch's ``RMSprop``) and :math:`\epsilon` outside the square root. The decay
    :math:`\beta_2` is the argument ``alpha``, PyTorch's name for it. Weight decay
    :math:`\alpha` (``weight_decay``) replaces g by :math:`g + \alpha\theta` first.
    """

    state_names = ("r",)

    def __init__(self, lr, alpha=0.99, eps=1e-8, weight_decay=0.0):
        super().__init__(lr, weight_decay)
        self.alpha = _validate.real(alpha, "alpha", low=0.0, high=1.0, high_open=True)
        self.eps = _check_eps(eps)

    def _update(self, p, g, lr, state, a, b):
        g = self._with_weight_decay(p, g, b)
        r = state["r"]
        r *= self.alpha  # beta_2
        np.multiply(g, g, out=a)
        a *= 1.0 - self.alpha
        r += a
        _scaled_step(p, g, r, self.eps, lr, a)

    def _hyper(self):
        return _changed(self, {"alpha": 0.99, "eps": 1e-8, "weight_decay": 0.0})


def _scaled_step(p, num, sq, eps, lr, a, sq_scale=1.0):
    """p -= lr * num / (sq_scale * sqrt(sq) + eps), in place, with `a` as the only scratch.

    The step every adaptive method shares: eps is added after the square root.
    """
    np.sqrt(sq, out=a)
    if sq_scale != 1.0:
        a *= sq_scale
    a += eps
    np.divide(num, a, out=a)
    a *= lr
    p -= a


def _check_betas(betas):
    if isinstance(betas, (str, bytes)) or not hasattr(betas, "__len__") or len(betas) != 2:
        raise ValueError(f"betas must be a pair (beta1, beta2), got {_validate._describe(betas)}")
    return tuple(
        _validate.real(beta, f"betas[{i}]", low=0.0, high=1.0, high_open=True)
        for i, beta in enumerate(betas)
    )


class Adam(Optimizer):
    r"""Adam: momentum on the gradient, RMSProp's scaling, both bias-corrected.

    At update t = 1, 2, ... (``opt.t`` is incremented before it is used):

    .. math::
        m \leftarrow \beta_1 m + (1 - \beta_1)\, g, \qquad
        r \leftarrow \beta_2 r + (1 - \beta_2)\, g^2,

        \hat m = \frac{m}{1 - \beta_1^t}, \qquad \hat r = \frac{r}{1 - \beta_2^t}, \qquad
        \theta \leftarrow \theta - \eta\,\frac{\hat m}{\sqrt{\hat r} + \epsilon},

    with m, r = ``opt.state[name]["m"]``, ``["r"]`` (zero at the start), ``betas`` =
    :math:`(\beta_1, \beta_2)` and :math:`\epsilon` added after the square root. Weight
    decay :math:`\alpha` (``weight_decay``) replaces g by :math:`g + \alpha\theta` (L2
    regularization, which the scaling then weakens along coordinates with large
    gradients; `AdamW` decouples it).

    ``amsgrad=True`` is AMSGrad (Reddi et al., 2018) as PyTorch computes it: the running
    maximum :math:`r_{\max} \leftarrow \max(r_{\max}, r)` of the raw r (a third state
    array, ``["r_max"]``) replaces r in the step, bias-corrected by the current t:
    :math:`\theta \leftarrow \theta - \eta\,\hat m / (\sqrt{r_{\max}/(1 - \beta_2^t)} +
    \epsilon)`. :math:`r_{\max}` never shrinks, so a large gradient is never forgotten; the
    denominator itself can still shrink while the bias correction :math:`1 - \beta_2^t` fades
    (Reddi et al.'s original has no bias correction).
    """

    _defaults = (("betas", (0.9, 0.999)), ("eps", 1e-8), ("weight_decay", 0.0),
                 ("amsgrad", False))

    def __init__(self, lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False):
        super().__init__(lr, weight_decay)
        self.betas = _check_betas(betas)
        self.eps = _check_eps(eps)
        self.amsgrad = _check_flag(amsgrad, "amsgrad")
        self.state_names = ("m", "r", "r_max") if self.amsgrad else ("m", "r")

    def _update(self, p, g, lr, state, a, b):
        g = self._with_weight_decay(p, g, b)
        self._adam(p, g, lr, state, a)

    def _adam(self, p, g, lr, state, a):
        b1, b2 = self.betas
        m, r = state["m"], state["r"]
        m *= b1
        np.multiply(g, 1.0 - b1, out=a)
        m += a
        r *= b2
        np.multiply(g, g, out=a)
        a *= 1.0 - b2
        r += a
        if self.amsgrad:
            r = np.maximum(state["r_max"], r, out=state["r_max"])
        # eta * m_hat / (sqrt(r_hat) + eps), the bias corrections folded into two scalars
        _scaled_step(p, m, r, self.eps, lr / (1.0 - b1**self.t), a,
                     sq_scale=1.0 / math.sqrt(1.0 - b2**self.t))

    def _hyper(self):
        return _changed(self, dict(self._defaults))


class AdamW(Adam):
    r"""AdamW: Adam with decoupled weight decay, shrinking the weights outside the scaling.

    .. math::
        \theta \leftarrow \theta - \eta\alpha\,\theta

    with :math:`\alpha` = ``weight_decay`` (computed as :math:`\theta \leftarrow
    (1 - \eta\alpha)\,\theta`, as in PyTorch), then
    the `Adam` step with the plain gradient g. Every weight shrinks by the same factor,
    whatever its gradient history; ``weight_decay`` defaults to 0.01.

    The decay multiplies the whole rate :math:`\eta_t`, base rate included. Loshchilov and
    Hutter's AdamW multiplies it by the schedule's multiplier :math:`\eta_t/\eta_0` only,
    :math:`\theta \leftarrow \theta - \eta_t\,\hat m/(\sqrt{\hat r} + \epsilon) -
    (\eta_t/\eta_0)\lambda_{\text{LH}}\theta`: their :math:`\lambda_{\text{LH}}` is
    :math:`\eta_0\alpha` here, so ``AdamW(schedule, weight_decay=lam_lh / lr0)`` runs theirs.
    """

    _defaults = (("betas", (0.9, 0.999)), ("eps", 1e-8), ("weight_decay", 0.01),
                 ("amsgrad", False))

    def __init__(self, lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01, amsgrad=False):
        super().__init__(lr, betas, eps, weight_decay, amsgrad)

    def _update(self, p, g, lr, state, a, b):
        if self.weight_decay:
            p *= 1.0 - lr * self.weight_decay
        self._adam(p, g, lr, state, a)


def optimize_path(optimizer, landscape, start, n_steps):
    """Run `optimizer` for `n_steps` updates on a 2-D `landscape` from `start`; return the path.

    The path is a float64 array of shape (n_steps + 1, 2): `start`, then the iterate after
    each update. The optimizer is used as given, so pass a fresh one (its ``t`` and
    ``state`` carry over otherwise); the parameter is named ``"w"``.

    Divergence is a result, not an error: the run happens under ``np.errstate(all="ignore")``
    and stops at the first iterate that is not finite (or whose gradient is not), which is
    left out. The path then has fewer than n_steps + 1 rows, every one of them finite,
    and plots without warnings.
    """
    if not isinstance(optimizer, Optimizer):
        raise ValueError(
            f"optimizer must be a lib.optim optimizer, got {_validate._describe(optimizer)}"
        )
    if not isinstance(landscape, Landscape):
        raise ValueError(
            f"landscape must be a lib.landscapes.Landscape, got {_validate._describe(landscape)}"
        )
    w = _validate.float_array(start, "start", shape=(2,)).copy()
    n_steps = _validate.integer(n_steps, "n_steps", low=0)
    path = np.empty((n_steps + 1, 2))
    path[0] = w
    params = {"w": w}
    with np.errstate(all="ignore"):
        for i in range(1, n_steps + 1):
            g = landscape.grad(w)
            if not np.isfinite(g).all():
                return path[:i]
            optimizer.step(params, {"w": g})
            if not np.isfinite(w).all():
                return path[:i]
            path[i] = w
    return path


def _check_step(params, grads):
    """Same names, same shapes, float64 arrays, finite gradients; nothing is changed on failure."""
    for name, d in (("params", params), ("grads", grads)):
        if not isinstance(d, dict):
            got = _validate._describe(d)
            raise ValueError(f"{name} must be a dict of name -> array, got {got}")
    if params.keys() != grads.keys():
        raise ValueError(
            "params and grads must have the same names, got "
            f"{sorted(params)} and {sorted(grads)}"
        )
    for name, p in params.items():
        g = grads[name]
        if type(p) is not np.ndarray or p.dtype != np.float64 or not p.flags.writeable:
            raise ValueError(
                f"params[{name!r}] must be a writeable float64 array (it is updated in place), "
                f"got {_validate._describe(p)}"
            )
        if type(g) is not np.ndarray or g.dtype.kind != "f":
            raise ValueError(
                f"grads[{name!r}] must be a float array, got {_validate._describe(g)}"
            )
        if g.shape != p.shape:
            raise ValueError(
                f"grads[{name!r}] must have shape {p.shape} like params[{name!r}], got {g.shape}"
            )
        if not _validate.all_finite(g):
            _validate.float_array(g, f"grads[{name!r}]")  # raises, counting the bad entries


def _check_grads(grads):
    """A dict of finite float arrays (the gradients of `lib.nn`'s ``model.grads``)."""
    if not isinstance(grads, dict):
        raise ValueError(f"grads must be a dict of name -> array, got {_validate._describe(grads)}")
    for name, g in grads.items():
        if type(g) is not np.ndarray or g.dtype.kind != "f" or not g.flags.writeable:
            raise ValueError(
                f"grads[{name!r}] must be a writeable float array (it is changed in place), "
                f"got {_validate._describe(g)}"
            )
        if not _validate.all_finite(g):
            _validate.float_array(g, f"grads[{name!r}]")  # raises, counting the bad entries


def clip_grad_norm(grads, max_norm, norm_type=2.0):
    r"""Rescale all gradients together, in place, so that their joint norm is at most `max_norm`.

    The norm is taken over every entry of every array, :math:`\lVert g\rVert =
    (\sum |g_k|^p)^{1/p}` with p = `norm_type` (2 by default; ``math.inf`` for the largest
    :math:`|g_k|`). If it exceeds `max_norm`, every gradient is multiplied by
    ``max_norm / (norm + 1e-6)``, as ``torch.nn.utils.clip_grad_norm_`` does: the direction
    is kept and only the length changes. Returns the norm before clipping (a float), the
    number worth logging during training. A non-finite gradient raises ValueError.
    """
    _check_grads(grads)
    max_norm = _validate.real(max_norm, "max_norm", low=0.0, low_open=True)
    if not (isinstance(norm_type, float) and norm_type == math.inf):
        norm_type = _validate.real(norm_type, "norm_type", low=0.0, low_open=True)
    arrays = list(grads.values())
    if not arrays:
        return 0.0
    if norm_type == math.inf:
        total = max(float(np.max(np.abs(g))) if g.size else 0.0 for g in arrays)
    elif norm_type == 2.0:
        total = math.sqrt(sum(float(np.dot(g.ravel(), g.ravel())) for g in arrays))
    else:
        total = sum(float(np.sum(np.abs(g) ** norm_type)) for g in arrays) ** (1.0 / norm_type)
    coef = max_norm / (total + 1e-6)
    if coef < 1.0:
        for g in arrays:
            g *= coef
    return total


def clip_grad_value(grads, clip_value):
    """Clip every gradient entry, in place, to [-clip_value, clip_value].

    Unlike `clip_grad_norm` this changes the direction of the gradient: the large entries
    are cut, the small ones kept (``torch.nn.utils.clip_grad_value_``). Returns None.
    """
    _check_grads(grads)
    clip_value = _validate.real(clip_value, "clip_value", low=0.0, low_open=True)
    for g in grads.values():
        np.clip(g, -clip_value, clip_value, out=g)


class ParameterAverage:
    r"""A running average of the parameters: plain (Polyak-Ruppert) or exponential (EMA).

    Call ``avg.update(params)`` after the optimizer's step, from whichever update on the
    average should start; `params` is a dict name -> float64 array (``model.params``). The
    first call copies the parameters; the k-th call then makes, for every array,

    - ``decay=None``: the mean of the k parameter vectors seen,
      :math:`\bar\theta_k = \bar\theta_{k-1} + (\theta_k - \bar\theta_{k-1})/k`
      (``torch.optim.swa_utils.AveragedModel``'s default);
    - ``decay`` in [0, 1): the exponential moving average
      :math:`\bar\theta_k = \bar\theta_{k-1} + (1 - \text{decay})(\theta_k - \bar\theta_{k-1})`,
      a window of about 1/(1 - decay) updates (``AveragedModel`` with
      ``multi_avg_fn=get_ema_multi_avg_fn(decay)``).

    ``avg.params`` holds the averages (new arrays, never the model's), ``avg.n_averaged``
    the number of calls; ``avg.copy_to(params)`` writes the averages into `params` in place,
    to evaluate a model with them. The optimizer never sees the average: it is a read-out.
    """

    def __init__(self, decay=None):
        if decay is not None:
            decay = _validate.real(decay, "decay", low=0.0, high=1.0, high_open=True)
        self.decay = decay
        self.params = {}
        self.n_averaged = 0

    def update(self, params):
        """Fold the current `params` into the average."""
        _check_params(params)
        if self.n_averaged and params.keys() != self.params.keys():
            raise ValueError(
                f"params must have the names of the first update, {sorted(self.params)}, "
                f"got {sorted(params)}"
            )
        for name, p in params.items():
            if self.n_averaged and p.shape != self.params[name].shape:
                raise ValueError(
                    f"params[{name!r}] must keep its shape {self.params[name].shape}, "
                    f"got {p.shape}"
                )
        if self.n_averaged == 0:
            self.params = {name: np.array(p, dtype=np.float64) for name, p in params.items()}
        else:
            weight = 1.0 / (self.n_averaged + 1) if self.decay is None else 1.0 - self.decay
            for name, p in params.items():
                avg = self.params[name]
                avg += weight * (p - avg)
        self.n_averaged += 1

    def copy_to(self, params):
        """Write the averages into the arrays of `params` (same names and shapes), in place."""
        if not self.n_averaged:
            raise ValueError("copy_to needs at least one update first, got n_averaged = 0")
        _check_params(params)
        if params.keys() != self.params.keys():
            raise ValueError(
                f"params must have the names {sorted(self.params)}, got {sorted(params)}"
            )
        for name, p in params.items():
            if p.shape != self.params[name].shape:
                raise ValueError(
                    f"params[{name!r}] must have shape {self.params[name].shape}, got {p.shape}"
                )
            p[...] = self.params[name]

    def __repr__(self):
        kind = "mean" if self.decay is None else f"decay={self.decay!r}"
        return f"ParameterAverage({kind}, n_averaged={self.n_averaged})"


def _check_params(params):
    if not isinstance(params, dict):
        got = _validate._describe(params)
        raise ValueError(f"params must be a dict of name -> array, got {got}")
    for name, p in params.items():
        if type(p) is not np.ndarray or p.dtype != np.float64:
            got = _validate._describe(p)
            raise ValueError(f"params[{name!r}] must be a float64 array, got {got}")
        if not _validate.all_finite(p):
            _validate.float_array(p, f"params[{name!r}]")
