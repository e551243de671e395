"""Argument checks that raise PyTorch's exception types with PyTorch's messages."""

import numpy as np

INTERNAL_OVERLAP = (  # (in-place writes, and CopySlices' backward)
    "unsupported operation: more than one element of the written-to tensor refers to a "
    "single memory location. Please clone() the tensor before performing the operation."
)


def wrap_dim(dim, ndim):
    """Turn a possibly negative dimension into 0..ndim-1, or raise torch's IndexError."""
    if not isinstance(dim, (int, np.integer)) or isinstance(dim, bool):
        raise TypeError(f"dim must be an int, got {type(dim).__name__}")
    lo, hi = (-1, 0) if ndim == 0 else (-ndim, ndim - 1)
    if dim < lo or dim > hi:
        raise IndexError(
            f"Dimension out of range (expected to be in range of [{lo}, {hi}], but got {dim})"
        )
    return int(dim) % max(ndim, 1)


def wrap_dims(dims, ndim):
    """A dim argument that may be an int or a tuple/list of ints -> sorted tuple."""
    if isinstance(dims, (tuple, list)):
        out = tuple(wrap_dim(d, ndim) for d in dims)
        if len(set(out)) != len(out):
            raise RuntimeError(
                f"dim {out[0]} appears multiple times in the list of dims"
            )
        return out
    return wrap_dim(dims, ndim)


def broadcast_error(shape_a, shape_b):
    """torch's message for shapes that cannot broadcast."""
    n = max(len(shape_a), len(shape_b))
    a = (1,) * (n - len(shape_a)) + tuple(shape_a)
    b = (1,) * (n - len(shape_b)) + tuple(shape_b)
    for i in range(n - 1, -1, -1):
        if a[i] != b[i] and a[i] != 1 and b[i] != 1:
            return RuntimeError(
                f"The size of tensor a ({a[i]}) must match the size of tensor b ({b[i]}) "
                f"at non-singleton dimension {i}"
            )
    return RuntimeError(
        f"shapes {list(shape_a)} and {list(shape_b)} cannot be broadcast"
    )


def parse_shape(args, what="size"):
    """``f(2, 3)``, ``f((2, 3))`` and ``f([2, 3])`` all mean the shape (2, 3)."""
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        args = tuple(args[0])
    shape = []
    for s in args:
        if isinstance(s, bool) or not isinstance(s, (int, np.integer)):
            if hasattr(s, "item") and getattr(s, "ndim", 1) == 0:
                s = s.item()
            else:
                raise TypeError(
                    f"{what} must be a tuple of ints, but got an element of type "
                    f"{type(s).__name__}"
                )
        shape.append(int(s))
    return tuple(shape)


def infer_view_shape(shape, numel):
    """Fill in one -1 in ``shape``; torch's error if the sizes cannot match ``numel``."""
    shape = list(shape)
    if shape.count(-1) > 1:
        raise RuntimeError("only one dimension can be inferred")
    known = 1
    for s in shape:
        if s != -1:
            if s < 0:
                raise RuntimeError(f"invalid shape dimension {s}")
            known *= s
    if -1 in shape:
        if known == 0 or numel % known:
            raise RuntimeError(
                f"shape '{_fmt(shape)}' is invalid for input of size {numel}"
            )
        shape[shape.index(-1)] = numel // known
    elif known != numel:
        raise RuntimeError(
            f"shape '{_fmt(shape)}' is invalid for input of size {numel}"
        )
    return tuple(shape)


def _fmt(shape):
    return "[" + ", ".join(str(s) for s in shape) + "]"
