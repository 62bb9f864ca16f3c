"""lib.checks.check_standardizer accepts right answers and rejects the plausible wrong ones."""

import numpy as np
import pytest
from sklearn.preprocessing import StandardScaler

from lib.checks import _standardizer_cases, check_standardizer


def _sklearn(X_train, X_other):
    scaler = StandardScaler().fit(X_train)
    return scaler.transform(X_train), scaler.transform(X_other)


def _numpy_with_tolerance(X_train, X_other):
    # the chapter's formula; a variance within rounding error of zero counts as zero
    mean, var = X_train.mean(axis=0), X_train.var(axis=0)
    n, eps = len(X_train), np.finfo(float).eps
    scale = np.sqrt(var)
    scale[var <= n * eps * var + (n * mean * eps) ** 2] = 1.0
    return (X_train - mean) / scale, (X_other - mean) / scale


def _numpy_relative_tolerance(X_train, X_other):
    # a simpler rule a reader might choose: std tiny relative to the mean's size
    mean, std = X_train.mean(axis=0), X_train.std(axis=0)
    std = np.where(std <= 1e-12 * np.maximum(1.0, np.abs(mean)), 1.0, std)
    return (X_train - mean) / std, (X_other - mean) / std


def _naive(X_train, X_other):
    # 0 / 0 for the constant features
    mean, std = X_train.mean(axis=0), X_train.std(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return (X_train - mean) / std, (X_other - mean) / std


def _exact_zero_test(X_train, X_other):
    # lib.data's rule, fine for integer pixels, but misses the constant 0.1 column
    mean, std = X_train.mean(axis=0), X_train.std(axis=0)
    std[std == 0] = 1.0
    return (X_train - mean) / std, (X_other - mean) / std


def _test_statistics(X_train, X_other):
    # each array standardized with its own statistics: the leak
    return _sklearn(X_train, X_train)[0], _sklearn(X_other, X_other)[0]


def _all_statistics(X_train, X_other):
    # statistics of both sets together: the "scale before splitting" leak
    scaler = StandardScaler().fit(np.vstack([X_train, X_other]))
    return scaler.transform(X_train), scaler.transform(X_other)


def _unbiased(X_train, X_other):
    mean, std = X_train.mean(axis=0), X_train.std(axis=0, ddof=1)
    std[StandardScaler().fit(X_train).scale_ == 1.0] = 1.0
    return (X_train - mean) / std, (X_other - mean) / std


def _zeros_for_constant(X_train, X_other):
    # sets constant features to 0 everywhere: differs on held-out values of such features
    Z_train, Z_other = _sklearn(X_train, X_other)
    const = StandardScaler().fit(X_train).var_ == 0
    Z_other[:, const] = 0.0
    return Z_train, Z_other


def _in_place(X_train, X_other):
    Z_train, Z_other = _sklearn(X_train, X_other)
    X_train -= X_train.mean(axis=0)
    return Z_train, Z_other


def _one_array(X_train, X_other):
    return _sklearn(X_train, X_other)[0]


@pytest.mark.parametrize("right", [_sklearn, _numpy_with_tolerance, _numpy_relative_tolerance])
def test_right_answers_pass(right, capsys):
    check_standardizer(right)
    assert "matches StandardScaler" in capsys.readouterr().out


@pytest.mark.parametrize(("wrong", "message"), [
    (_naive, "NaN"),
    (_exact_zero_test, "rounding error"),
    (_test_statistics, "held-out set"),
    (_all_statistics, "together"),
    (_unbiased, "ddof=1"),
    (_zeros_for_constant, "scale of 1"),
    (_in_place, "in place"),
    (_one_array, "pair"),
])
def test_wrong_answers_fail_with_a_hint(wrong, message):
    with pytest.raises(AssertionError, match=message):
        check_standardizer(wrong)


def test_cases_hold_what_their_names_say():
    cases = {name: (X, Xo) for name, X, Xo in _standardizer_cases()}
    tenth = next(X for name, (X, _) in cases.items() if "0.1" in name)
    assert 0 < tenth[:, 1].std() < 1e-15           # not exactly zero: the exact test misses it
    assert StandardScaler().fit(tenth).scale_[1] == 1.0
    digits = next(X for name, (X, _) in cases.items() if "digits" in name)
    assert np.any(digits.std(axis=0) == 0)           # always-blank pixels
    one = next(Xo for name, (_, Xo) in cases.items() if "one example" in name)
    assert one.shape[0] == 1


def test_not_callable_is_rejected():
    with pytest.raises(ValueError, match="your_fn"):
        check_standardizer("StandardScaler")
