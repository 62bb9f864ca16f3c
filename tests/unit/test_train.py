"""lib.train: the three minibatch orders, and fit on the spiral data."""

import math

import numpy as np
import pytest

from lib.data import make_spiral
from lib.nn import BatchNorm, Dropout, Layer, Linear, ReLU, Sequential, SoftmaxCrossEntropy
from lib.optim import SGD
from lib.train import EarlyStopping, History, Minibatches, fit, minibatches


@pytest.mark.parametrize(("n", "b"), [(10, 3), (12, 4), (5, 10), (1, 1)])
@pytest.mark.parametrize("order", ["sequential", "shuffle", "random"])
def test_batch_count_and_sizes(order, n, b):
    batches = minibatches(n, b, order, seed=0)
    assert len(batches) == math.ceil(n / b) == len(Minibatches(n, b, order))
    assert [len(idx) for idx in batches] == [min(b, n - start) for start in range(0, n, b)]
    for idx in batches:
        assert idx.dtype == np.int64
        assert idx.min() >= 0
        assert idx.max() < n


def test_sequential_covers_the_examples_in_order():
    batches = Minibatches(10, 4, "sequential")
    for _ in range(2):
        epoch = batches.epoch()
        assert [list(idx) for idx in epoch] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]


def test_shuffle_uses_every_example_once_per_epoch_in_a_new_order():
    batches = Minibatches(50, 8, "shuffle", seed=3)
    epochs = [np.concatenate(batches.epoch()) for _ in range(3)]
    for order in epochs:
        np.testing.assert_array_equal(np.sort(order), np.arange(50))
    assert not np.array_equal(epochs[0], epochs[1])
    assert not np.array_equal(epochs[1], epochs[2])
    assert batches.epochs_done == 3
    again = Minibatches(50, 8, "shuffle", seed=3)
    for order in epochs:
        np.testing.assert_array_equal(np.concatenate(again.epoch()), order)
    other = np.concatenate(Minibatches(50, 8, "shuffle", seed=4).epoch())
    assert not np.array_equal(other, epochs[0])


def test_random_draws_with_replacement():
    batches = Minibatches(100, 16, "random", seed=0)
    epoch = batches.epoch()
    assert len(epoch) == math.ceil(100 / 16)
    drawn = np.concatenate(epoch)
    assert len(drawn) == 100
    counts = np.bincount(drawn, minlength=100)
    assert counts.max() > 1  # some examples repeat ...
    assert (counts == 0).sum() > 0  # ... and some are left out
    # With replacement, about 1/e of the examples are missed in an epoch.
    assert 20 < (counts == 0).sum() < 50
    np.testing.assert_array_equal(np.concatenate(Minibatches(100, 16, "random", 0).epoch()), drawn)
    assert not np.array_equal(np.concatenate(batches.epoch()), drawn)


def test_iterating_gives_the_next_epoch():
    batches = Minibatches(6, 4, "shuffle", seed=1)
    first = [idx.tolist() for idx in batches]
    second = [idx.tolist() for idx in batches]
    assert first != second
    assert first == [idx.tolist() for idx in minibatches(6, 4, "shuffle", seed=1)]
    assert repr(batches) == "Minibatches(n=6, batch_size=4, order='shuffle', seed=1)"


@pytest.mark.parametrize(
    ("args", "match"),
    [
        ((10, 4, "shuffled"), r"order must be one of \['random', 'sequential', 'shuffle'\]"),
        ((10, 0), "batch_size must be >= 1, got 0"),
        ((10, -2), "batch_size must be >= 1"),
        ((10, 2.0), "batch_size must be an integer"),
        ((0, 4), "n must be >= 1"),
        ((10, 4, "shuffle", -1), "seed must be >= 0"),
    ],
)
def test_minibatches_reject_bad_arguments(args, match):
    with pytest.raises(ValueError, match=match):
        Minibatches(*args)
    with pytest.raises(ValueError, match=match):
        minibatches(*args)


def spiral_fit(seed=0, order="shuffle", epochs=30, validation=True, lr=1.0):
    X, y = make_spiral(100, 3, seed=0)
    X_val, y_val = make_spiral(50, 3, seed=1) if validation else (None, None)
    model = Sequential(Linear(2, 50, seed=0), ReLU(), Linear(50, 3, seed=1))
    history = fit(model, SoftmaxCrossEntropy(), SGD(lr), X, y, epochs, 32, order, seed,
                  X_val=X_val, y_val=y_val)
    return model, history


