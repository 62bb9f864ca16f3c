"""One Adam step of lib.optim against torch.optim.Adam, on 10^6 and 10^7 float64 parameters.

Both optimizers hold one parameter vector of n entries with its gradient preset (random,
the same for both); a timed call is one ``step`` after a few warm-up steps, so that the
state (m, r) exists and bias corrections are not trivial. Times are the best of several
repeats, lib and torch interleaved. Goal: lib/torch <= 1.2.

Threads: numpy's elementwise ufuncs run on one thread. PyTorch runs under
``torch.set_num_threads(--threads)``: 1 (default) compares the same amount of hardware;
``--threads 0`` keeps torch's default (all cores) and is printed as such.

    .venv/bin/python benchmarks/adam.py [--repeats 7] [--threads 1]
"""

import argparse
import time
from functools import partial

import numpy as np
import torch

from lib.optim import Adam

LR = 1e-3


def best_time(step, repeats):
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        step()
        best = min(best, time.perf_counter() - start)
    return best


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} thread(s); numpy {np.__version__}"
          f" (ufuncs single-threaded); best of {args.repeats} repeats")
    rng = np.random.default_rng(0)
    for n in (10**6, 10**7):
        p = rng.standard_normal(n)
        g = rng.standard_normal(n)
        params, grads = {"w": p.copy()}, {"w": g}
        opt = Adam(LR)
        w = torch.nn.Parameter(torch.from_numpy(p.copy()))
        w.grad = torch.from_numpy(g.copy())
        opt_t = torch.optim.Adam([w], lr=LR)
        for _ in range(3):  # warm-up: state allocated, caches and pages touched
            opt.step(params, grads)
            opt_t.step()
        t_lib = t_torch = float("inf")
        for _ in range(args.repeats):
            t_lib = min(t_lib, best_time(partial(opt.step, params, grads), 1))
            t_torch = min(t_torch, best_time(opt_t.step, 1))
        agree = np.max(np.abs(params["w"] - w.detach().numpy()))
        print(f"n = {n:>9,}: lib {1e3 * t_lib:8.2f} ms, torch {1e3 * t_torch:8.2f} ms, "
              f"lib/torch = {t_lib / t_torch:.2f}  (max |difference| {agree:.1e})")


if __name__ == "__main__":
    main()
