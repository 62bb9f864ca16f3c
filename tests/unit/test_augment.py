"""lib.augment: shifts against scipy.ndimage.shift, rotations against scipy.ndimage.rotate and
np.rot90, the noise's statistics, seeding, the input left alone, and augment's bookkeeping."""

import numpy as np
import pytest
from scipy import ndimage, stats
from sklearn.datasets import load_digits as sklearn_digits

from lib.augment import (
    GREY_MAX,
    add_noise,
    augment,
    random_rotation,
    random_shift,
    rotate,
    shift,
)
from lib.data import load_digits

DIGITS = sklearn_digits()
X_RAW = DIGITS.data.astype(np.float64)  # (1797, 64), grey levels 0..16
Y = DIGITS.target


def _blank_border(X):
    """The images with their outer rows and columns set to 0 (no digit has blank top and
    bottom rows: the digits are drawn from the top row to the bottom one)."""
    imgs = X.reshape(-1, 8, 8).copy()
    imgs[:, [0, -1], :] = 0.0
    imgs[:, :, [0, -1]] = 0.0
    return imgs.reshape(-1, 64)


def test_vertical_shifts_lose_ink_and_horizontal_ones_mostly_do_not():
    imgs = X_RAW.reshape(-1, 8, 8)
    assert np.all(imgs[:, 0].sum(axis=1) > 0)  # every digit has ink in its top row
    lost_down = X_RAW.sum(axis=1) - shift(X_RAW, dy=1).sum(axis=1)
    lost_right = X_RAW.sum(axis=1) - shift(X_RAW, dx=1).sum(axis=1)
    assert np.all(lost_down > 0)
    assert np.mean(lost_right > 0) < 0.2


@pytest.mark.parametrize(("dx", "dy"), [(1, 0), (-1, 0), (0, 1), (0, -1), (1, -1), (-1, 1)])
def test_shift_by_one_and_back_is_the_identity_on_a_blank_border(dx, dy):
    X = _blank_border(X_RAW)
    moved = shift(X, dx, dy)
    assert not np.array_equal(moved, X)
    np.testing.assert_array_equal(shift(moved, -dx, -dy), X)


@pytest.mark.parametrize(("dx", "dy"), [(1, 0), (0, -1), (2, 3), (-7, 1)])
@pytest.mark.parametrize("fill", [0.0, 5.0])
def test_shift_against_scipy_ndimage(dx, dy, fill):
    X = X_RAW[:50]
    ref = np.stack([
        ndimage.shift(img.reshape(8, 8), (dy, dx), order=0, mode="constant", cval=fill).ravel()
        for img in X
    ])
    np.testing.assert_array_equal(shift(X, dx, dy, fill=fill), ref)


def test_shift_direction_and_per_image_offsets():
    img = np.zeros((1, 64))
    img[0, 3 * 8 + 4] = 1.0  # row 3, column 4
    right = shift(img, dx=1).reshape(8, 8)
    down = shift(img, dy=1).reshape(8, 8)
    assert right[3, 5] == 1.0
    assert down[4, 4] == 1.0
    X = X_RAW[:5]
    dx, dy = np.array([1, -1, 0, 2, 0]), np.array([0, 1, -1, 0, 0])
    out = shift(X, dx, dy)
    for i in range(5):
        np.testing.assert_array_equal(out[i], shift(X[i:i + 1], int(dx[i]), int(dy[i]))[0])
    np.testing.assert_array_equal(out[4], X[4])


def test_random_shift_draws_every_offset_and_keeps_the_pixels():
    X = np.repeat(_blank_border(X_RAW)[:1], 900, axis=0)
    out = random_shift(X, max_shift=1, seed=0)
    # Every output is one of the 9 shifts of the image, and all 9 occur about equally often.
    candidates = np.stack([shift(X[:1], dx, dy)[0] for dx in (-1, 0, 1) for dy in (-1, 0, 1)])
    which = np.argmax(np.all(out[:, None, :] == candidates[None], axis=2), axis=1)
    assert np.all(np.any(np.all(out[:, None, :] == candidates[None], axis=2), axis=1))
    counts = np.bincount(which, minlength=9)
    assert stats.chisquare(counts).pvalue > 1e-3
    np.testing.assert_allclose(out.sum(axis=1), X.sum(axis=1))  # blank border: nothing lost


def test_rotate_by_zero_is_the_identity():
    np.testing.assert_allclose(rotate(X_RAW, 0.0), X_RAW, atol=1e-12)


@pytest.mark.parametrize(("angle", "k"), [(90, 1), (-90, -1), (180, 2), (270, 3)])
def test_rotate_by_quarter_turns_is_rot90_counter_clockwise(angle, k):
    X = X_RAW[:100]
    ref = np.stack([np.rot90(img.reshape(8, 8), k).ravel() for img in X])
    np.testing.assert_allclose(rotate(X, angle), ref, atol=1e-12)


