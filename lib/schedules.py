r"""Learning-rate schedules: plain functions of the update count t, with t = 0 first.

Each factory checks its arguments and returns a function ``lr(t)`` to pass as the ``lr``
of a `lib.optim` optimizer, which calls it with t = 0, 1, 2, ... . The function also takes
an integer array of steps (``lr(np.arange(T))``, for a plot) and then returns an array.
Its ``__name__`` spells the call that made it, e.g. ``cosine_decay(lr0=0.1, total_steps=100,
lr_min=0.0)``. With :math:`\eta_0` = ``lr0`` and T = ``total_steps``:

==========================  ============================================================
``step_decay``              :math:`\eta_0\,\gamma^{\lfloor t/T_{\text{step}} \rfloor}`
``exponential_decay``       :math:`\eta_0\, e^{-kt}`
``inverse_time_decay``      :math:`\eta_0 / (1 + kt)`
``inverse_sqrt_decay``      :math:`\eta_0 / \sqrt{t + 1}`
``cosine_decay``            :math:`\eta_{\min} + (\eta_0 - \eta_{\min})\,(1 + \cos(\pi t/T))/2`,
                            then :math:`\eta_{\min}` for t >= T
``linear_decay``            :math:`\eta_0\,(1 - t/T)`, then 0 for t >= T
``linear_warmup``           :math:`\frac{t+1}{T_{\text{warm}}}\,\eta(0)` for
                            t < :math:`T_{\text{warm}}`, then :math:`\eta(t - T_{\text{warm}})`
==========================  ============================================================
"""

import math

import numpy as np

from lib import _validate


def _steps(t):
    """`t` as int64 (scalar or array) after checking it is a count: integer-valued, >= 0."""
    arr = np.asarray(t)
    if arr.dtype == bool or arr.dtype == object or not np.issubdtype(arr.dtype, np.number):
        raise ValueError(f"t must be a step count (integer >= 0), got {_validate._describe(t)}")
    if not (np.all(np.isfinite(arr)) and np.all(arr == np.round(arr)) and np.all(arr >= 0)):
        raise ValueError(f"t must be a step count (integer >= 0), got {t!r}")
    return arr.astype(np.int64)


def _result(x):
    return float(x) if np.ndim(x) == 0 else np.asarray(x, dtype=np.float64)


def _named(fn, name, **args):
    label = f"{name}({', '.join(f'{k}={v!r}' for k, v in args.items())})"
    fn.__name__ = fn.__qualname__ = label
    return fn


def _lr0(lr0):
    return _validate.real(lr0, "lr0", low=0.0, low_open=True)


