r"""Hyperparameter search: search spaces, grid search, random search, successive halving.

A **search space** is a dict, hyperparameter name -> distribution::

    space = {"lr": log_uniform(1e-3, 1.0), "weight_decay": log_uniform(1e-6, 1e-2),
             "hidden": choice([32, 64, 128])}

`log_uniform` spreads its samples evenly over the orders of magnitude (its log is uniform),
the right scale for a learning rate or a penalty strength; `uniform` spreads them evenly
over the interval; `choice` picks one of a list of options. A plain list or tuple in a space
is short for `choice` of it. A **configuration** is a dict with one value per name, in the
space's order: Python floats for the continuous distributions, the option itself for
`choice`.

An **objective** maps a configuration (and, for `successive_halving`, a budget) to a
**score**, *lower is better* (a validation loss or error rate); pass ``maximize=True`` for an
accuracy. It may also return a pair ``(score, info)``: `info` (a History, a model, ...) is
kept in the trial. A score that is NaN or infinite (a run that diverged) is recorded and never
chosen as the best. The searches return a `SearchResult`: every `Trial` in the order it was
run (configuration, score, budget, time) and the best one. The lecture notes' algorithm 5-9 is
the loop of `random_search` and `grid_search`: propose a configuration, train, score it on the
validation set, keep the best.

Seeds: a search draws from ``np.random.default_rng(seed)``, trial after trial and name after
name, so the same seed gives the same configurations, the first k configurations of a search
of n > k trials are those of a search of k trials, and `successive_halving` starts from the
configurations that `random_search` would try with the same seed.
"""

import itertools
import math
import numbers
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from lib import _validate

# ---------------------------------------------------------------------------------------
# Distributions


class Distribution:
    """A one-dimensional search space: ``sample(rng)`` draws a value, ``grid(n)`` lists n."""

    def sample(self, rng, size=None):
        """One value (size None) or an array of `size` values drawn with the Generator `rng`."""
        raise NotImplementedError

    def grid(self, n):
        """n evenly spaced values from low to high, both ends included (n = 1: the middle)."""
        raise NotImplementedError


def _check_rng(rng):
    if not isinstance(rng, np.random.Generator):
        raise ValueError(
            f"rng must be a numpy Generator (np.random.default_rng(seed)), "
            f"got {_validate._describe(rng)}"
        )
    return rng


def _check_n(n):
    return _validate.integer(n, "n", low=1)


def _bounds(kind, low, high):
    low = _validate.real(low, "low")
    high = _validate.real(high, "high")
    if low >= high:
        raise ValueError(f"{kind} needs low < high, got low={low!r}, high={high!r}")
    return low, high


@dataclass(frozen=True, repr=False)
class LogUniform(Distribution):
    r"""Log-uniform on [low, high], 0 < low < high: log x is uniform on [log low, log high].

    Density ``1 / (x log(high / low))``: each factor of 10 gets the same share of the samples.
    The same distribution as ``scipy.stats.loguniform(low, high)``.
    """

    low: float
    high: float

    def __post_init__(self):
        low = _validate.real(self.low, "low")
        if low <= 0:
            raise ValueError(f"low must be > 0 for a log scale, got {self.low!r}")
        low, high = _bounds("log_uniform", low, self.high)
        object.__setattr__(self, "low", low)
        object.__setattr__(self, "high", high)
        object.__setattr__(self, "_logs", (math.log(low), math.log(high)))

    def sample(self, rng, size=None):
        u = _check_rng(rng).uniform(*self._logs, size=size)
        return math.exp(u) if size is None else np.exp(u)

    def grid(self, n):
        """n values in geometric progression, ``np.geomspace(low, high, n)``; n = 1: their
        geometric mean sqrt(low * high)."""
        n = _check_n(n)
        if n == 1:
            return [math.sqrt(self.low * self.high)]
        return [float(v) for v in np.geomspace(self.low, self.high, n)]

    def __repr__(self):
        return f"log_uniform({self.low!r}, {self.high!r})"


@dataclass(frozen=True, repr=False)
class Uniform(Distribution):
    """Uniform on [low, high], low < high."""

    low: float
    high: float

    def __post_init__(self):
        low, high = _bounds("uniform", self.low, self.high)
        object.__setattr__(self, "low", low)
        object.__setattr__(self, "high", high)

    def sample(self, rng, size=None):
        v = _check_rng(rng).uniform(self.low, self.high, size=size)
        return float(v) if size is None else v

    def grid(self, n):
        """n values in arithmetic progression, ``np.linspace(low, high, n)``; n = 1: the middle."""
        n = _check_n(n)
        if n == 1:
            return [(self.low + self.high) / 2]
        return [float(v) for v in np.linspace(self.low, self.high, n)]

    def __repr__(self):
        return f"uniform({self.low!r}, {self.high!r})"


