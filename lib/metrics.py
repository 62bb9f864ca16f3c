"""Measures of how well a model's scores match the labels."""

import numpy as np

from lib import _validate


def accuracy(scores, y):
    """Fraction of rows of scores (N, C) whose largest score is at the true label y (N,)."""
    scores = _validate.float_array(scores, "scores", ndim=2)
    y = _validate.labels(y, scores.shape[0], scores.shape[1])
    return float(np.mean(np.argmax(scores, axis=1) == y))
