"""The reader-answer checks of "Overfitting and weight penalties": they accept right answers,
written independently of lib, and reject the plausible wrong ones, naming the slip."""

import numpy as np
import pytest
from sklearn.linear_model import Ridge

from lib.checks import check_l2_shrinkage, check_proximal_l1_step, check_ridge_closed_form

# --- ridge -----------------------------------------------------------------------------------


def _ridge_inverse(X, y, alpha):
    # the textbook formula with an explicit inverse: right, if not the best numerics
    return np.linalg.inv(X.T @ X + alpha * np.eye(X.shape[1])) @ X.T @ y


def _ridge_sklearn(X, y, alpha):
    return Ridge(alpha=alpha, fit_intercept=False, solver="svd").fit(X, y).coef_


def _ridge_notes(X, y, alpha):
    # the lecture notes' (5.29): the factor 2 of the data term dropped in (5.28)
    return np.linalg.solve(X.T @ X + 2 * alpha * np.eye(X.shape[1]), X.T @ y)


def _ridge_half(X, y, alpha):
    return np.linalg.solve(X.T @ X + alpha / 2 * np.eye(X.shape[1]), X.T @ y)


def _least_squares(X, y, alpha):
    return np.linalg.lstsq(X, y, rcond=None)[0]


def _ridge_transposed_shape(X, y, alpha):
    return _ridge_inverse(X, y, alpha)[None, :]


@pytest.mark.parametrize("right", [_ridge_inverse, _ridge_sklearn])
def test_ridge_right_answers_pass(right, capsys):
    check_ridge_closed_form(right)
    assert "matches lib.regularization.ridge" in capsys.readouterr().out


@pytest.mark.parametrize(("wrong", "message"), [
    (_ridge_notes, r"\(5\.29\)"),
    (_ridge_half, "half as strong"),
    (_least_squares, "least squares"),
    (_ridge_transposed_shape, "shape"),
])
def test_ridge_wrong_answers_fail_with_their_hint(wrong, message):
    with pytest.raises(AssertionError, match=message):
        check_ridge_closed_form(wrong)


def test_ridge_check_uses_the_notes_example():
    # the notes' printed w = (1.4916, 1.3607) is the answer for alpha = 0.5, not 0.25
    def printed(X, y, alpha):
        if X.shape == (3, 2):
            return np.array([1.4916, 1.3607])
        return _ridge_inverse(X, y, alpha)

    with pytest.raises(AssertionError, match="Example 5-1"):
        check_ridge_closed_form(printed)


# --- shrinkage along the eigen-directions ------------------------------------------------------


def _shrink_eigen(H, theta_star, alpha):
    lam, Q = np.linalg.eigh(H)
    return Q @ (lam / (lam + 2 * alpha) * (Q.T @ theta_star))


def _shrink_goodfellow(H, theta_star, alpha):
    lam, Q = np.linalg.eigh(H)
    return Q @ (lam / (lam + alpha) * (Q.T @ theta_star))


def _shrink_coordinates(H, theta_star, alpha):
    d = np.diag(H)
    return d / (d + 2 * alpha) * theta_star


def _shrink_no_h(H, theta_star, alpha):
    return np.linalg.solve(H + 2 * alpha * np.eye(len(theta_star)), theta_star)


def _shrink_nothing(H, theta_star, alpha):
    return theta_star.copy()


def test_shrinkage_right_answer_passes(capsys):
    check_l2_shrinkage(_shrink_eigen)
    assert "right on all" in capsys.readouterr().out


@pytest.mark.parametrize(("wrong", "message"), [
    (_shrink_goodfellow, "Goodfellow"),
    (_shrink_coordinates, "eigenbasis"),
    (_shrink_no_h, "H theta_star"),
    (_shrink_nothing, "differs"),
])
def test_shrinkage_wrong_answers_fail_with_their_hint(wrong, message):
    with pytest.raises(AssertionError, match=message):
        check_l2_shrinkage(wrong)


def test_shrinkage_coordinate_rule_is_caught_only_off_the_diagonal():
    # on a diagonal H the coordinate rule is right, so the check must fail on a later case
    with pytest.raises(AssertionError, match="rotated by 60 degrees"):
        check_l2_shrinkage(_shrink_coordinates)


# --- the proximal L1 step ----------------------------------------------------------------------


def _prox_step(theta, g, lr, alpha):
    z = theta - lr * g
    out = np.zeros_like(z)
    keep = np.abs(z) > lr * alpha
    out[keep] = z[keep] - lr * alpha * np.sign(z[keep])
    return out


def _subgradient_step(theta, g, lr, alpha):
    return theta - lr * (g + alpha * np.sign(theta))


def _threshold_alpha(theta, g, lr, alpha):
    z = theta - lr * g
    return np.sign(z) * np.maximum(np.abs(z) - alpha, 0)


def _threshold_first(theta, g, lr, alpha):
    return np.sign(theta) * np.maximum(np.abs(theta) - lr * alpha, 0) - lr * g


def _hard_threshold(theta, g, lr, alpha):
    z = theta - lr * g
    return np.where(np.abs(z) > lr * alpha, z, 0.0)


def test_proximal_right_answer_passes(capsys):
    check_proximal_l1_step(_prox_step)
    assert "matches soft thresholding" in capsys.readouterr().out


@pytest.mark.parametrize(("wrong", "message"), [
    (_subgradient_step, "subgradient step"),
    (_threshold_alpha, "not alpha"),
    (_threshold_first, "gradient step first"),
    (_hard_threshold, "hard thresholding"),
])
def test_proximal_wrong_answers_fail_with_their_hint(wrong, message):
    with pytest.raises(AssertionError, match=message):
        check_proximal_l1_step(wrong)


def test_checks_refuse_what_is_not_callable():
    for check in (check_ridge_closed_form, check_l2_shrinkage, check_proximal_l1_step):
        with pytest.raises(ValueError, match="callable"):
            check(None)
