r"""Optimizers that update parameters in place from their gradients.

An optimizer's ``step(params, grads)`` takes two dicts, name -> float64 array, with the
same names and shapes (``model.params``, ``model.grads`` of `lib.nn`), and changes every
parameter array in place. Its state is named and explicit: ``opt.t`` counts the updates
made so far, ``opt.state[name]`` holds what the optimizer remembers about one parameter.

A learning rate is a positive number or a schedule: a plain function of the update count
t, called with t = 0 for the first update, e.g. ``lambda t: 0.1 / (1 + t / 100)``.
"""

import numpy as np

from lib import _validate


class Optimizer:
    """Shared by the optimizers: argument checks, the learning rate or schedule, the counter t."""

    def __init__(self, lr):
        if not callable(lr):
            _validate.real(lr, "lr", low=0.0, low_open=True)
        self.lr = lr
        self.t = 0
        self.state = {}

    def current_lr(self):
        """The learning rate of the next update: ``lr``, or ``lr(t)`` for a schedule."""
        if not callable(self.lr):
            return self.lr
        return _validate.real(self.lr(self.t), f"lr({self.t})", low=0.0, low_open=True)

    def step(self, params, grads):
        """Update every array in `params` in place from the array of the same name in `grads`."""
        _check_step(params, grads)
        lr = self.current_lr()
        for name, p in params.items():
            state = self.state.get(name)
            if state is None:
                state = self.state[name] = self._init_state(p)
            self._update(p, grads[name], lr, state)
        self.t += 1

    def _init_state(self, p):
        return {}

    def __repr__(self):
        return f"{type(self).__name__}(lr={self.lr!r})"


class SGD(Optimizer):
    r"""Plain (stochastic) gradient descent: :math:`\theta \leftarrow \theta - \eta\, g`.

    g is the gradient of the loss on the current minibatch, :math:`\eta` the learning
    rate ``lr`` (a float > 0, or a schedule :math:`\eta_t` = ``lr(t)``). No state per
    parameter: ``opt.state[name]`` is an empty dict.
    """

    def _update(self, p, g, lr, state):
        # p -= lr * g, with one temporary (lr * g) and p changed in place.
        p -= lr * g


def _check_step(params, grads):
    """Same names, same shapes, float64 arrays, finite gradients; nothing is changed on failure."""
    for name, d in (("params", params), ("grads", grads)):
        if not isinstance(d, dict):
            got = _validate._describe(d)
            raise ValueError(f"{name} must be a dict of name -> array, got {got}")
    if params.keys() != grads.keys():
        raise ValueError(
            "params and grads must have the same names, got "
            f"{sorted(params)} and {sorted(grads)}"
        )
    for name, p in params.items():
        g = grads[name]
        if type(p) is not np.ndarray or p.dtype != np.float64 or not p.flags.writeable:
            raise ValueError(
                f"params[{name!r}] must be a writeable float64 array (it is updated in place), "
                f"got {_validate._describe(p)}"
            )
        if type(g) is not np.ndarray or g.dtype.kind != "f":
            raise ValueError(
                f"grads[{name!r}] must be a float array, got {_validate._describe(g)}"
            )
        if g.shape != p.shape:
            raise ValueError(
                f"grads[{name!r}] must have shape {p.shape} like params[{name!r}], got {g.shape}"
            )
        if not _validate.all_finite(g):
            _validate.float_array(g, f"grads[{name!r}]")  # raises, counting the bad entries
