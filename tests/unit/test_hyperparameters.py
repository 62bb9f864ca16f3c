"""lib.hyperparameters: the samplers' distributions against scipy.stats, the grid's coverage and
order, seeding, random against grid search in Bergstra and Bengio's situation, and successive
halving's budget and survivors."""

import itertools
import math

import numpy as np
import pytest
from scipy import stats

from lib.hyperparameters import (
    Choice,
    SearchResult,
    choice,
    grid,
    grid_search,
    halving_schedule,
    log_uniform,
    random_search,
    sample,
    successive_halving,
    uniform,
)


def test_log_uniform_against_scipy_loguniform():
    dist = log_uniform(1e-4, 1e-1)
    x = dist.sample(np.random.default_rng(0), size=5000)
    assert x.min() >= 1e-4
    assert x.max() <= 1e-1
    ref = stats.loguniform(1e-4, 1e-1)
    assert stats.kstest(x, ref.cdf).pvalue > 1e-3
    # Its log is uniform: a third of the samples in each decade.
    assert stats.kstest(np.log(x), stats.uniform(np.log(1e-4), np.log(1e3)).cdf).pvalue > 1e-3
    decades = np.histogram(np.log10(x), bins=[-4, -3, -2, -1])[0]
    np.testing.assert_allclose(decades / len(x), 1 / 3, atol=0.03)
    # The test can fail: the same samples are far from uniform on [low, high].
    assert stats.kstest(x, stats.uniform(1e-4, 1e-1 - 1e-4).cdf).pvalue < 1e-10


def test_uniform_and_choice_distributions():
    rng = np.random.default_rng(1)
    x = uniform(-1.0, 3.0).sample(rng, size=5000)
    assert stats.kstest(x, stats.uniform(-1.0, 4.0).cdf).pvalue > 1e-3
    picks = choice(["a", "b", "c", "d"]).sample(rng, size=4000)
    counts = np.array([picks.count(k) for k in "abcd"])
    assert stats.chisquare(counts).pvalue > 1e-3
    assert counts.sum() == 4000


def test_single_samples_are_python_values_and_describe_themselves():
    rng = np.random.default_rng(0)
    assert type(log_uniform(1e-3, 1.0).sample(rng)) is float
    assert type(uniform(0, 1).sample(rng)) is float
    assert choice([32, 64]).sample(rng) in (32, 64)
    assert repr(log_uniform(1e-4, 0.1)) == "log_uniform(0.0001, 0.1)"
    assert repr(uniform(0, 0.5)) == "uniform(0.0, 0.5)"
    assert repr(choice((16, 32))) == "choice([16, 32])"
    assert log_uniform(1e-3, 1.0) == log_uniform(0.001, 1)


def test_grid_points_of_each_distribution():
    np.testing.assert_allclose(log_uniform(1e-4, 1e-1).grid(4), [1e-4, 1e-3, 1e-2, 1e-1])
    np.testing.assert_allclose(uniform(0.0, 0.6).grid(4), [0.0, 0.2, 0.4, 0.6])
    assert log_uniform(1e-4, 1e-2).grid(1) == pytest.approx([1e-3])
    assert uniform(0.0, 0.6).grid(1) == [0.3]
    assert choice([1, 2, 3]).grid() == [1, 2, 3]


def test_grid_covers_every_combination_in_nested_loop_order():
    space = {"lr": log_uniform(1e-3, 1e-1), "p": uniform(0.0, 0.5), "hidden": [32, 64]}
    configs = grid(space, points={"lr": 3, "p": 2})
    assert len(configs) == 3 * 2 * 2
    expected = [
        {"lr": lr, "p": p, "hidden": h}
        for lr in (1e-3, 1e-2, 1e-1) for p in (0.0, 0.5) for h in (32, 64)
    ]
    for got, want in zip(configs, expected, strict=True):
        assert list(got) == ["lr", "p", "hidden"]
        assert got["lr"] == pytest.approx(want["lr"], rel=1e-12)
        assert got["p"] == want["p"]
        assert got["hidden"] == want["hidden"]
    assert len(grid(space, 4)) == 4 * 4 * 2
    keys = {(c["lr"], c["p"], c["hidden"]) for c in grid(space, 4)}
    assert len(keys) == 32


