"""lib.landscapes: gradients and Hessians against finite differences, minima, and slices."""

import numpy as np
import pytest

from lib.gradcheck import numerical_gradient, rel_error
from lib.landscapes import (
    Canyon,
    Himmelblau,
    Quadratic,
    Rosenbrock,
    Saddle,
    random_direction,
    slice_1d,
    slice_2d,
)

LANDSCAPES = [
    Quadratic(),
    Quadratic([[2.0, 0.0], [0.0, 8.0]], center=(2.0, 1.0)),
    Quadratic.with_condition(50.0, angle=0.7),
    Rosenbrock(),
    Rosenbrock(a=2.0, b=10.0),
    Saddle(a=1.0, b=3.0),
    Himmelblau(),
    Canyon(),
    Canyon(steepness=5.0, width=0.5, slope=1.0),
]


@pytest.mark.parametrize("f", LANDSCAPES, ids=repr)
def test_gradient_and_hessian_match_finite_differences(f):
    rng = np.random.default_rng(0)
    for _ in range(5):
        w = rng.uniform(-2, 2, size=2)
        num_g = numerical_gradient(lambda v: float(f(v)), w.copy())
        assert rel_error(f.grad(w), num_g) < 1e-7
        num_h = np.array([numerical_gradient(lambda v, i=i: float(f.grad(v)[i]), w.copy())
                          for i in range(2)])
        assert rel_error(f.hessian(w), num_h) < 1e-6
        np.testing.assert_allclose(f.hessian(w), f.hessian(w).T)


@pytest.mark.parametrize("f", LANDSCAPES, ids=repr)
def test_minima_are_stationary_and_lowest(f):
    for m in f.minima:
        np.testing.assert_allclose(f.grad(m), 0.0, atol=1e-9)
        assert np.all(np.linalg.eigvalsh(f.hessian(m)) > 0)
        _, _, Z = f.grid(n=101)
        assert f(m) <= Z.min() + 1e-12


@pytest.mark.parametrize("f", LANDSCAPES, ids=repr)
def test_vectorized_over_grids(f):
    X, Y, Z = f.grid(n=7)
    assert Z.shape == (7, 7)
    pts = np.stack([X, Y], axis=-1)
    np.testing.assert_allclose(f(pts), Z)
    assert f.grad(pts).shape == (7, 7, 2)
    assert f.hessian(pts).shape == (7, 7, 2, 2)
    np.testing.assert_allclose(f.grad(pts)[3, 4], f.grad(pts[3, 4]))
    np.testing.assert_allclose(f.hessian(pts)[2, 5], f.hessian(pts[2, 5]))


def test_known_values():
    assert Rosenbrock()(np.array([1.0, 1.0])) == 0.0
    assert Rosenbrock()(np.array([0.0, 0.0])) == 1.0
    J = Quadratic([[2.0, 0.0], [0.0, 8.0]], center=(2.0, 1.0))  # (w1-2)^2 + 4(w2-1)^2
    assert J(np.array([4.0, 2.0])) == pytest.approx(4.0 + 4.0)
    np.testing.assert_allclose(J.grad(np.array([4.0, 2.0])), [4.0, 8.0])
    assert Quadratic.with_condition(25.0, angle=1.0).condition_number == pytest.approx(25.0)
    s = Saddle()
    assert len(s.minima) == 0
    eig = np.linalg.eigvalsh(s.hessian(np.zeros(2)))
    assert eig[0] < 0 < eig[1]
    assert Himmelblau()(Himmelblau().minima).max() < 1e-20
    c = Canyon(steepness=2.0, width=0.05, slope=0.2)
    # far up a wall the slope is almost the steepness; on the floor the curvature is k / delta
    assert c.grad(np.array([0.0, 1.0]))[1] == pytest.approx(2.0, rel=2e-3)
    assert c.hessian(np.zeros(2))[1, 1] == pytest.approx(2.0 / 0.05)
    assert c(np.array([2.0, 0.0])) == pytest.approx(0.4)


def test_slices():
    f = lambda W: float(np.sum(W**2))  # noqa: E731
    W = np.ones((2, 3))
    U1 = random_direction((2, 3), seed=1)
    U2 = random_direction((2, 3), seed=2)
    nus1 = np.linspace(-1, 1, 5)
    nus2 = np.linspace(-2, 2, 4)
    line = slice_1d(f, W, U1, nus1)
    np.testing.assert_allclose(line, [f(W + nu * U1) for nu in nus1])
    plane = slice_2d(f, W, U1, U2, nus1, nus2)
    assert plane.shape == (4, 5)
    assert plane[3, 1] == pytest.approx(f(W + nus1[1] * U1 + nus2[3] * U2))
    np.testing.assert_allclose(plane[:, 2], [f(W + nu * U2) for nu in nus2])


def test_random_direction():
    d = random_direction((3, 4), seed=7)
    assert d.shape == (3, 4)
    assert np.array_equal(d, random_direction((3, 4), seed=7))
    assert not np.array_equal(d, random_direction((3, 4), seed=8))
    like = np.full((3, 4), 2.0)
    assert np.linalg.norm(random_direction((3, 4), seed=7, like=like)) == pytest.approx(
        np.linalg.norm(like))
