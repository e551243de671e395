"""``Linear``: the fully connected layer ``y = x @ weight.t() + bias``, like
``torch.nn.Linear`` (same shapes, same default initialisation, same recorded nodes)."""

import math

import numpy as np

from ... import _dtype
from ...tensor import Tensor
from .. import functional as F
from .. import init
from ..parameter import Parameter
from .module import Module

__all__ = ["Linear"]


class Linear(Module):
    """A fully connected layer: ``y = x @ weight.t() + bias``.

    ``weight`` has shape ``(out_features, in_features)``, so each row holds one output
    unit's weights; ``bias`` has shape ``(out_features,)``. Both start uniform in
    ``(-1/sqrt(in_features), 1/sqrt(in_features))``, torch's default.

    Args:
        in_features: size of each input sample.
        out_features: size of each output sample.
        bias: learn an additive bias (default True).
        dtype: ``at.float32`` (default) or ``at.float64``.

    Example:
        >>> import autograd_tutor as at
        >>> layer = at.nn.Linear(3, 32)
        >>> layer
        Linear(in_features=3, out_features=32, bias=True)
        >>> layer.weight.shape, layer.bias.shape
        (at.Size([32, 3]), at.Size([32]))
        >>> y = layer(at.randn(100, 3))
        >>> y.shape, y.grad_fn.name()
        (at.Size([100, 32]), 'AddmmBackward0')
    """

    def __init__(self, in_features, out_features, bias=True, dtype=None):
        super().__init__()
        np_dtype = _dtype.to_numpy_dtype(dtype) if dtype is not None else np.float32
        self.in_features = in_features
        self.out_features = out_features
        self.weight = Parameter(
            Tensor._make(np.empty((out_features, in_features), dtype=np_dtype))
        )
        if bias:
            self.bias = Parameter(Tensor._make(np.empty(out_features, dtype=np_dtype)))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        """Draw fresh starting weights (kaiming_uniform with ``a=sqrt(5)``, as torch)."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in = self.in_features
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input):
        return F.linear(input, self.weight, self.bias)

    def extra_repr(self):
        return (
            f"in_features={self.in_features}, out_features={self.out_features}, "
            f"bias={self.bias is not None}"
        )