def test_fit_learns_the_spiral():
    _, h = spiral_fit()
    assert isinstance(h, History)
    assert h.epochs == list(range(1, 31))
    for values in (h.loss, h.train_acc, h.val_loss, h.val_acc, h.wall_time):
        assert len(values) == 30
    assert h.loss[-1] < 0.3 * h.loss[0]
    # Chance is 1/3 on three balanced classes; no linear boundary separates the arms.
    assert h.train_acc[-1] > 0.9
    assert h.val_acc[-1] > 0.85
    assert all(b > a for a, b in zip(h.wall_time, h.wall_time[1:], strict=False))
    assert h.wall_time[0] > 0
    assert "30 epochs" in repr(h)


def test_fit_records_what_it_says():
    model, h = spiral_fit(epochs=2)
    X, y = make_spiral(100, 3, seed=0)
    X_val, y_val = make_spiral(50, 3, seed=1)
    scores = model.forward(X_val)
    assert h.val_loss[-1] == pytest.approx(SoftmaxCrossEntropy().forward(scores, y_val))
    assert h.val_acc[-1] == np.mean(scores.argmax(axis=1) == y_val)
    assert h.train_acc[-1] == np.mean(model.forward(X).argmax(axis=1) == y)


def test_fit_loss_is_the_mean_of_the_minibatch_losses():
    X, y = make_spiral(20, 3, seed=0)
    model = Sequential(Linear(2, 8, seed=0), ReLU(), Linear(8, 3, seed=1))
    h = fit(model, SoftmaxCrossEntropy(), SGD(0.1), X, y, 1, 16, "sequential")
    # The same epoch written out: 60 examples in batches of 16, 16, 16, 12.
    ref = Sequential(Linear(2, 8, seed=0), ReLU(), Linear(8, 3, seed=1))
    loss, opt, losses = SoftmaxCrossEntropy(), SGD(0.1), []
    for start in range(0, 60, 16):
        losses.append(loss.forward(ref.forward(X[start:start + 16]), y[start:start + 16]))
        ref.backward(loss.backward())
        opt.step(ref.params, ref.grads)
    assert h.loss == [pytest.approx(np.mean(losses), rel=1e-14)]
    for name, p in model.params.items():
        np.testing.assert_array_equal(p, ref.params[name])


def test_fit_is_reproducible_with_its_seed():
    _, a = spiral_fit(seed=5, epochs=5)
    _, b = spiral_fit(seed=5, epochs=5)
    _, c = spiral_fit(seed=6, epochs=5)
    assert a.loss == b.loss
    assert a.val_acc == b.val_acc
    assert a.loss != c.loss


def test_fit_other_orders():
    _, rand = spiral_fit(order="random", validation=False)
    assert rand.val_loss == []
    assert rand.val_acc == []
    assert rand.loss[-1] < 0.3 * rand.loss[0]
    assert rand.train_acc[-1] > 0.9
    # make_spiral lists the examples class by class, so sequential batches hold one class
    # each: the model still learns, but far less well than with shuffled batches.
    _, seq = spiral_fit(order="sequential", validation=False)
    _, shuffled = spiral_fit(order="shuffle", validation=False)
    assert seq.loss[-1] < seq.loss[0]
    assert seq.train_acc[-1] > 0.5
    assert seq.train_acc[-1] < shuffled.train_acc[-1] - 0.1


def test_fit_works_with_a_model_without_need_dx():
    class Wrapped:
        """A model with only the four attributes fit needs."""

        def __init__(self):
            self.net = Sequential(Linear(2, 16, seed=0), ReLU(), Linear(16, 3, seed=1))
            self.params, self.grads = self.net.params, self.net.grads

        def forward(self, x):
            return self.net.forward(x)

        def backward(self, dout):
            return self.net.backward(dout)

    X, y = make_spiral(30, 3, seed=0)
    h = fit(Wrapped(), SoftmaxCrossEntropy(), SGD(0.5), X, y, 10, 16)
    assert h.loss[-1] < h.loss[0]