def test_rotate_counter_clockwise_as_drawn():
    img = np.zeros((1, 64))
    img[0, 0 * 8 + 7] = 1.0  # top-right corner
    np.testing.assert_allclose(rotate(img, 90).reshape(8, 8)[0, 0], 1.0)  # goes top-left


def test_rotate_matches_scipy_ndimage_rotate_image_by_image():
    rng = np.random.default_rng(0)
    X = X_RAW[:40]
    angles = rng.uniform(-30, 30, size=40)
    out = rotate(X, angles, fill=2.0)
    ref = np.stack([
        ndimage.rotate(img.reshape(8, 8), a, reshape=False, order=1, mode="grid-constant",
                       cval=2.0).ravel()
        for img, a in zip(X, angles, strict=True)
    ])
    np.testing.assert_allclose(out, ref, atol=1e-12)


def test_random_rotation_stays_in_range_and_is_bounded():
    out = random_rotation(X_RAW, max_angle=15.0, seed=1)
    assert out.min() >= 0.0
    assert out.max() <= GREY_MAX
    assert not np.allclose(out, X_RAW)
    # Small angles move images less than a quarter turn does.
    assert np.abs(out - X_RAW).mean() < np.abs(rotate(X_RAW, 90) - X_RAW).mean() / 2
    np.testing.assert_allclose(random_rotation(X_RAW[:10], max_angle=0.0), X_RAW[:10], atol=1e-12)


def test_noise_statistics():
    X = np.full((2000, 64), 8.0)
    sigma = 1.5
    noise = add_noise(X, sigma, seed=0) - X
    n = noise.size
    assert abs(noise.mean()) < 4 * sigma / np.sqrt(n)
    assert noise.std() == pytest.approx(sigma, rel=0.01)
    assert stats.kstest(noise.ravel() / sigma, "norm").pvalue > 1e-3
    # Independent pixels: neighbouring entries are uncorrelated.
    assert abs(np.corrcoef(noise[:, 0], noise[:, 1])[0, 1]) < 4 / np.sqrt(2000)


def test_noise_clipped_to_the_valid_range():
    out = add_noise(X_RAW, 3.0, seed=0, clip=(0.0, GREY_MAX))
    assert out.min() == 0.0
    assert out.max() == GREY_MAX
    np.testing.assert_array_equal(add_noise(X_RAW[:5], 0.0), X_RAW[:5])


@pytest.mark.parametrize(
    "fn",
    [
        lambda X, s: random_shift(X, 1, seed=s),
        lambda X, s: random_rotation(X, 10.0, seed=s),
        lambda X, s: add_noise(X, 1.0, seed=s),
        lambda X, s: augment(X, Y[:200], copies=2, max_angle=10.0, noise_std=0.5, seed=s)[0],
    ],
)
def test_seeded_deterministic_and_input_untouched(fn):
    X = X_RAW[:200].copy()
    before = X.copy()
    a, b, c = fn(X, 3), fn(X, 3), fn(X, 4)
    np.testing.assert_array_equal(X, before)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    assert not np.shares_memory(a, X)
    assert a.dtype == np.float64
    # A Generator is drawn from and advances: two calls on the same one differ.
    rng = np.random.default_rng(3)
    first, second = fn(X, rng), fn(X, rng)
    np.testing.assert_array_equal(first, a)
    assert not np.array_equal(first, second)


def test_deterministic_transformations_leave_input_untouched():
    X = X_RAW[:20].copy()
    before = X.copy()
    for out in (shift(X, 1, 1), rotate(X, 10.0), shift(X, 0, 0), rotate(X, 0.0)):
        assert not np.shares_memory(out, X)
    np.testing.assert_array_equal(X, before)


def test_augment_carries_labels_and_keeps_originals_first():
    X, y = X_RAW[:30], Y[:30]
    X_aug, y_aug = augment(X, y, copies=3, max_shift=1, seed=0)
    assert X_aug.shape == (120, 64)
    np.testing.assert_array_equal(y_aug, np.tile(y, 4))
    np.testing.assert_array_equal(X_aug[:30], X)
    # With shifts only, every copy of image i is one of the 9 shifts of image i.
    shifts = np.stack([shift(X, dx, dy) for dx in (-1, 0, 1) for dy in (-1, 0, 1)])  # (9, 30, 64)
    for copy in range(1, 4):
        block = X_aug[30 * copy:30 * (copy + 1)]
        assert np.all(np.any(np.all(shifts == block[None], axis=2), axis=0))
    X_only, y_only = augment(X, y, copies=2, max_shift=1, seed=0, keep_original=False)
    np.testing.assert_array_equal(X_only, X_aug[30:90])
    np.testing.assert_array_equal(y_only, np.tile(y, 2))


