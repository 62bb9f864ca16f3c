"""Bad input to a public lib function raises ValueError naming the argument."""

import numpy as np
import pytest

from lib.data import add_bias_column, load_digits, make_spiral
from lib.gradcheck import grad_check, numerical_gradient, rel_error
from lib.landscapes import (
    Canyon,
    Quadratic,
    Rosenbrock,
    Saddle,
    random_direction,
    slice_1d,
    slice_2d,
)
from lib.losses import cross_entropy_losses, hinge_losses, softmax, softmax_loss, svm_loss
from lib.metrics import accuracy

W = np.zeros((3, 4))
X = np.ones((5, 3))
y = np.array([0, 1, 2, 3, 0])


@pytest.mark.parametrize("loss_fn", [svm_loss, softmax_loss])
@pytest.mark.parametrize(
    ("args", "match"),
    [
        ((np.zeros((2, 4)), X, y), r"X and W do not fit: X has 3 features"),
        ((np.zeros(3), X, y), r"W must be 2-dimensional, got shape \(3,\)"),
        ((W, np.ones(3), y), r"X must be 2-dimensional"),
        ((W, X, y[:4]), r"y must have shape \(5,\) to match X, got \(4,\)"),
        ((W, X, np.array([0, 1, 2, 4, 0])), r"labels in \[0, 3\], got values from 0 to 4"),
        ((W, X, np.array([0, 1, -1, 3, 0])), r"labels in \[0, 3\], got values from -1 to 3"),
        ((W, X, np.array([0, 1, 2.5, 3, 0])), r"y must hold integer class labels"),
        ((W, X, np.array([True, False, True, False, True])), r"integer class labels"),
        ((np.full((3, 4), np.nan), X, y), r"W must be finite, got 12 NaN or infinite"),
        ((W, np.where(X > 0, np.inf, 0), y), r"X must be finite"),
        ((W, X.astype(object), y), r"X must be a real numeric array"),
        ((W, "abc", y), r"X must be a numeric array"),
    ],
)
def test_loss_rejects_bad_input(loss_fn, args, match):
    with pytest.raises(ValueError, match=match):
        loss_fn(*args)


@pytest.mark.parametrize("loss_fn", [svm_loss, softmax_loss])
@pytest.mark.parametrize("reg", [-0.1, np.nan, np.inf, "0.1", None])
def test_loss_rejects_bad_reg(loss_fn, reg):
    with pytest.raises(ValueError, match="reg must be"):
        loss_fn(W, X, y, reg=reg)


def test_score_functions_reject_bad_input():
    with pytest.raises(ValueError, match="scores must be 2-dimensional"):
        softmax(np.ones(3))
    with pytest.raises(ValueError, match=r"y must have shape \(2,\)"):
        hinge_losses(np.ones((2, 3)), [0])
    with pytest.raises(ValueError, match="margin must be >= 0"):
        hinge_losses(np.ones((2, 3)), [0, 1], margin=-1)
    with pytest.raises(ValueError, match=r"labels in \[0, 2\]"):
        cross_entropy_losses(np.ones((2, 3)), [0, 3])
    with pytest.raises(ValueError, match=r"labels in \[0, 2\]"):
        accuracy(np.ones((2, 3)), [0, 3])


def quadratic(x):
    return float(np.sum(x**2))


@pytest.mark.parametrize("h", [0, -1e-5, np.nan, np.inf, "1e-5"])
def test_numerical_gradient_rejects_bad_h(h):
    with pytest.raises(ValueError, match="h must be"):
        numerical_gradient(quadratic, np.ones(3), h=h)


def test_numerical_gradient_rejects_unknown_method():
    msg = r"method must be one of \['centered', 'forward'\], got 'backward'"
    with pytest.raises(ValueError, match=msg):
        numerical_gradient(quadratic, np.ones(3), method="backward")


@pytest.mark.parametrize(
    ("x", "match"),
    [
        (np.ones(3, dtype=int), "x must be a floating-point numpy array"),
        ([1.0, 2.0], "x must be a floating-point numpy array"),
        (np.array([1.0, np.nan]), "x must be finite"),
    ],
)
def test_numerical_gradient_rejects_bad_x(x, match):
    with pytest.raises(ValueError, match=match):
        numerical_gradient(quadratic, x)


