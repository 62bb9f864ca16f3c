r"""Losses of a linear classifier with scores :math:`S = XW`, each returned with its gradient.

Notation (the book's): X (N, n_in) examples in rows, W (n_in, C) one column per class,
y (N,) integer labels in [0, C), :math:`s_{ij} = x_i^\top w_j`. Here n_in is the number of
columns of X: D for raw features, D + 1 once `lib.data.add_bias_column` has appended the
constant feature. Both full losses average the per-example losses over N and add the L2
penalty :math:`\alpha R(W) = \alpha \sum_{k,l} W_{kl}^2`, with ``reg`` :math:`= \alpha`
(the regularization strength).
"""

import numpy as np

from lib import _validate


def _check_linear(W, X, y):
    W = _validate.float_array(W, "W", ndim=2)
    X = _validate.float_array(X, "X", ndim=2)
    if X.shape[1] != W.shape[0]:
        raise ValueError(
            f"X and W do not fit: X has {X.shape[1]} features (shape {X.shape}) "
            f"but W has {W.shape[0]} rows (shape {W.shape}); expected W of shape "
            f"({X.shape[1]}, n_classes)"
        )
    y = _validate.labels(y, X.shape[0], W.shape[1])
    return W, X, y


def _check_scores(scores, y):
    scores = _validate.float_array(scores, "scores", ndim=2)
    y = _validate.labels(y, scores.shape[0], scores.shape[1])
    return scores, y


def softmax(scores):
    """Row-wise softmax of scores (N, C), stable for any finite scores.

    Subtracting each row's maximum leaves the result unchanged (it cancels in the
    ratio) and keeps every exponent <= 0, so nothing overflows.
    """
    scores = _validate.float_array(scores, "scores", ndim=2)
    z = scores - scores.max(axis=1, keepdims=True)
    np.exp(z, out=z)
    z /= z.sum(axis=1, keepdims=True)
    return z


def hinge_losses(scores, y, margin=1.0):
    r"""Per-example multiclass hinge (SVM) losses, shape (N,).

    :math:`L_i = \sum_{j \ne y_i} \max(0,\ z_{ij})` with the hinges' arguments
    :math:`z_{ij} = s_{ij} - s_{i y_i} + \Delta`, margin :math:`\Delta` = ``margin``.
    scores: (N, C); y: (N,) ints in [0, C).
    """
    scores, y = _check_scores(scores, y)
    margin = _validate.real(margin, "margin", low=0.0)
    rows = np.arange(len(y))
    margins = np.maximum(0.0, scores - scores[rows, y][:, None] + margin)
    margins[rows, y] = 0.0
    return margins.sum(axis=1)


def cross_entropy_losses(scores, y):
    r"""Per-example softmax cross-entropy losses (natural log), shape (N,).

    :math:`L_i = -s_{i y_i} + \log \sum_k e^{s_{ik}}`, computed with the log-sum-exp shift.
    scores: (N, C); y: (N,) ints in [0, C).
    """
    scores, y = _check_scores(scores, y)
    shift = scores.max(axis=1, keepdims=True)
    log_norm = np.log(np.exp(scores - shift).sum(axis=1)) + shift[:, 0]
    return log_norm - scores[np.arange(len(y)), y]


def svm_loss(W, X, y, reg=0.0):
    r"""Multiclass SVM loss (margin 1) and its gradient: returns ``(loss, dW)``.

    :math:`L = \frac1N \sum_i \sum_{j\ne y_i} \max(0, z_{ij}) + \alpha \sum_{k,l} W_{kl}^2`,
    :math:`z_{ij} = s_{ij} - s_{iy_i} + 1`, and :math:`\nabla_W L = X^\top \nabla_S L + 2\alpha W`
    with :math:`(\nabla_S L)_{ij} = \frac1N \partial L_i / \partial s_{ij}`, where
    :math:`\partial L_i / \partial s_{ij} = \mathbb 1[z_{ij} > 0]` for :math:`j \ne y_i` and minus
    the count of active hinges for :math:`j = y_i`. Each active hinge adds :math:`x_i` to
    column j of the gradient and subtracts it from column :math:`y_i`; at a kink
    (:math:`z_{ij} = 0`) the indicator is 0, so we take the subgradient 0.

    W: (n_in, C), X: (N, n_in), y: (N,) ints in [0, C), reg: :math:`\alpha \ge 0`.
    dW has W's shape.
    """
    W, X, y = _check_linear(W, X, y)
    reg = _validate.real(reg, "reg", low=0.0)
    n = X.shape[0]
    rows = np.arange(n)
    scores = X @ W
    margins = scores - scores[rows, y][:, None] + 1.0
    np.maximum(margins, 0.0, out=margins)
    margins[rows, y] = 0.0
    loss = margins.sum() / n + reg * np.sum(W * W)
    # dL_i/ds_ij: 1 for every active hinge, minus their count at the true class.
    dscores = (margins > 0).astype(np.float64)
    dscores[rows, y] = -dscores.sum(axis=1)
    dW = X.T @ dscores / n + 2.0 * reg * W
    return float(loss), dW


def softmax_loss(W, X, y, reg=0.0):
    r"""Softmax cross-entropy loss (natural log) and its gradient: returns ``(loss, dW)``.

    :math:`L = \frac1N \sum_i \left(-s_{iy_i} + \log\sum_k e^{s_{ik}}\right)
    + \alpha \sum_{k,l} W_{kl}^2`,
    and :math:`\partial L_i / \partial s_{ij} = p_{ij} - \mathbb 1[j = y_i]` with
    :math:`p_i = \operatorname{softmax}(s_i)`; :math:`\nabla_W L` as in `svm_loss`.

    W: (n_in, C), X: (N, n_in), y: (N,) ints in [0, C), reg: :math:`\alpha \ge 0`.
    dW has W's shape.
    """
    W, X, y = _check_linear(W, X, y)
    reg = _validate.real(reg, "reg", low=0.0)
    n = X.shape[0]
    rows = np.arange(n)
    scores = X @ W
    scores -= scores.max(axis=1, keepdims=True)
    log_norm = np.log(np.exp(scores).sum(axis=1))
    loss = np.mean(log_norm - scores[rows, y]) + reg * np.sum(W * W)
    dscores = np.exp(scores - log_norm[:, None])
    dscores[rows, y] -= 1.0
    dW = X.T @ dscores / n + 2.0 * reg * W
    return float(loss), dW
