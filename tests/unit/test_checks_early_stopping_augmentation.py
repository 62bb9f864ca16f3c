"""The reader-answer checks of "Early stopping and data augmentation": they accept right answers,
written independently of lib, and reject the plausible wrong ones, naming the slip."""

import numpy as np
import pytest

from lib.checks import check_early_stopping, check_one_pixel_shift

# --- early stopping with patience --------------------------------------------------------------


def _patience(losses, patience):
    best, best_epoch, wait = float("inf"), 0, 0
    for epoch, v in enumerate(losses, start=1):
        if v < best:
            best, best_epoch, wait = v, epoch, 0
        else:
            wait += 1
            if wait == patience:
                return best_epoch, epoch
    return best_epoch, len(losses)


def _patience_numpy(losses, patience):
    # another right answer: the running minimum, and the first run of `patience` non-improvements
    v = np.asarray(losses, dtype=float)
    running = np.minimum.accumulate(v)
    improved = np.r_[True, v[1:] < running[:-1]]
    wait = 0
    for epoch, imp in enumerate(improved, start=1):
        wait = 0 if imp else wait + 1
        if wait == patience:
            return int(np.argmin(v[:epoch])) + 1, epoch
    return int(np.argmin(v)) + 1, len(v)


def _start_at_one(losses, patience):
    best, best_epoch, wait = 1.0, 0, 0
    for epoch, v in enumerate(losses, start=1):
        if v < best:
            best, best_epoch, wait = v, epoch, 0
        else:
            wait += 1
            if wait == patience:
                return best_epoch, epoch
    return best_epoch, len(losses)


def _ties_improve(losses, patience):
    best, best_epoch, wait = float("inf"), 0, 0
    for epoch, v in enumerate(losses, start=1):
        if v <= best:
            best, best_epoch, wait = v, epoch, 0
        else:
            wait += 1
            if wait == patience:
                return best_epoch, epoch
    return best_epoch, len(losses)


def _one_late(losses, patience):
    best, best_epoch, wait = float("inf"), 0, 0
    for epoch, v in enumerate(losses, start=1):
        if v < best:
            best, best_epoch, wait = v, epoch, 0
        else:
            wait += 1
            if wait > patience:
                return best_epoch, epoch
    return best_epoch, len(losses)


def _against_previous(losses, patience):
    best, best_epoch, wait, last = float("inf"), 0, 0, float("inf")
    for epoch, v in enumerate(losses, start=1):
        if v < last:
            wait = 0
            if v < best:
                best, best_epoch = v, epoch
        else:
            wait += 1
            if wait == patience:
                return best_epoch, epoch
        last = v
    return best_epoch, len(losses)


def _zero_based(losses, patience):
    b, s = _patience(losses, patience)
    return b - 1, s - 1


def _no_restore(losses, patience):
    _, s = _patience(losses, patience)
    return s, s


def _not_a_pair(losses, patience):
    return _patience(losses, patience)[0]


@pytest.mark.parametrize("right", [_patience, _patience_numpy])
def test_early_stopping_right_answers_pass(right, capsys):
    check_early_stopping(right)
    assert "agrees with lib.train.EarlyStopping" in capsys.readouterr().out


@pytest.mark.parametrize(("wrong", "message"), [
    (_start_at_one, "1.0"),
    (_ties_improve, "tie is not an improvement"),
    (_one_late, "one epoch late"),
    (_against_previous, "Algorithm 5-6"),
    (_zero_based, "count epochs from 1"),
    (_no_restore, "weights are restored"),
    (_not_a_pair, "pair"),
])
def test_early_stopping_wrong_answers_fail_with_their_hint(wrong, message):
    with pytest.raises(AssertionError, match=message):
        check_early_stopping(wrong)


# --- the one-pixel shift -----------------------------------------------------------------------


def _shift_slices(img, dx, dy):
    out = np.zeros_like(img, dtype=float)
    h, w = img.shape
    out[max(dy, 0):h + min(dy, 0), max(dx, 0):w + min(dx, 0)] = \
        img[max(-dy, 0):h + min(-dy, 0), max(-dx, 0):w + min(-dx, 0)]
    return out


def _shift_loops(img, dx, dy):
    out = np.zeros((8, 8))
    for r in range(8):
        for c in range(8):
            if 0 <= r - dy < 8 and 0 <= c - dx < 8:
                out[r, c] = img[r - dy, c - dx]
    return out


def _roll(img, dx, dy):
    return np.roll(np.roll(img, dy, axis=0), dx, axis=1)


def _swapped(img, dx, dy):
    return _shift_slices(img, dy, dx)


def _reversed(img, dx, dy):
    return _shift_slices(img, -dx, -dy)


def _in_place(img, dx, dy):
    img[...] = _shift_slices(img.copy(), dx, dy)
    return img


def _fill_one(img, dx, dy):
    out = _shift_slices(img, dx, dy)
    if dx or dy:
        out[out == 0] = 1.0
    return out


@pytest.mark.parametrize("right", [_shift_slices, _shift_loops])
def test_shift_right_answers_pass(right, capsys):
    check_one_pixel_shift(right)
    assert "matches lib.augment.shift" in capsys.readouterr().out


@pytest.mark.parametrize(("wrong", "message"), [
    (_roll, "np.roll wraps"),
    (_swapped, "swapped"),
    (_reversed, "reversed"),
    (_in_place, "changed img"),
    (_fill_one, "pixel"),
    (lambda img, dx, dy: img[:4], "shape"),
])
def test_shift_wrong_answers_fail_with_their_hint(wrong, message):
    with pytest.raises(AssertionError, match=message):
        check_one_pixel_shift(wrong)


def test_checks_refuse_what_is_not_callable():
    for check in (check_early_stopping, check_one_pixel_shift):
        with pytest.raises(ValueError, match="callable"):
            check(None)
