"""lib.data: the digits split and the spiral generator."""

import numpy as np
import pytest

from lib.data import add_bias_column, load_digits, make_spiral


def test_digits_split_sizes_and_labels():
    d = load_digits()
    assert d.X_train.shape == (1197, 64)
    assert d.X_val.shape == (300, 64)
    assert d.X_test.shape == (300, 64)
    assert d.X_train.dtype == np.float64
    for labels in (d.y_train, d.y_val, d.y_test):
        assert labels.dtype == np.int64
        assert set(np.unique(labels)) <= set(range(10))
    assert set(np.unique(d.y_train)) == set(range(10))


def test_digits_standardized_on_training_statistics_only():
    d = load_digits()
    varying = d.std != 1.0
    np.testing.assert_allclose(d.X_train.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(d.X_train[:, varying].std(axis=0), 1.0)
    # Held-out sets are shifted by the training mean, so their means are not exactly 0.
    assert np.abs(d.X_test.mean(axis=0)).max() > 1e-3


def test_digits_are_a_permutation_of_sklearns_data():
    from sklearn.datasets import load_digits as sk

    raw = sk().data
    d = load_digits(seed=5)
    back = np.vstack([d.X_train, d.X_val, d.X_test]) * d.std + d.mean
    assert sorted(map(tuple, np.round(back, 6))) == sorted(map(tuple, np.round(raw, 6)))


def test_digits_seeded():
    a, b, c = load_digits(seed=1), load_digits(seed=1), load_digits(seed=2)
    assert np.array_equal(a.X_train, b.X_train)
    assert not np.array_equal(a.y_train, c.y_train)
    X, y = a.train
    assert X is a.X_train
    assert y is a.y_train


def test_bias_column():
    X = np.arange(6.0).reshape(3, 2)
    Xb = add_bias_column(X)
    assert Xb.shape == (3, 3)
    np.testing.assert_array_equal(Xb[:, -1], 1.0)
    np.testing.assert_array_equal(Xb[:, :2], X)


def test_spiral():
    X, y = make_spiral(50, 4, seed=0)
    assert X.shape == (200, 2)
    assert np.bincount(y).tolist() == [50, 50, 50, 50]
    assert np.abs(X).max() <= 1.0 + 1e-12
    X2, _ = make_spiral(50, 4, seed=0)
    assert np.array_equal(X, X2)
    # Noise-free arms start at the origin and end on the unit circle.
    Xc, _ = make_spiral(10, 3, seed=0, noise=0.0)
    np.testing.assert_allclose(np.linalg.norm(Xc[9]), 1.0)
    np.testing.assert_allclose(Xc[0], 0.0, atol=1e-12)


def test_digits_raw_split_is_the_same_split_unstandardized():
    std, raw = load_digits(seed=3), load_digits(seed=3, standardize=False)
    for name in ("X_train", "X_val", "X_test"):
        A = getattr(raw, name)
        assert A.dtype == np.float64
        # raw pixels: integers 0..16, and the training statistics carried along
        assert np.array_equal(A, np.round(A))
        assert A.min() == 0.0
        assert A.max() == 16.0
        # standardizing the raw split reproduces load_digits' output bit for bit
        assert np.array_equal((A - raw.mean) / raw.std, getattr(std, name))
    for name in ("y_train", "y_val", "y_test", "mean", "std"):
        assert np.array_equal(getattr(raw, name), getattr(std, name))
    np.testing.assert_allclose(raw.mean, raw.X_train.mean(axis=0), rtol=0, atol=0)


def test_digits_standardized_output_unchanged():
    # an independent recomputation of the documented recipe: permute, split, standardize
    from sklearn.datasets import load_digits as sk

    data = sk()
    order = np.random.default_rng(0).permutation(len(data.target))
    X = data.data.astype(np.float64)[order]
    X_train, X_test = X[:1197], X[1497:]
    mean, std = X_train.mean(axis=0), X_train.std(axis=0)
    blank = std == 0
    assert np.count_nonzero(blank) == 3             # the always-blank pixels of this split
    std[blank] = 1.0
    d = load_digits()
    assert np.array_equal(d.X_train, (X_train - mean) / std)
    assert np.array_equal(d.X_test, (X_test - mean) / std)
    assert np.array_equal(d.y_train, data.target[order][:1197])
    # constant training pixels come out as exact zeros, never NaN
    assert np.all(np.isfinite(d.X_train))
    assert np.all(d.X_train[:, blank] == 0.0)


def test_digits_standardize_flag_must_be_boolean():
    with pytest.raises(ValueError, match="standardize"):
        load_digits(standardize="no")
    with pytest.raises(ValueError, match="standardize"):
        load_digits(standardize=1)
