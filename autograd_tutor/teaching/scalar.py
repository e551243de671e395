"""Part 2 of lesson 8: values and backward rules, one Python float per value.

``Scalar`` is a 0-d tensor in PyTorch's terms: a number that remembers which operation
made it. Each operation has a backward rule: a ``Node`` subclass named as PyTorch
names it, whose ``backward`` applies the chain rule on plain floats.

>>> x1 = Scalar(1.0, requires_grad=True)
>>> x2 = Scalar(1.1, requires_grad=True)
>>> y = x1 * (x2 + 2)
>>> out = y**2 * 3
>>> out
Scalar(28.8300, grad_fn=<MulBackward0>)
>>> out.backward()
>>> round(x1.grad, 4), round(x2.grad, 4)
(57.66, 18.6)
"""

import math

from .engine import Node, Value, record


class Scalar(Value):
    """A float that remembers how it was computed.

    Args:
        data: the number.
        requires_grad: record operations on it, so ``backward()`` reaches it.
    """

    def __init__(self, data, requires_grad=False):
        super().__init__(float(data), requires_grad)

    def __repr__(self):
        fn = f", grad_fn=<{self.grad_fn.name()}>" if self.grad_fn else ""
        flag = ", requires_grad=True" if self.requires_grad and not fn else ""
        return f"Scalar({self.data:.4f}{fn}{flag})"

    def _seed(self):
        return 1.0  # dL/dL

    def item(self):
        return self.data

    # Each operation: compute the value, then record the node with what its rule needs.
    def __add__(self, other):
        other = _wrap(other)
        return record(AddBackward0, (self, other), Scalar(self.data + other.data))

    def __radd__(self, other):  # 2 + x: torch records it as x + 2
        return self + other

    def __sub__(self, other):
        other = _wrap(other)
        return record(SubBackward0, (self, other), Scalar(self.data - other.data))

    def __rsub__(self, other):  # 2 - x: one input, the number is a setting
        return record(RsubBackward1, (self,), Scalar(other - self.data))

    def __mul__(self, other):
        other = _wrap(other)
        out = Scalar(self.data * other.data)
        return record(MulBackward0, (self, other), out, saved=(self.data, other.data))

    def __rmul__(self, other):
        return self * other

    def __truediv__(self, other):
        other = _wrap(other)
        out = Scalar(self.data / other.data)
        return record(DivBackward0, (self, other), out, saved=(self.data, other.data))

    def __rtruediv__(self, other):  # 2 / x: torch records (1 / x) * 2
        return self.reciprocal() * other

    def __neg__(self):
        return record(NegBackward0, (self,), Scalar(-self.data))

    def __pow__(self, exponent):
        out = Scalar(self.data**exponent)
        return record(PowBackward0, (self,), out, saved=(self.data,), exponent=exponent)

    pow = __pow__

    def reciprocal(self):
        out = Scalar(1.0 / self.data)
        return record(ReciprocalBackward0, (self,), out, saved=(out.data,))

    def exp(self):
        out = Scalar(math.exp(self.data))
        return record(ExpBackward0, (self,), out, saved=(out.data,))

    def log(self):
        return record(LogBackward0, (self,), Scalar(math.log(self.data)), (self.data,))

    def tanh(self):
        out = Scalar(math.tanh(self.data))
        return record(TanhBackward0, (self,), out, saved=(out.data,))

    def relu(self):
        out = Scalar(max(self.data, 0.0))
        return record(ReluBackward0, (self,), out, saved=(out.data,))


def _wrap(x):
    """A plain number becomes a constant: a Scalar that needs no gradient."""
    return x if isinstance(x, Scalar) else Scalar(x)


# The backward rules. Each returns dL/d(input) for each input, given
# grad = dL/d(output): the local derivative times the gradient that arrived.


class AddBackward0(Node):
    """z = a + b.   dz/da = 1, dz/db = 1: the gradient is passed on unchanged."""

    def backward(self, grad):
        return grad, grad


class SubBackward0(Node):
    """z = a - b.   dz/da = 1, dz/db = -1."""

    def backward(self, grad):
        return grad, -grad


class RsubBackward1(Node):
    """z = c - a (c a number).   dz/da = -1."""

    def backward(self, grad):
        return (-grad,)


class MulBackward0(Node):
    """z = a * b.   dz/da = b, dz/db = a: each factor's gradient is the other factor."""

    def backward(self, grad):
        a, b = self.saved
        return grad * b, grad * a


class DivBackward0(Node):
    """z = a / b.   dz/da = 1 / b, dz/db = -a / b**2."""

    def backward(self, grad):
        a, b = self.saved
        return grad / b, -grad * a / (b * b)


class NegBackward0(Node):
    """y = -x.   dy/dx = -1."""

    def backward(self, grad):
        return (-grad,)


class PowBackward0(Node):
    """y = x**n (n a number).   dy/dx = n * x**(n - 1)."""

    def backward(self, grad):
        (x,) = self.saved
        n = self.exponent
        return (grad * n * x ** (n - 1),)


class ReciprocalBackward0(Node):
    """y = 1 / x.   dy/dx = -1 / x**2 = -y**2 (uses the saved result y)."""

    def backward(self, grad):
        (y,) = self.saved
        return (-grad * y * y,)


class ExpBackward0(Node):
    """y = e**x.   dy/dx = e**x = y (uses the saved result y)."""

    def backward(self, grad):
        (y,) = self.saved
        return (grad * y,)


class LogBackward0(Node):
    """y = ln x.   dy/dx = 1 / x."""

    def backward(self, grad):
        (x,) = self.saved
        return (grad / x,)


class TanhBackward0(Node):
    """y = tanh x.   dy/dx = 1 - y**2 (uses the saved result y)."""

    def backward(self, grad):
        (y,) = self.saved
        return (grad * (1 - y * y),)


class ReluBackward0(Node):
    """y = max(x, 0).   dy/dx = 1 where y > 0, else 0."""

    def backward(self, grad):
        (y,) = self.saved
        return (grad * (y > 0),)
