"""Linear CG of lib.second_order against scipy.sparse.linalg.cg: dense 2000 x 2000 SPD systems.

Two systems H theta = q, q standard normal:
- "Wishart": H = M M^T / n + I with M standard normal (curvatures from 1 to about 5, so CG
  needs a few dozen steps);
- "kappa = 1e4": H = Q diag(lambda) Q^T, lambda log-spaced from 1 to 10^4, Q a random
  rotation (hundreds of steps).

Both solvers stop when ||r_k|| < tol ||q|| (SciPy's rtol, with atol = 0), tol = 1e-10; they
must make the same number of steps. Each step costs one product H p (dgemv on 32 MB), which
dominates; lib also checks H once for finiteness and symmetry (a pass over H, by blocks) and
keeps the path of iterates (keep_path=True, the default; timed also without). Times are the
best of --repeats runs, interleaved, with the spread (worst over best); BLAS on --threads
threads (1 by default). Goal: lib/SciPy <= 1.2.

    .venv/bin/python benchmarks/conjugate_gradient.py [--repeats 5] [--threads 1]
"""

import argparse
import time

import numpy as np
import scipy
import scipy.sparse.linalg
from threadpoolctl import threadpool_limits

from lib.second_order import conjugate_gradient

N = 2000
TOL = 1e-10


def systems(seed=0):
    rng = np.random.default_rng(seed)
    M = rng.standard_normal((N, N))
    wishart = M @ M.T / N + np.eye(N)
    Q, _ = np.linalg.qr(rng.standard_normal((N, N)))
    H = (Q * np.logspace(0, 4, N)) @ Q.T
    H = (H + H.T) / 2
    q = rng.standard_normal(N)
    return {"Wishart": (wishart, q), "kappa = 1e4": (H, q)}


def scipy_cg(A, b):
    steps = [0]

    def count(_):
        steps[0] += 1

    x, info = scipy.sparse.linalg.cg(A, b, rtol=TOL, atol=0.0, callback=count)
    return x, info, steps[0]


def best_and_spread(times):
    return min(times), max(times) / min(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    print(f"numpy {np.__version__}, scipy {scipy.__version__}; BLAS threads {args.threads};"
          f" n = {N}, tol = {TOL}; best of {args.repeats} repeats")
    with threadpool_limits(limits=args.threads, user_api="blas"):
        for name, (A, b) in systems().items():
            times = {"lib": [], "lib, no path": [], "scipy": []}
            for _ in range(args.repeats):
                start = time.perf_counter()
                ours = conjugate_gradient(A, b, tol=TOL)
                times["lib"].append(time.perf_counter() - start)
                start = time.perf_counter()
                conjugate_gradient(A, b, tol=TOL, keep_path=False)
                times["lib, no path"].append(time.perf_counter() - start)
                start = time.perf_counter()
                x_ref, info, steps = scipy_cg(A, b)
                times["scipy"].append(time.perf_counter() - start)
            (t_lib, s_lib), (t_np, s_np), (t_sp, s_sp) = (
                best_and_spread(times[k]) for k in ("lib", "lib, no path", "scipy"))
            residual = np.linalg.norm(b - A @ ours.x) / np.linalg.norm(b)
            print(f"\n{name}: steps lib {ours.nit}, SciPy {steps} (info {info}); "
                  f"||q - H theta|| / ||q|| = {residual:.1e}; "
                  f"max |theta_lib - theta_SciPy| = {np.max(np.abs(ours.x - x_ref)):.1e}")
            print(f"  lib {1e3 * t_lib:8.1f} ms (spread {s_lib:.2f}), without the path "
                  f"{1e3 * t_np:8.1f} ms (spread {s_np:.2f}); SciPy {1e3 * t_sp:8.1f} ms "
                  f"(spread {s_sp:.2f}); lib/SciPy = {t_lib / t_sp:.2f} "
                  f"({t_np / t_sp:.2f} without the path)")


if __name__ == "__main__":
    main()
