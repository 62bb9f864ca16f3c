r"""Learning-rate schedules: plain functions of the update count t, with t = 0 first.

Each factory checks its arguments and returns a function ``lr(t)`` to pass as the ``lr``
of a `lib.optim` optimizer, which calls it with t = 0, 1, 2, ... . The function also takes
an integer array of steps (``lr(np.arange(T))``, for a plot) and then returns an array.
Its ``__name__`` spells the call that made it, e.g. ``cosine_decay(lr0=0.1, total_steps=100,
lr_min=0.0)``. With :math:`\eta_0` = ``lr0`` and T = ``total_steps``:

==========================  ============================================================
``step_decay``              :math:`\eta_0\,q^{\lfloor t/T_{\text{step}} \rfloor}` (q = ``gamma``)
``exponential_decay``       :math:`\eta_0\, e^{-kt}`
``inverse_time_decay``      :math:`\eta_0 / (1 + kt)`
``inverse_sqrt_decay``      :math:`\eta_0 / \sqrt{t + 1}`
``cosine_decay``            :math:`\eta_{\min} + (\eta_0 - \eta_{\min})\,(1 + \cos(\pi t/T))/2`,
                            then :math:`\eta_{\min}` for t >= T
``linear_decay``            :math:`\eta_0\,(1 - t/T)`, then 0 for t >= T
``linear_warmup``           :math:`\frac{t+1}{T_{\text{warm}}}\,\eta(0)` for
                            t < :math:`T_{\text{warm}}`, then :math:`\eta(t - T_{\text{warm}})`
``one_cycle``               up to ``lr_max`` and down far below the start (PyTorch's
                            ``OneCycleLR``)
``warmup_stable_decay``     warmup, flat at :math:`\eta_0`, a short decay at the end
==========================  ============================================================

`ReduceLROnPlateau` is a schedule with state: called with any t it returns its current
rate, and ``step(metric)`` lowers it when the metric stops improving (PyTorch's rules).
`lr_range_test` runs Smith's range test with a training step of your own and returns a
`RangeTest`.
"""