@dataclass(frozen=True, repr=False)
class Choice(Distribution):
    """One of `options`, each with probability 1/len(options)."""

    options: tuple

    def __post_init__(self):
        if isinstance(self.options, (str, bytes, Mapping)) or not hasattr(self.options, "__len__"):
            raise ValueError(
                f"options must be a list or tuple, got {_validate._describe(self.options)}"
            )
        options = tuple(self.options)
        if not options:
            raise ValueError("options must hold at least one option, got none")
        object.__setattr__(self, "options", options)

    def sample(self, rng, size=None):
        k = _check_rng(rng).integers(len(self.options), size=size)
        if size is None:
            return self.options[int(k)]
        return [self.options[i] for i in np.ravel(k)]

    def grid(self, n=None):
        """Every option, in order (n is ignored: a choice has no points to space)."""
        return list(self.options)

    def __repr__(self):
        return f"choice({list(self.options)!r})"


def log_uniform(low, high):
    """Log-uniform on [low, high], 0 < low < high: for scales (learning rates, penalties)."""
    return LogUniform(low, high)


def uniform(low, high):
    """Uniform on [low, high], low < high: for a bounded quantity such as a dropout rate."""
    return Uniform(low, high)


def choice(options):
    """One of a non-empty list of options, uniformly: for discrete settings (widths, names)."""
    return Choice(options)


def _space(space):
    """The space as a dict name -> Distribution, lists and tuples made into choices."""
    if not isinstance(space, Mapping):
        raise ValueError(
            f"space must be a dict of name -> distribution, got {_validate._describe(space)}"
        )
    if not space:
        raise ValueError("space must name at least one hyperparameter, got an empty dict")
    out = {}
    for name, dist in space.items():
        if not isinstance(name, str):
            raise ValueError(f"space must have str names, got {_validate._describe(name)}")
        if isinstance(dist, (list, tuple)):
            dist = Choice(dist)
        if not isinstance(dist, Distribution):
            raise ValueError(
                f"space[{name!r}] must be log_uniform(...), uniform(...), choice(...) or a list "
                f"of options, got {_validate._describe(dist)}"
            )
        out[name] = dist
    return out


def _generator(seed):
    if isinstance(seed, np.random.Generator):
        return seed
    return np.random.default_rng(_validate.integer(seed, "seed", low=0))


def sample(space, n, seed=0):
    """n configurations drawn independently from `space`: a list of n dicts.

    seed: an int, or a Generator to draw from. Draws go trial by trial, and within a trial in
    the order of the space's names, so ``sample(space, k, s)`` is the first k of
    ``sample(space, n, s)`` for n > k.
    """
    dims = _space(space)
    n = _validate.integer(n, "n", low=1)
    rng = _generator(seed)
    return [{name: dist.sample(rng) for name, dist in dims.items()} for _ in range(n)]


def grid(space, points=3):
    """The configurations of a grid over `space`: a list of dicts, every combination once.

    points: grid points per continuous dimension, an int >= 1 for all of them or a dict
    name -> int (3 for a continuous name it leaves out); a `log_uniform` dimension gets
    ``np.geomspace(low, high, points)``, a `uniform` one ``np.linspace(low, high, points)``
    (both ends included, the middle for 1 point), a `choice` (or list) every option.
    Order: ``itertools.product`` over the names in the space's order, the last name varying
    fastest, like nested for loops. The grid has the product of the per-dimension counts of
    points: it grows exponentially with the number of dimensions.
    """
    dims = _space(space)
    if isinstance(points, Mapping):
        unknown = sorted(set(points) - set(dims))
        if unknown:
            raise ValueError(f"points names {unknown}, which are not in the space {list(dims)}")
        counts = {name: points.get(name, 3) for name in dims}
    else:
        counts = dict.fromkeys(dims, points)
    axes = []
    for name, dist in dims.items():
        if isinstance(dist, Choice):
            axes.append(dist.grid())
        else:
            axes.append(dist.grid(_validate.integer(counts[name], f"points[{name!r}]", low=1)))
    names = list(dims)
    return [dict(zip(names, values, strict=True)) for values in itertools.product(*axes)]


# ---------------------------------------------------------------------------------------
# Results


@dataclass(frozen=True)
class Trial:
    """One evaluation of the objective.

    index: its place in the order of evaluation (0, 1, ...); config_id: which sampled
    configuration it is (the same across the rungs of `successive_halving`); config: the
    configuration; score: what the objective returned, as a float (NaN or infinite for a
    failed run); budget: the budget it got (None for the searches without one); rung: the
    round of successive halving (0 otherwise); seconds: the objective's wall time;
    info: the second item of an objective that returned ``(score, info)``, else None.
    """

    index: int
    config_id: int
    config: dict
    score: float
    budget: Any = None
    rung: int = 0
    seconds: float = 0.0
    info: Any = field(default=None, repr=False)


