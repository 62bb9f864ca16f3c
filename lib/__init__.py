"""Shared code of the book "Optimization for Deep Learning".

Modules are named by concept: `lib.data`, `lib.losses`, `lib.metrics`, `lib.gradcheck`,
`lib.landscapes`, `lib.plotting`, `lib.widgets`, `lib.checks` (for exercises), and for
training networks `lib.nn` (layers), `lib.optim` (optimizers) and `lib.train` (minibatches
and the training loop). Chapters import what they use,
for example ``from lib.gradcheck import numerical_gradient``.
"""

__version__ = "0.1.0"
