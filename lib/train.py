"""Minibatches and the training loop.

One training step on a minibatch (Xb, yb) of the examples::

    scores = model.forward(Xb)
    L = loss.forward(scores, yb)
    model.backward(loss.backward())
    optimizer.step(model.params, model.grads)

`fit` repeats it over the minibatches of each epoch and records a `History`.
"""

import inspect
import time
from dataclasses import dataclass, field

import numpy as np

from lib import _validate
from lib.metrics import accuracy

ORDERS = ("sequential", "random", "shuffle")


class Minibatches:
    """Index arrays of the minibatches of n examples, one epoch at a time.

    order:
      "sequential"  0..n-1 in order, cut into consecutive batches;
      "shuffle"     a new random permutation every epoch, cut into consecutive batches,
                    so each example is used exactly once per epoch;
      "random"      every index drawn uniformly with replacement from all n, so in an
                    epoch some examples repeat and some are left out.

    Every order gives ceil(n / batch_size) batches per epoch of batch_size indices, the
    last one smaller when batch_size does not divide n. The random orders draw from
    ``np.random.default_rng(seed)``, owned by this object: successive calls of `epoch`
    give different epochs, and a new Minibatches with the same seed repeats them.
    """

    def __init__(self, n, batch_size, order="shuffle", seed=0):
        self.n = _validate.integer(n, "n", low=1)
        self.batch_size = _validate.integer(batch_size, "batch_size", low=1)
        self.order = _validate.choice(order, "order", set(ORDERS))
        self.seed = _validate.integer(seed, "seed", low=0)
        self.rng = np.random.default_rng(self.seed)
        self.epochs_done = 0

    def __len__(self):
        return -(-self.n // self.batch_size)

    def epoch(self):
        """The batches of the next epoch: a list of int64 index arrays."""
        n = self.n
        if self.order == "sequential":
            order = np.arange(n)
        elif self.order == "shuffle":
            order = self.rng.permutation(n)
        else:
            order = self.rng.integers(0, n, size=n)
        self.epochs_done += 1
        b = self.batch_size
        return [order[start:start + b] for start in range(0, n, b)]

    def __iter__(self):
        return iter(self.epoch())

    def __repr__(self):
        return (
            f"Minibatches(n={self.n}, batch_size={self.batch_size}, "
            f"order={self.order!r}, seed={self.seed})"
        )


def minibatches(n, batch_size, order="shuffle", seed=0):
    """The minibatch index arrays of one epoch; see `Minibatches` for the orders."""
    return Minibatches(n, batch_size, order, seed).epoch()


@dataclass
class History:
    """What `fit` records, one entry per epoch.

    epochs: 1, 2, ...; loss: mean of the training minibatch losses of the epoch;
    train_acc: accuracy on the whole training set at the end of the epoch;
    val_loss, val_acc: the same on the validation set (empty lists without one);
    wall_time: seconds spent training (evaluation excluded), cumulated up to the end of
    the epoch (``time.perf_counter``).
    """

    epochs: list = field(default_factory=list)
    loss: list = field(default_factory=list)
    train_acc: list = field(default_factory=list)
    val_loss: list = field(default_factory=list)
    val_acc: list = field(default_factory=list)
    wall_time: list = field(default_factory=list)

    def __repr__(self):
        if not self.epochs:
            return "History(0 epochs)"
        val = f", val_acc {self.val_acc[-1]:.3f}" if self.val_acc else ""
        return (
            f"History({len(self.epochs)} epochs: loss {self.loss[-1]:.4g}, "
            f"train_acc {self.train_acc[-1]:.3f}{val}, {self.wall_time[-1]:.2f} s)"
        )


def _check_has(obj, name, attributes):
    for attr in attributes:
        if not hasattr(obj, attr):
            raise ValueError(
                f"{name} must have {' and '.join(attributes)}, got {type(obj).__name__} "
                f"without {attr}"
            )


def fit(model, loss, optimizer, X, y, epochs, batch_size, order="shuffle", seed=0,
        X_val=None, y_val=None):
    """Train `model` on (X, y) by minibatch steps of `optimizer`; return a `History`.

    model: a `lib.nn` layer (usually a Sequential) mapping X (N, D) to scores (N, C);
    loss: e.g. `lib.nn.SoftmaxCrossEntropy`; optimizer: e.g. `lib.optim.SGD`.
    X: (N, D), y: (N,) int labels in [0, C). epochs, batch_size: ints >= 1; order and
    seed choose the minibatches (see `Minibatches`). X_val (M, D), y_val (M,): optional
    validation set, evaluated at the end of every epoch.

    Modes: the minibatch steps run in train mode and every evaluation (the training and
    validation accuracy and loss) in eval mode, so that dropout is off and BatchNorm uses
    its running statistics there; the model is in train mode on return. (A model without
    ``train``/``eval`` methods is used as it is.)
    """
    _check_has(model, "model", ("forward", "backward", "params", "grads"))
    _check_has(loss, "loss", ("forward", "backward"))
    _check_has(optimizer, "optimizer", ("step",))
    X = _validate.float_array(X, "X", ndim=2)
    epochs = _validate.integer(epochs, "epochs", low=1)
    batches = Minibatches(len(X), batch_size, order, seed)
    # The whole of X through the model once: checks its width and gives the number of
    # classes. In eval mode, so that it leaves no trace (running statistics, dropout draws).
    _set_mode(model, training=False)
    n_classes = model.forward(X).shape[1]
    y = _validate.labels(y, len(X), n_classes)
    if (X_val is None) != (y_val is None):
        raise ValueError("X_val and y_val must be given together, got only one of them")
    if X_val is not None:
        X_val = _validate.float_array(X_val, "X_val", shape=(None, X.shape[1]))
        y_val = _validate.labels(y_val, len(X_val), n_classes, name="y_val")

    # The first layer needs no gradient with respect to the data: skip it where we can.
    backward_kw = {"need_dx": False} if _accepts(model.backward, "need_dx") else {}
    params, grads = model.params, model.grads  # bound once: both are updated in place
    history = History()
    train_seconds = 0.0
    for epoch in range(1, epochs + 1):
        _set_mode(model, training=True)
        start = time.perf_counter()
        total = 0.0
        for idx in batches.epoch():
            total += loss.forward(model.forward(X[idx]), y[idx])
            model.backward(loss.backward(), **backward_kw)
            optimizer.step(params, grads)
        train_seconds += time.perf_counter() - start

        _set_mode(model, training=False)
        history.epochs.append(epoch)
        history.loss.append(total / len(batches))
        history.wall_time.append(train_seconds)
        history.train_acc.append(accuracy(model.forward(X), y))
        if X_val is not None:
            scores = model.forward(X_val)
            history.val_loss.append(loss.forward(scores, y_val))
            history.val_acc.append(accuracy(scores, y_val))
    _set_mode(model, training=True)
    return history


def _set_mode(model, training):
    """model.train() or model.eval(), for a model that has them."""
    method = getattr(model, "train" if training else "eval", None)
    if callable(method):
        method()


def _accepts(method, name):
    try:
        return name in inspect.signature(method).parameters
    except (TypeError, ValueError):
        return False
