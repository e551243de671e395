"""Part 5 of lesson 8: the same engine on NumPy arrays, with broadcasting.

The rules of ``scalar.py`` carry over unchanged, because NumPy's ``*``, ``/`` and ``**``
work element by element. Two things are new:

* **Broadcasting**: ``b`` of shape ``(1, 32)`` added to ``(100, 32)`` is used
  100 times, so its gradient is the *sum* of the 100 rows. ``unbroadcast`` sums a
  gradient back to its input's shape; every rule for an op that broadcasts calls it.
* **New operations**: the reductions ``sum`` and ``mean`` (their gradient is
  copied back to every element) and the matrix product ``mm``.

Data is stored as float64, so finite differences check the gradients accurately.

>>> x = Tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
>>> b = Tensor([[10.0, 20.0]], requires_grad=True)
>>> loss = (x * b).sum()
>>> loss.grad_fn
<SumBackward0 object at 0x...>
>>> loss.backward()
>>> b.grad                        # summed over the two rows b was broadcast to
array([[4., 6.]])
"""

import numpy as np

from .engine import Node, Value, record
from .scalar import (  # the same rules, element by element
    ExpBackward0,
    LogBackward0,
    NegBackward0,
    PowBackward0,
    ReciprocalBackward0,
    ReluBackward0,
    RsubBackward1,
    TanhBackward0,
)


class Tensor(Value):
    """A NumPy array that remembers how it was computed.

    Args:
        data: numbers, nested lists or an array (stored as float64).
        requires_grad: record operations on it, so ``backward()`` reaches it.
    """

    def __init__(self, data, requires_grad=False):
        super().__init__(np.array(data, dtype=np.float64), requires_grad)

    def __repr__(self):
        body = np.array2string(self.data, precision=4, separator=", ", prefix="tensor(")
        fn = f", grad_fn=<{self.grad_fn.name()}>" if self.grad_fn else ""
        flag = ", requires_grad=True" if self.requires_grad and not fn else ""
        return f"tensor({body}{fn}{flag})"

    @property
    def shape(self):
        return self.data.shape

    def numpy(self):
        return self.data

    def item(self):
        return self.data.item()

    def _seed(self):
        if self.data.size != 1:  # torch's rule: pass gradient= for a non-scalar output
            raise RuntimeError("grad can be implicitly created only for scalar outputs")
        return np.ones_like(self.data)

    # Elementwise operations: the inputs' shapes are kept to undo broadcasting.
    def __add__(self, other):
        other = _wrap(other)
        out = Tensor(self.data + other.data)
        return record(AddBackward0, (self, other), out, shapes=_shapes(self, other))

    def __radd__(self, other):
        return self + other

    def __sub__(self, other):
        other = _wrap(other)
        out = Tensor(self.data - other.data)
        return record(SubBackward0, (self, other), out, shapes=_shapes(self, other))

    def __rsub__(self, other):
        return record(RsubBackward1, (self,), Tensor(other - self.data))

    def __mul__(self, other):
        other = _wrap(other)
        out = Tensor(self.data * other.data)
        return record(MulBackward0, (self, other), out, saved=(self.data, other.data))

    def __rmul__(self, other):
        return self * other

    def __truediv__(self, other):
        other = _wrap(other)
        out = Tensor(self.data / other.data)
        return record(DivBackward0, (self, other), out, saved=(self.data, other.data))

    def __rtruediv__(self, other):
        return self.reciprocal() * other

    def __neg__(self):
        return record(NegBackward0, (self,), Tensor(-self.data))

    def __pow__(self, exponent):
        out = Tensor(self.data**exponent)
        return record(PowBackward0, (self,), out, saved=(self.data,), exponent=exponent)

    pow = __pow__

    def reciprocal(self):
        out = Tensor(1.0 / self.data)
        return record(ReciprocalBackward0, (self,), out, saved=(out.data,))

    def exp(self):
        out = Tensor(np.exp(self.data))
        return record(ExpBackward0, (self,), out, saved=(out.data,))

    def log(self):
        return record(LogBackward0, (self,), Tensor(np.log(self.data)), (self.data,))

    def tanh(self):
        out = Tensor(np.tanh(self.data))
        return record(TanhBackward0, (self,), out, saved=(out.data,))

    def relu(self):
        out = Tensor(np.maximum(self.data, 0.0))
        return record(ReluBackward0, (self,), out, saved=(out.data,))

    def clamp(self, min=None, max=None):
        out = Tensor(np.clip(self.data, min, max))
        return record(
            ClampBackward1, (self,), out, saved=(self.data,), min=min, max=max
        )

    # Reductions and the matrix product
    def add(self, other):
        return self + other

    def sum(self, dim=None, keepdim=False):
        out = Tensor(self.data.sum(axis=dim, keepdims=keepdim))
        if dim is None:
            return record(SumBackward0, (self,), out, shape=self.shape)
        return record(
            SumBackward1, (self,), out, shape=self.shape, dim=dim, keepdim=keepdim
        )

    def mean(self, dim=None, keepdim=False):
        out = Tensor(self.data.mean(axis=dim, keepdims=keepdim))
        if dim is None:
            return record(MeanBackward0, (self,), out, shape=self.shape)
        return record(
            MeanBackward1, (self,), out, shape=self.shape, dim=dim, keepdim=keepdim
        )

    def mm(self, other):
        out = Tensor(self.data @ other.data)
        return record(MmBackward0, (self, other), out, saved=(self.data, other.data))