def step_decay(lr0, step_size, gamma):
    r"""Multiply the rate by `gamma` every `step_size` updates.

    :math:`\eta_0\,\gamma^{\lfloor t/T_{\text{step}} \rfloor}` with
    :math:`T_{\text{step}}` = `step_size`: PyTorch's ``StepLR`` counted in updates;
    `gamma` in (0, 1].
    """
    lr0 = _lr0(lr0)
    step_size = _validate.integer(step_size, "step_size", low=1)
    gamma = _validate.real(gamma, "gamma", low=0.0, high=1.0, low_open=True)

    def lr(t):
        return _result(lr0 * gamma ** (_steps(t) // step_size))

    return _named(lr, "step_decay", lr0=lr0, step_size=step_size, gamma=gamma)


def exponential_decay(lr0, k):
    r"""Exponential decay :math:`\eta_0\, e^{-kt}` with rate `k` >= 0."""
    lr0 = _lr0(lr0)
    k = _validate.real(k, "k", low=0.0)

    def lr(t):
        return _result(lr0 * np.exp(-k * _steps(t)))

    return _named(lr, "exponential_decay", lr0=lr0, k=k)


def inverse_time_decay(lr0, k):
    r"""Inverse-time decay :math:`\eta_0 / (1 + kt)` with `k` >= 0: the classic 1/t rate of SGD."""
    lr0 = _lr0(lr0)
    k = _validate.real(k, "k", low=0.0)

    def lr(t):
        return _result(lr0 / (1.0 + k * _steps(t)))

    return _named(lr, "inverse_time_decay", lr0=lr0, k=k)


def inverse_sqrt_decay(lr0):
    r"""Inverse-square-root decay :math:`\eta_0 / \sqrt{t + 1}`."""
    lr0 = _lr0(lr0)

    def lr(t):
        return _result(lr0 / np.sqrt(_steps(t) + 1.0))

    return _named(lr, "inverse_sqrt_decay", lr0=lr0)


def cosine_decay(lr0, total_steps, lr_min=0.0):
    r"""Half a cosine from `lr0` down to `lr_min` over T = `total_steps` updates, then flat.

    :math:`\eta_{\min} + (\eta_0 - \eta_{\min})\,\frac{1 + \cos(\pi \min(t, T)/T)}{2}`:
    :math:`\eta_0` at t = 0, :math:`\eta_{\min}` at t = T and after (PyTorch's
    ``CosineAnnealingLR`` would climb back up past T). 0 <= `lr_min` <= `lr0`.
    """
    lr0 = _lr0(lr0)
    total_steps = _validate.integer(total_steps, "total_steps", low=1)
    lr_min = _validate.real(lr_min, "lr_min", low=0.0, high=lr0)

    def lr(t):
        frac = np.minimum(_steps(t), total_steps) / total_steps
        return _result(lr_min + (lr0 - lr_min) * (1.0 + np.cos(math.pi * frac)) / 2.0)

    return _named(lr, "cosine_decay", lr0=lr0, total_steps=total_steps, lr_min=lr_min)


def linear_decay(lr0, total_steps):
    r"""A straight line from `lr0` to 0 over T = `total_steps` updates, then 0.

    :math:`\eta_0\,(1 - \min(t, T)/T)`.
    """
    lr0 = _lr0(lr0)
    total_steps = _validate.integer(total_steps, "total_steps", low=1)

    def lr(t):
        return _result(lr0 * (1.0 - np.minimum(_steps(t), total_steps) / total_steps))

    return _named(lr, "linear_decay", lr0=lr0, total_steps=total_steps)


def linear_warmup(schedule, warmup_steps):
    r"""Ramp up linearly for `warmup_steps` updates, then run `schedule` from its start.

    With :math:`T_{\text{warm}}` = `warmup_steps`:

    .. math::
        \eta_t = \frac{t + 1}{T_{\text{warm}}}\,\eta(0) \quad (t < T_{\text{warm}}),
        \qquad \eta_t = \eta(t - T_{\text{warm}}) \quad (t \ge T_{\text{warm}}),

    so the first update already moves (rate :math:`\eta(0)/T_{\text{warm}}`), the ramp
    reaches :math:`\eta(0)` at :math:`t = T_{\text{warm}} - 1`, and the schedule then
    starts over from its own t = 0 (a cosine decay of T steps ends at
    :math:`t = T_{\text{warm}} + T`). `schedule` is a schedule or a constant rate > 0.
    """
    if callable(schedule):
        inner, label = schedule, getattr(schedule, "__qualname__", repr(schedule))
    else:
        rate = _validate.real(schedule, "schedule", low=0.0, low_open=True)
        inner, label = (lambda t: rate + 0.0 * np.asarray(t)), rate
    warmup_steps = _validate.integer(warmup_steps, "warmup_steps", low=1)
    peak = _validate.real(inner(0), "schedule(0)", low=0.0)

    def lr(t):
        t = _steps(t)
        if t.ndim == 0:
            return _result(peak * (t + 1) / warmup_steps if t < warmup_steps
                           else inner(int(t) - warmup_steps))
        after = np.maximum(t - warmup_steps, 0)
        return _result(np.where(t < warmup_steps, peak * (t + 1) / warmup_steps, inner(after)))

    lr.__name__ = lr.__qualname__ = f"linear_warmup({label}, warmup_steps={warmup_steps})"
    return lr
