"""Minibatches and the training loop.

One training step on a minibatch (Xb, yb) of the examples::

    scores = model.forward(Xb)
    L = loss.forward(scores, yb)
    model.backward(loss.backward())
    optimizer.step(model.params, model.grads)

`fit` repeats it over the minibatches of each epoch and records a `History`; with an
`EarlyStopping` it stops when the validation loss has stopped improving and restores the
parameters of the best epoch.
"""

import inspect
import math
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
    With early stopping: best_epoch, the epoch of the lowest validation loss (whose
    parameters the model holds on return when ``restore_best``), and stopped_epoch, the
    epoch after which training stopped, or None when it ran all its epochs. Both are None
    without early stopping.
    """

    epochs: list = field(default_factory=list)
    loss: list = field(default_factory=list)
    train_acc: list = field(default_factory=list)
    val_loss: list = field(default_factory=list)
    val_acc: list = field(default_factory=list)
    wall_time: list = field(default_factory=list)
    best_epoch: int | None = None
    stopped_epoch: int | None = None

    def __repr__(self):
        if not self.epochs:
            return "History(0 epochs)"
        val = f", val_acc {self.val_acc[-1]:.3f}" if self.val_acc else ""
        stop = ""
        if self.best_epoch is not None:
            stopped = "" if self.stopped_epoch is None else f"stopped after {self.stopped_epoch}, "
            stop = f"; {stopped}best epoch {self.best_epoch}"
        return (
            f"History({len(self.epochs)} epochs: loss {self.loss[-1]:.4g}, "
            f"train_acc {self.train_acc[-1]:.3f}{val}, {self.wall_time[-1]:.2f} s{stop})"
        )


class EarlyStopping:
    """Stop training when the validation loss has not improved for `patience` epochs.

    The algorithm of Goodfellow et al. (Deep Learning, algorithm 7.1), as
    ``update(epoch, val_loss, params)`` called once per epoch:

    - an epoch improves when val_loss < best_loss - min_delta (strictly; best_loss is
      +inf before the first update, so the first epoch always improves). Then best_loss,
      best_epoch and a copy of every array in `params` are kept, and the count of epochs
      without improvement, `wait`, goes back to 0;
    - otherwise wait += 1, and update returns True (stop) once wait reaches patience.

    ``restore(params)`` copies the kept arrays back into `params` in place (same names and
    shapes), so that the optimizer and the model, bound to those arrays, see them.
    restore_best tells `fit` whether to call it when training ends. `fit` passes the
    model's parameters together with its buffers (BatchNorm's running statistics), so the
    restored model is the one of the best epoch; it resets the object first.

    patience: int >= 1 (1 stops at the first epoch without improvement); min_delta >= 0,
    the least decrease of the validation loss that counts as an improvement.
    """

    def __init__(self, patience=5, min_delta=0.0, restore_best=True):
        self.patience = _validate.integer(patience, "patience", low=1)
        self.min_delta = _validate.real(min_delta, "min_delta", low=0.0)
        if not isinstance(restore_best, bool):
            raise ValueError(
                f"restore_best must be True or False, got {_validate._describe(restore_best)}"
            )
        self.restore_best = restore_best
        self.reset()

    def reset(self):
        """Forget every epoch seen so far."""
        self.best_loss = math.inf
        self.best_epoch = None
        self.best_params = None
        self.wait = 0
        self.stopped_epoch = None

    def update(self, epoch, val_loss, params):
        """Record one epoch; return True when training should stop after it."""
        epoch = _validate.integer(epoch, "epoch")
        val_loss = _validate.real(val_loss, "val_loss")
        _check_params(params, "params")
        if val_loss < self.best_loss - self.min_delta:
            self.best_loss, self.best_epoch, self.wait = val_loss, epoch, 0
            if self.best_params is None or self.best_params.keys() != params.keys():
                self.best_params = {k: np.array(v, copy=True) for k, v in params.items()}
            else:  # reuse the copies: no allocation per improvement
                for k, v in params.items():
                    self.best_params[k][...] = v
            return False
        self.wait += 1
        if self.wait >= self.patience:
            self.stopped_epoch = epoch
            return True
        return False

    def restore(self, params):
        """Copy the best epoch's arrays back into `params`, in place."""
        if self.best_params is None:
            raise ValueError("restore called before update: no best parameters are kept yet")
        _check_params(params, "params")
        if params.keys() != self.best_params.keys():
            raise ValueError(
                f"params must have the names given to update, {sorted(self.best_params)}, "
                f"got {sorted(params)}"
            )
        for k, v in params.items():
            if v.shape != self.best_params[k].shape:
                raise ValueError(
                    f"params[{k!r}] must have shape {self.best_params[k].shape}, got {v.shape}"
                )
            v[...] = self.best_params[k]

    def __repr__(self):
        return (
            f"EarlyStopping(patience={self.patience}, min_delta={self.min_delta}, "
            f"restore_best={self.restore_best})"
        )


def _check_params(params, name):
    if not isinstance(params, dict) or not all(
        isinstance(v, np.ndarray) for v in params.values()
    ):
        raise ValueError(
            f"{name} must be a dict of numpy arrays (model.params), got "
            f"{_validate._describe(params)}"
        )


def _check_has(obj, name, attributes):
    for attr in attributes:
        if not hasattr(obj, attr):
            raise ValueError(
                f"{name} must have {' and '.join(attributes)}, got {type(obj).__name__} "
                f"without {attr}"
            )


def fit(model, loss, optimizer, X, y, epochs, batch_size, order="shuffle", seed=0,
        X_val=None, y_val=None, early_stopping=None):
    """Train `model` on (X, y) by minibatch steps of `optimizer`; return a `History`.

    model: a `lib.nn` layer (usually a Sequential) mapping X (N, D) to scores (N, C);
    loss: e.g. `lib.nn.SoftmaxCrossEntropy`; optimizer: e.g. `lib.optim.SGD`.
    X: (N, D), y: (N,) int labels in [0, C). epochs, batch_size: ints >= 1; order and
    seed choose the minibatches (see `Minibatches`). X_val (M, D), y_val (M,): optional
    validation set, evaluated at the end of every epoch.

    early_stopping: an `EarlyStopping` (it needs the validation set), updated with the
    validation loss after every epoch; training stops when it says so and, with its
    restore_best, the model gets back the parameters and buffers of its best epoch.

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
    if early_stopping is not None and not isinstance(early_stopping, EarlyStopping):
        raise ValueError(
            "early_stopping must be an EarlyStopping or None, got "
            + _validate._describe(early_stopping)
        )
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
    elif early_stopping is not None:
        raise ValueError("early_stopping needs a validation set, got X_val=None and y_val=None")

    # The first layer needs no gradient with respect to the data: skip it where we can.
    backward_kw = {"need_dx": False} if _accepts(model.backward, "need_dx") else {}
    params, grads = model.params, model.grads  # bound once: both are updated in place
    if early_stopping is not None:
        early_stopping.reset()
        state = {**params, **getattr(model, "buffers", {})}  # what restoring must bring back
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
        if early_stopping is not None and early_stopping.update(
            epoch, history.val_loss[-1], state
        ):
            break
    _set_mode(model, training=True)
    if early_stopping is not None:
        history.best_epoch = early_stopping.best_epoch
        history.stopped_epoch = early_stopping.stopped_epoch
        if early_stopping.restore_best:
            early_stopping.restore(state)
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
