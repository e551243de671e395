"""``unbind``, ``split`` and ``chunk``: the ops that return several views at once.

Each output is a view of the input (same memory, same version counter), and all of
them share one backward node (``UnbindBackward0``, ``SplitBackward0``,
``SplitWithSizesBackward0``), output ``i`` being ``(node, i)``: the node's backward
gets every output's gradient together and puts them back in place.

Because one node stands for all the outputs, none of them may be changed in place
while gradients are recorded (torch's "This view is the output of a function that
returns multiple views" error): ``autograd_tutor.functions.Unbind`` and friends mark
them so. Here: the argument checks, in torch's words and torch's order.

>>> import autograd_tutor as at
>>> x = at.arange(6.0).reshape(3, 2).requires_grad_()
>>> [t.tolist() for t in x.split([1, 2])]
[[[0.0, 1.0]], [[2.0, 3.0], [4.0, 5.0]]]
>>> a, b = x.chunk(2, dim=1)
>>> a.grad_fn.name(), a.grad_fn is b.grad_fn, (a.output_nr, b.output_nr)
('SplitBackward0', True, (0, 1))
"""

import numpy as np

from . import functions as F
from ._checks import wrap_dim
from .tensor import Tensor


def unbind(input, dim=0):
    """The slices of ``input`` along ``dim``, a tuple of views (``UnbindBackward0``)."""
    _check_tensor(input, "unbind")
    if input._data.ndim == 0:
        raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    if not isinstance(dim, (int, np.integer)) or isinstance(dim, bool):
        raise TypeError(
            f"unbind(): argument 'dim' (position 1) must be int, not {type(dim).__name__}"
        )
    return F.Unbind.apply(input, dim=wrap_dim(dim, input._data.ndim))


def split(tensor, split_size_or_sections, dim=0):
    """Pieces of ``split_size`` elements along ``dim`` (the last one may be smaller;
    ``SplitBackward0``), or, given a list of sizes, pieces of those sizes
    (``SplitWithSizesBackward0``). As in torch, a one-element tensor counts as its
    number."""
    if not isinstance(tensor, Tensor):  # (torch's split is Python: tensor.split(...))
        raise AttributeError(
            f"'{type(tensor).__name__}' object has no attribute 'split'"
        )
    size = split_size_or_sections
    if isinstance(size, Tensor):
        try:
            size = int(size)
        except ValueError:
            pass
    if isinstance(size, int) and not isinstance(size, bool):
        _check_dims(tensor, "split")
        d = wrap_dim(dim, tensor._data.ndim)
        n = tensor._data.shape[d]
        if size < 0:
            raise RuntimeError(
                f"split expects split_size be non-negative, but got split_size={size}"
            )
        if size == 0 and n != 0:
            raise RuntimeError(
                "split_size can only be 0 if dimension size is 0, but got dimension "
                f"size of {n}"
            )
        return F.Split.apply(tensor, split_size=size, dim=d)
    return split_by_sizes(tensor, size, dim, position=2)


def split_with_sizes(input, split_sizes, dim=0):
    """Pieces of the given sizes along ``dim`` (they must add up to its size)."""
    _check_tensor(input, "split_with_sizes")
    return split_by_sizes(input, split_sizes, dim, position=2)


def chunk(input, chunks, dim=0):
    """``chunks`` pieces of equal size along ``dim`` (the last may be smaller, and
    there may be fewer): torch's ``split`` with ``ceil(size / chunks)``."""
    _check_tensor(input, "chunk")
    if not isinstance(chunks, (int, np.integer)) or isinstance(chunks, bool):
        raise TypeError(
            f"chunk(): argument 'chunks' (position 1) must be int, not "
            f"{type(chunks).__name__}"
        )
    _check_dims(input, "chunk")
    if chunks <= 0:
        raise RuntimeError(
            f"chunk expects `chunks` to be greater than 0, got: {chunks}"
        )
    d = wrap_dim(dim, input._data.ndim)
    n = input._data.shape[d]
    size = (n + chunks - 1) // chunks
    if size == 0 and n == 0:  # an empty dimension: `chunks` empty pieces
        return F.SplitWithSizes.apply(input, split_sizes=(0,) * int(chunks), dim=d)
    return F.Split.apply(input, split_size=int(size), dim=d)


def _check_tensor(t, name):
    if not isinstance(t, Tensor):
        raise TypeError(
            f"{name}(): argument 'input' (position 1) must be Tensor, not "
            f"{_type_name(t)}"
        )


def _check_dims(t, name):
    if t._data.ndim == 0:
        raise RuntimeError(f"{name} expects at least a 1-dimensional tensor")


def split_by_sizes(t, sizes, dim, position):
    """The views of ``t`` of the given sizes along ``dim``, for ``at.split_with_sizes``
    and the method (``position``: the argument's position in torch's messages)."""
    if not isinstance(sizes, (list, tuple)):
        raise TypeError(
            f"split_with_sizes(): argument 'split_sizes' (position {position}) must be "
            f"tuple of ints, not {_type_name(sizes)}"
        )
    for i, s in enumerate(sizes):
        if not isinstance(s, int) or isinstance(s, bool):
            raise TypeError(
                f"split_with_sizes(): argument 'split_sizes' (position {position}) must "
                f"be tuple of ints, but found element of type {_type_name(s)} at pos {i}"
            )
    _check_dims(t, "split")
    d = wrap_dim(dim, t._data.ndim)
    n = t._data.shape[d]
    if any(s < 0 for s in sizes):
        raise RuntimeError(
            "split_with_sizes expects split_sizes have only non-negative entries, but "
            f"got split_sizes={list(sizes)}"
        )
    if sum(sizes) != n:
        raise RuntimeError(
            f"split_with_sizes expects split_sizes to sum exactly to {n} (input "
            f"tensor's size at dimension {dim}), but got split_sizes={list(sizes)}"
        )
    return F.SplitWithSizes.apply(t, split_sizes=tuple(sizes), dim=d)


def _type_name(value):
    """Python's name for a value's type, as torch's argument parser prints it."""
    kind = type(value)
    if kind.__module__ == "builtins" or kind is Tensor:
        return kind.__name__
    return f"{kind.__module__}.{kind.__qualname__}"
