r"""Data augmentation for the 8x8 digits: one-pixel shifts, small rotations, Gaussian noise.

Images are rows of X, shape (N, 64): row-major 8x8 images, ``X[i].reshape(8, 8)``, with
row 0 at the top as ``plt.imshow`` draws it. The functions expect the **raw grey levels**
that scikit-learn ships (0 = background to 16 = ink, see `GREY_MAX`): a shift or a rotation
fills the pixels it uncovers with ``fill`` (0, the background), and that is the background
only for raw images. A standardized image (`lib.data.load_digits`) has a different
background value in every pixel, :math:`-\bar x_j/\sigma_j`; `augment` therefore takes the
standardization's ``mean`` and ``std`` and undoes it, augments, and standardizes again.

Every function returns a new float64 array and never modifies its input. The random ones
take ``seed``: an int, or a ``np.random.Generator`` to draw from (which then advances).

Augment the training split only, after the split: an augmented copy of a validation or test
image is a near-duplicate of an image the model was trained on::

    splits = load_digits(seed=0)
    X_aug, y_aug = augment(splits.X_train, splits.y_train, copies=2, max_shift=1,
                           max_angle=10.0, seed=0, mean=splits.mean, std=splits.std)

or, from the raw split, ``raw = load_digits(seed=0, standardize=False)``, augment
``raw.X_train`` and standardize the result with ``raw.mean`` and ``raw.std``.

Beware that ``mean`` and ``std`` are per-pixel statistics of the *unaugmented* images. A
shift or rotation moves ink into border pixels that those images almost never use, whose
``std`` is tiny (0.03 grey levels for the least-used pixel of ``load_digits(seed=0)``): the
copies in the example above reach standardized inputs of several hundred, against about 35
for the originals. Check the range of the augmented inputs, or standardize with one mean and
one standard deviation for all pixels (``raw.X_train.mean()``, ``raw.X_train.std()``).

A transformation must keep the label: small shifts and rotations do, a half turn does not
(a rotated 6 is a 9), hence the bound of `augment`'s ``max_angle``.
"""

import numbers

import numpy as np
from scipy import ndimage, special

from lib import _validate

SIDE = 8  # the digits are SIDE x SIDE images
GREY_MAX = 16.0  # the largest grey level of scikit-learn's digits (0 is the background)


def _images(X, name="X"):
    X = _validate.float_array(X, name, shape=(None, SIDE * SIDE))
    return X.reshape(-1, SIDE, SIDE)


def _rng(seed):
    if isinstance(seed, np.random.Generator):
        return seed
    return np.random.default_rng(_validate.integer(seed, "seed", low=0))


def _offsets(d, n, name):
    """An integer shift, or one per image, as an int64 array of shape (n,), |d| <= SIDE - 1."""
    if isinstance(d, numbers.Integral) and not isinstance(d, bool):
        d = np.full(n, int(d), dtype=np.int64)
    else:
        arr = np.asarray(d)
        if arr.dtype == bool or not np.issubdtype(arr.dtype, np.integer) or arr.shape != (n,):
            raise ValueError(
                f"{name} must be an integer or an integer array of shape ({n},), "
                f"got {_validate._describe(d)}"
            )
        d = arr.astype(np.int64)
    if d.size and np.abs(d).max() > SIDE - 1:
        raise ValueError(
            f"{name} must be in [-{SIDE - 1}, {SIDE - 1}] (a shift by {SIDE} leaves a blank "
            f"image), got {d[np.argmax(np.abs(d))]}"
        )
    return d


def shift(X, dx=0, dy=0, fill=0.0):
    r"""Each image moved by whole pixels: dx columns to the right, dy rows down.

    X: (N, 64) raw images; dx, dy: ints in [-7, 7] (negative: left, up), or int arrays of
    shape (N,), one shift per image; fill: the value of the uncovered pixels (0, the
    background of raw images). Returns a new (N, 64) array with

    ``out[row, col] = img[row - dy, col - dx]`` where that pixel exists, else fill.

    Pixels pushed over the border are lost, so shifting back restores an image only if the
    rows and columns it pushed out were blank.
    """
    imgs = _images(X)
    n = imgs.shape[0]
    dx = _offsets(dx, n, "dx")
    dy = _offsets(dy, n, "dy")
    fill = _validate.real(fill, "fill")
    m = SIDE - 1
    padded = np.pad(imgs, ((0, 0), (m, m), (m, m)), constant_values=fill)
    grid = np.arange(SIDE)
    rows = grid[None, :] - dy[:, None] + m  # (N, 8): the source row of each output row
    cols = grid[None, :] - dx[:, None] + m
    out = padded[np.arange(n)[:, None, None], rows[:, :, None], cols[:, None, :]]
    return out.reshape(n, SIDE * SIDE)


