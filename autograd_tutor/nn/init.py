"""``at.nn.init``: filling weights with their starting values, like ``torch.nn.init``.

Every function works in place, without recording (as under ``no_grad``), and draws from
the generator seeded by ``at.manual_seed``.
"""

import math
import warnings

import numpy as np

from .. import creation
from ..tensor import bump_version

__all__ = ["calculate_gain", "kaiming_uniform_", "ones_", "uniform_", "zeros_"]


def _fill(tensor, values):
    np.copyto(tensor._data, values, casting="unsafe")
    bump_version(tensor)
    return tensor


def uniform_(tensor, a=0.0, b=1.0):
    """Fill ``tensor`` with numbers drawn uniformly from ``[a, b)``.

    Example:
        >>> import autograd_tutor as at
        >>> w = at.nn.init.uniform_(at.zeros(1000), -0.5, 0.5)
        >>> bool(w.min() >= -0.5) and bool(w.max() < 0.5)
        True
    """
    return _fill(tensor, creation.generator().uniform(a, b, size=tensor._data.shape))


def zeros_(tensor):
    """Fill ``tensor`` with zeros.

    Example:
        >>> import autograd_tutor as at
        >>> at.nn.init.zeros_(at.ones(2))
        tensor([0., 0.])
    """
    return _fill(tensor, 0)


def ones_(tensor):
    """Fill ``tensor`` with ones.

    Example:
        >>> import autograd_tutor as at
        >>> at.nn.init.ones_(at.zeros(2))
        tensor([1., 1.])
    """
    return _fill(tensor, 1)


def calculate_gain(nonlinearity, param=None):
    """The factor that keeps activations' variance steady through ``nonlinearity``.

    Example:
        >>> import autograd_tutor as at
        >>> round(at.nn.init.calculate_gain("relu"), 4)
        1.4142
    """
    if nonlinearity in ("linear", "conv1d", "conv2d", "conv3d", "sigmoid"):
        return 1
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else param
        return math.sqrt(2.0 / (1 + slope**2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"Unsupported nonlinearity {nonlinearity}")


def _fans(tensor):
    if tensor.ndim < 2:
        raise ValueError(
            "Fan in and fan out can not be computed for tensor with fewer than 2 dimensions"
        )
    receptive = int(np.prod(tensor._data.shape[2:]))
    return tensor._data.shape[1] * receptive, tensor._data.shape[0] * receptive


def kaiming_uniform_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu"):
    """He initialisation: ``U(-bound, bound)`` with ``bound = gain * sqrt(3 / fan)``.

    ``Linear`` uses ``a=sqrt(5)``, for which ``gain = sqrt(1/3)`` and the bound is
    exactly ``1 / sqrt(in_features)``.

    Example:
        >>> import autograd_tutor as at
        >>> w = at.nn.init.kaiming_uniform_(at.zeros(50, 4), a=5 ** 0.5)
        >>> bool(w.abs().max() <= 0.5)
        True
    """
    if 0 in tensor.shape:  # nothing to draw (e.g. Linear(0, 2)), as in torch
        warnings.warn("Initializing zero-element tensors is a no-op", stacklevel=2)
        return tensor
    fan_in, fan_out = _fans(tensor)
    fan = fan_in if mode == "fan_in" else fan_out
    gain = calculate_gain(nonlinearity, a)
    bound = math.sqrt(3.0) * gain / math.sqrt(fan)
    return uniform_(tensor, -bound, bound)
