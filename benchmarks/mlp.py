"""Training a small MLP with lib.nn + lib.train.fit, against PyTorch and against bare numpy.

The model is 64-100-10 (Linear, ReLU, Linear) with softmax cross-entropy, trained for 20
epochs on the digits training split (lib.data.load_digits) by SGD with lr 0.1 on shuffled
minibatches of 64. The three versions start from the same weights and see the same
minibatches, so their losses agree to rounding; each records, per epoch, the mean
minibatch loss and the accuracy on the whole training set, as `fit` does. The time of
each is the best of a few repeats, the three interleaved. Goals: lib/torch <= 0.6 and
lib/numpy <= 1.3.

Threads: the matrices are tiny (64 x 100), where a second BLAS thread costs more in
synchronization than it saves, so numpy runs under threadpoolctl's threadpool_limits(1)
and PyTorch under torch.set_num_threads(1), the same for both (--threads to change it).

    .venv/bin/python benchmarks/mlp.py [--repeats 5] [--threads 1]
"""

import argparse
import time

import numpy as np
from threadpoolctl import threadpool_limits

from lib.data import load_digits
from lib.nn import Linear, ReLU, Sequential, SoftmaxCrossEntropy
from lib.optim import SGD
from lib.train import Minibatches, fit

EPOCHS, BATCH, LR, HIDDEN, SEED = 20, 64, 0.1, 100, 0


def make_model(d_in, n_classes):
    return Sequential(Linear(d_in, HIDDEN, seed=SEED), ReLU(), Linear(HIDDEN, n_classes, seed=1))


def initial_weights(d_in, n_classes):
    """W1, b1, W2, b2 as lib initializes them; every version starts from copies."""
    model = make_model(d_in, n_classes)
    return [model.params[k].copy() for k in ("0.W", "0.b", "2.W", "2.b")]


def run_lib(X, y, n_classes):
    model = make_model(X.shape[1], n_classes)
    history = fit(model, SoftmaxCrossEntropy(), SGD(LR), X, y, EPOCHS, BATCH, "shuffle", SEED)
    return history.loss[-1], history.train_acc[-1]


def run_numpy(X, y, n_classes):
    """The same training written out: no classes, no checks."""
    W1, b1, W2, b2 = initial_weights(X.shape[1], n_classes)
    batches = Minibatches(len(X), BATCH, "shuffle", SEED)
    for _ in range(EPOCHS):
        total, count = 0.0, 0
        for idx in batches.epoch():
            xb, yb = X[idx], y[idx]
            m = len(idx)
            rows = np.arange(m)
            h = xb @ W1 + b1
            np.maximum(h, 0.0, out=h)
            s = h @ W2 + b2
            s -= s.max(axis=1, keepdims=True)
            p = np.exp(s)
            z = p.sum(axis=1)
            total += np.mean(np.log(z) - s[rows, yb])
            count += 1
            p /= z[:, None]
            p[rows, yb] -= 1.0
            p /= m
            dW2 = h.T @ p
            db2 = p.sum(axis=0)
            dh = p @ W2.T
            dh *= h > 0
            dW1 = xb.T @ dh
            db1 = dh.sum(axis=0)
            W1 -= LR * dW1
            b1 -= LR * db1
            W2 -= LR * dW2
            b2 -= LR * db2
        scores = np.maximum(X @ W1 + b1, 0.0) @ W2 + b2
        acc = float(np.mean(np.argmax(scores, axis=1) == y))
    return float(total / count), acc


def run_torch(X, y, n_classes):
    import torch
    import torch.nn.functional as F

    W1, b1, W2, b2 = initial_weights(X.shape[1], n_classes)
    model = torch.nn.Sequential(
        torch.nn.Linear(X.shape[1], HIDDEN), torch.nn.ReLU(), torch.nn.Linear(HIDDEN, n_classes)
    ).double()
    with torch.no_grad():
        for layer, W, b in ((model[0], W1, b1), (model[2], W2, b2)):
            layer.weight.copy_(torch.from_numpy(W.T))
            layer.bias.copy_(torch.from_numpy(b))
    opt = torch.optim.SGD(model.parameters(), lr=LR)
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    batches = Minibatches(len(X), BATCH, "shuffle", SEED)
    for _ in range(EPOCHS):
        total, count = 0.0, 0
        for idx in batches.epoch():
            it = torch.from_numpy(idx)
            loss = F.cross_entropy(model(Xt[it]), yt[it])
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item()
            count += 1
        with torch.no_grad():
            acc = (model(Xt).argmax(dim=1) == yt).double().mean().item()
    return total / count, acc


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()

    data = load_digits()
    X, y = data.X_train, data.y_train
    runs = {"lib": run_lib, "numpy": run_numpy}
    try:
        import torch

        torch.set_num_threads(args.threads)
        runs["torch"] = run_torch
    except ImportError:
        print("PyTorch is not installed: the torch column is skipped")

    best = dict.fromkeys(runs, float("inf"))
    result = {}
    with threadpool_limits(args.threads):
        for _ in range(args.repeats):
            for name, run in runs.items():
                start = time.perf_counter()
                result[name] = run(X, y, data.n_classes)
                best[name] = min(best[name], time.perf_counter() - start)

    steps = EPOCHS * len(Minibatches(len(X), BATCH))
    print(f"MLP {X.shape[1]}-{HIDDEN}-{data.n_classes}, {len(X)} digits, {EPOCHS} epochs "
          f"of batch {BATCH} ({steps} steps), SGD lr {LR}, order shuffle")
    print(f"threads: numpy BLAS threadpool_limits({args.threads}), "
          f"torch.set_num_threads({args.threads}); best of {args.repeats} repeats")
    for name in runs:
        loss, acc = result[name]
        print(f"  {name:6s} {best[name]:7.3f} s  {1e6 * best[name] / steps:6.0f} us/step  "
              f"final training loss {loss:.12f}  train acc {acc:.4f}")
    print(f"lib/numpy = {best['lib'] / best['numpy']:.2f}  (goal <= 1.3)")
    if "torch" in runs:
        print(f"lib/torch = {best['lib'] / best['torch']:.2f}  (goal <= 0.6)")


if __name__ == "__main__":
    main()
