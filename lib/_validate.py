"""Argument checks shared by the public functions of `lib`.

Every check raises ``ValueError`` naming the argument, what it got and what
was expected, so that a wrong call fails at the line that made it instead of
surfacing later as a NaN or a broadcasting error.
"""

import math
import numbers

import numpy as np


def _describe(x):
    if isinstance(x, np.ndarray):
        return f"array of shape {x.shape} and dtype {x.dtype}"
    return f"{type(x).__name__} {x!r}"


def float_array(x, name, ndim=None, shape=None):
    """Return `x` as a float64 array after checking dtype, rank, shape and finiteness.

    `shape` may contain None for "any size" in that axis.
    """
    if isinstance(x, (str, bytes)) or x is None:
        raise ValueError(f"{name} must be a numeric array, got {_describe(x)}")
    arr = np.asarray(x)
    if arr.dtype == object or not (
        np.issubdtype(arr.dtype, np.floating) or np.issubdtype(arr.dtype, np.integer)
        or arr.dtype == bool
    ):
        raise ValueError(f"{name} must be a real numeric array, got {_describe(x)}")
    arr = arr.astype(np.float64, copy=False)
    if ndim is not None and arr.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-dimensional, got shape {arr.shape}")
    if shape is not None and (
        arr.ndim != len(shape)
        or any(s is not None and s != a for s, a in zip(shape, arr.shape, strict=False))
    ):
        dims = ["any" if s is None else str(s) for s in shape]
        want = "(" + ", ".join(dims) + ("," if len(dims) == 1 else "") + ")"
        raise ValueError(f"{name} must have shape {want}, got {arr.shape}")
    if not np.all(np.isfinite(arr)):
        bad = int(np.size(arr) - np.count_nonzero(np.isfinite(arr)))
        raise ValueError(f"{name} must be finite, got {bad} NaN or infinite entries")
    return arr


def labels(y, n, n_classes, name="y"):
    """Check integer labels of length `n` in ``range(n_classes)``; return them as int64."""
    arr = np.asarray(y)
    if arr.ndim != 1 or arr.shape[0] != n:
        raise ValueError(f"{name} must have shape ({n},) to match X, got {arr.shape}")
    if arr.dtype == bool or not (
        np.issubdtype(arr.dtype, np.integer)
        or (np.issubdtype(arr.dtype, np.floating) and np.all(arr == np.round(arr)))
    ):
        raise ValueError(f"{name} must hold integer class labels, got dtype {arr.dtype}")
    arr = arr.astype(np.int64)
    if n and (arr.min() < 0 or arr.max() >= n_classes):
        raise ValueError(
            f"{name} must hold labels in [0, {n_classes - 1}], "
            f"got values from {arr.min()} to {arr.max()}"
        )
    return arr


def real(value, name, low=None, high=None, low_open=False, high_open=False):
    """Check a finite real scalar inside [low, high] (or open ends); return it as float."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be a real number, got {_describe(value)}")
    v = float(value)
    if not np.isfinite(v):
        raise ValueError(f"{name} must be finite, got {v}")
    if low is not None and (v <= low if low_open else v < low):
        raise ValueError(f"{name} must be {'>' if low_open else '>='} {low}, got {v}")
    if high is not None and (v >= high if high_open else v > high):
        raise ValueError(f"{name} must be {'<' if high_open else '<='} {high}, got {v}")
    return v


def integer(value, name, low=None):
    """Check an integer scalar (not bool) that is at least `low`; return it as int."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{name} must be an integer, got {_describe(value)}")
    v = int(value)
    if low is not None and v < low:
        raise ValueError(f"{name} must be >= {low}, got {v}")
    return v


def choice(value, name, options):
    """Check that `value` is one of `options`."""
    if value not in options:
        raise ValueError(f"{name} must be one of {sorted(options)}, got {value!r}")
    return value


def all_finite(arr):
    """True when every entry of the float array `arr` is finite; cheap enough to run per minibatch.

    A sum of squares is finite only if every entry is, so one BLAS dot product (no
    temporary array for a contiguous `arr`) settles the common case; only a non-finite
    result, which may also be an overflow of finite entries, pays for the elementwise test.
    """
    flat = arr.ravel()
    return math.isfinite(np.dot(flat, flat)) or bool(np.isfinite(arr).all())
