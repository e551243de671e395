"""``at.nn``: layers as modules, mirroring ``torch.nn``.

A ``Module`` holds its ``Parameter``\\ s and sub-modules; ``Linear``, the activations and
``MSELoss`` are modules; ``Sequential`` chains them. ``at.nn.functional`` has the same
computations as plain functions, ``at.nn.init`` the starting values.

>>> import autograd_tutor as at
>>> model = at.nn.Sequential(at.nn.Linear(3, 32), at.nn.ReLU(), at.nn.Linear(32, 1))
>>> loss = at.nn.MSELoss(reduction="sum")(model(at.randn(100, 3)), at.randn(100, 1))
>>> loss.backward()
>>> model[0].weight.grad.shape
at.Size([32, 3])
"""

from . import functional, init
from .modules import Linear, Module, MSELoss, ReLU, Sequential, Sigmoid, Tanh
from .parameter import Parameter

__all__ = [
    "Linear",
    "MSELoss",
    "Module",
    "Parameter",
    "ReLU",
    "Sequential",
    "Sigmoid",
    "Tanh",
    "functional",
    "init",
]