def test_augment_standardized_images_through_mean_and_std():
    splits = load_digits(seed=0)
    X, y = splits.X_train[:100], splits.y_train[:100]
    kw = {"copies": 2, "max_shift": 1, "max_angle": 10.0, "noise_std": 0.5, "seed": 5}
    X_aug, y_aug = augment(X, y, mean=splits.mean, std=splits.std, **kw)
    raw = X * splits.std + splits.mean
    raw_aug, _ = augment(np.clip(raw, 0, GREY_MAX), y, **kw)
    np.testing.assert_allclose(X_aug, (raw_aug - splits.mean) / splits.std, atol=1e-9)
    np.testing.assert_array_equal(X_aug[:100], X)
    np.testing.assert_array_equal(y_aug, np.tile(y, 3))
    # An uncovered pixel gets the raw background 0, standardized -mean/std, not 0: copies
    # of digits moved down have that value in their top row, which holds ink in every digit.
    background = -splits.mean[1:7] / splits.std[1:7]  # pixels 0 and 7 are always blank
    assert np.all(background < -0.1)
    shifted, _ = augment(X, y, copies=2, max_shift=1, seed=0, mean=splits.mean, std=splits.std)
    moved_down = np.all(np.isclose(shifted[100:, 1:7], background), axis=1)
    assert moved_down.sum() > 10
    with pytest.raises(ValueError, match=r"pass mean and std for standardized images"):
        augment(X, y, **kw)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: shift(np.zeros((3, 63)), 1, 0), r"X must have shape \(any, 64\), got \(3, 63\)"),
        (lambda: shift(np.zeros(64), 1, 0), r"X must have shape \(any, 64\)"),
        (lambda: shift(X_RAW[:3], 8, 0), r"dx must be in \[-7, 7\].*got 8"),
        (lambda: shift(X_RAW[:3], 0, np.array([1, 2])), r"dy must be an integer or an integer"),
        (lambda: shift(X_RAW[:3], 0.5, 0), r"dx must be an integer"),
        (lambda: shift(X_RAW[:3], 1, 0, fill=np.nan), r"fill must be finite"),
        (lambda: random_shift(X_RAW[:3], -1), r"max_shift must be >= 0, got -1"),
        (lambda: random_shift(X_RAW[:3], 8), r"max_shift must be <= 7, got 8"),
        (lambda: random_shift(X_RAW[:3], 1, seed=-1), r"seed must be >= 0"),
        (lambda: random_shift(X_RAW[:3], 1, seed=1.5), r"seed must be an integer"),
        (lambda: rotate(X_RAW[:3], np.ones(2)), r"angle must have shape \(3,\), got \(2,\)"),
        (lambda: rotate(X_RAW[:3], np.inf), r"angle must be finite"),
        (lambda: random_rotation(X_RAW[:3], -5.0), r"max_angle must be >= 0.0"),
        (lambda: random_rotation(X_RAW[:3], 200.0), r"max_angle must be <= 180.0"),
        (lambda: add_noise(X_RAW[:3], -1.0), r"std must be >= 0.0, got -1.0"),
        (lambda: add_noise(X_RAW[:3], 1.0, clip=(16, 0)), r"clip must have low < high"),
        (lambda: add_noise(X_RAW[:3], 1.0, clip=3.0), r"clip must be None or a pair"),
        (lambda: add_noise(np.full((2, 64), np.nan), 1.0), r"X must be finite, got 128"),
        (lambda: augment(X_RAW[:3], Y[:2]), r"y must have shape \(3,\) to match X, got \(2,\)"),
        (lambda: augment(X_RAW[:3], Y[:3], copies=0), r"copies must be >= 1, got 0"),
        (lambda: augment(X_RAW[:3], Y[:3], max_angle=90.0), r"max_angle must be <= 45.0"),
        (lambda: augment(X_RAW[:3], Y[:3], max_shift=0), r"at least one of max_shift"),
        (lambda: augment(X_RAW[:3], Y[:3], noise_std=-1.0), r"noise_std must be >= 0.0"),
        (lambda: augment(X_RAW[:3], Y[:3], mean=np.zeros(64)), r"mean and std must be given"),
        (lambda: augment(X_RAW[:3], Y[:3], mean=np.zeros(64), std=np.zeros(64)),
         r"std must be > 0 everywhere"),
        (lambda: augment(X_RAW[:3], Y[:3], mean=np.zeros(63), std=np.ones(63)),
         r"mean must have shape \(64,\), got \(63,\)"),
        (lambda: augment(X_RAW[:3] * 2, Y[:3]), r"raw grey levels in \[0, 16\]"),
        (lambda: augment(X_RAW[:3], Y[:3], mean=np.full(64, 1.0), std=np.ones(64)),
         r"after undoing mean and std"),
    ],
)
def test_bad_input_raises(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_augment_of_the_raw_split_matches_the_standardized_route():
    raw = load_digits(seed=0, standardize=False)
    std_split = load_digits(seed=0)
    kw = {"copies": 1, "max_shift": 1, "max_angle": 10.0, "seed": 2}
    from_raw, _ = augment(raw.X_train, raw.y_train, **kw)
    from_std, _ = augment(std_split.X_train, std_split.y_train, mean=std_split.mean,
                          std=std_split.std, **kw)
    np.testing.assert_allclose((from_raw - raw.mean) / raw.std, from_std, atol=1e-9)
