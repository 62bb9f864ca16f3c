"""The cost of lib.hyperparameters' search code: a random search of 64 trials over the digits
network, against the same search driven by scikit-learn's ParameterSampler.

Each trial trains the 64-100-10 network (Linear, ReLU, [Dropout,] Linear; lib.nn) by SGD
(lib.optim) with lib.train.fit for a few epochs on the digits training split and scores it
by the final validation loss. The space is learning rate x weight decay, both log-uniform,
and the dropout rate (uniform) when lib.nn has Dropout. Two drivers run the same objective
on the same space, 64 trials each: ``lib.hyperparameters.random_search``, and a loop over
``sklearn.model_selection.ParameterSampler`` with ``scipy.stats.loguniform`` (its own random
draws, so not the same configurations; a trial's cost does not depend on them, except for a
run that diverges and stops early: their number is printed). The two alternate for --repeats runs.

Printed per driver: the wall time of the search, the time per trial, and the overhead, the
wall time spent outside the objective (sampling configurations, bookkeeping), as a share of
the total; median [min, max] over the repeats. The overhead of a search with an objective
that does nothing, timed over many searches, isolates the search code. Goal: our search code
costs under 1 % of the total.

Threads: the matrices are tiny, so numpy runs under threadpool_limits(1), as in mlp.py.

    .venv/bin/python benchmarks/hyperparameter_search.py [--repeats 5] [--epochs 3]
"""

import argparse
import statistics
import time

import numpy as np
from scipy.stats import loguniform
from scipy.stats import uniform as scipy_uniform
from sklearn.model_selection import ParameterSampler
from threadpoolctl import threadpool_limits

import lib.nn
from lib.data import load_digits
from lib.hyperparameters import log_uniform, random_search, uniform
from lib.nn import Linear, ReLU, Sequential, SoftmaxCrossEntropy
from lib.optim import SGD
from lib.train import fit

N_TRIALS, HIDDEN, BATCH, SEED = 64, 100, 64, 0
LR, WD, P = (1e-3, 1.0), (1e-6, 1e-1), (0.0, 0.5)
HAS_DROPOUT = hasattr(lib.nn, "Dropout")


def make_objective(splits, epochs):
    X, y = splits.train
    X_val, y_val = splits.val

    def objective(config):
        layers = [Linear(X.shape[1], HIDDEN, seed=SEED), ReLU()]
        if HAS_DROPOUT:
            layers.append(lib.nn.Dropout(config["p"], seed=SEED))
        layers.append(Linear(HIDDEN, splits.n_classes, seed=SEED + 1))
        model = Sequential(*layers)
        opt = SGD(config["lr"], weight_decay=config["weight_decay"])
        try:
            with np.errstate(over="ignore", invalid="ignore"):
                history = fit(model, SoftmaxCrossEntropy(), opt, X, y, epochs, BATCH,
                              seed=SEED, X_val=X_val, y_val=y_val)
        except ValueError as err:  # a diverged run: its scores stopped being finite
            if "finite" not in str(err):
                raise
            return float("inf")
        return history.val_loss[-1]

    return objective


def lib_space():
    space = {"lr": log_uniform(*LR), "weight_decay": log_uniform(*WD)}
    if HAS_DROPOUT:
        space["p"] = uniform(*P)
    return space


def sklearn_space():
    space = {"lr": loguniform(*LR), "weight_decay": loguniform(*WD)}
    if HAS_DROPOUT:
        space["p"] = scipy_uniform(P[0], P[1] - P[0])
    return space


def run_lib(objective, seed):
    """(wall time, seconds inside the objective, best score, diverged runs) of our search."""
    start = time.perf_counter()
    result = random_search(objective, lib_space(), N_TRIALS, seed=seed)
    wall = time.perf_counter() - start
    diverged = int(np.sum(~np.isfinite(result.scores)))
    return wall, sum(t.seconds for t in result.trials), result.best_score, diverged


def run_sklearn(objective, seed):
    """The same search as a loop over ParameterSampler, timed the same way."""
    start = time.perf_counter()
    inside, scores = 0.0, []
    for config in ParameterSampler(sklearn_space(), N_TRIALS, random_state=seed):
        t0 = time.perf_counter()
        scores.append(objective(config))
        inside += time.perf_counter() - t0
    wall = time.perf_counter() - start
    finite = [s for s in scores if np.isfinite(s)]
    return wall, inside, min(finite) if finite else float("inf"), len(scores) - len(finite)


def spread(values, scale=1.0, fmt="{:.3f}"):
    values = [v * scale for v in values]
    return (fmt.format(statistics.median(values)) + " [" + fmt.format(min(values)) + ", "
            + fmt.format(max(values)) + "]")


def null_overhead(repeats=20):
    """Seconds per search of N_TRIALS trials of an objective that does nothing (best of)."""
    best_lib = best_sk = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        random_search(lambda c: 0.0, lib_space(), N_TRIALS, seed=0)
        best_lib = min(best_lib, time.perf_counter() - start)
        start = time.perf_counter()
        for config in ParameterSampler(sklearn_space(), N_TRIALS, random_state=0):
            (lambda c: 0.0)(config)
        best_sk = min(best_sk, time.perf_counter() - start)
    return best_lib, best_sk


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=3)
    args = parser.parse_args()
    splits = load_digits(seed=SEED)
    objective = make_objective(splits, args.epochs)
    dims = "lr x weight_decay" + (" x dropout p" if HAS_DROPOUT else " (lib.nn has no Dropout)")
    print(f"random search, {N_TRIALS} trials over {dims}; each trial {args.epochs} epochs of "
          f"64-{HIDDEN}-10 on {len(splits.y_train)} digits, batch {BATCH}; "
          f"{args.repeats} repeats, drivers alternating; numpy on 1 thread")
    runs = {"lib random_search": [], "sklearn ParameterSampler": []}
    with threadpool_limits(1):
        objective({"lr": 0.1, "weight_decay": 1e-4, "p": 0.1})  # warm-up
        for r in range(args.repeats):
            runs["lib random_search"].append(run_lib(objective, SEED + r))
            runs["sklearn ParameterSampler"].append(run_sklearn(objective, SEED + r))
        null_lib, null_sk = null_overhead()
    for name, results in runs.items():
        wall = [r[0] for r in results]
        over = [r[0] - r[1] for r in results]
        share = [100 * (r[0] - r[1]) / r[0] for r in results]
        best = [r[2] for r in results]
        diverged = [r[3] for r in results]
        per_trial = spread(wall, 1e3 / N_TRIALS, "{:.1f}")
        print(f"{name:>25}: wall {spread(wall)} s, per trial {per_trial}"
              f" ms, overhead {spread(over, 1e3, '{:.2f}')} ms = {spread(share, 1, '{:.3f}')} %"
              f" of the total; best val loss {spread(best, 1, '{:.3f}')}, diverged runs "
              f"{spread(diverged, 1, '{:.0f}')}")
    lib_wall = statistics.median(r[0] for r in runs["lib random_search"])
    print(f"search code alone (objective doing nothing, best of 20): lib {1e3 * null_lib:.2f} ms, "
          f"sklearn {1e3 * null_sk:.2f} ms per {N_TRIALS} trials; lib's is "
          f"{100 * null_lib / lib_wall:.3f} % of the median lib search (goal < 1 %)")


if __name__ == "__main__":
    main()
