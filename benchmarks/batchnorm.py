"""BatchNorm forward plus backward, lib.nn against torch.nn.BatchNorm1d/2d, float64 on the CPU.

Shapes (512, 1024) (BatchNorm1d) and (64, 32, 16, 16) (BatchNorm2d), 524,288 entries each.
A timed call is one training-mode forward and one backward with a preset random upstream
gradient, after a few warm-up calls; lib and torch are interleaved, and each time is the best
of several repeats. Goal: lib/torch <= 1.0. The two also agree to rounding (printed).

Threads: numpy's ufuncs run on one thread; its BLAS (OpenBLAS) is limited to one thread
here with threadpoolctl, and PyTorch runs under ``torch.set_num_threads(--threads)``: 1 (the
default) compares the same hardware; ``--threads 0`` leaves both libraries their defaults.

    .venv/bin/python benchmarks/batchnorm.py [--repeats 15] [--threads 1]
"""

import argparse
import time

import numpy as np
import torch
from threadpoolctl import threadpool_limits

from lib.nn import BatchNorm

SHAPES = ((512, 1024), (64, 32, 16, 16))


def best_time(step, repeats):
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        step()
        best = min(best, time.perf_counter() - start)
    return best


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    if args.threads > 0:
        torch.set_num_threads(args.threads)
        threadpool_limits(args.threads)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} thread(s); numpy {np.__version__}"
          f" (ufuncs single-threaded); best of {args.repeats} repeats")
    rng = np.random.default_rng(0)
    for shape in SHAPES:
        C = shape[1]
        x = 1.0 + 2.0 * rng.standard_normal(shape)
        dout = rng.standard_normal(shape)
        ours = BatchNorm(C)
        cls = torch.nn.BatchNorm1d if len(shape) == 2 else torch.nn.BatchNorm2d
        ref = cls(C, dtype=torch.float64)
        xt = torch.tensor(x, requires_grad=True)
        dout_t = torch.from_numpy(dout)

        def lib_step(ours=ours, x=x, dout=dout):
            ours.forward(x)
            return ours.backward(dout)

        def torch_step(ref=ref, xt=xt, dout_t=dout_t):
            xt.grad = None
            ref.zero_grad(set_to_none=True)
            ref(xt).backward(dout_t)

        for _ in range(3):  # warm-up: buffers allocated, pages touched
            lib_step()
            torch_step()
        t_lib = t_torch = float("inf")
        for _ in range(args.repeats):
            t_lib = min(t_lib, best_time(lib_step, 1))
            t_torch = min(t_torch, best_time(torch_step, 1))
        agree = np.max(np.abs(lib_step() - xt.grad.numpy()))
        name = "BatchNorm1d" if len(shape) == 2 else "BatchNorm2d"
        print(f"{name} {shape!s:>18}: lib {1e3 * t_lib:7.2f} ms, torch {1e3 * t_torch:7.2f} ms, "
              f"lib/torch = {t_lib / t_torch:.2f}  (max |dx difference| {agree:.1e})")


if __name__ == "__main__":
    main()
