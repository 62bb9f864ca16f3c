"""Shared code of the book "Optimization for Deep Learning".

Modules are named by concept: `lib.data` (data sets), `lib.losses`, `lib.metrics`,
`lib.gradcheck` (finite differences), `lib.landscapes` (test functions), `lib.plotting`,
`lib.widgets` (sliders), `lib.checks` (answers to exercises); for training networks
`lib.nn` (layers, normalization, dropout), `lib.init` (weight initialization), `lib.optim`
(optimizers), `lib.schedules` (learning-rate schedules) and `lib.train` (minibatches, the
training loop, early stopping); for regularization and tuning `lib.regularization`
(penalties, ridge), `lib.augment` (digit augmentation) and `lib.hyperparameters` (search);
for second-order methods `lib.line_search` and `lib.second_order` (Newton, conjugate
gradients, BFGS, L-BFGS). Chapters import what they use, for example
``from lib.gradcheck import numerical_gradient``.
"""

__version__ = "0.1.0"