def test_fit_rejects_bad_arguments():
    X, y = make_spiral(10, 3, seed=0)
    model = Sequential(Linear(2, 4), ReLU(), Linear(4, 3))
    loss, opt = SoftmaxCrossEntropy(), SGD(0.1)
    with pytest.raises(ValueError, match="epochs must be >= 1, got 0"):
        fit(model, loss, opt, X, y, 0, 4)
    with pytest.raises(ValueError, match="batch_size must be >= 1, got 0"):
        fit(model, loss, opt, X, y, 1, 0)
    with pytest.raises(ValueError, match="order must be one of"):
        fit(model, loss, opt, X, y, 1, 4, order="cyclic")
    with pytest.raises(ValueError, match=r"x must have shape \(any, 2\), got \(30, 3\)"):
        fit(model, loss, opt, np.ones((30, 3)), y, 1, 4)
    with pytest.raises(ValueError, match="X must be finite"):
        fit(model, loss, opt, np.where(X > 0.5, np.nan, X), y, 1, 4)
    with pytest.raises(ValueError, match=r"y must have shape \(30,\) to match X, got \(29,\)"):
        fit(model, loss, opt, X, y[:29], 1, 4)
    with pytest.raises(ValueError, match=r"labels in \[0, 2\]"):
        fit(model, loss, opt, X, y + 1, 1, 4)
    with pytest.raises(ValueError, match="X_val and y_val must be given together"):
        fit(model, loss, opt, X, y, 1, 4, X_val=X)
    with pytest.raises(ValueError, match=r"X_val must have shape \(any, 2\)"):
        fit(model, loss, opt, X, y, 1, 4, X_val=np.ones((3, 5)), y_val=[0, 1, 2])
    with pytest.raises(ValueError, match="optimizer must have step"):
        fit(model, loss, "sgd", X, y, 1, 4)
    with pytest.raises(ValueError, match="model must have forward"):
        fit(lambda x: x, loss, opt, X, y, 1, 4)


def test_fit_output_is_unchanged():
    """Numbers fit produced before it had modes and early stopping: chapters depend on them."""
    model, h = spiral_fit(epochs=3)
    assert h.loss == [0.8500443363128234, 0.6984027939208184, 0.6130547293775092]
    assert h.val_loss == [0.7270948131273893, 0.7551305336917884, 0.615085685389932]
    assert h.train_acc == [0.56, 0.6566666666666666, 0.7033333333333334]
    assert h.val_acc == [0.54, 0.64, 0.68]
    assert model.params["2.W"][3, 1] == -0.08178827893906042
    assert h.best_epoch is None
    assert h.stopped_epoch is None


# EarlyStopping on hand-made validation losses --------------------------------------------------


def run_sequence(stopper, losses):
    """Feed losses epoch by epoch with params {"w": [epoch]}; the epoch update first said stop."""
    params = {"w": np.zeros(1)}
    for epoch, value in enumerate(losses, start=1):
        params["w"][0] = epoch
        if stopper.update(epoch, value, params):
            return epoch, params
    return None, params


def test_early_stopping_stops_after_patience_epochs_without_improvement():
    stopper = EarlyStopping(patience=3)
    losses = [1.0, 0.8, 0.85, 0.9, 0.7, 0.75, 0.76, 0.77, 0.5]
    # Improvements at epochs 1, 2 and 5; then 6, 7, 8 do not improve: stop after epoch 8.
    stopped, params = run_sequence(stopper, losses)
    assert stopped == 8
    assert stopper.stopped_epoch == 8
    assert stopper.best_epoch == 5
    assert stopper.best_loss == 0.7
    assert stopper.wait == 3
    # The copy is the best epoch's, not a view of the live array.
    assert params["w"][0] == 8
    np.testing.assert_array_equal(stopper.best_params["w"], [5.0])
    assert stopper.best_params["w"] is not params["w"]


def test_early_stopping_update_returns_each_epochs_decision():
    stopper = EarlyStopping(patience=2)
    decisions = [stopper.update(e, v, {"w": np.zeros(2)})
                 for e, v in enumerate([3.0, 2.0, 2.0, 1.0, 1.5, 1.2], start=1)]
    # Equal is not better: epoch 3 waits; epoch 4 improves; 5 and 6 wait, and 6 stops.
    assert decisions == [False, False, False, False, False, True]
    assert stopper.best_epoch == 4


def test_early_stopping_patience_one_stops_at_the_first_epoch_without_improvement():
    stopped, _ = run_sequence(EarlyStopping(patience=1), [5.0, 4.0, 3.0, 3.5, 1.0])
    assert stopped == 4


