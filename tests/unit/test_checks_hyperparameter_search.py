"""The reader-answer checks of "Hyperparameter search": they accept right answers, written
independently of lib, and reject the plausible wrong ones, naming the slip."""

import math

import numpy as np
import pytest
from scipy import stats

from lib.checks import check_halving_schedule, check_log_uniform_sampler
from lib.hyperparameters import halving_schedule, log_uniform

# --- the log-uniform sampler -------------------------------------------------------------------


def _exp_of_uniform(low, high, n, rng):
    return np.exp(rng.uniform(np.log(low), np.log(high), size=n))


def _ten_to_uniform(low, high, n, rng):
    return 10 ** rng.uniform(np.log10(low), np.log10(high), size=n)


def _scipy_loguniform(low, high, n, rng):
    return stats.loguniform(low, high).rvs(size=n, random_state=rng)


def _lib_sampler(low, high, n, rng):
    return log_uniform(low, high).sample(rng, size=n)


def _inverse_cdf(low, high, n, rng):
    # the inverse of F(x) = log(x / low) / log(high / low), applied to uniform draws
    return low * (high / low) ** rng.random(n)


@pytest.mark.parametrize("right", [_exp_of_uniform, _ten_to_uniform, _scipy_loguniform,
                                   _lib_sampler, _inverse_cdf])
def test_log_uniform_right_answers_pass(right, capsys):
    check_log_uniform_sampler(right)
    assert "log-uniform on all" in capsys.readouterr().out


def _uniform(low, high, n, rng):
    return rng.uniform(low, high, size=n)


def _bounds_as_exponents(low, high, n, rng):
    return 10 ** rng.uniform(low, high, size=n)


def _mixed_bases(low, high, n, rng):
    return np.exp(rng.uniform(np.log10(low), np.log10(high), size=n))


def _mixed_bases_other_way(low, high, n, rng):
    return 10 ** rng.uniform(np.log(low), np.log(high), size=n)


_GLOBAL = np.random.default_rng()     # fresh entropy: a stand-in for np.random's global state


def _global_state(low, high, n, rng):
    return np.exp(_GLOBAL.uniform(np.log(low), np.log(high), size=n))


def _own_seed(low, high, n, rng):
    # reproducible, but it ignores the rng it is given
    return _exp_of_uniform(low, high, n, np.random.default_rng(0))


def _wrong_length(low, high, n, rng):
    return _exp_of_uniform(low, high, n - 1, rng)


def _squared_log(low, high, n, rng):
    # in range, but the logs are not uniform (they pile up at the bottom)
    u = rng.random(n) ** 2
    return np.exp(np.log(low) + u * (np.log(high) - np.log(low)))


@pytest.mark.parametrize(("wrong", "message"), [
    (_uniform, "not on a log scale"),
    (_bounds_as_exponents, "as exponents"),
    (_mixed_bases, "bases do not match"),
    (_mixed_bases_other_way, "bases do not match"),
    (_global_state, "rng you are given"),
    (_own_seed, "does not draw from the rng it is given"),
    (_wrong_length, "shape"),
    (_squared_log, "not uniform"),
])
def test_log_uniform_wrong_answers_fail_with_their_hint(wrong, message):
    with pytest.raises(AssertionError, match=message):
        check_log_uniform_sampler(wrong)


# --- the rungs of successive halving -----------------------------------------------------------


def _rungs_loop(n_configs, min_budget, max_budget, nu):
    rungs, count, budget = [], n_configs, min_budget
    while True:
        rungs.append((count, budget))
        if budget >= max_budget:
            return rungs
        count, budget = max(1, count // nu), min(budget * nu, max_budget)


def _rungs_closed_form(n_configs, min_budget, max_budget, nu):
    # the number of rungs from logarithms, the counts from powers of nu
    steps = math.ceil(round(math.log(max_budget / min_budget, nu), 9))
    return [(max(1, n_configs // nu**i), min(min_budget * nu**i, max_budget))
            for i in range(steps + 1)]


def _rungs_float_budgets(n_configs, min_budget, max_budget, nu):
    return [(c, float(b)) for c, b in halving_schedule(n_configs, min_budget, max_budget, nu)]


@pytest.mark.parametrize("right", [_rungs_loop, _rungs_closed_form, _rungs_float_budgets,
                                   halving_schedule])
def test_halving_right_answers_pass(right, capsys):
    check_halving_schedule(right)
    assert "match lib.hyperparameters.halving_schedule" in capsys.readouterr().out


def _uncapped(n_configs, min_budget, max_budget, nu):
    rungs, count, budget = [], n_configs, min_budget
    while True:
        rungs.append((count, budget))
        if budget >= max_budget:
            return rungs
        count, budget = max(1, count // nu), budget * nu


def _ceil_counts(n_configs, min_budget, max_budget, nu):
    rungs, count, budget = [], n_configs, min_budget
    while True:
        rungs.append((count, budget))
        if budget >= max_budget:
            return rungs
        count, budget = max(1, math.ceil(count / nu)), min(budget * nu, max_budget)


def _counts_reach_zero(n_configs, min_budget, max_budget, nu):
    rungs, count, budget = [], n_configs, min_budget
    while True:
        rungs.append((count, budget))
        if budget >= max_budget:
            return rungs
        count, budget = count // nu, min(budget * nu, max_budget)


def _stops_short(n_configs, min_budget, max_budget, nu):
    rungs, count, budget = [], n_configs, min_budget
    while budget * nu <= max_budget:
        rungs.append((count, budget))
        count, budget = max(1, count // nu), budget * nu
    return rungs


def _not_pairs(n_configs, min_budget, max_budget, nu):
    return n_configs


@pytest.mark.parametrize(("wrong", "message"), [
    (_uncapped, "cap it"),
    (_ceil_counts, "round down"),
    (_counts_reach_zero, "at least one configuration"),
    (_stops_short, "last rung must train with max_budget"),
    (_not_pairs, "list of \\(count, budget\\) pairs"),
])
def test_halving_wrong_answers_fail_with_their_hint(wrong, message):
    with pytest.raises(AssertionError, match=message):
        check_halving_schedule(wrong)


def test_halving_check_covers_a_cap_and_a_single_rung():
    # a schedule right only when max_budget is a power of nu times min_budget must fail
    def powers_only(n_configs, min_budget, max_budget, nu):
        return _uncapped(n_configs, min_budget, max_budget, nu)

    with pytest.raises(AssertionError, match="max_budget=50"):
        check_halving_schedule(powers_only)
    assert halving_schedule(5, 4, 4, 3) == [(5, 4)]


def test_checks_refuse_what_is_not_callable():
    for check in (check_log_uniform_sampler, check_halving_schedule):
        with pytest.raises(ValueError, match="callable"):
            check(None)