@dataclass(frozen=True)
class SearchResult:
    """Every trial of a search, in order, and the best one.

    trials: tuple of `Trial`; maximize: whether higher scores are better; seconds: the
    wall time of the whole search, the objective included. The best trial is the one with
    the lowest score (highest with maximize) among the finite scores of the last rung (the
    largest budget for `successive_halving`, every trial otherwise), the first one on a tie.
    """

    trials: tuple
    maximize: bool = False
    seconds: float = 0.0

    def __len__(self):
        return len(self.trials)

    def __iter__(self):
        return iter(self.trials)

    @property
    def scores(self):
        """The scores in the order of the trials, a float64 array."""
        return np.array([t.score for t in self.trials], dtype=np.float64)

    @property
    def configs(self):
        return [t.config for t in self.trials]

    def values(self, name):
        """The value of hyperparameter `name` in every trial, in order (an array if numeric)."""
        if not self.trials or name not in self.trials[0].config:
            names = list(self.trials[0].config) if self.trials else []
            raise ValueError(f"name must be one of the hyperparameters {names}, got {name!r}")
        vals = [t.config[name] for t in self.trials]
        if all(isinstance(v, numbers.Real) and not isinstance(v, bool) for v in vals):
            return np.array(vals, dtype=np.float64)
        return vals

    def at_rung(self, rung):
        """The trials of one rung of successive halving (all trials at rung 0 otherwise)."""
        return [t for t in self.trials if t.rung == rung]

    def ranked(self, rung=None):
        """The trials of `rung` (default: the last one) from best to worst, failed runs last."""
        if rung is None:
            rung = max((t.rung for t in self.trials), default=0)
        return _rank(self.at_rung(rung), self.maximize)

    @property
    def best(self):
        """The best `Trial` (see the class docstring); ValueError if every score failed."""
        ranked = self.ranked()
        if not ranked or not math.isfinite(ranked[0].score):
            raise ValueError(f"no trial of the last rung has a finite score ({len(ranked)} tried)")
        return ranked[0]

    @property
    def best_config(self):
        return self.best.config

    @property
    def best_score(self):
        return self.best.score

    @property
    def total_budget(self):
        """The sum of the budgets of all trials (successive halving's cost)."""
        if any(t.budget is None for t in self.trials):
            raise ValueError("total_budget needs a budget in every trial, got trials without one")
        return sum(t.budget for t in self.trials)

    @property
    def overhead_seconds(self):
        """Wall time spent outside the objective: the cost of the search code itself."""
        return self.seconds - sum(t.seconds for t in self.trials)

    def __repr__(self):
        if not self.trials:
            return "SearchResult(0 trials)"
        try:
            best = f"best score {self.best.score:.4g} at {self.best.config}"
        except ValueError:
            best = "no finite score"
        return f"SearchResult({len(self.trials)} trials, {best})"


def _rank(trials, maximize):
    """Trials from best to worst: finite scores first, sorted stably; NaN and inf last."""
    sign = -1.0 if maximize else 1.0
    return sorted(
        trials, key=lambda t: (not math.isfinite(t.score), sign * t.score
                               if math.isfinite(t.score) else 0.0)
    )


def _check_objective(objective):
    if not callable(objective):
        raise ValueError(f"objective must be callable, got {_validate._describe(objective)}")


def _evaluate(objective, config, args, index, config_id, budget=None, rung=0):
    start = time.perf_counter()
    out = objective(dict(config), *args)
    seconds = time.perf_counter() - start
    info = None
    if isinstance(out, tuple):
        if len(out) != 2:
            raise ValueError(
                f"objective must return a score or a pair (score, info), got a tuple of "
                f"{len(out)} items for config {config}"
            )
        out, info = out
    if isinstance(out, bool) or not isinstance(out, numbers.Real):
        raise ValueError(
            f"objective must return a real score, got {_validate._describe(out)} "
            f"for config {config}"
        )
    return Trial(index, config_id, config, float(out), budget, rung, seconds, info)


def _run(objective, configs, maximize):
    start = time.perf_counter()
    trials = tuple(_evaluate(objective, c, (), i, i) for i, c in enumerate(configs))
    return SearchResult(trials, maximize, time.perf_counter() - start)


# ---------------------------------------------------------------------------------------
# Searches


