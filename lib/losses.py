r"""Losses of a linear classifier with scores :math:`s = XW`, each returned with its gradient.

Notation (the book's): X (N, D) examples in rows, W (D, C) one column per class,
y (N,) integer labels, :math:`s_{ij} = x_i^\top w_j`. Both full losses average the
per-example losses over N and add the L2 penalty :math:`\lambda \sum W^2` (``reg``).
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

    :math:`L_i = \sum_{j \ne y_i} \max(0,\ s_{ij} - s_{i y_i} + \Delta)`, margin :math:`\Delta`.
    """
    scores, y = _check_scores(scores, y)
    margin = _validate.real(margin, "margin", low=0.0)
    rows = np.arange(len(y))
    margins = np.maximum(0.0, scores - scores[rows, y][:, None] + margin)
    margins[rows, y] = 0.0
    return margins.sum(axis=1)


def cross_entropy_losses(scores, y):
    r"""Per-example softmax cross-entropy losses (natural log), shape (N,).

    :math:`L_i = -s_{i y_i} + \log \sum_j e^{s_{ij}}`, computed with the log-sum-exp shift.
    """
    scores, y = _check_scores(scores, y)
    shift = scores.max(axis=1, keepdims=True)
    log_norm = np.log(np.exp(scores - shift).sum(axis=1)) + shift[:, 0]
    return log_norm - scores[np.arange(len(y)), y]


def svm_loss(W, X, y, reg=0.0):
    r"""Multiclass SVM loss (margin 1) and its gradient: returns ``(loss, dW)``.

    :math:`L = \frac1N \sum_i \sum_{j\ne y_i} \max(0, s_{ij} - s_{iy_i} + 1) + \lambda \sum W^2`.

    Each positive margin adds :math:`x_i` to column j of the gradient and subtracts
    it from column :math:`y_i`; at a kink we take the subgradient 0.

    W: (D, C), X: (N, D), y: (N,) ints in [0, C). dW has W's shape.
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
    # dL/ds: 1 for every active margin, minus their count at the true class.
    dscores = (margins > 0).astype(np.float64)
    dscores[rows, y] = -dscores.sum(axis=1)
    dW = X.T @ dscores / n + 2.0 * reg * W
    return float(loss), dW


def softmax_loss(W, X, y, reg=0.0):
    r"""Softmax cross-entropy loss (natural log) and its gradient: returns ``(loss, dW)``.

    :math:`L = \frac1N \sum_i \left(-s_{iy_i} + \log\sum_j e^{s_{ij}}\right) + \lambda \sum W^2`,
    and :math:`\partial L_i / \partial s_{ij} = p_{ij} - \mathbb 1[j = y_i]` with
    :math:`p_i = \operatorname{softmax}(s_i)`.

    W: (D, C), X: (N, D), y: (N,) ints in [0, C). dW has W's shape.
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