def test_early_stopping_min_delta():
    losses = [1.0, 0.98, 0.96, 0.94, 0.5]  # decreases of 0.02, then a large one
    assert run_sequence(EarlyStopping(patience=1), losses)[0] is None
    stopper = EarlyStopping(patience=3, min_delta=0.05)
    # Against the best 1.0, a decrease under 0.05 is no improvement: epochs 2 and 3 wait, and
    # epoch 4 (0.94 < 1.0 - 0.05) improves, then 5.
    assert run_sequence(stopper, losses)[0] is None
    assert stopper.best_epoch == 5
    stopper = EarlyStopping(patience=2, min_delta=0.05)
    assert run_sequence(stopper, losses)[0] == 3
    assert stopper.best_epoch == 1
    assert stopper.best_loss == 1.0


def test_early_stopping_never_stopping_and_first_update():
    stopper = EarlyStopping(patience=2)
    assert run_sequence(stopper, [5.0, 4.0, 3.0, 2.0])[0] is None
    assert stopper.stopped_epoch is None
    assert stopper.best_epoch == 4
    fresh = EarlyStopping()
    assert fresh.best_epoch is None
    assert not fresh.update(1, 1e6, {"w": np.zeros(1)})  # anything beats +inf
    assert fresh.best_epoch == 1


def test_early_stopping_restores_the_best_weights_in_place():
    stopper = EarlyStopping(patience=2)
    W, b = np.arange(6.0).reshape(2, 3), np.zeros(3)
    params = {"W": W, "b": b}
    stopper.update(1, 1.0, params)
    best = {k: v.copy() for k, v in params.items()}
    W += 1.0
    b -= 2.0
    stopper.update(2, 1.5, params)
    assert stopper.update(3, 1.2, params)
    stopper.restore(params)
    assert params["W"] is W  # the same arrays, overwritten
    np.testing.assert_array_equal(W, best["W"])
    np.testing.assert_array_equal(b, best["b"])
    # A later improvement overwrites the kept copy.
    stopper.reset()
    stopper.update(1, 2.0, params)
    W[...] = 7.0
    stopper.update(2, 1.0, params)
    W[...] = 9.0
    stopper.restore(params)
    np.testing.assert_array_equal(W, 7.0)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"patience": 0}, "patience must be >= 1, got 0"),
        ({"patience": -3}, "patience must be >= 1, got -3"),
        ({"patience": 2.5}, "patience must be an integer, got float 2.5"),
        ({"min_delta": -0.1}, r"min_delta must be >= 0\.0, got -0\.1"),
        ({"min_delta": float("nan")}, "min_delta must be finite"),
        ({"restore_best": "yes"}, "restore_best must be True or False, got str 'yes'"),
    ],
)
def test_early_stopping_rejects_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        EarlyStopping(**kwargs)


def test_early_stopping_rejects_bad_updates_and_restores():
    stopper = EarlyStopping()
    params = {"w": np.zeros(2)}
    with pytest.raises(ValueError, match="restore called before update"):
        stopper.restore(params)
    with pytest.raises(ValueError, match="val_loss must be finite, got nan"):
        stopper.update(1, float("nan"), params)
    with pytest.raises(ValueError, match="params must be a dict of numpy arrays"):
        stopper.update(1, 1.0, [np.zeros(2)])
    stopper.update(1, 1.0, params)
    with pytest.raises(ValueError, match=r"params must have the names given to update, \['w'\]"):
        stopper.restore({"v": np.zeros(2)})
    with pytest.raises(ValueError, match=r"params\['w'\] must have shape \(2,\), got \(3,\)"):
        stopper.restore({"w": np.zeros(3)})


# fit with early stopping, and modes -------------------------------------------------------------


def overfit_run(epochs, early_stopping=None, model_fn=None):
    """A wide network on 20 spiral points per class: the validation loss turns up early."""
    X, y = make_spiral(20, 3, seed=0)
    X_val, y_val = make_spiral(100, 3, seed=1)
    if model_fn is None:
        model = Sequential(Linear(2, 200, seed=0), ReLU(), Linear(200, 3, seed=1))
    else:
        model = model_fn()
    h = fit(model, SoftmaxCrossEntropy(), SGD(0.5), X, y, epochs, 10, "shuffle", 0,
            X_val=X_val, y_val=y_val, early_stopping=early_stopping)
    return model, h


