"""``at.teaching``: the teaching core, a whole autograd engine to read in one sitting.

The reference solution of lesson 8 ("Build your own autograd"), with the same node
names, ``next_functions`` structure, gradients and backward step order as the full
engine (tests/teaching/ pins it to ``autograd_tutor`` itself). Read it in order:

* ``engine.py``: the node class, ``AccumulateGrad`` and the schedule (dependency
  counts and a ready queue by sequence number);
* ``scalar.py``: ``Scalar``, one float per value, and the backward rules;
* ``tensor.py``: ``Tensor`` on NumPy arrays, broadcasting undone by ``unbroadcast``,
  ``sum``/``mean``/``mm``.

It imports nothing from the rest of the package: it is meant to be read alone.

>>> from autograd_tutor.teaching import Tensor, iter_backward
>>> x = Tensor([1.0, 2.0], requires_grad=True)
>>> loss = (x * 3).sum()
>>> [step.node.name() for step in iter_backward(loss)]
['SumBackward0', 'MulBackward0', 'torch::autograd::AccumulateGrad']
>>> x.grad
array([3., 3.])
"""

from .engine import (
    AccumulateGrad,
    BackwardStep,
    Node,
    Value,
    backward,
    grad_edge,
    iter_backward,
    record,
)
from .scalar import Scalar
from .tensor import Tensor, unbroadcast

__all__ = [
    "AccumulateGrad",
    "BackwardStep",
    "Node",
    "Scalar",
    "Tensor",
    "Value",
    "backward",
    "grad_edge",
    "iter_backward",
    "record",
    "unbroadcast",
]