def _wrap(x):
    """A plain number or array becomes a constant: a Tensor that needs no gradient."""
    return x if isinstance(x, Tensor) else Tensor(x)


def _shapes(*tensors):
    return tuple(t.shape for t in tensors)


def unbroadcast(grad, shape):
    """Sum ``grad`` back to ``shape``, undoing what broadcasting did.

    Broadcasting (a) prepends dimensions and (b) stretches dimensions of size 1. An
    input element used k times receives the sum of its k gradients.

    >>> unbroadcast(np.ones((100, 32)), (1, 32))[0, :3]
    array([100., 100., 100.])
    >>> unbroadcast(np.ones((2, 3)), ()).shape   # a number added to a matrix
    ()
    """
    while grad.ndim > len(shape):  # (a) dimensions that broadcasting added in front
        grad = grad.sum(axis=0)
    for axis, size in enumerate(shape):  # (b) dimensions stretched from size 1
        if size == 1 and grad.shape[axis] != 1:
            grad = grad.sum(axis=axis, keepdims=True)
    return grad


# The backward rules. Those of scalar.py that never broadcast work on arrays as they
# are (imported above); the rules of binary operations sum back with unbroadcast.


class AddBackward0(Node):
    """z = a + b.   dz/da = 1, dz/db = 1, each summed back to its input's shape."""

    def backward(self, grad):
        a_shape, b_shape = self.shapes
        return unbroadcast(grad, a_shape), unbroadcast(grad, b_shape)


class SubBackward0(Node):
    """z = a - b.   dz/da = 1, dz/db = -1."""

    def backward(self, grad):
        a_shape, b_shape = self.shapes
        return unbroadcast(grad, a_shape), unbroadcast(-grad, b_shape)


class MulBackward0(Node):
    """z = a * b.   dz/da = b, dz/db = a."""

    def backward(self, grad):
        a, b = self.saved
        return unbroadcast(grad * b, a.shape), unbroadcast(grad * a, b.shape)


class DivBackward0(Node):
    """z = a / b.   dz/da = 1 / b, dz/db = -a / b**2."""

    def backward(self, grad):
        a, b = self.saved
        return unbroadcast(grad / b, a.shape), unbroadcast(-grad * a / (b * b), b.shape)


class ClampBackward1(Node):
    """y = x clamped to [min, max] (``clamp(min=0)`` is the lesson's ReLU).
    dy/dx = 1 where min <= x <= max, else 0."""

    def backward(self, grad):
        (x,) = self.saved
        inside = np.ones(x.shape, dtype=bool)
        if self.min is not None:
            inside &= x >= self.min
        if self.max is not None:
            inside &= x <= self.max
        return (grad * inside,)


class SumBackward0(Node):
    """y = sum of all x_i.   dy/dx_i = 1: the gradient is copied to every element."""

    def backward(self, grad):
        return (grad * np.ones(self.shape),)


class SumBackward1(Node):
    """y = x summed over ``dim``.   Each element gets the gradient of its sum."""

    def backward(self, grad):
        if not self.keepdim:
            grad = np.expand_dims(grad, self.dim)  # put the summed dimension back
        return (grad * np.ones(self.shape),)


class MeanBackward0(Node):
    """y = mean of the n elements x_i.   dy/dx_i = 1 / n."""

    def backward(self, grad):
        return (grad * np.ones(self.shape) / np.prod(self.shape),)


class MeanBackward1(Node):
    """y = x averaged over ``dim`` (k elements each).   dy/dx_i = 1 / k."""

    def backward(self, grad):
        if not self.keepdim:
            grad = np.expand_dims(grad, self.dim)
        return (grad * np.ones(self.shape) / self.shape[self.dim],)


class MmBackward0(Node):
    """C = A @ B.   dL/dA = dL/dC @ B.T,  dL/dB = A.T @ dL/dC (shapes must fit)."""

    def backward(self, grad):
        a, b = self.saved
        return grad @ b.T, a.T @ grad