def random_shift(X, max_shift=1, seed=0, fill=0.0):
    """`shift` with dx and dy drawn independently and uniformly from the integers in
    [-max_shift, max_shift] for each image (so (0, 0), no shift, is one of the draws).

    X: (N, 64) raw images; max_shift: int in [0, 7]; seed: int or Generator. Returns (N, 64).
    """
    imgs = _images(X)
    max_shift = _validate.integer(max_shift, "max_shift", low=0)
    if max_shift > SIDE - 1:
        raise ValueError(f"max_shift must be <= {SIDE - 1}, got {max_shift}")
    rng = _rng(seed)
    d = rng.integers(-max_shift, max_shift + 1, size=(2, imgs.shape[0]))
    return shift(X, d[0], d[1], fill)


def _angles(angle, n):
    if isinstance(angle, numbers.Real) and not isinstance(angle, bool):
        return np.full(n, _validate.real(angle, "angle"))
    return _validate.float_array(angle, "angle", shape=(n,))


def rotate(X, angle, fill=0.0):
    r"""Each image rotated about its center by `angle` degrees, bilinear interpolation.

    X: (N, 64) raw images; angle: degrees, a number or an array of shape (N,), one per image;
    fill: the value of the pixels uncovered at the corners (0, the background). Returns a
    new (N, 64) array.

    Direction: a positive angle turns the image counter-clockwise as ``plt.imshow`` draws it
    (row 0 at the top), the convention of ``scipy.ndimage.rotate`` and ``np.rot90``:
    ``rotate(X, 90)`` is ``np.rot90`` of every image. Output pixel (row, col) takes the input
    at, with :math:`\psi` the angle,

    .. math:: \begin{pmatrix} \text{row}' \\ \text{col}' \end{pmatrix}
              = \begin{pmatrix} 3.5 \\ 3.5 \end{pmatrix}
              + \begin{pmatrix} \cos\psi & \sin\psi \\ -\sin\psi & \cos\psi \end{pmatrix}
              \begin{pmatrix} \text{row} - 3.5 \\ \text{col} - 3.5 \end{pmatrix},

    interpolated linearly between its four neighbours, the image being extended by `fill`
    beyond its border (``scipy.ndimage.map_coordinates``, order 1, mode "grid-constant", on
    the whole stack at once: the same values as ``scipy.ndimage.rotate(img, angle,
    reshape=False, order=1, mode="grid-constant", cval=fill)`` image by image; the default
    mode "constant" would set a pixel whose source falls a rounding error outside the
    border to `fill` outright). Linear interpolation never leaves the range of its inputs
    and `fill`, so raw images stay in [0, 16]; it also blurs a little, so rotating by a and
    then by -a is not the identity (except for multiples of 90).
    """
    imgs = _images(X)
    n = imgs.shape[0]
    phi = _angles(angle, n)[:, None, None]
    fill = _validate.real(fill, "fill")
    center = (SIDE - 1) / 2
    r, c = np.meshgrid(np.arange(SIDE) - center, np.arange(SIDE) - center, indexing="ij")
    cos, sin = special.cosdg(phi), special.sindg(phi)  # exact at multiples of 90 degrees
    coords = np.empty((3, n, SIDE, SIDE))
    coords[0] = np.arange(n)[:, None, None]  # whole image indices: no mixing between images
    coords[1] = center + cos * r + sin * c
    coords[2] = center - sin * r + cos * c
    out = ndimage.map_coordinates(imgs, coords, order=1, mode="grid-constant", cval=fill)
    return out.reshape(n, SIDE * SIDE)


def random_rotation(X, max_angle=15.0, seed=0, fill=0.0):
    """`rotate` each image by an angle drawn uniformly from [-max_angle, max_angle] degrees.

    X: (N, 64) raw images; max_angle: degrees in [0, 180]; seed: int or Generator.
    Returns (N, 64).
    """
    imgs = _images(X)
    max_angle = _validate.real(max_angle, "max_angle", low=0.0, high=180.0)
    rng = _rng(seed)
    return rotate(X, rng.uniform(-max_angle, max_angle, size=imgs.shape[0]), fill)


def _clip(clip):
    if clip is None:
        return None
    try:
        low, high = clip
    except (TypeError, ValueError):
        raise ValueError(
            f"clip must be None or a pair (low, high), got {_validate._describe(clip)}"
        ) from None
    low = _validate.real(low, "clip[0]")
    high = _validate.real(high, "clip[1]")
    if low >= high:
        raise ValueError(f"clip must have low < high, got ({low}, {high})")
    return low, high