def test_grid_search_evaluates_the_grid_in_order():
    space = {"x": uniform(-1.0, 1.0), "y": uniform(-1.0, 1.0)}
    result = grid_search(lambda c: (c["x"] - 0.5) ** 2 + c["y"] ** 2, space, points=5)
    assert [t.config for t in result.trials] == grid(space, 5)
    assert [t.index for t in result.trials] == list(range(25))
    assert result.best_config == {"x": 0.5, "y": 0.0}
    assert result.best_score == 0.0
    np.testing.assert_allclose(result.values("x"), [c["x"] for c in grid(space, 5)])


def test_random_search_records_every_trial_and_the_best():
    space = {"lr": log_uniform(1e-4, 1.0), "hidden": [16, 32, 64]}
    calls = []

    def objective(config):
        calls.append(config)
        return (math.log10(config["lr"]) + 2) ** 2 + (config["hidden"] != 32)

    result = random_search(objective, space, n_trials=30, seed=0)
    assert len(result) == 30
    assert result.configs == calls
    assert result.configs == sample(space, 30, seed=0)
    scores = [objective(c) for c in calls[:30]]
    np.testing.assert_allclose(result.scores, scores)
    assert result.best.index == int(np.argmin(scores))
    assert result.best_score == min(scores)
    best_max = random_search(objective, space, 30, seed=0, maximize=True).best
    assert best_max.index == int(np.argmax(scores))
    assert result.seconds >= sum(t.seconds for t in result.trials) > 0
    assert 0 <= result.overhead_seconds < result.seconds


def test_seeding_same_seed_same_trials_different_seeds_differ():
    space = {"lr": log_uniform(1e-4, 1.0), "p": uniform(0, 0.5), "h": choice([1, 2, 3, 4])}
    a = random_search(lambda c: c["lr"], space, 20, seed=7)
    b = random_search(lambda c: c["lr"], space, 20, seed=7)
    c = random_search(lambda c: c["lr"], space, 20, seed=8)
    assert a.configs == b.configs
    assert a.configs != c.configs
    assert all(x["lr"] != y["lr"] for x, y in zip(a.configs, c.configs, strict=True))
    # A longer search starts with the trials of a shorter one.
    assert sample(space, 50, seed=7)[:20] == a.configs
    # A Generator is drawn from: two searches on the same one differ.
    rng = np.random.default_rng(7)
    first, second = sample(space, 20, rng), sample(space, 20, rng)
    assert first == a.configs
    assert first != second


def test_failed_runs_are_recorded_but_never_best():
    space = {"lr": log_uniform(1e-3, 10.0)}

    def objective(config):
        return math.inf if config["lr"] > 1 else (config["lr"] - 0.1) ** 2

    result = random_search(objective, space, 40, seed=0)
    assert np.isinf(result.scores).any()
    assert math.isfinite(result.best_score)
    assert result.best.config["lr"] <= 1
    assert result.ranked()[-1].score == math.inf
    nan_result = random_search(lambda c: math.nan, space, 3, seed=0)
    with pytest.raises(ValueError, match="no trial of the last rung has a finite score"):
        _ = nan_result.best


def test_objective_may_return_info():
    result = random_search(lambda c: (c["x"] ** 2, {"x2": c["x"] ** 2}),
                           {"x": uniform(-1, 1)}, 5, seed=0)
    for t in result.trials:
        assert t.info == {"x2": t.score}


def _bergstra_bengio_regret(seed, n_side=3):
    """One repetition: the objective depends strongly on x (optimum at a random x_star) and
    hardly on y. Regret (score found minus the optimum) of a n_side x n_side grid and of as
    many random trials."""
    x_star = np.random.default_rng(1000 + seed).uniform(0.05, 0.95)

    def objective(c):
        return -math.exp(-((c["x"] - x_star) ** 2) / (2 * 0.05**2)) + 0.01 * math.sin(9 * c["y"])

    space = {"x": uniform(0.0, 1.0), "y": uniform(0.0, 1.0)}
    optimum = objective({"x": x_star, "y": 0.0}) - 0.01 * 1  # the best y gives -0.01
    g = grid_search(objective, space, points=n_side).best_score - optimum
    r = random_search(objective, space, n_side * n_side, seed=seed).best_score - optimum
    return g, r


def test_random_beats_a_grid_of_the_same_size_when_one_dimension_matters():
    regrets = np.array([_bergstra_bengio_regret(seed) for seed in range(200)])
    grid_regret, random_regret = regrets[:, 0], regrets[:, 1]
    # "Finds the optimum": within 0.05 of the best value (|x - x_star| under about 0.016).
    assert np.mean(random_regret < 0.05) > 2 * np.mean(grid_regret < 0.05)
    assert np.mean(random_regret < grid_regret) > 0.7
    assert np.median(random_regret) < np.median(grid_regret) / 2