def test_numerical_gradient_rejects_read_only_x():
    x = np.ones(3)
    x.setflags(write=False)
    with pytest.raises(ValueError, match="x must be writeable"):
        numerical_gradient(quadratic, x)


def test_numerical_gradient_rejects_bad_f():
    with pytest.raises(ValueError, match="f must be callable"):
        numerical_gradient(3.0, np.ones(2))
    with pytest.raises(ValueError, match="f must return a real scalar"):
        numerical_gradient(lambda x: x, np.ones(2))
    # sqrt(x0 - 1) is finite at x0 = 1 + h but not at 1 - h.
    with pytest.raises(ValueError, match=r"f must return a finite value, got nan at x\[0\] - h"):
        numerical_gradient(lambda x: np.sqrt(x[0] - 1.0) if x[0] >= 1 else np.nan, np.ones(2))


def test_rel_error_and_grad_check_reject_bad_input():
    with pytest.raises(ValueError, match=r"a and b must have the same shape, got \(2,\) and \(3"):
        rel_error(np.ones(2), np.ones(3))
    with pytest.raises(ValueError, match="b must be finite"):
        rel_error(np.ones(2), np.array([1.0, np.inf]))
    with pytest.raises(ValueError, match=r"analytic must have shape \(3,\), got \(2,\)"):
        grad_check(quadratic, np.ones(3), np.ones(2))
    with pytest.raises(ValueError, match="num_checks must be >= 1"):
        grad_check(quadratic, np.ones(3), np.ones(3), num_checks=0)


def test_data_rejects_bad_arguments():
    with pytest.raises(ValueError, match="n_val must be >= 1"):
        load_digits(n_val=0)
    with pytest.raises(ValueError, match="n_val \\+ n_test must leave training examples"):
        load_digits(n_val=1000, n_test=1000)
    with pytest.raises(ValueError, match="seed must be an integer"):
        load_digits(seed=1.5)
    with pytest.raises(ValueError, match="n_classes must be >= 2"):
        make_spiral(10, 1, 0)
    with pytest.raises(ValueError, match="noise must be >= 0"):
        make_spiral(10, 3, 0, noise=-1.0)
    with pytest.raises(ValueError, match="X must be 2-dimensional"):
        add_bias_column(np.ones(3))


def test_landscapes_reject_bad_input():
    with pytest.raises(ValueError, match=r"w must have shape \(2,\) or \(\.\.\., 2\), got \(3,\)"):
        Rosenbrock()(np.ones(3))
    with pytest.raises(ValueError, match="w must be finite"):
        Rosenbrock().grad(np.array([np.nan, 1.0]))
    with pytest.raises(ValueError, match="A must be symmetric"):
        Quadratic([[1.0, 2.0], [0.0, 1.0]])
    with pytest.raises(ValueError, match=r"A must have shape \(2, 2\)"):
        Quadratic(np.eye(3))
    with pytest.raises(ValueError, match="condition must be >= 1"):
        Quadratic.with_condition(0.5)
    with pytest.raises(ValueError, match="b must be > 0"):
        Saddle(b=0)
    with pytest.raises(ValueError, match="width must be > 0"):
        Canyon(width=0.0)
    with pytest.raises(ValueError, match=r"U1 must have shape \(2, 3\), got \(3, 2\)"):
        slice_1d(np.sum, np.ones((2, 3)), np.ones((3, 2)), np.linspace(-1, 1, 3))
    with pytest.raises(ValueError, match="nus1 must be 1-dimensional"):
        slice_2d(np.sum, np.ones(2), np.ones(2), np.ones(2), np.ones((2, 2)), np.ones(2))
    with pytest.raises(ValueError, match=r"like must have shape \(3,\)"):
        random_direction(3, like=np.ones(4))


def test_expected_shape_is_written_as_python_writes_it():
    from lib._validate import float_array

    with pytest.raises(ValueError, match=r"x must have shape \(64,\), got \(1, 1\)"):
        float_array([[1.0]], "x", shape=(64,))
    with pytest.raises(ValueError, match=r"x must have shape \(any, 3\), got \(2,\)"):
        float_array([1.0, 2.0], "x", shape=(None, 3))