def add_noise(X, std, seed=0, clip=None):
    r"""Gaussian noise injection: :math:`x' = x + \zeta`, :math:`\zeta_j \sim \mathcal N(0,
    \sigma_{\text{noise}}^2)` independent for every pixel of every image.

    X: (N, 64) images (or any 2-D array); std: :math:`\sigma_{\text{noise}} \ge 0`, in the
    units of X (grey levels for raw images); seed: int or Generator; clip: None, or
    (low, high) to clip the result into, e.g. ``(0, GREY_MAX)`` to keep raw images valid
    (clipping makes the noise's mean positive near 0 and negative near 16). Returns a new
    array of X's shape.
    """
    X = _validate.float_array(X, "X", ndim=2)
    std = _validate.real(std, "std", low=0.0)
    clip = _clip(clip)
    rng = _rng(seed)
    out = X + rng.normal(0.0, std, size=X.shape) if std > 0 else X.copy()
    if clip is not None:
        np.clip(out, clip[0], clip[1], out=out)
    return out


def augment(X, y, copies=1, max_shift=1, max_angle=0.0, noise_std=0.0, seed=0,
            keep_original=True, clip=(0.0, GREY_MAX), mean=None, std=None):
    """An augmented training set: the images and `copies` transformed copies, labels carried.

    X: (N, 64) raw images, or images standardized with `mean` and `std` (both (64,), e.g.
    ``splits.mean``, ``splits.std`` of `lib.data.load_digits`), which are then undone before
    and redone after the transformations (per-pixel statistics blow up shifted ink: see the
    module docstring); y: labels (N,), any dtype, copied along.
    Each copy applies, to every image, in this order and each only if its setting is > 0:
    `random_shift` (max_shift, int in [0, 7]), `random_rotation` (max_angle, degrees in
    [0, 45]: a larger turn can change the digit), `add_noise` (noise_std, grey levels,
    clipped to `clip`). seed: int or Generator, the one source of all the draws.

    Returns ``(X_aug, y_aug)``: X_aug ((copies + 1) * N, 64) with the originals first when
    keep_original (else copies * N rows), then copy 1 of every image, then copy 2, ...;
    y_aug is y repeated in the same order, ``np.tile(y, copies + 1)``.
    """
    X = _validate.float_array(X, "X", shape=(None, SIDE * SIDE))
    n = X.shape[0]
    y = np.asarray(y)
    if y.shape != (n,):
        raise ValueError(f"y must have shape ({n},) to match X, got {y.shape}")
    copies = _validate.integer(copies, "copies", low=1)
    max_shift = _validate.integer(max_shift, "max_shift", low=0)
    max_angle = _validate.real(max_angle, "max_angle", low=0.0, high=45.0)
    noise_std = _validate.real(noise_std, "noise_std", low=0.0)
    if max_shift == 0 and max_angle == 0 and noise_std == 0:
        raise ValueError(
            "augment needs at least one of max_shift, max_angle, noise_std > 0, got all 0 "
            "(the copies would be duplicates)"
        )
    clip = _clip(clip)
    if (mean is None) != (std is None):
        raise ValueError("mean and std must be given together, got only one of them")
    if mean is not None:
        mean = _validate.float_array(mean, "mean", shape=(SIDE * SIDE,))
        std = _validate.float_array(std, "std", shape=(SIDE * SIDE,))
        if np.any(std <= 0):
            raise ValueError(f"std must be > 0 everywhere, got a minimum of {std.min()}")
        raw = X * std + mean
    else:
        raw = X
    if n and (raw.min() < -1e-6 or raw.max() > GREY_MAX + 1e-6):
        where = "after undoing mean and std" if mean is not None else \
            "(pass mean and std for standardized images)"
        raise ValueError(
            f"X must hold raw grey levels in [0, {GREY_MAX:g}] {where}, got values from "
            f"{raw.min():.3g} to {raw.max():.3g}"
        )
    rng = _rng(seed)
    parts = [raw] if keep_original else []
    for _ in range(copies):
        out = raw
        if max_shift:
            out = random_shift(out, max_shift, rng)
        if max_angle:
            out = random_rotation(out, max_angle, rng)
        if noise_std:
            out = add_noise(out, noise_std, rng, clip)
        parts.append(out)
    X_aug = np.concatenate(parts)
    if mean is not None:
        X_aug = (X_aug - mean) / std
        if keep_original:
            X_aug[:n] = X  # exactly as given, without the rounding of the round trip
    return X_aug, np.tile(y, len(parts))
