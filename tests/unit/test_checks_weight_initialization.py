"""lib.checks.check_orthogonal_init accepts right answers and rejects the plausible wrong ones."""

import numpy as np
import pytest

from lib.checks import check_orthogonal_init
from lib.init import orthogonal


def _tall(n_in, n_out, rng):
    return max(n_in, n_out), min(n_in, n_out), rng.standard_normal((max(n_in, n_out),
                                                                    min(n_in, n_out)))


def _qr_corrected(n_in, n_out, rng):
    _, _, A = _tall(n_in, n_out, rng)
    Q, R = np.linalg.qr(A)
    Q = Q * np.where(np.diag(R) < 0, -1.0, 1.0)
    return Q if n_in >= n_out else Q.T


def _polar(n_in, n_out, rng):
    # U V^T of the SVD: the orthogonal factor nearest to A, Haar-distributed as well
    _, _, A = _tall(n_in, n_out, rng)
    U, _, Vt = np.linalg.svd(A, full_matrices=False)
    Q = U @ Vt
    return Q if n_in >= n_out else Q.T


def _qr_raw(n_in, n_out, rng):
    _, _, A = _tall(n_in, n_out, rng)
    Q, _ = np.linalg.qr(A)
    return Q if n_in >= n_out else Q.T


def _qr_sign_of_q(n_in, n_out, rng):
    # the correction applied with the sign of Q's diagonal instead of R's
    _, _, A = _tall(n_in, n_out, rng)
    Q, _ = np.linalg.qr(A)
    Q = Q * np.where(np.diag(Q) < 0, -1.0, 1.0)
    return Q if n_in >= n_out else Q.T


def _svd_u(n_in, n_out, rng):
    # the notes' SVD route, taking U alone: LAPACK's signs again
    _, _, A = _tall(n_in, n_out, rng)
    U, _, _ = np.linalg.svd(A, full_matrices=False)
    return U if n_in >= n_out else U.T


def _own_generator(n_in, n_out, rng):
    return _qr_corrected(n_in, n_out, np.random.default_rng(0))


def _gaussian(n_in, n_out, rng):
    # LeCun's Gaussian: the right variance, but not orthogonal
    return rng.standard_normal((n_in, n_out)) / np.sqrt(n_in)


def _no_transpose(n_in, n_out, rng):
    _, _, A = _tall(n_in, n_out, rng)
    Q, R = np.linalg.qr(A)
    return Q * np.where(np.diag(R) < 0, -1.0, 1.0)


def _random_signs(n_in, n_out, rng):
    # orthonormal, seeded, with fair diagonal signs and determinants, but not Haar: a signed
    # identity never mixes the coordinates
    signs = rng.choice([-1.0, 1.0], size=min(n_in, n_out))
    W = np.eye(n_in, n_out)
    W[np.arange(len(signs)), np.arange(len(signs))] = signs
    return W


def _float32(n_in, n_out, rng):
    return _qr_corrected(n_in, n_out, rng).astype(np.float32)


def _complete_qr(n_in, n_out, rng):
    _, _, A = _tall(n_in, n_out, rng)
    Q, _ = np.linalg.qr(A, mode="complete")
    return Q if n_in >= n_out else Q.T


@pytest.mark.parametrize("fn", [_qr_corrected, _polar, orthogonal])
def test_accepts_right_answers(fn, capsys):
    check_orthogonal_init(fn)
    assert "check_orthogonal_init:" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("fn", "message"),
    [
        (_qr_raw, "expected about 0.5"),
        (_qr_sign_of_q, "expected about 0.5"),
        (_svd_u, "expected about 0.5"),
        (_own_generator, "another seed gave the same W"),
        (_gaussian, "not orthonormal"),
        (_no_transpose, "must have shape"),
        (_complete_qr, "must have shape"),
        (_random_signs, r"mean of W_ij\^2 .* expected about 1/3"),
        (_float32, "must be finite float64"),
    ],
)
def test_rejects_wrong_answers(fn, message):
    with pytest.raises(AssertionError, match=message):
        check_orthogonal_init(fn)


def test_rejects_a_non_array_and_a_non_callable():
    with pytest.raises(AssertionError, match="numpy array"):
        check_orthogonal_init(lambda n_in, n_out, rng: _qr_corrected(n_in, n_out, rng).tolist())
    with pytest.raises(ValueError, match="callable"):
        check_orthogonal_init("orthogonal")