import itertools
import math
from dataclasses import dataclass

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

    :math:`\eta_0\,q^{\lfloor t/T_{\text{step}} \rfloor}` with the factor q = `gamma`
    (PyTorch's name) and :math:`T_{\text{step}}` = `step_size`: PyTorch's ``StepLR`` counted
    in updates; `gamma` in (0, 1].
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


def _anneal(start, end, frac, shape):
    """From `start` (frac = 0) to `end` (frac = 1) along a cosine, a line, or 1 - sqrt."""
    if shape == "cos":
        return end + (start - end) / 2.0 * (np.cos(math.pi * frac) + 1.0)
    if shape == "linear":
        return start + (end - start) * frac
    return end + (start - end) * (1.0 - np.sqrt(frac))  # "sqrt"


def one_cycle(lr_max, total_steps, pct_start=0.3, div_factor=25.0, final_div_factor=1e4,
              anneal="cos", three_phase=False):
    r"""Smith's 1cycle schedule: up to `lr_max`, then down far below the start, in T updates.

    With T = `total_steps`, :math:`\eta_{\text{start}}` = `lr_max` / `div_factor` and
    :math:`\eta_{\text{end}} = \eta_{\text{start}}` / `final_div_factor`, the rate rises
    from :math:`\eta_{\text{start}}` to `lr_max` over the first `pct_start` of the run
    (reached at t = pct_start T - 1), then falls to :math:`\eta_{\text{end}}` at t = T - 1,
    along half a cosine (``anneal="cos"``) or a straight line (``"linear"``). With
    ``three_phase=True`` it comes back down to :math:`\eta_{\text{start}}` at
    t = 2 pct_start T - 2 first and only then falls to :math:`\eta_{\text{end}}`. These are the
    rates of PyTorch's ``OneCycleLR`` (whose momentum cycling is not reproduced: a
    `lib.optim` momentum is a constant); past T - 1 the rate stays at :math:`\eta_{\text{end}}`.
    """
    lr_max = _validate.real(lr_max, "lr_max", low=0.0, low_open=True)
    total_steps = _validate.integer(total_steps, "total_steps", low=2)
    pct_start = _validate.real(pct_start, "pct_start", low=0.0, high=1.0, low_open=True,
                               high_open=True)
    div_factor = _validate.real(div_factor, "div_factor", low=1.0)
    final_div_factor = _validate.real(final_div_factor, "final_div_factor", low=1.0)
    anneal = _validate.choice(anneal, "anneal", {"cos", "linear"})
    if not isinstance(three_phase, (bool, np.bool_)):
        got = _validate._describe(three_phase)
        raise ValueError(f"three_phase must be True or False, got {got}")
    lr_start = lr_max / div_factor
    lr_end = lr_start / final_div_factor
    up_end = pct_start * total_steps - 1.0
    if three_phase:
        phases = [(up_end, lr_start, lr_max), (2 * pct_start * total_steps - 2.0, lr_max, lr_start),
                  (total_steps - 1.0, lr_start, lr_end)]
    else:
        phases = [(up_end, lr_start, lr_max), (total_steps - 1.0, lr_max, lr_end)]
    ends = [end for end, _, _ in phases]
    if not (ends[0] > 0.0 and all(a < b for a, b in itertools.pairwise(ends))):
        raise ValueError(
            f"pct_start must leave every phase at least one update, got pct_start={pct_start} "
            f"with total_steps={total_steps} (phase ends at t = {ends})"
        )

    def lr(t):
        t = np.minimum(_steps(t), total_steps - 1).astype(np.float64)
        out = np.zeros_like(t)
        begin = 0.0
        done = np.zeros(t.shape, dtype=bool)
        for i, (end, start_lr, end_lr) in enumerate(phases):
            here = ~done & ((t <= end) | (i == len(phases) - 1))
            out = np.where(here, _anneal(start_lr, end_lr, (t - begin) / (end - begin), anneal),
                           out)
            done |= here
            begin = end
        return _result(out)

    return _named(lr, "one_cycle", lr_max=lr_max, total_steps=total_steps, pct_start=pct_start,
                  div_factor=div_factor, final_div_factor=final_div_factor, anneal=anneal,
                  three_phase=bool(three_phase))


def warmup_stable_decay(lr0, warmup_steps, total_steps, decay_steps, lr_min=0.0, shape="linear"):
    r"""Warmup, a long flat stretch at `lr0`, and a short decay at the end (WSD).

    With :math:`T_{\text{warm}}` = `warmup_steps`, T = `total_steps` and
    :math:`T_{\text{decay}}` = `decay_steps`: :math:`\frac{t+1}{T_{\text{warm}}}\eta_0` for
    :math:`t < T_{\text{warm}}` (as `linear_warmup`), :math:`\eta_0` until
    :math:`t = T - T_{\text{decay}}`, then down to `lr_min`, reached at t = T and kept after,
    along a straight line (``shape="linear"``), half a cosine (``"cos"``) or
    :math:`1 - \sqrt{\cdot}` (``"sqrt"``). `warmup_steps` may be 0. The flat stretch does
    not depend on T, so one run at :math:`\eta_0` can be branched into decays that end at
    several budgets.
    """
    lr0 = _lr0(lr0)
    warmup_steps = _validate.integer(warmup_steps, "warmup_steps", low=0)
    total_steps = _validate.integer(total_steps, "total_steps", low=1)
    decay_steps = _validate.integer(decay_steps, "decay_steps", low=1)
    if warmup_steps + decay_steps > total_steps:
        raise ValueError(
            f"warmup_steps + decay_steps must be <= total_steps = {total_steps}, got "
            f"{warmup_steps} + {decay_steps} = {warmup_steps + decay_steps}"
        )
    lr_min = _validate.real(lr_min, "lr_min", low=0.0, high=lr0)
    shape = _validate.choice(shape, "shape", {"linear", "cos", "sqrt"})
    decay_start = total_steps - decay_steps

    def lr(t):
        t = _steps(t)
        frac = np.clip((t - decay_start) / decay_steps, 0.0, 1.0)
        out = np.where(t < decay_start, lr0, _anneal(lr0, lr_min, frac, shape))
        if warmup_steps:
            out = np.where(t < warmup_steps, lr0 * (t + 1) / warmup_steps, out)
        return _result(out)

    return _named(lr, "warmup_stable_decay", lr0=lr0, warmup_steps=warmup_steps,
                  total_steps=total_steps, decay_steps=decay_steps, lr_min=lr_min, shape=shape)


class ReduceLROnPlateau:
    r"""A rate that drops by `factor` when a monitored number stops improving.

    Pass the object as an optimizer's ``lr``: it returns its current rate whatever t. After
    each evaluation (usually once per epoch) call ``sched.step(metric)``, e.g. with the
    validation loss. The rules are PyTorch's ``ReduceLROnPlateau``: the metric improves
    when it beats the best so far by more than `threshold` (relative, ``metric < best (1 -
    threshold)``, or absolute, ``metric < best - threshold``; reversed for
    ``mode="max"``); after more than `patience` evaluations without improvement the rate
    becomes ``max(rate * factor, min_lr)`` (ignored if that changes it by less than `eps`),
    the count restarts, and the next `cooldown` evaluations are not counted.
    ``sched.history`` lists the rate after every call of `step`.
    """

    def __init__(self, lr0, factor=0.1, patience=10, threshold=1e-4, threshold_mode="rel",
                 mode="min", cooldown=0, min_lr=0.0, eps=1e-8):
        self.lr = _lr0(lr0)
        self.factor = _validate.real(factor, "factor", low=0.0, high=1.0, low_open=True,
                                     high_open=True)
        self.patience = _validate.integer(patience, "patience", low=0)
        self.threshold = _validate.real(threshold, "threshold", low=0.0)
        self.threshold_mode = _validate.choice(threshold_mode, "threshold_mode", {"rel", "abs"})
        self.mode = _validate.choice(mode, "mode", {"min", "max"})
        self.cooldown = _validate.integer(cooldown, "cooldown", low=0)
        self.min_lr = _validate.real(min_lr, "min_lr", low=0.0)
        self.eps = _validate.real(eps, "eps", low=0.0)
        self.best = math.inf if self.mode == "min" else -math.inf
        self.num_bad_epochs = 0
        self.cooldown_counter = 0
        self.history = []
        self.__name__ = self.__qualname__ = (
            f"ReduceLROnPlateau(lr0={self.lr!r}, factor={self.factor!r}, "
            f"patience={self.patience!r})"
        )

    def __call__(self, t):
        _steps(t)
        return self.lr

    def _is_better(self, metric):
        if self.mode == "min":
            if self.threshold_mode == "rel":
                return metric < self.best * (1.0 - self.threshold)
            return metric < self.best - self.threshold
        if self.threshold_mode == "rel":
            return metric > self.best * (1.0 + self.threshold)
        return metric > self.best + self.threshold

    def step(self, metric):
        """Record one evaluation of the monitored `metric` (a finite number); may lower the rate."""
        metric = _validate.real(metric, "metric")
        if self._is_better(metric):
            self.best = metric
            self.num_bad_epochs = 0
        else:
            self.num_bad_epochs += 1
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0
        if self.num_bad_epochs > self.patience:
            new = max(self.lr * self.factor, self.min_lr)
            if self.lr - new > self.eps:
                self.lr = new
            self.cooldown_counter = self.cooldown
            self.num_bad_epochs = 0
        self.history.append(self.lr)
        return self.lr

    def __repr__(self):
        return f"{self.__name__} at lr={self.lr!r}"


@dataclass
class RangeTest:
    """What `lr_range_test` measured: one entry per update made.

    lrs: the rate of each update; losses: the loss `train_step` returned; smoothed: their
    bias-corrected exponential moving average; diverged: True if the test stopped early.
    """

    lrs: np.ndarray
    losses: np.ndarray
    smoothed: np.ndarray
    diverged: bool

    def steepest(self, skip=0.1):
        """The rate at which the smoothed loss fell fastest per factor of rate (a common pick).

        The first `skip` of the updates are left out: there the average rests on a few noisy
        losses and its slope means little.
        """
        skip = _validate.real(skip, "skip", low=0.0, high=1.0, high_open=True)
        start = int(skip * len(self.lrs))
        if len(self.lrs) - start < 3:
            raise ValueError(
                f"steepest needs at least 3 updates after the skipped {start}, got "
                f"{len(self.lrs) - start}"
            )
        lrs, smoothed = self.lrs[start:], self.smoothed[start:]
        finite = np.isfinite(smoothed)
        slope = np.gradient(np.where(finite, smoothed, np.nanmax(smoothed[finite])), np.log(lrs))
        return float(lrs[int(np.argmin(slope))])

    def minimum(self):
        """The rate at which the smoothed loss was lowest; the peak should stay below it."""
        return float(self.lrs[int(np.argmin(self.smoothed))])


def lr_range_test(train_step, lr_min, lr_max, num_steps, smoothing=0.9, diverge_factor=4.0):
    r"""Smith's learning-rate range test: train with a rate that grows geometrically.

    `train_step(lr)` must make one training update at rate `lr` (for instance by setting a
    `lib.optim` optimizer's ``lr`` and calling its ``step``) and return that minibatch's
    loss. The rate of update k = 0 .. num_steps - 1 is :math:`\eta_{\min}
    (\eta_{\max}/\eta_{\min})^{k/(K-1)}`. The losses are smoothed by a bias-corrected
    exponential moving average of factor `smoothing`; the test stops early (``diverged``)
    when a loss is not finite or the smoothed loss exceeds `diverge_factor` times its
    lowest value. The loss falls, flattens, then blows up; a good peak rate lies a little
    below the blow-up. Returns a `RangeTest`.
    """
    if not callable(train_step):
        raise ValueError(f"train_step must be callable, got {_validate._describe(train_step)}")
    lr_min = _validate.real(lr_min, "lr_min", low=0.0, low_open=True)
    lr_max = _validate.real(lr_max, "lr_max", low=lr_min, low_open=True)
    num_steps = _validate.integer(num_steps, "num_steps", low=2)
    smoothing = _validate.real(smoothing, "smoothing", low=0.0, high=1.0, high_open=True)
    diverge_factor = _validate.real(diverge_factor, "diverge_factor", low=1.0, low_open=True)
    rates = lr_min * (lr_max / lr_min) ** (np.arange(num_steps) / (num_steps - 1))
    losses, smoothed = [], []
    average, best, diverged = 0.0, math.inf, False
    for k, rate in enumerate(rates):
        loss = float(train_step(float(rate)))
        losses.append(loss)
        if not math.isfinite(loss):
            smoothed.append(math.inf)
            diverged = True
            break
        average = smoothing * average + (1.0 - smoothing) * loss
        smoothed.append(average / (1.0 - smoothing ** (k + 1)))
        best = min(best, smoothed[-1])
        if smoothed[-1] > diverge_factor * best:
            diverged = True
            break
    n = len(losses)
    return RangeTest(rates[:n].copy(), np.array(losses), np.array(smoothed), diverged)
