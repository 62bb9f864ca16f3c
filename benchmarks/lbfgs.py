"""lib.second_order.lbfgs against SciPy's L-BFGS-B, in the same run: evaluations and wall time.

Problems:
- the extended Rosenbrock function in 1000 dimensions (Moré-Garbow-Hillstrom's 500 uncoupled
  pairs, the test of Liu and Nocedal's 1989 L-BFGS paper) from (-1.2, 1, -1.2, 1, ...);
- the same start on SciPy's chained form (``scipy.optimize.rosen``), a valley that the
  iterates follow one coordinate at a time: thousands of iterations;
- full-batch softmax (logistic) regression on the digits training set (lib.data.load_digits,
  bias column appended, W of shape (65, 10) flattened, L2 strength 1e-4) from W = 0.

Both methods keep M = 10 pairs and stop on the same test, ||grad||_inf <= 1e-5; L-BFGS-B's
second test, on the relative decrease of f (ftol), is switched off so that it cannot stop
earlier on a different rule. For Rosenbrock f and grad are separate functions, and lib's
counts are of each (nfev, ngev); L-BFGS-B always asks for both at once, so its nfev is also
its gradient count. For the digits, one call of lib.losses.softmax_loss gives both the loss
and its gradient; both optimizers go through the same cache, and "evals" counts the calls of
softmax_loss. Goal: no more evaluations than SciPy, and at most 1.5 x its wall time.

Times are the best of --repeats runs, the two optimizers interleaved; "spread" is the worst
run over the best. BLAS runs on --threads threads (1 by default: L-BFGS-B and lib both call
BLAS, and the machine may be shared).

    .venv/bin/python benchmarks/lbfgs.py [--repeats 5] [--threads 1]
"""

import argparse
import time

import numpy as np
import scipy
import scipy.optimize
from threadpoolctl import threadpool_limits

from lib.data import add_bias_column, load_digits
from lib.landscapes import ExtendedRosenbrock
from lib.losses import softmax_loss
from lib.second_order import lbfgs

GTOL = 1e-5


class Cached:
    """One softmax_loss call serves f and grad at the same point; `calls` counts them."""

    def __init__(self, X, y, reg):
        self.X, self.y, self.reg = X, y, reg
        self.shape = (X.shape[1], int(y.max()) + 1)
        self.w = None
        self.calls = 0

    def _at(self, w):
        if self.w is None or not np.array_equal(w, self.w):
            loss, dW = softmax_loss(w.reshape(self.shape), self.X, self.y, reg=self.reg)
            self.w, self.loss, self.dw = w.copy(), loss, dW.ravel()
            self.calls += 1

    def f(self, w):
        self._at(w)
        return self.loss

    def grad(self, w):
        self._at(w)
        return self.dw


def run_lib(f, grad, x0):
    return lbfgs(f, grad, x0, m=10, gtol=GTOL)


def run_scipy(f, grad, x0):
    return scipy.optimize.minimize(f, x0, jac=grad, method="L-BFGS-B",
                                   options={"maxcor": 10, "gtol": GTOL, "ftol": 0.0,
                                            "maxiter": 15000, "maxfun": 10**6})


def timed(fn):
    start = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - start


def compare(label, make_problem, x0, repeats):
    times = {"lib": [], "scipy": []}
    for _ in range(repeats):  # interleaved, so that a busy spell hits both
        f, grad, counter = make_problem()
        ours, t = timed(lambda f=f, grad=grad: run_lib(f, grad, x0))
        times["lib"].append(t)
        ours_calls = counter() if counter else None
        f, grad, counter = make_problem()
        ref, t = timed(lambda f=f, grad=grad: run_scipy(f, grad, x0))
        times["scipy"].append(t)
        ref_calls = counter() if counter else None
    best = {k: min(v) for k, v in times.items()}
    spread = {k: max(v) / min(v) for k, v in times.items()}
    gap = np.max(np.abs(ours.x - ref.x))
    print(f"\n{label}")
    if ours_calls is None:
        print(f"  lib   lbfgs     nit {ours.nit:5d}  nfev {ours.nfev:5d}  ngev {ours.ngev:5d}"
              f"  f {ours.fun:.6e}  {ours.message}")
        print(f"  SciPy L-BFGS-B  nit {ref.nit:5d}  nfev {ref.nfev:5d}  njev {ref.njev:5d}"
              f"  f {ref.fun:.6e}  {ref.message}")
        print(f"  evaluations lib/SciPy: f {ours.nfev / ref.nfev:.2f}, grad "
              f"{ours.ngev / ref.njev:.2f}")
    else:
        print(f"  lib   lbfgs     nit {ours.nit:5d}  evals {ours_calls:5d}  (nfev {ours.nfev},"
              f" ngev {ours.ngev})  f {ours.fun:.9f}  {ours.message}")
        print(f"  SciPy L-BFGS-B  nit {ref.nit:5d}  evals {ref_calls:5d}  (nfev {ref.nfev},"
              f" njev {ref.njev})  f {ref.fun:.9f}  {ref.message}")
        print(f"  evaluations lib/SciPy: {ours_calls / ref_calls:.2f}")
    print(f"  max |x_lib - x_SciPy| = {gap:.1e}")
    print(f"  time: lib {1e3 * best['lib']:8.1f} ms (spread {spread['lib']:.2f}), SciPy "
          f"{1e3 * best['scipy']:8.1f} ms (spread {spread['scipy']:.2f}), lib/SciPy = "
          f"{best['lib'] / best['scipy']:.2f}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    print(f"numpy {np.__version__}, scipy {scipy.__version__}; BLAS threads {args.threads};"
          f" best of {args.repeats} repeats; gtol {GTOL}, M = 10")
    with threadpool_limits(limits=args.threads, user_api="blas"):
        for chained in (False, True):
            E = ExtendedRosenbrock(1000, chained=chained)
            name = "chained (scipy.optimize.rosen)" if chained else "uncoupled pairs"
            compare(f"extended Rosenbrock, n = 1000, {name}",
                    lambda E=E: (E, E.grad, None), E.start, args.repeats)
        d = load_digits()
        X = add_bias_column(d.X_train)

        def digits():
            c = Cached(X, d.y_train, reg=1e-4)
            return c.f, c.grad, lambda: c.calls

        compare(f"softmax regression on the digits, N = {X.shape[0]}, W (65, 10)",
                digits, np.zeros(X.shape[1] * 10), args.repeats)


if __name__ == "__main__":
    main()
