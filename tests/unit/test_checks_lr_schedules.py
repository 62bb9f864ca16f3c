"""The learning-rate schedules chapter's reader checks: correct answers pass, wrong ones fail."""

import math

import pytest

from lib import checks


def multistep(lr0, milestones, gamma, steps_per_epoch):
    def lr(t):
        passed = sum(t >= m * steps_per_epoch for m in milestones)
        return lr0 * gamma**passed
    return lr


def multistep_strict(lr0, milestones, gamma, steps_per_epoch):
    # '>' instead of '>=': the milestone epoch still runs at the old rate for one update
    def lr(t):
        passed = sum(t > m * steps_per_epoch for m in milestones)
        return lr0 * gamma**passed
    return lr


def multistep_in_updates(lr0, milestones, gamma, steps_per_epoch):
    # milestones taken as update counts: the classic 'scheduler stepped every batch' bug
    def lr(t):
        return lr0 * gamma ** sum(t >= m for m in milestones)
    return lr


def multistep_regular_forever(lr0, milestones, gamma, steps_per_epoch):
    # keeps dividing after the last milestone, like step_decay without an end
    step = milestones[0] * steps_per_epoch
    return lambda t: lr0 * gamma ** (t // step)


def warmup_cosine(lr0, warmup_steps, total_steps, lr_min=0.0):
    def lr(t):
        if t < warmup_steps:
            return lr0 * (t + 1) / warmup_steps
        frac = min(t - warmup_steps, total_steps - warmup_steps) / (total_steps - warmup_steps)
        return lr_min + (lr0 - lr_min) * (1 + math.cos(math.pi * frac)) / 2
    return lr


def warmup_from_zero(lr0, warmup_steps, total_steps, lr_min=0.0):
    # t / W: the first update does not move, and the ramp reaches lr0 one update late
    inner = warmup_cosine(lr0, warmup_steps, total_steps, lr_min)
    return lambda t: lr0 * t / warmup_steps if t < warmup_steps else inner(t)


def cosine_not_shifted(lr0, warmup_steps, total_steps, lr_min=0.0):
    # the cosine runs on t instead of t - W
    def lr(t):
        if t < warmup_steps:
            return lr0 * (t + 1) / warmup_steps
        frac = min(t, total_steps) / total_steps
        return lr_min + (lr0 - lr_min) * (1 + math.cos(math.pi * frac)) / 2
    return lr


def cosine_rises_again(lr0, warmup_steps, total_steps, lr_min=0.0):
    # no clamp past total_steps: the printed cosine formula comes back up
    def lr(t):
        if t < warmup_steps:
            return lr0 * (t + 1) / warmup_steps
        frac = (t - warmup_steps) / (total_steps - warmup_steps)
        return lr_min + (lr0 - lr_min) * (1 + math.cos(math.pi * frac)) / 2
    return lr


def test_multistep_accepts_correct(capsys):
    checks.check_schedule_multistep(multistep)
    assert "matches" in capsys.readouterr().out


@pytest.mark.parametrize(("wrong", "message"), [
    (multistep_strict, ">="),
    (multistep_in_updates, "expected"),
    (multistep_regular_forever, "expected"),
])
def test_multistep_rejects_wrong(wrong, message):
    with pytest.raises(AssertionError, match=message):
        checks.check_schedule_multistep(wrong)


def test_multistep_rejects_non_schedule():
    with pytest.raises(AssertionError, match="schedule"):
        checks.check_schedule_multistep(lambda lr0, m, g, s: lr0)


def test_warmup_cosine_accepts_correct(capsys):
    checks.check_schedule_warmup_cosine(warmup_cosine)
    assert "matches lib" in capsys.readouterr().out


@pytest.mark.parametrize(("wrong", "message"), [
    (warmup_from_zero, "first update"),
    (cosine_not_shifted, "t - W"),
    (cosine_rises_again, "stay at lr_min"),
])
def test_warmup_cosine_rejects_wrong(wrong, message):
    with pytest.raises(AssertionError, match=message):
        checks.check_schedule_warmup_cosine(wrong)


@pytest.mark.parametrize("check", [checks.check_schedule_multistep,
                                   checks.check_schedule_warmup_cosine])
def test_not_callable(check):
    with pytest.raises(ValueError, match="callable"):
        check("not a function")