def grid_search(objective, space, points=3, maximize=False):
    """Evaluate ``objective(config)`` on every configuration of ``grid(space, points)``.

    Returns a `SearchResult` with the trials in the grid's order (see `grid`).
    """
    _check_objective(objective)
    configs = grid(space, points)
    return _run(objective, configs, bool(maximize))


def random_search(objective, space, n_trials, seed=0, maximize=False):
    """Evaluate ``objective(config)`` on `n_trials` configurations sampled from `space`.

    n_trials: int >= 1; seed: int or Generator (see `sample`). Returns a `SearchResult`
    with the trials in order. Against a grid of the same size, every trial tries a new
    value of every hyperparameter: when only a few of them matter, random search explores
    those few far more finely (Bergstra and Bengio, 2012).
    """
    _check_objective(objective)
    n_trials = _validate.integer(n_trials, "n_trials", low=1)
    start = time.perf_counter()
    configs = sample(space, n_trials, seed)
    result = _run(objective, configs, bool(maximize))
    return SearchResult(result.trials, result.maximize, time.perf_counter() - start)


def halving_schedule(n_configs, min_budget, max_budget, eta=3):
    r"""The rungs of `successive_halving`: a list of (number of configurations, budget).

    Budgets grow by the factor eta, ``budget[i] = min_budget * eta**i``, the last one capped
    at max_budget (they are ints when min_budget, max_budget and eta are); the number of
    configurations shrinks by eta, ``count[0] = n_configs``, ``count[i + 1] = max(1,
    floor(count[i] / eta))``. The total budget spent is ``sum(count[i] * budget[i])``. With
    ``max_budget = min_budget * eta**s`` (s + 1 rungs, the budgets then grow by eta all the
    way; otherwise the last step is smaller) and ``n_configs = eta**s``, every rung costs the
    same, ``eta**s * min_budget``, and a single configuration reaches max_budget. (eta is
    the name in Jamieson and Talwalkar's and Hyperband's papers; it is not a learning rate.)
    """
    n_configs = _validate.integer(n_configs, "n_configs", low=1)
    integral = all(
        isinstance(v, numbers.Integral) and not isinstance(v, bool)
        for v in (min_budget, max_budget, eta)
    )
    min_budget = _validate.real(min_budget, "min_budget", low=0.0, low_open=True)
    max_budget = _validate.real(max_budget, "max_budget", low=min_budget)
    eta = _validate.real(eta, "eta", low=2.0)
    budgets = [min_budget]
    while budgets[-1] < max_budget:
        nxt = budgets[-1] * eta
        # Within rounding of max_budget counts as max_budget: no sliver of a rung at the end.
        budgets.append(max_budget if nxt >= max_budget * (1 - 1e-9) else nxt)
    if integral:
        budgets = [round(b) for b in budgets]
    counts = [n_configs]
    for _ in budgets[1:]:
        counts.append(max(1, math.floor(counts[-1] / eta)))
    return list(zip(counts, budgets, strict=True))


def successive_halving(objective, space, n_configs, min_budget, max_budget, eta=3, seed=0,
                       maximize=False):
    r"""Successive halving (Jamieson and Talwalkar, 2016): many configurations on a small
    budget, the best 1/eta of them on eta times more, and so on up to max_budget.

    objective(config, budget) -> score, lower is better (or maximize): trains from scratch
    with `budget` (epochs, examples, ...) and scores on the validation set. n_configs: int
    >= 1, sampled from `space` with `seed` (the configurations `random_search` would try
    first); min_budget, max_budget: 0 < min_budget <= max_budget; eta: >= 2. The rungs are
    `halving_schedule`'s: rung i evaluates its count[i] configurations at budget[i] and
    keeps the count[i + 1] best (by the scores of that rung; failed runs last; ties by
    order), which go on, best first, to rung i + 1. Returns a `SearchResult` of every
    evaluation, rung after rung; its best trial is the best of the last rung, at max_budget,
    and its `total_budget` is ``sum(count[i] * budget[i])``.
    """
    _check_objective(objective)
    schedule = halving_schedule(n_configs, min_budget, max_budget, eta)
    maximize = bool(maximize)
    start = time.perf_counter()
    configs = sample(space, schedule[0][0], seed)
    alive = list(range(len(configs)))  # config ids, in the order of evaluation
    trials = []
    for rung, (count, budget) in enumerate(schedule):
        alive = alive[:count]
        rung_trials = [
            _evaluate(objective, configs[cid], (budget,), len(trials) + k, cid, budget, rung)
            for k, cid in enumerate(alive)
        ]
        trials.extend(rung_trials)
        alive = [t.config_id for t in _rank(rung_trials, maximize)]
    return SearchResult(tuple(trials), maximize, time.perf_counter() - start)
