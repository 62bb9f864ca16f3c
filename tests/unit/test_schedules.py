"""lib.schedules: the formulas at several t, the flat tail past T, warmup, argument checks."""

import math

import numpy as np
import pytest

from lib.optim import SGD
from lib.schedules import (
    ReduceLROnPlateau,
    cosine_decay,
    exponential_decay,
    inverse_sqrt_decay,
    inverse_time_decay,
    linear_decay,
    linear_warmup,
    lr_range_test,
    one_cycle,
    step_decay,
    warmup_stable_decay,
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


# 1cycle, warmup-stable-decay, ReduceLROnPlateau, the range test --------------------------


def torch_rates(torch, make_scheduler, n_steps, metrics=None):
    """The rate of each of n_steps updates under a torch scheduler on a dummy parameter."""
    p = torch.nn.Parameter(torch.zeros(1, dtype=torch.float64))
    opt = torch.optim.SGD([p], lr=0.3)
    scheduler = make_scheduler(opt)
    rates = []
    for t in range(n_steps):
        rates.append(opt.param_groups[0]["lr"])
        opt.step()
        if metrics is not None:
            scheduler.step(metrics[t])
        elif t < n_steps - 1:
            scheduler.step()
    return np.array(rates)


@pytest.mark.parametrize(
    "kw",
    [{}, {"pct_start": 0.25, "anneal": "linear"},
     {"three_phase": True, "div_factor": 10.0, "final_div_factor": 100.0},
     {"pct_start": 0.5, "anneal": "linear", "three_phase": True}],
    ids=["defaults", "linear", "three-phase", "three-phase-linear"],
)
@pytest.mark.parametrize("total", [10, 97, 1000])
def test_one_cycle_matches_torch(kw, total):
    torch = pytest.importorskip("torch", reason="PyTorch is not installed: reference test skipped")
    ours = one_cycle(0.5, total, **kw)
    theirs = torch_rates(torch, lambda opt: torch.optim.lr_scheduler.OneCycleLR(
        opt, max_lr=0.5, total_steps=total, cycle_momentum=False,
        anneal_strategy=kw.get("anneal", "cos"),
        **{k: v for k, v in kw.items() if k != "anneal"}), total)
    np.testing.assert_allclose(ours(np.arange(total)), theirs, rtol=1e-13, atol=1e-18)
    assert [ours(t) for t in (0, total - 1, total, 10 * total)] == pytest.approx(
        [theirs[0], theirs[-1], theirs[-1], theirs[-1]], rel=1e-13)


def test_one_cycle_by_hand():
    s = one_cycle(1.0, 100)                     # start 0.04, peak at t = 29, end 4e-6 at t = 99
    assert s(0) == pytest.approx(0.04, rel=1e-14)
    assert s(29) == pytest.approx(1.0, rel=1e-14)
    assert s(99) == pytest.approx(0.04 / 1e4, rel=1e-12)
    assert int(np.argmax(s(np.arange(100)))) == 29
    assert s.__name__.startswith("one_cycle(lr_max=1.0, total_steps=100")


@pytest.mark.parametrize("shape", ["linear", "cos", "sqrt"])
def test_warmup_stable_decay_by_hand(shape):
    s = warmup_stable_decay(0.1, 4, 20, 8, lr_min=0.01, shape=shape)
    assert [s(t) for t in range(4)] == pytest.approx([0.025, 0.05, 0.075, 0.1], rel=1e-15)
    assert all(s(t) == 0.1 for t in range(4, 13))          # flat until T - T_decay = 12
    frac = (np.arange(12, 21) - 12) / 8
    want = {"linear": 0.1 - 0.09 * frac, "cos": 0.01 + 0.045 * (1 + np.cos(np.pi * frac)),
            "sqrt": 0.01 + 0.09 * (1 - np.sqrt(frac))}[shape]
    np.testing.assert_allclose(s(np.arange(12, 21)), want, rtol=1e-14)
    assert s(20) == s(500) == pytest.approx(0.01, rel=1e-14)
    np.testing.assert_array_equal(s(np.arange(30)), [s(t) for t in range(30)])


def test_warmup_stable_decay_branches_share_the_stable_part():
    short, long = (warmup_stable_decay(0.2, 10, T, T // 5) for T in (100, 300))
    t = np.arange(80)                                     # the short run starts decaying at 80
    np.testing.assert_array_equal(short(t), long(t))
    assert short(99) == pytest.approx(0.2 / 20, rel=1e-12)       # the last update of 20
    assert long(99) == 0.2
    no_warmup = warmup_stable_decay(0.2, 0, 50, 10)
    assert no_warmup(0) == 0.2


def plateau_metrics():
    """A hand-made loss: falls, plateaus, falls a little, plateaus, improves by less than 1e-4."""
    return [5.0, 4.0, 3.0, 3.0, 3.1, 3.0, 2.9, 2.5, 2.5, 2.5, 2.5, 2.49999, 2.5, 2.4, 2.6,
            2.6, 2.6, 2.6, 2.6, 2.6, 1.0, 1.0, 1.0, 1.0, 1.0]


@pytest.mark.parametrize(
    "kw",
    [{"patience": 2}, {"patience": 0, "factor": 0.5}, {"patience": 1, "cooldown": 2},
     {"patience": 1, "min_lr": 0.01}, {"patience": 2, "threshold": 0.05, "threshold_mode": "abs"},
     {"patience": 1, "mode": "max"}],
    ids=["patience-2", "patience-0", "cooldown", "min-lr", "abs-threshold", "max"],
)
def test_reduce_on_plateau_matches_torch(kw):
    torch = pytest.importorskip("torch", reason="PyTorch is not installed: reference test skipped")
    metrics = plateau_metrics()
    ours = ReduceLROnPlateau(0.3, **kw)
    rates = []
    for m in metrics:
        rates.append(ours(len(rates)))
        ours.step(m)
    theirs = torch_rates(torch, lambda opt: torch.optim.lr_scheduler.ReduceLROnPlateau(opt, **kw),
                         len(metrics), metrics)
    np.testing.assert_allclose(rates, theirs, rtol=1e-15)
    assert len(set(rates)) > 1                            # the sequence does change the rate
    assert ours.history[:-1] == rates[1:]


def test_reduce_on_plateau_drives_an_optimizer():
    sched = ReduceLROnPlateau(1.0, factor=0.5, patience=0)
    opt, w = SGD(sched), np.zeros(1)
    opt.step({"w": w}, {"w": np.ones(1)})
    sched.step(1.0)
    sched.step(1.0)                                       # no improvement: halve
    opt.step({"w": w}, {"w": np.ones(1)})
    np.testing.assert_allclose(w, [-1.5], rtol=1e-15)
    assert "ReduceLROnPlateau(lr0=1.0, factor=0.5, patience=0)" in repr(sched)
    assert repr(SGD(sched)).startswith("SGD(lr=ReduceLROnPlateau(lr0=1.0")


def quadratic_step(curvature, seed, sigma=0.1):
    """One noisy gradient step on f = curvature / 2 theta^2, the state kept in a closure."""
    rng, theta = np.random.default_rng(seed), np.array([1.0])

    def step(lr):
        loss = 0.5 * curvature * theta[0] ** 2
        theta[0] -= lr * (curvature * theta[0] + sigma * rng.standard_normal())
        return loss

    return step


@pytest.mark.parametrize("seed", range(5))
def test_range_test_stops_where_gradient_descent_becomes_unstable(seed):
    # on f = 4 theta^2 / 2, gradient descent diverges for lr > 2 / 4 = 0.5
    result = lr_range_test(quadratic_step(4.0, seed), 1e-3, 10.0, 200)
    assert result.diverged
    assert len(result.lrs) < 200
    assert 0.5 < result.lrs[-1] < 1.0                     # the blow-up shows soon after 2 / lambda
    assert result.minimum() < 0.5
    ratios = result.lrs[1:] / result.lrs[:-1]
    np.testing.assert_allclose(ratios, (1e4) ** (1 / 199), rtol=1e-12)
    assert result.lrs[0] == 1e-3
    # the smoothed loss is the bias-corrected moving average of the losses
    avg, want = 0.0, []
    for k, loss in enumerate(result.losses):
        avg = 0.9 * avg + 0.1 * loss
        want.append(avg / (1 - 0.9 ** (k + 1)))
    np.testing.assert_allclose(result.smoothed, want, rtol=1e-12)
    assert 1e-3 < result.steepest() < result.minimum()
    # the smoothed loss falls fastest where the rate is large enough to converge fast,
    # well below the blow-up
    assert result.steepest() < 0.5
    with pytest.raises(ValueError, match=r"skip must be < 1\.0"):
        result.steepest(skip=1.0)


def test_range_test_runs_to_the_end_when_nothing_diverges_and_stops_at_nan():
    flat = lr_range_test(lambda lr: 1.0, 1e-4, 1e-2, 50)
    assert not flat.diverged
    assert len(flat.lrs) == 50
    assert flat.lrs[-1] == pytest.approx(1e-2, rel=1e-12)
    nan = lr_range_test(lambda lr: np.nan if lr > 1e-3 else 1.0, 1e-4, 1e-2, 50)
    assert nan.diverged
    assert np.isnan(nan.losses[-1])
    assert nan.lrs[-1] > 1e-3


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda: one_cycle(0.0, 100), "lr_max must be > 0.0, got 0.0"),
        (lambda: one_cycle(0.1, 1), "total_steps must be >= 2, got 1"),
        (lambda: one_cycle(0.1, 100, pct_start=1.0), "pct_start must be < 1.0"),
        (lambda: one_cycle(0.1, 3, pct_start=0.1), "pct_start must leave every phase"),
        (lambda: one_cycle(0.1, 100, anneal="exp"), "anneal must be one of"),
        (lambda: one_cycle(0.1, 100, div_factor=0.5), "div_factor must be >= 1.0"),
        (lambda: one_cycle(0.1, 100, three_phase="yes"), "three_phase must be True or False"),
        (lambda: warmup_stable_decay(0.1, 50, 100, 60), "warmup_steps \\+ decay_steps must be <="),
        (lambda: warmup_stable_decay(0.1, 10, 100, 0), "decay_steps must be >= 1, got 0"),
        (lambda: warmup_stable_decay(0.1, -1, 100, 10), "warmup_steps must be >= 0"),
        (lambda: warmup_stable_decay(0.1, 0, 100, 10, shape="exp"), "shape must be one of"),
        (lambda: warmup_stable_decay(0.1, 0, 100, 10, lr_min=0.2), "lr_min must be <= 0.1"),
        (lambda: ReduceLROnPlateau(0.1, factor=1.0), "factor must be < 1.0, got 1.0"),
        (lambda: ReduceLROnPlateau(0.1, patience=-1), "patience must be >= 0"),
        (lambda: ReduceLROnPlateau(0.1, mode="best"), "mode must be one of"),
        (lambda: ReduceLROnPlateau(0.1, threshold_mode="pct"), "threshold_mode must be one of"),
        (lambda: ReduceLROnPlateau(0.1).step(np.nan), "metric must be finite"),
        (lambda: ReduceLROnPlateau(0.1)(-2), r"t must be a step count"),
        (lambda: lr_range_test("step", 1e-3, 1.0, 10), "train_step must be callable"),
        (lambda: lr_range_test(lambda lr: 1.0, 1.0, 0.1, 10), "lr_max must be > 1.0"),
        (lambda: lr_range_test(lambda lr: 1.0, 1e-3, 1.0, 1), "num_steps must be >= 2"),
        (lambda: lr_range_test(lambda lr: 1.0, 1e-3, 1.0, 10, smoothing=1.0),
         "smoothing must be < 1.0"),
    ],
)
def test_new_schedules_reject_bad_arguments(make, match):
    with pytest.raises(ValueError, match=match):
        make()
