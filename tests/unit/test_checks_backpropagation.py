"""The backpropagation chapter's reader checks accept correct answers and reject wrong ones."""

import math

import numpy as np
import pytest

from lib import checks


def two_layer(X, y, W1, b1, W2, b2, alpha, local="tanh", average=True, penalty=True,
              penalize_biases=False):
    n = X.shape[0]
    z = X @ W1 + b1
    a = np.tanh(z)
    s = a @ W2 + b2
    s = s - s.max(axis=1, keepdims=True)
    p = np.exp(s) / np.exp(s).sum(axis=1, keepdims=True)
    loss = -np.log(p[np.arange(n), y]).mean() + alpha * (np.sum(W1**2) + np.sum(W2**2))
    ds = p.copy()
    ds[np.arange(n), y] -= 1.0
    if average:
        ds /= n
    da = ds @ W2.T
    dz = da * (1 - a**2) if local == "tanh" else da * (z > 0)
    grads = {"W1": X.T @ dz, "b1": dz.sum(axis=0), "W2": a.T @ ds, "b2": ds.sum(axis=0)}
    if penalty:
        grads["W1"] = grads["W1"] + 2 * alpha * W1
        grads["W2"] = grads["W2"] + 2 * alpha * W2
    if penalize_biases:
        grads["b1"] = grads["b1"] + 2 * alpha * b1
    return loss, grads


def test_two_layer_accepts_correct(capsys):
    checks.check_two_layer_backprop(two_layer)
    assert "match" in capsys.readouterr().out


@pytest.mark.parametrize(("kwargs", "key"), [
    ({"local": "relu"}, "W1"),               # the ReLU mask where tanh' = 1 - A1^2 belongs
    ({"average": False}, "W2"),              # forgets the 1/N of the mean loss
    ({"penalty": False}, "W2"),              # forgets the penalty's gradient 2 alpha W
    ({"penalize_biases": True}, "b1"),       # penalizes a bias
])
def test_two_layer_rejects_wrong(kwargs, key):
    with pytest.raises(AssertionError, match=key):
        checks.check_two_layer_backprop(lambda *a: two_layer(*a, **kwargs))


def test_two_layer_rejects_wrong_return():
    with pytest.raises(AssertionError, match="pair"):
        checks.check_two_layer_backprop(lambda *a: two_layer(*a)[1])


def test_two_layer_rejects_non_callable():
    with pytest.raises(ValueError, match="callable"):
        checks.check_two_layer_backprop(np.zeros(3))


class Value:
    """A correct scalar autograd (the chapter's solution, condensed); subclasses change one part."""

    def __init__(self, data, parents=(), local=()):
        self.data, self.grad = float(data), 0.0
        self._parents, self._local = parents, local

    def _new(self, data, parents, local):
        return type(self)(data, parents, local)     # results are of the subclass too

    def _wrap(self, other):
        return other if isinstance(other, Value) else type(self)(other)

    def __add__(self, other):
        other = self._wrap(other)
        return self._new(self.data + other.data, (self, other), (1.0, 1.0))

    def __mul__(self, other):
        other = self._wrap(other)
        return self._new(self.data * other.data, (self, other), (other.data, self.data))

    def __pow__(self, k):
        return self._new(self.data**k, (self,), (k * self.data ** (k - 1),))

    def exp(self):
        e = math.exp(self.data)
        return self._new(e, (self,), (e,))

    def log(self):
        return self._new(math.log(self.data), (self,), (1.0 / self.data,))

    def tanh(self):
        t = math.tanh(self.data)
        return self._new(t, (self,), (1.0 - t * t,))

    def relu(self):
        return self._new(max(self.data, 0.0), (self,), (1.0 if self.data > 0 else 0.0,))

    def __neg__(self):
        return self * -1.0

    def __sub__(self, other):
        return self + (-self._wrap(other))

    def __truediv__(self, other):
        return self * self._wrap(other) ** -1

    def __radd__(self, other):
        return self + other

    def __rmul__(self, other):
        return self * other

    def __rsub__(self, other):
        return self._wrap(other) - self

    def __rtruediv__(self, other):
        return self._wrap(other) / self

    def _topological(self):
        order, seen, stack = [], set(), [(self, False)]
        while stack:
            node, done = stack.pop()
            if done:
                order.append(node)
            elif id(node) not in seen:
                seen.add(id(node))
                stack.append((node, True))
                stack.extend((p, False) for p in node._parents)
        return order

    def _push(self):
        for parent, local in zip(self._parents, self._local, strict=True):
            parent.grad += local * self.grad

    def backward(self):
        self.grad = 1.0
        for node in reversed(self._topological()):
            node._push()


