"""Undoing broadcasting in the backward pass: the one place it is done.

If ``b`` of shape ``(1, 32)`` was broadcast to ``(100, 32)`` in ``a + b``, each of its
elements was used 100 times, so its gradient is the *sum* over those 100 rows.
This is why the bias gradient of a layer is summed over the batch."""

import numpy as np


def unbroadcast(grad, shape):
    """Sum ``grad`` over the dimensions that broadcasting added or stretched to ``shape``.

    >>> import numpy as np
    >>> unbroadcast(np.ones((100, 32)), (1, 32)).shape
    (1, 32)
    """
    if grad.shape == shape:
        return grad
    if type(grad) is not np.ndarray:  # (the plain pass's arrays go straight on)
        if isinstance(grad, np.lib.mixins.NDArrayOperatorsMixin):  # torch's zero
            grad = np.asarray(grad)  # tensor (autograd.zero_tangent): summed, filled
        elif not isinstance(grad, np.ndarray):  # a tensor (create_graph=True):
            return sum_to(grad, shape)  # recorded
    # (np.add.reduce is what grad.sum calls, without ndarray.sum's Python wrapper)
    extra = grad.ndim - len(shape)
    if extra > 0:
        grad = np.add.reduce(grad, axis=tuple(range(extra)))
    stretched = tuple([i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1])
    if stretched:
        grad = np.add.reduce(grad, axis=stretched, keepdims=True)
    return np.asarray(grad)


def sum_to(grad, shape):
    """``unbroadcast`` for a gradient that is a tensor (``create_graph=True``), recorded
    as torch's ``at::sum_to`` records it: one ``sum(dims, keepdim=True)``
    (``SumBackward1``), then a ``view`` (``ViewBackward0``) if dimensions were added;
    to a 0-d shape, one ``sum()`` (``SumBackward0``)."""
    if not shape:
        return grad.sum()
    extra = grad.ndim - len(shape)
    dims = list(range(extra)) + [
        extra + i for i, n in enumerate(shape) if n == 1 and grad.shape[extra + i] != 1
    ]
    if dims:
        grad = grad.sum(dim=dims, keepdim=True)
    return grad.view(shape) if extra > 0 else grad