def test_fit_with_early_stopping_restores_the_best_epoch():
    model, h = overfit_run(300, EarlyStopping(patience=10))
    assert h.stopped_epoch is not None
    assert h.stopped_epoch < 300
    assert h.epochs == list(range(1, h.stopped_epoch + 1))
    assert len(h.val_loss) == h.stopped_epoch
    assert h.best_epoch == int(np.argmin(h.val_loss)) + 1
    assert h.stopped_epoch - h.best_epoch == 10
    assert "best epoch" in repr(h)
    # The model holds the parameters it had after best_epoch epochs: the same run cut there.
    ref, h_ref = overfit_run(h.best_epoch)
    assert h_ref.loss == h.loss[: h.best_epoch]
    for name, p in model.params.items():
        np.testing.assert_array_equal(p, ref.params[name])


def test_fit_without_restoring_keeps_the_last_weights():
    model, h = overfit_run(300, EarlyStopping(patience=5, restore_best=False))
    ref, _ = overfit_run(h.stopped_epoch)
    for name, p in model.params.items():
        np.testing.assert_array_equal(p, ref.params[name])
    assert h.best_epoch < h.stopped_epoch


def test_fit_early_stopping_restores_batchnorm_statistics():
    def model_fn():
        return Sequential(Linear(2, 100, seed=0), BatchNorm(100), ReLU(), Linear(100, 3, seed=1))

    model, h = overfit_run(300, EarlyStopping(patience=5), model_fn)
    assert h.stopped_epoch is not None
    ref, _ = overfit_run(h.best_epoch, model_fn=model_fn)
    for name, b in model.buffers.items():
        np.testing.assert_array_equal(b, ref.buffers[name])
    for name, p in model.params.items():
        np.testing.assert_array_equal(p, ref.params[name])


def test_fit_early_stopping_needs_a_validation_set():
    X, y = make_spiral(10, 3, seed=0)
    model = Sequential(Linear(2, 4), ReLU(), Linear(4, 3))
    with pytest.raises(ValueError, match="early_stopping needs a validation set"):
        fit(model, SoftmaxCrossEntropy(), SGD(0.1), X, y, 2, 4, early_stopping=EarlyStopping())
    with pytest.raises(ValueError, match="early_stopping must be an EarlyStopping or None, got"):
        fit(model, SoftmaxCrossEntropy(), SGD(0.1), X, y, 2, 4, X_val=X, y_val=y,
            early_stopping=5)


class ModeSpy(Layer):
    """The identity, recording the mode of every forward and the size of its batch."""

    def __init__(self):
        super().__init__()
        self.calls = []
        self._shape = None

    def _forward(self, x):
        self.calls.append((self.training, len(x)))
        self._shape = x.shape
        return x

    def _output_shape(self):
        return self._shape

    def _backward(self, dout, need_dx):
        return dout


def test_fit_trains_in_train_mode_and_evaluates_in_eval_mode():
    X, y = make_spiral(20, 3, seed=0)  # 60 examples
    X_val, y_val = make_spiral(10, 3, seed=1)  # 30
    spy = ModeSpy()
    model = Sequential(Linear(2, 8), spy, ReLU(), Linear(8, 3))
    fit(model, SoftmaxCrossEntropy(), SGD(0.1), X, y, 2, 25, X_val=X_val, y_val=y_val)
    # The probe of the output width, then per epoch 3 minibatches and 2 evaluations.
    epoch = [(True, 25), (True, 25), (True, 10), (False, 60), (False, 30)]
    assert spy.calls == [(False, 60), *epoch, *epoch]
    assert model.training
    assert spy.training


def test_fit_with_dropout_evaluates_without_it():
    X, y = make_spiral(50, 3, seed=0)
    X_val, y_val = make_spiral(30, 3, seed=1)
    model = Sequential(Linear(2, 64, seed=0), ReLU(), Dropout(0.3, seed=0), Linear(64, 3, seed=1))
    h = fit(model, SoftmaxCrossEntropy(), SGD(0.5), X, y, 20, 16, X_val=X_val, y_val=y_val)
    assert model.training
    model.eval()
    scores = model.forward(X_val)
    # Recorded in eval mode: reproducible from the returned model with dropout off.
    assert h.val_loss[-1] == SoftmaxCrossEntropy().forward(scores, y_val)
    assert h.train_acc[-1] == np.mean(model.forward(X).argmax(axis=1) == y)
    assert h.loss[-1] < h.loss[0]
