"""Data sets that ship with the book's dependencies or are generated: nothing is downloaded."""

from dataclasses import dataclass

import numpy as np

from lib import _validate


@dataclass(frozen=True)
class Splits:
    """A train/validation/test split. ``X_*``: arrays of shape (N, D); ``y_*``: int labels (N,)."""

    X_train: np.ndarray
    y_train: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    mean: np.ndarray
    std: np.ndarray
    n_classes: int

    @property
    def train(self):
        return self.X_train, self.y_train

    @property
    def val(self):
        return self.X_val, self.y_val

    @property
    def test(self):
        return self.X_test, self.y_test

    def __repr__(self):
        return (
            f"Splits(train={self.X_train.shape}, val={self.X_val.shape}, "
            f"test={self.X_test.shape}, n_classes={self.n_classes})"
        )


def load_digits(seed=0, n_val=300, n_test=300, standardize=True):
    """scikit-learn's bundled 8x8 digits (1797 images, 10 classes), split and standardized.

    The images are shuffled with `seed`, split into train/validation/test, and every
    feature is standardized with the *training* mean and standard deviation, so no
    statistic of the held-out sets leaks into training. Pixels that are constant on
    the training set (always blank corners) get a standard deviation of 1.

    With ``standardize=False`` the same split holds the raw pixel values, integers
    0-16; `mean` and `std` are still the training statistics (computed, not applied),
    so that ``(X_train - mean) / std`` is the standardized split, to the bit.
    """
    from sklearn.datasets import load_digits as _sklearn_digits

    seed = _validate.integer(seed, "seed", low=0)
    n_val = _validate.integer(n_val, "n_val", low=1)
    n_test = _validate.integer(n_test, "n_test", low=1)
    if not isinstance(standardize, (bool, np.bool_)):
        raise ValueError(
            f"standardize must be True or False, got {_validate._describe(standardize)}"
        )
    digits = _sklearn_digits()
    X = digits.data.astype(np.float64)
    y = digits.target.astype(np.int64)
    if n_val + n_test >= len(y):
        raise ValueError(
            f"n_val + n_test must leave training examples out of {len(y)}, "
            f"got {n_val} + {n_test}"
        )
    order = np.random.default_rng(seed).permutation(len(y))
    X, y = X[order], y[order]
    n_train = len(y) - n_val - n_test
    X_train, X_val, X_test = np.split(X, [n_train, n_train + n_val])
    y_train, y_val, y_test = np.split(y, [n_train, n_train + n_val])
    mean = X_train.mean(axis=0)
    std = X_train.std(axis=0)
    std[std == 0] = 1.0

    def transform(A):
        return (A - mean) / std if standardize else A

    return Splits(
        transform(X_train), y_train, transform(X_val), y_val,
        transform(X_test), y_test, mean, std, 10,
    )


def add_bias_column(X):
    """Append a column of ones to X (N, D) -> (N, D + 1): the "bias trick".

    With it, a linear score ``X @ W`` with W of shape (D + 1, C) carries its bias
    in W's last row, so the losses need only one parameter array.
    """
    X = _validate.float_array(X, "X", ndim=2)
    return np.hstack([X, np.ones((X.shape[0], 1))])


def make_spiral(n_per_class=100, n_classes=3, seed=0, noise=0.2):
    """Interleaved 2-D spirals, one arm per class: X (n_per_class * n_classes, 2), y int labels.

    No linear classifier separates the arms, which makes the set a small test of
    whether a model (and its optimizer) can fit a non-linear boundary.
    """
    n_per_class = _validate.integer(n_per_class, "n_per_class", low=1)
    n_classes = _validate.integer(n_classes, "n_classes", low=2)
    seed = _validate.integer(seed, "seed", low=0)
    noise = _validate.real(noise, "noise", low=0.0)
    rng = np.random.default_rng(seed)
    radius = np.tile(np.linspace(0.0, 1.0, n_per_class), n_classes)
    arm = np.repeat(np.arange(n_classes), n_per_class)
    # Each arm winds through 4 radians; arms start 2*pi/n_classes apart.
    angle = (
        np.tile(np.linspace(0.0, 4.0, n_per_class), n_classes)
        + arm * (2 * np.pi / n_classes)
        + rng.normal(scale=noise, size=arm.size)
    )
    X = np.column_stack([radius * np.sin(angle), radius * np.cos(angle)])
    return X, arm.astype(np.int64)
