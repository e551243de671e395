"""``x[key]``: indexing, split into the same chain of nodes PyTorch records.

An integer becomes ``SelectBackward0``, a slice ``SliceBackward0`` (a ``:`` that keeps a
whole dimension is skipped inside a tuple), ``None`` becomes ``UnsqueezeBackward0``, and
integer arrays or boolean masks become one ``IndexBackward0`` at the end. So
``x[:, 0:1]`` records a single ``SliceBackward0``, as in torch. A Python bool (``x[True]``)
is a 0-d mask: a new dimension of size 1 (or 0), as in torch.
"""

import numpy as np

from . import functions as F
from .autograd.function import keep_version
from .tensor import Tensor


def is_advanced(k):
    """Is ``k`` an integer array or a mask (a tensor, an array or a list)?"""
    return isinstance(k, (Tensor, np.ndarray, list))


def _as_index_array(k):
    if isinstance(k, list) and not k:
        return np.zeros(0, dtype=np.int64)  # x[[]]: no positions (torch: a long index)
    a = k._data if isinstance(k, Tensor) else np.asarray(k)
    if a.dtype.kind not in "biu":
        raise IndexError(
            "tensors used as indices must be long, int, byte or bool tensors"
        )
    return a


def _is_bool_scalar(k):
    return isinstance(k, (bool, np.bool_)) or (
        isinstance(k, Tensor) and k.ndim == 0 and k._data.dtype == np.bool_
    )


def getitem(t, key):
    """``t[key]``, recorded as torch records it."""
    out, advanced = _basic(t, key)
    if advanced:
        result = F.Index.apply(out, key=_advanced_key(out, advanced))
        if result._grad_fn is not None:  # torch saves the index tensors: keep watch
            for k in key if isinstance(key, tuple) else (key,):
                if isinstance(k, Tensor) and k.ndim:
                    keep_version(result._grad_fn, k)
        return result
    if out is t:  # nothing narrowed (x[:, :] or x[...]): still a new view, as in torch
        out = F.Alias.apply(t)
    return out


def view_and_index(t, key):
    """For ``t[key] = v``: the view that integers and slices select (``t`` itself if
    they select everything, as torch's ``x[...] = v``), and the NumPy key of the
    integer arrays or masks still to apply to it (None if there are none)."""
    if isinstance(key, slice) and t.ndim:  # x[:] = v writes x itself, too
        n = t._data.shape[0]
        if _slice_bounds(key, n) == (0, n, 1):
            return t, None
    out, advanced = _basic(t, key)
    return out, (_advanced_key(out, advanced) if advanced else None)


def _basic(t, key):
    """Apply the integers, slices, None and ... of ``key`` as views; collect the
    integer arrays and masks as ``(dim, array, position)`` triples, applied together at
    the end (``position``: among the advanced indices, as torch's messages count)."""
    if t.ndim == 0 and isinstance(key, (int, np.integer)) and not isinstance(key, bool):
        if key != 0:  # torch's words: a 0-d tensor has "size 0"; x[0] gets a hint
            raise IndexError(
                f"index {key} is out of bounds for dimension 0 with size 0"
            )
        raise IndexError(
            "invalid index of a 0-dim tensor. Use `tensor.item()` in Python or "
            "`tensor.item<T>()` in C++ to convert a 0-dim tensor to a number"
        )
    if isinstance(key, slice):  # a lone slice is always recorded, even x[:]
        start, stop, step = _slice_bounds(key, t._data.shape[0] if t.ndim else None)
        return F.Slice.apply(t, dim=0, start=start, end=stop, step=step), []
    if not isinstance(key, tuple):
        key = (key,)
    consumed = 0
    for k in key:
        if k is None or k is Ellipsis or _is_bool_scalar(k):
            continue
        consumed += (
            _as_index_array(k).ndim
            if is_advanced(k) and _as_index_array(k).dtype == np.bool_
            else 1
        )
    if consumed > t.ndim:
        raise IndexError(f"too many indices for tensor of dimension {t.ndim}")
    if sum(k is Ellipsis for k in key) > 1:
        raise IndexError("an index can only have a single ellipsis ('...')")

    out = t
    dim = 0
    advanced = []
    for position, k in enumerate(key):  # torch's messages name the key's position
        if k is Ellipsis:
            dim += t.ndim - consumed
        elif k is None:
            out = F.Unsqueeze.apply(out, dim=dim)
            dim += 1
        elif _is_bool_scalar(k):  # a 0-d mask: a new dimension, kept (True) or empty
            out = F.Unsqueeze.apply(out, dim=dim)
            advanced.append((dim, np.array([bool(k)]), len(advanced)))
            dim += 1
        elif isinstance(k, (int, np.integer)) or (
            isinstance(k, Tensor) and k.ndim == 0 and k._data.dtype.kind in "iu"
        ):
            size = out._data.shape[dim]
            i = int(k)
            if not -size <= i < size:
                raise IndexError(
                    f"index {i} is out of bounds for dimension {position} with size {size}"
                )
            out = F.Select.apply(out, dim=dim, index=i % size)
        elif isinstance(k, slice):
            size = out._data.shape[dim]
            start, stop, step = _slice_bounds(k, size)
            if not _whole(k, size):
                out = F.Slice.apply(out, dim=dim, start=start, end=stop, step=step)
            dim += 1
        elif is_advanced(k):
            arr = _as_index_array(k)
            advanced.append((dim, arr, len(advanced)))
            dim += arr.ndim if arr.dtype == np.bool_ else 1
        else:
            raise IndexError(
                "only integers, slices (`:`), ellipsis (`...`), None and long or byte "
                "Variables are valid indices (got " + type(k).__name__ + ")"
            )
    return out, advanced


def _whole(k, size):
    """Does slice ``k`` keep a whole dimension *as written* (``:``, ``0:n``, ``0:n+5``)?
    torch skips such a slice inside a tuple; ``-n:`` or ``-1:1`` are still recorded."""
    return (
        (k.start is None or k.start == 0)
        and (k.stop is None or k.stop >= size)
        and (k.step is None or k.step == 1)
    )


def _slice_bounds(k, size):
    if k.step is not None and k.step <= 0:
        raise ValueError("step must be greater than zero")
    if size is None:
        raise IndexError("slice() cannot be applied to a 0-dim tensor.")
    start, stop, step = k.indices(size)
    return start, max(start, stop), step


def _advanced_key(t, advanced):
    """The NumPy key for ``t`` of the collected integer arrays and masks."""
    key = [slice(None)] * t.ndim
    parts = []
    for dim, arr, position in advanced:
        if arr.dtype == np.bool_:
            shape = t._data.shape[dim : dim + arr.ndim]
            if arr.shape != shape:
                raise IndexError(
                    f"The shape of the mask {list(arr.shape)} at index 0 does not match "
                    f"the shape of the indexed tensor {list(t._data.shape)} at index {dim}"
                )
            parts.append((dim, arr.ndim, arr.nonzero()))
        else:
            size = t._data.shape[dim]
            bad = arr[(arr >= size) | (arr < -size)]
            if bad.size:
                raise IndexError(
                    f"index {int(bad.flat[0])} is out of bounds for dimension {position} with "
                    f"size {size}"
                )
            parts.append((dim, 1, (arr % size if size else arr,)))
    # rebuild the key from the right so that positions stay valid
    for dim, width, arrays in sorted(parts, key=lambda p: p[0], reverse=True):
        key[dim : dim + width] = list(arrays)
    return tuple(key)
