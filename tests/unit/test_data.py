"""lib.data: the digits split and the spiral generator."""

import numpy as np

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
