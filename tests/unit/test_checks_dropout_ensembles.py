"""lib.checks.check_inverted_dropout accepts right answers, written independently of lib, and
rejects the plausible wrong ones with a hint that names the slip."""

import numpy as np
import pytest

from lib.checks import _inverted_dropout_cases, check_inverted_dropout
from lib.nn import Dropout


def _right(x, dout, p, u):
    scale = (u >= p) / (1 - p)
    return x * scale, dout * scale


def _right_where(x, dout, p, u):
    # the same, written with np.where and a division of the kept entries
    keep = u >= p
    return np.where(keep, x / (1 - p), 0.0), np.where(keep, dout / (1 - p), 0.0)


@pytest.mark.parametrize("fn", [_right, _right_where])
def test_right_answers_pass(fn, capsys):
    check_inverted_dropout(fn)
    assert "match lib.nn.Dropout in all 4 cases" in capsys.readouterr().out


def test_right_answer_agrees_with_torch():
    torch = pytest.importorskip("torch")
    for _, x, dout, p, _ in _inverted_dropout_cases():
        if p == 0:
            continue
        torch.manual_seed(0)
        xt = torch.tensor(x, requires_grad=True)
        out = torch.nn.Dropout(p)(xt)
        out.backward(torch.tensor(dout))
        keep = out.detach().numpy() != 0
        u = np.where(keep, 1.0 - 1e-12, 0.0)            # any u that keeps exactly torch's entries
        ours, dx = _right(x, dout, p, u)
        assert np.array_equal(ours, out.detach().numpy())
        assert np.allclose(dx, xt.grad.numpy(), rtol=1e-15, atol=0)


def _keep_prob(x, dout, p, u):                          # p read as the keep probability
    scale = (u < p) / p
    return x * scale, dout * scale


def _unscaled(x, dout, p, u):
    keep = u >= p
    return x * keep, dout * keep


def _divide_by_p(x, dout, p, u):
    keep = u >= p
    return x * keep / max(p, 1e-300) if p else x * 1.0, dout * keep / max(p, 1e-300) if p else dout


def _test_time_scaling(x, dout, p, u):
    keep = u >= p
    return x * keep * (1 - p), dout * keep * (1 - p)


def _no_mask_backward(x, dout, p, u):
    return x * (u >= p) / (1 - p), dout / (1 - p)


def _unscaled_backward(x, dout, p, u):
    keep = u >= p
    return x * keep / (1 - p), dout * keep


def _in_place(x, dout, p, u):
    x *= (u >= p) / (1 - p)
    return x, dout * (u >= p) / (1 - p)


def _pair_of_lists(x, dout, p, u):
    return [_right(x, dout, p, u)]


def _own_random_numbers(x, dout, p, u):                 # ignores u, draws its own mask
    keep = np.random.default_rng(123).random(x.shape) >= p
    return x * keep / (1 - p), dout * keep / (1 - p)


@pytest.mark.parametrize(("wrong", "message"), [
    (_keep_prob, "probability to \\*drop\\*"),
    (_unscaled, "not rescaled"),
    (_divide_by_p, "not by p"),
    (_test_time_scaling, "weight scaling of standard dropout"),
    (_no_mask_backward, "same mask"),
    (_unscaled_backward, "scale by 1 / \\(1 - p\\) too"),
    (_in_place, "in place"),
    (_pair_of_lists, "return a pair"),
    (_own_random_numbers, "the u you are given"),
])
def test_wrong_answers_fail_with_their_hint(wrong, message):
    with pytest.raises(AssertionError, match=message):
        check_inverted_dropout(wrong)


def test_cases_match_the_layer_they_are_checked_against():
    # u drawn from the seed is exactly what Dropout draws: the reference is the layer itself
    for _, x, dout, p, seed in _inverted_dropout_cases():
        u = np.random.default_rng(seed).random(x.shape)
        out, dx = _right(x, dout, p, u)
        layer = Dropout(p, seed=seed)
        assert np.array_equal(layer.forward(x), out)
        assert np.array_equal(layer.backward(dout), dx)


def test_not_callable_is_a_value_error():
    with pytest.raises(ValueError, match="callable"):
        check_inverted_dropout("dropout")
