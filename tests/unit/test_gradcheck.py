"""lib.gradcheck: accuracy of both difference formulas, x left untouched, and the check's report."""

import numpy as np
import pytest

from lib.gradcheck import grad_check, numerical_gradient, rel_error


def cubic(x):
    return float(np.sum(x**3) + x.ravel()[0] * x.ravel()[-1])


def cubic_grad(x):
    g = 3 * x**2
    flat = g.ravel()
    flat[0] += x.ravel()[-1]
    flat[-1] += x.ravel()[0]
    return g


@pytest.mark.parametrize("shape", [(1,), (4,), (2, 3), (2, 1, 3)])
def test_shape_and_accuracy(shape):
    x = np.random.default_rng(0).standard_normal(shape)
    centered = numerical_gradient(cubic, x)
    forward = numerical_gradient(cubic, x, method="forward")
    assert centered.shape == forward.shape == shape
    assert rel_error(centered, cubic_grad(x)) < 1e-8
    assert rel_error(forward, cubic_grad(x)) < 1e-3


def test_error_orders_in_h():
    # For f = exp at 0, f' = 1; forward error ~ h/2, centered error ~ h^2/6.
    f = lambda x: float(np.exp(x[0]))  # noqa: E731
    for h in (1e-2, 1e-3):
        fwd = numerical_gradient(f, np.zeros(1), h=h, method="forward")[0] - 1
        ctr = numerical_gradient(f, np.zeros(1), h=h)[0] - 1
        assert fwd == pytest.approx(h / 2, rel=0.02)
        assert ctr == pytest.approx(h**2 / 6, rel=0.02)


def test_evaluation_counts():
    calls = []

    def f(x):
        calls.append(1)
        return float(np.sum(x))

    numerical_gradient(f, np.zeros((3, 4)))
    assert len(calls) == 2 * 12
    calls.clear()
    numerical_gradient(f, np.zeros((3, 4)), method="forward")
    assert len(calls) == 12 + 1


def test_x_is_restored_exactly():
    x = np.random.default_rng(1).standard_normal((3, 3))
    before = x.copy()
    numerical_gradient(cubic, x, h=0.1234567)
    assert np.array_equal(x, before)


def test_x_is_restored_when_f_raises():
    x = np.arange(6.0).reshape(2, 3)
    before = x.copy()
    seen = []

    def f(z):
        seen.append(z.copy())
        if len(seen) == 4:
            raise RuntimeError("boom")
        return float(z.sum())

    with pytest.raises(RuntimeError, match="boom"):
        numerical_gradient(f, x)
    assert np.array_equal(x, before)
    # The failing call really saw a perturbed x: restoration was needed.
    assert not np.array_equal(seen[-1], before)


def test_rel_error():
    assert rel_error(np.array([1.0, 2.0]), np.array([1.0, 2.0])) == 0.0
    assert rel_error(np.array([1.0]), np.array([1.1])) == pytest.approx(0.1 / 1.1)
    # Both (nearly) zero: the floor keeps the ratio finite.
    assert rel_error(np.array([0.0]), np.array([1e-12])) == pytest.approx(1e-4)
    assert rel_error(np.zeros(0), np.zeros(0)) == 0.0


def test_grad_check_passes_a_right_gradient_and_locates_a_wrong_entry():
    x = np.random.default_rng(2).standard_normal((3, 4))
    good = grad_check(cubic, x, cubic_grad(x))
    assert good.passed(1e-7)
    assert good.n_checked == 12
    bad_grad = cubic_grad(x)
    bad_grad[1, 2] *= 1.5
    bad = grad_check(cubic, x, bad_grad)
    assert not bad.passed()
    assert bad.worst_index == (1, 2)
    assert bad.worst_analytic == pytest.approx(bad_grad[1, 2])
    assert bad.worst_numerical == pytest.approx(cubic_grad(x)[1, 2], rel=1e-8)
    assert bad.max_rel_error == pytest.approx(1 / 3, rel=1e-6)
    assert "(1, 2)" in repr(bad)


def test_grad_check_sampling_is_seeded_and_distinct():
    x = np.random.default_rng(3).standard_normal((10, 10))
    a = grad_check(cubic, x, cubic_grad(x), num_checks=15, seed=4)
    b = grad_check(cubic, x, cubic_grad(x), num_checks=15, seed=4)
    assert a.indices == b.indices
    assert len(set(a.indices)) == 15
    assert grad_check(cubic, x, cubic_grad(x), num_checks=500).n_checked == 100
