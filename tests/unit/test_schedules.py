"""lib.schedules: the formulas at several t, the flat tail past T, warmup, argument checks."""

import math

import numpy as np
import pytest

from lib.optim import SGD
from lib.schedules import (
    cosine_decay,
    exponential_decay,
    inverse_sqrt_decay,
    inverse_time_decay,
    linear_decay,
    linear_warmup,
    step_decay,
)


@pytest.mark.parametrize(
    ("schedule", "expected"),
    [
        (step_decay(0.1, 3, 0.5), {0: 0.1, 2: 0.1, 3: 0.05, 5: 0.05, 6: 0.025, 10: 0.0125}),
        (exponential_decay(0.1, 0.5), {0: 0.1, 1: 0.1 * math.exp(-0.5), 4: 0.1 * math.exp(-2)}),
        (inverse_time_decay(0.1, 0.5), {0: 0.1, 1: 0.1 / 1.5, 4: 0.1 / 3}),
        (inverse_sqrt_decay(0.1), {0: 0.1, 3: 0.05, 8: 0.1 / 3}),
        # lr_min + (lr0 - lr_min)(1 + cos(pi t / T)) / 2 with T = 4: cos(pi/4), cos(pi/2), cos(pi)
        (cosine_decay(0.1, 4), {0: 0.1, 1: 0.05 * (1 + math.sqrt(0.5)), 2: 0.05, 4: 0.0}),
        (
            cosine_decay(0.1, 4, lr_min=0.02),
            {0: 0.1, 2: 0.06, 3: 0.02 + 0.04 * (1 - math.sqrt(0.5)), 4: 0.02},
        ),
        (linear_decay(0.1, 4), {0: 0.1, 1: 0.075, 2: 0.05, 3: 0.025, 4: 0.0}),
    ],
    ids=["step", "exponential", "inverse-time", "inverse-sqrt", "cosine", "cosine-min", "linear"],
)
def test_formulas(schedule, expected):
    for t, lr in expected.items():
        assert schedule(t) == pytest.approx(lr, rel=1e-14, abs=1e-18), t
        assert type(schedule(t)) is float
    ts = np.array(sorted(expected))
    np.testing.assert_allclose(schedule(ts), [expected[t] for t in ts], rtol=1e-14, atol=1e-18)


def test_past_the_end_the_rate_stays_at_its_final_value():
    assert [cosine_decay(0.1, 10, lr_min=0.01)(t) for t in (10, 11, 50, 10**6)] == [0.01] * 4
    assert [linear_decay(0.1, 10)(t) for t in (10, 11, 50, 10**6)] == [0.0] * 4
    np.testing.assert_array_equal(linear_decay(0.1, 10)(np.arange(10, 20)), np.zeros(10))


def test_warmup_ramps_to_the_schedules_start_then_runs_it_from_its_own_t_zero():
    inner = cosine_decay(0.1, 10)
    s = linear_warmup(inner, 4)
    # (t + 1) / W * inner(0) for t < W
    assert [s(t) for t in range(4)] == pytest.approx([0.025, 0.05, 0.075, 0.1], rel=1e-15)
    # inner(t - W) afterwards, down to lr_min at t = W + T and flat past it
    for t in range(4, 20):
        assert s(t) == inner(t - 4)
    np.testing.assert_array_equal(s(np.arange(20)), [s(t) for t in range(20)])
    const = linear_warmup(0.3, 3)
    assert [const(t) for t in range(5)] == pytest.approx([0.1, 0.2, 0.3, 0.3, 0.3], rel=1e-15)


def test_names_spell_the_call():
    assert cosine_decay(0.1, 100).__name__ == "cosine_decay(lr0=0.1, total_steps=100, lr_min=0.0)"
    assert step_decay(1, 10, 0.5).__name__ == "step_decay(lr0=1.0, step_size=10, gamma=0.5)"
    s = linear_warmup(inverse_sqrt_decay(0.01), 5)
    assert s.__name__ == "linear_warmup(inverse_sqrt_decay(lr0=0.01), warmup_steps=5)"
    assert "linear_warmup(inverse_sqrt_decay(lr0=0.01), warmup_steps=5)" in repr(s)
    assert repr(SGD(s)) == "SGD(lr=linear_warmup(inverse_sqrt_decay(lr0=0.01), warmup_steps=5))"


def test_an_optimizer_runs_to_the_end_of_a_linear_decay():
    params, grads = {"w": np.ones(2)}, {"w": np.ones(2)}
    opt = SGD(linear_decay(0.1, 4))
    for _ in range(6):  # t = 4 and 5 have lr 0: allowed, they change nothing
        opt.step(params, grads)
    np.testing.assert_allclose(params["w"], 1 - (0.1 + 0.075 + 0.05 + 0.025), rtol=1e-15)


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda: step_decay(0.0, 10, 0.5), "lr0 must be > 0.0, got 0.0"),
        (lambda: step_decay(0.1, 0, 0.5), "step_size must be >= 1, got 0"),
        (lambda: step_decay(0.1, 2.5, 0.5), "step_size must be an integer"),
        (lambda: step_decay(0.1, 10, 1.5), "gamma must be <= 1.0, got 1.5"),
        (lambda: step_decay(0.1, 10, 0.0), "gamma must be > 0.0, got 0.0"),
        (lambda: exponential_decay(-0.1, 0.1), "lr0 must be > 0.0, got -0.1"),
        (lambda: exponential_decay(0.1, -0.1), "k must be >= 0.0, got -0.1"),
        (lambda: inverse_time_decay(0.1, np.nan), "k must be finite"),
        (lambda: inverse_sqrt_decay("0.1"), "lr0 must be a real number"),
        (lambda: cosine_decay(0.1, 0), "total_steps must be >= 1, got 0"),
        (lambda: cosine_decay(0.1, 10, lr_min=0.2), "lr_min must be <= 0.1, got 0.2"),
        (lambda: cosine_decay(0.1, 10, lr_min=-0.01), "lr_min must be >= 0.0"),
        (lambda: linear_decay(0.1, -5), "total_steps must be >= 1, got -5"),
        (lambda: linear_warmup(cosine_decay(0.1, 10), 0), "warmup_steps must be >= 1, got 0"),
        (lambda: linear_warmup(-0.1, 5), "schedule must be > 0.0, got -0.1"),
        (lambda: linear_warmup(lambda t: np.nan, 5), r"schedule\(0\) must be finite"),
        (lambda: linear_decay(0.1, 10)(-1), r"t must be a step count \(integer >= 0\), got -1"),
        (lambda: linear_decay(0.1, 10)(1.5), r"t must be a step count"),
        (lambda: linear_decay(0.1, 10)("3"), r"t must be a step count"),
    ],
)
def test_rejects_bad_arguments(make, match):
    with pytest.raises(ValueError, match=match):
        make()