class Overwrites(Value):
    def _push(self):
        for parent, local in zip(self._parents, self._local, strict=True):
            parent.grad = local * self.grad          # '=' where '+=' belongs


class BreadthFirst(Value):
    def backward(self):
        self.grad = 1.0
        queue, seen = [self], {id(self)}
        while queue:                                  # each node pushed when first reached
            node = queue.pop(0)
            node._push()
            for p in node._parents:
                if id(p) not in seen:
                    seen.add(id(p))
                    queue.append(p)


class NaiveRecursion(Value):
    def backward(self):
        self.grad = 1.0
        self._recurse()

    def _recurse(self):                               # pushes a shared node's gradient twice
        self._push()
        for p in self._parents:
            p._recurse()


class RecursiveTopological(Value):
    def _topological(self):                           # correct, like micrograd's build_topo
        order, seen = [], set()

        def visit(node):
            if id(node) not in seen:
                seen.add(id(node))
                for p in node._parents:
                    visit(p)
                order.append(node)
        visit(self)
        return order


class WrongTanh(Value):
    def tanh(self):
        t = math.tanh(self.data)
        return self._new(t, (self,), (1.0 - t,))      # 1 - tanh where 1 - tanh^2 belongs


class WrongRelu(Value):
    def relu(self):
        return self._new(max(self.data, 0.0), (self,), (1.0,))


class WrongRsub(Value):
    def __rsub__(self, other):
        return self - other                           # computes a - 1.0 for 1.0 - a


def test_autograd_accepts_correct(capsys):
    checks.check_scalar_autograd(Value)
    assert "right on all" in capsys.readouterr().out


def test_autograd_accepts_recursive_topological_sort():
    checks.check_scalar_autograd(RecursiveTopological)


@pytest.mark.parametrize(("cls", "message"), [
    (Overwrites, r"grad \+="),
    (BreadthFirst, "topological"),
    (NaiveRecursion, "x \\* x|several consumers|topological"),
    (WrongTanh, "gradient"),
    (WrongRelu, "relu"),
    (WrongRsub, "forward value"),
])
def test_autograd_rejects_wrong(cls, message):
    with pytest.raises(AssertionError, match=message):
        checks.check_scalar_autograd(cls)


def test_autograd_reference_agrees_with_torch():
    torch = pytest.importorskip("torch")
    # The correct Value, on the expression of the check's "every operation" graph, agrees
    # with PyTorch's autograd: the check's notion of right is torch's.
    a, b = Value(1.3), Value(0.8)
    out = checks._graph_every_operation(checks._ValueOps, a, b)
    out.backward()
    ta = torch.tensor(1.3, dtype=torch.float64, requires_grad=True)
    tb = torch.tensor(0.8, dtype=torch.float64, requires_grad=True)

    class TorchOps:
        exp, log, tanh, relu = torch.exp, torch.log, torch.tanh, torch.relu
    tout = checks._graph_every_operation(TorchOps, ta, tb)
    tout.backward()
    assert math.isclose(out.data, tout.item(), rel_tol=1e-12)
    assert math.isclose(a.grad, ta.grad.item(), rel_tol=1e-12)
    assert math.isclose(b.grad, tb.grad.item(), rel_tol=1e-12)


def test_autograd_rejects_non_class():
    with pytest.raises(ValueError, match="class"):
        checks.check_scalar_autograd(lambda x: x)
