"""``x[key]``: indexing, split into the same chain of nodes PyTorch records.

An integer becomes ``SelectBackward0``, a slice ``SliceBackward0`` (a slice that keeps a
whole dimension is skipped inside a tuple: torch's test is on the slice as written, so
``0:3`` and ``:5`` keep all of a size-3 dimension, ``-3:`` does not), ``None`` becomes
``UnsqueezeBackward0``, and integer arrays or boolean masks become one ``IndexBackward0``
at the end. So ``x[:, 0:1]`` records a single ``SliceBackward0``, as in torch. A Python
bool (``x[True]``) is a new dimension of size 1 indexed by ``[0]`` (or ``[]`` for False),
as in torch.

``x[key] = v`` (see ``_inplace.setitem``) resolves the key the same way with ``resolve``:
the integers, slices, None and ... give the view that is written to, the integer arrays
and masks are applied by ``index_put_`` on that view, after the in-place checks
(``advanced_key``).
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


def watch_index_tensors(node, key):
    """torch's index and index_put_ save the index tensors of ``key`` (integer arrays
    and masks given as tensors) for backward: ``node`` checks that none of them was
    changed in place before it runs (a list index is a copy nobody else can change)."""
    for k in key if isinstance(key, tuple) else (key,):
        if isinstance(k, Tensor) and k.ndim:
            keep_version(node, k)


def getitem(t, key):
    """``t[key]``, recorded as torch records it."""
    out, advanced = _basic(t, key)
    if advanced:
        key_, bounds_error = advanced_key(out, advanced)
        if bounds_error is not None:
            raise bounds_error
        result = F.Index.apply(out, key=key_)
        if result._grad_fn is not None:
            watch_index_tensors(result._grad_fn, key)
        return result
    if out is t:  # nothing narrowed (x[:, :] or x[...]): still a new view, as in torch
        out = F.Alias.apply(t)
    return out


def resolve(t, key):
    """For ``t[key] = v``: ``(target, advanced)``, resolved as torch's setitem does.

    ``target`` is what the integers, slices, None and ... select: a view of ``t``, or
    ``t`` itself when they select all of it (``x[...]``, ``x[:]``, ``x[0:5]`` of a size-3
    ``x``, ``x[:, :]``). ``advanced`` lists the integer arrays and masks still to apply
    to ``target`` (pass it to ``advanced_key``), empty if there are none. Raises torch's
    indexing errors (out-of-range integers, too many indices, slices of a 0-d tensor).
    A lone ``None`` or ``True`` is ``t.unsqueeze(0)``; a lone ``False`` selects nothing.
    """
    if key is Ellipsis:
        return t, []
    if key is None or key is True:
        return F.Unsqueeze.apply(t, dim=0), []
    if isinstance(key, slice):
        size = t._data.shape[0] if t.ndim else None
        start, stop, step = _slice_bounds(key, size)
        if keeps_whole(key, size):
            return t, []
        return F.Slice.apply(t, dim=0, start=start, end=stop, step=step), []
    return _basic(t, key)


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
        elif _is_bool_scalar(k):  # a new dimension, indexed by [0] (True) or [] (False)
            out = F.Unsqueeze.apply(out, dim=dim)
            advanced.append(
                (dim, np.zeros(int(bool(k)), dtype=np.int64), len(advanced))
            )
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
            if not keeps_whole(k, size):
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


def keeps_whole(k, size):
    """torch's shortcut for a slice that keeps a whole dimension (no view is made): its
    start is 0, its step 1 and its stop at least the size, *as written*."""
    return (
        (k.start is None or k.start == 0)
        and (k.step is None or k.step == 1)
        and (k.stop is None or k.stop >= size)
    )


def _slice_bounds(k, size):
    if k.step == 0:  # Python's own check, before torch's
        raise ValueError("slice step cannot be zero")
    if k.step is not None and k.step < 0:
        raise ValueError("step must be greater than zero")
    if size is None:
        raise IndexError("slice() cannot be applied to a 0-dim tensor.")
    start, stop, step = k.indices(size)
    return start, max(start, stop), step


def advanced_key(t, advanced):
    """``(key, bounds_error)``: the NumPy key for ``t`` of the collected integer arrays
    and masks, and the IndexError torch raises for an index out of range (None if all
    are in range; torch finds those last, after checking the value written by
    ``index_put_``, so the caller raises it). Out-of-range positions are wrapped into
    range in ``key``, so that it still gives the shape of the result.

    Raises torch's errors for a mask of the wrong shape and for index arrays that do
    not broadcast together.
    """
    key = [slice(None)] * t.ndim
    parts = []
    bounds_error = None
    for dim, arr, position in advanced:
        if arr.dtype == np.bool_:
            shape = t._data.shape[dim : dim + arr.ndim]
            for j, (n, m) in enumerate(zip(arr.shape, shape)):
                if n != m:
                    raise IndexError(
                        f"The shape of the mask {list(arr.shape)} at index {j} does not "
                        f"match the shape of the indexed tensor {list(t._data.shape)} at "
                        f"index {dim + j}"
                    )
            parts.append((dim, arr.ndim, arr.nonzero()))
        else:
            size = t._data.shape[dim]
            bad = arr[(arr >= size) | (arr < -size)]
            if bad.size and bounds_error is None:
                bounds_error = IndexError(
                    f"index {int(bad.flat[0])} is out of bounds for dimension {position} with "
                    f"size {size}"
                )
            parts.append((dim, 1, (arr % size if size else np.zeros_like(arr),)))
    shapes = [a.shape for _, _, arrays in parts for a in arrays]
    try:
        np.broadcast_shapes(*shapes)
    except ValueError:
        raise IndexError(
            "shape mismatch: indexing tensors could not be broadcast together with shapes "
            + ", ".join(str(list(s)) for s in shapes)
        ) from None
    # rebuild the key from the right so that positions stay valid
    for dim, width, arrays in sorted(parts, key=lambda p: p[0], reverse=True):
        key[dim : dim + width] = list(arrays)
    return tuple(key), bounds_error


def indexed_shape(t, key):
    """The shape of ``t[key]`` for a key from ``advanced_key`` (nothing is copied)."""
    shape = tuple(  # an index array into an empty dimension was wrapped to 0
        n if isinstance(k, slice) else max(n, 1) for n, k in zip(t._data.shape, key)
    )
    probe = np.broadcast_to(np.zeros((), dtype=np.bool_), shape)
    return probe[key].shape
