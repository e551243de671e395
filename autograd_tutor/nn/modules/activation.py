"""Activation layers, like ``torch.nn.ReLU``, ``Tanh`` and ``Sigmoid``: modules with no
parameters that apply a function element-wise, so they fit in a ``Sequential``."""

from .. import functional as F
from .module import Module

__all__ = ["ReLU", "Sigmoid", "Tanh"]


class ReLU(Module):
    """``max(x, 0)`` element-wise: negative inputs (and their gradients) become 0.

    Example:
        >>> import autograd_tutor as at
        >>> at.nn.ReLU()(at.tensor([-1.0, 0.5]))
        tensor([0.0000, 0.5000])
    """

    def forward(self, input):
        return F.relu(input)


class Tanh(Module):
    """Hyperbolic tangent element-wise, squashing into ``(-1, 1)``.

    Example:
        >>> import autograd_tutor as at
        >>> at.nn.Tanh()(at.tensor([0.0]))
        tensor([0.])
    """

    def forward(self, input):
        return F.tanh(input)


class Sigmoid(Module):
    """Logistic function element-wise, squashing into ``(0, 1)``.

    Example:
        >>> import autograd_tutor as at
        >>> at.nn.Sigmoid()(at.tensor([0.0]))
        tensor([0.5000])
    """

    def forward(self, input):
        return F.sigmoid(input)
