"""lib.checks.check_linear_cg: the reference solutions pass, the usual slips fail with a hint."""

import numpy as np
import pytest

from lib.checks import check_linear_cg


def _book_notation(A, b, tol, max_iter):
    """Algorithm alg-ls-linear-cg with the gradient g = A theta - b."""
    theta = np.zeros(len(b))
    g = A @ theta - b
    d = -g
    steps = 0
    while steps < max_iter and np.linalg.norm(g) >= tol * np.linalg.norm(b) and g.any():
        Ad = A @ d
        eta = (g @ g) / (d @ Ad)
        theta = theta + eta * d
        g_new = g + eta * Ad
        d = -g_new + (g_new @ g_new) / (g @ g) * d
        g = g_new
        steps += 1
    return theta, steps


def _residual_form(A, b, tol, max_iter):
    """SciPy's form: the residual r = b - A theta = -g and p = d, updated in place."""
    x = np.zeros_like(b, dtype=float)
    r = b.astype(float)
    p = r.copy()
    rr = r @ r
    k = 0
    while k < max_iter and np.sqrt(rr) >= tol * np.linalg.norm(b) and rr > 0:
        Ap = A @ p
        alpha = rr / (p @ Ap)
        x += alpha * p
        r -= alpha * Ap
        rr_new = r @ r
        p *= rr_new / rr
        p += r
        rr = rr_new
        k += 1
    return x, k


def _steepest(A, b, tol, max_iter):
    theta, steps = np.zeros(len(b)), 0
    g = -b
    while steps < max_iter and np.linalg.norm(g) >= tol * np.linalg.norm(b) and g.any():
        theta = theta - (g @ g) / (g @ A @ g) * g
        g = A @ theta - b
        steps += 1
    return theta, steps


def _inverted_beta(A, b, tol, max_iter):
    theta, g = np.zeros(len(b)), -b.astype(float)
    d, steps = -g, 0
    while steps < max_iter and np.linalg.norm(g) >= tol * np.linalg.norm(b) and g.any():
        Ad = A @ d
        eta = (g @ g) / (d @ Ad)
        theta = theta + eta * d
        g_new = g + eta * Ad
        d = -g_new + (g @ g) / max(g_new @ g_new, 1e-300) * d
        g, steps = g_new, steps + 1
    return theta, steps


def _absolute_tol(A, b, tol, max_iter):
    theta, g = np.zeros(len(b)), -b.astype(float)
    d, steps = -g, 0
    while steps < max_iter and np.linalg.norm(g) >= tol and g.any():
        Ad = A @ d
        eta = (g @ g) / (d @ Ad)
        theta = theta + eta * d
        g_new = g + eta * Ad
        d = -g_new + (g_new @ g_new) / (g @ g) * d
        g, steps = g_new, steps + 1
    return theta, steps


def _test_after_the_step(A, b, tol, max_iter):
    theta, g = np.zeros(len(b)), -b.astype(float)
    d, steps = -g, 0
    if not g.any():
        return theta, 0
    while steps < max_iter:
        Ad = A @ d
        eta = (g @ g) / (d @ Ad)
        theta = theta + eta * d
        g_new = g + eta * Ad
        d = -g_new + (g_new @ g_new) / (g @ g) * d
        g, steps = g_new, steps + 1
        if np.linalg.norm(g) < tol * np.linalg.norm(b) and steps > 0:
            # the slip: counts and takes one more step after the test has passed
            if steps < max_iter:
                Ad = A @ d
                theta = theta + (g @ g) / (d @ Ad) * d if (d @ Ad) > 0 else theta
                steps += 1
            break
    return theta, steps


def _wrong_sign(A, b, tol, max_iter):
    theta, steps = _book_notation(A, b, tol, max_iter)
    return -theta, steps


def _mutates_b(A, b, tol, max_iter):
    out = _book_notation(A, b, tol, max_iter)
    b *= 2.0
    return out


def _returns_theta_only(A, b, tol, max_iter):
    return _book_notation(A, b, tol, max_iter)[0]


def test_right_answers_pass(capsys):
    check_linear_cg(_book_notation)
    check_linear_cg(_residual_form)
    assert capsys.readouterr().out.count("match lib's conjugate_gradient") == 2


@pytest.mark.parametrize(("wrong", "message"), [
    (_steepest, "steepest descent"),
    (_inverted_beta, "upside down"),
    (_absolute_tol, "must be relative"),
    (_test_after_the_step, "One step too many"),
    (_wrong_sign, "negative of the solution"),
    (_mutates_b, "changed A or b"),
    (_returns_theta_only, "return a pair"),
])
def test_wrong_answers_fail(wrong, message):
    with pytest.raises(AssertionError, match=message):
        check_linear_cg(wrong)


def test_not_callable_is_a_value_error():
    with pytest.raises(ValueError, match="your_fn must be callable"):
        check_linear_cg("conjugate gradients")