def test_halving_schedule():
    assert halving_schedule(27, 1, 9, eta=3) == [(27, 1), (9, 3), (3, 9)]
    assert halving_schedule(16, 2, 16, eta=2) == [(16, 2), (8, 4), (4, 8), (2, 16)]
    assert halving_schedule(81, 1, 10, eta=3) == [(81, 1), (27, 3), (9, 9), (3, 10)]
    assert halving_schedule(4, 1, 27, eta=3) == [(4, 1), (1, 3), (1, 9), (1, 27)]
    assert halving_schedule(5, 3, 3) == [(5, 3)]
    floats = halving_schedule(10, 0.1, 0.9, eta=3)
    assert [n for n, _ in floats] == [10, 3, 1]
    np.testing.assert_allclose([b for _, b in floats], [0.1, 0.3, 0.9])
    assert floats[-1][1] == 0.9
    assert all(type(b) is int for _, b in halving_schedule(27, 1, 9))


@pytest.mark.parametrize(
    ("n_configs", "min_budget", "max_budget", "eta"),
    [(27, 1, 9, 3), (30, 1, 9, 3), (16, 2, 16, 2), (81, 1, 10, 3), (5, 1, 27, 3),
     (8, 0.5, 4.0, 2.0)],
)
def test_successive_halving_budget_accounting(n_configs, min_budget, max_budget, eta):
    spent = []

    def objective(config, budget):
        spent.append(budget)
        return config["x"] ** 2 + 1.0 / budget

    result = successive_halving(objective, {"x": uniform(-1, 1)}, n_configs, min_budget,
                                max_budget, eta=eta, seed=0)
    # The closed form: n_i = max(1, floor(n_{i-1} / eta)) configurations at r_i = r_min eta^i
    # (capped at max_budget), for as many rungs as it takes to reach max_budget.
    s = math.ceil(math.log(max_budget / min_budget) / math.log(eta) - 1e-9)
    counts = [n_configs]
    for _ in range(s):
        counts.append(max(1, counts[-1] // eta))
    budgets = [min(min_budget * eta**i, max_budget) for i in range(s + 1)]
    formula = sum(n * r for n, r in zip(counts, budgets, strict=True))
    assert sum(spent) == pytest.approx(formula, rel=1e-12)
    assert result.total_budget == pytest.approx(formula, rel=1e-12)
    assert len(result) == sum(counts)
    assert [len(result.at_rung(i)) for i in range(s + 1)] == counts
    assert all(t.budget == pytest.approx(budgets[t.rung]) for t in result.trials)
    assert result.best.budget == max_budget


def test_successive_halving_keeps_the_best_on_a_noiseless_objective():
    def quality(config):
        return (config["x"] - 0.3) ** 2 + 0.1 * (config["h"] != 64)

    def objective(config, budget):
        return quality(config) + 1.0 / budget  # same ranking at every budget

    space = {"x": uniform(-1, 1), "h": [32, 64, 128]}
    result = successive_halving(objective, space, 27, 1, 9, eta=3, seed=4)
    configs = sample(space, 27, seed=4)
    assert [t.config for t in result.at_rung(0)] == configs
    order = sorted(range(27), key=lambda i: quality(configs[i]))
    assert [t.config_id for t in result.at_rung(1)] == order[:9]
    assert [t.config_id for t in result.at_rung(2)] == order[:3]
    assert result.best.config_id == order[0]
    assert result.best_score == pytest.approx(quality(configs[order[0]]) + 1 / 9)
    # The same seed gives the same run, another seed another one.
    again = successive_halving(objective, space, 27, 1, 9, eta=3, seed=4)
    assert [t.config for t in again] == [t.config for t in result]
    other = successive_halving(objective, space, 27, 1, 9, eta=3, seed=5)
    assert [t.config for t in other.at_rung(0)] != configs


def test_successive_halving_ranks_by_each_rungs_own_scores():
    # A configuration that starts slow but ends best survives only if the early rung sees it
    # among the best: halving trusts the small budgets.
    def objective(config, budget):
        x = config["x"]
        return x if budget < 9 else -x  # the ranking flips at the last rung

    result = successive_halving(objective, {"x": uniform(0, 1)}, 27, 1, 9, seed=0)
    xs = [t.config["x"] for t in result.at_rung(0)]
    assert sorted(t.config["x"] for t in result.at_rung(2)) == sorted(xs)[:3]
    assert result.best.config["x"] == max(t.config["x"] for t in result.at_rung(2))


def test_result_repr_and_values():
    result = random_search(lambda c: c["lr"], {"lr": log_uniform(1e-3, 1), "act": ["a", "b"]},
                           4, seed=0)
    assert repr(result).startswith("SearchResult(4 trials, best score")
    assert result.values("act") == [t.config["act"] for t in result.trials]
    assert isinstance(result.values("lr"), np.ndarray)
    with pytest.raises(ValueError, match="name must be one of the hyperparameters"):
        result.values("momentum")
    with pytest.raises(ValueError, match="total_budget needs a budget"):
        _ = result.total_budget
    assert repr(SearchResult(())) == "SearchResult(0 trials)"


def test_list_in_a_space_is_a_choice():
    configs = sample({"h": [1, 2]}, 20, seed=0)
    assert {c["h"] for c in configs} == {1, 2}
    assert isinstance(choice([1, 2]), Choice)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: log_uniform(0.0, 1.0), r"low must be > 0 for a log scale, got 0.0"),
        (lambda: log_uniform(-1e-3, 1.0), r"low must be > 0 for a log scale"),
        (lambda: log_uniform(1.0, 1.0), r"log_uniform needs low < high, got low=1.0, high=1.0"),
        (lambda: log_uniform(1.0, 0.1), r"log_uniform needs low < high"),
        (lambda: log_uniform(1e-3, np.inf), r"high must be finite"),
        (lambda: uniform(1.0, 0.0), r"uniform needs low < high"),
        (lambda: uniform("a", 1.0), r"low must be a real number"),
        (lambda: choice([]), r"options must hold at least one option"),
        (lambda: choice("abc"), r"options must be a list or tuple"),
        (lambda: sample({}, 3), r"space must name at least one hyperparameter"),
        (lambda: sample([("lr", uniform(0, 1))], 3), r"space must be a dict"),
        (lambda: sample({"lr": 0.1}, 3), r"space\['lr'\] must be log_uniform"),
        (lambda: sample({"lr": uniform(0, 1)}, 0), r"n must be >= 1, got 0"),
        (lambda: sample({"lr": uniform(0, 1)}, 3, seed=-1), r"seed must be >= 0"),
        (lambda: random_search(lambda c: 0.0, {"lr": uniform(0, 1)}, 0),
         r"n_trials must be >= 1, got 0"),
        (lambda: random_search(lambda c: 0.0, {}, 3), r"space must name at least one"),
        (lambda: random_search("f", {"lr": uniform(0, 1)}, 3), r"objective must be callable"),
        (lambda: random_search(lambda c: "bad", {"lr": uniform(0, 1)}, 3),
         r"objective must return a real score, got str"),
        (lambda: random_search(lambda c: (1.0, 2, 3), {"lr": uniform(0, 1)}, 3),
         r"score or a pair \(score, info\)"),
        (lambda: grid({"lr": uniform(0, 1)}, points=0), r"points\['lr'\] must be >= 1"),
        (lambda: grid({"lr": uniform(0, 1)}, points={"wd": 3}), r"points names \['wd'\]"),
        (lambda: grid({}, 3), r"space must name at least one"),
        (lambda: uniform(0, 1).sample(0), r"rng must be a numpy Generator"),
        (lambda: successive_halving(lambda c, b: 0.0, {"x": uniform(0, 1)}, 9, 1, 9, eta=1.5),
         r"eta must be >= 2.0, got 1.5"),
        (lambda: successive_halving(lambda c, b: 0.0, {"x": uniform(0, 1)}, 9, 0, 9),
         r"min_budget must be > 0.0"),
        (lambda: successive_halving(lambda c, b: 0.0, {"x": uniform(0, 1)}, 9, 3, 1),
         r"max_budget must be >= 3.0, got 1.0"),
        (lambda: successive_halving(lambda c, b: 0.0, {"x": uniform(0, 1)}, 0, 1, 9),
         r"n_configs must be >= 1, got 0"),
        (lambda: successive_halving(lambda c, b: 0.0, {}, 9, 1, 9), r"space must name"),
    ],
)
def test_bad_input_raises(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_grid_is_exponential_in_the_dimensions():
    for dims in range(1, 5):
        space = {f"x{i}": uniform(0, 1) for i in range(dims)}
        configs = grid(space, 3)
        assert len(configs) == 3**dims
        assert len({tuple(c.values()) for c in configs}) == 3**dims
        assert {tuple(c.values()) for c in configs} == set(itertools.product([0.0, 0.5, 1.0],
                                                                              repeat=dims))
