"""``Parameter``: a tensor that a ``Module`` registers as one of its weights.

Mirrors ``torch.nn.Parameter``. It is an ordinary leaf tensor (``requires_grad=True`` by
default) whose only extra meaning is "assigning me to a module attribute adds me to
``module.parameters()``", which is how an optimizer finds what to update.
"""

import numpy as np

from ..tensor import Tensor, version_counter


class Parameter(Tensor):
    """A leaf tensor that modules collect as a learnable weight.

    Args:
        data: the tensor (or NumPy array) whose numbers the parameter shares.
        requires_grad: record operations on it (default True).

    Example:
        >>> import autograd_tutor as at
        >>> p = at.nn.Parameter(at.zeros(2))
        >>> p
        Parameter containing:
        tensor([0., 0.], requires_grad=True)
        >>> p.is_leaf, type(p * 2).__name__
        (True, 'Tensor')
    """

    __slots__ = ()

    def __new__(cls, data=None, requires_grad=True):
        if data is None:
            data = Tensor._make(np.empty(0, dtype=np.float32))
        elif isinstance(data, np.ndarray):
            data = Tensor._make(data)
        elif not isinstance(data, Tensor):
            raise TypeError(
                f"Parameter(): data must be a Tensor or a NumPy array, not "
                f"{type(data).__name__}"
            )
        if requires_grad and data._data.dtype.kind != "f":
            raise RuntimeError(
                "Only Tensors of floating point and complex dtype can require gradients"
            )
        p = cls._make(data._data)
        # shares memory (and so the version counter) with data, like torch
        p._version_box = version_counter(data)
        p.requires_grad_(requires_grad)
        return p

    def __init__(self, data=None, requires_grad=True):
        pass  # everything happens in __new__ (Tensor.__init__ would copy the data)

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()

    def __reduce_ex__(self, protocol):
        return (Parameter, (Tensor._make(self._data.copy()), self._requires_grad))

    def __deepcopy__(self, memo):
        p = Parameter(Tensor._make(self._data.copy()), self._requires_grad)
        memo[id(self)] = p
        return p
