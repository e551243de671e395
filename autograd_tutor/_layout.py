"""How torch lays out the result of an elementwise op in memory (its strides).

NumPy and torch agree on the values of ``a + b`` but not always on its layout. When the
operands are laid out differently, say ``a`` is a transposed view and ``b`` a plain
row-major tensor, NumPy writes the result row-major, while torch's ``TensorIterator``
follows the first operand with a say in the order: ``a.t() + b`` is transposed too. The
layout is visible: ``is_contiguous()``, whether ``view()`` works or raises, whether
``reshape`` is a view, and which nodes ``matmul`` records all depend on it.

``torch_layout`` gives a result torch's layout, copying it only where NumPy chose
another one (never in the common case of operands that own row-major memory). The
strides of size-1 dimensions, which move to no other element, are left as NumPy
chose them (torch's sort reads them too: a rare tie they decide may still differ).
"""

import numpy as np


def torch_layout(out, arrays):
    """``out`` (an elementwise result of ``arrays``, NumPy's layout) in torch's layout:
    ``out`` itself, or a copy with torch's strides."""
    if out.ndim < 2 or out.size == 0:
        return out
    for a in arrays:
        if type(a) is np.ndarray and (a.base is not None or not a.flags.c_contiguous):
            break
    else:  # operands owning row-major memory: a row-major result
        return out
    if sum(type(a) is np.ndarray for a in arrays) < 2:
        return out  # one operand: NumPy keeps its order, as torch
    want = _strides(out.shape, arrays, out.itemsize)
    if all(s == w for s, w, n in zip(out.strides, want, out.shape) if n > 1):
        return out  # (the stride of a size-1 dimension moves to no other element)
    copy = np.lib.stride_tricks.as_strided(
        np.empty(out.size, out.dtype), out.shape, want
    )
    copy[...] = out
    return copy


def like(out, a):
    """``out`` (new numbers of ``a``'s shape) laid out as torch's ``zeros_like(a)``
    and the other ``*_like`` factories (``preserve_format``): in ``a``'s dimension
    order, dense (row-major for a row-major ``a``)."""
    if out.ndim < 2 or out.size == 0 or a.flags.c_contiguous:
        return out
    want = _strides(out.shape, [a], out.itemsize)
    if all(s == w for s, w, n in zip(out.strides, want, out.shape) if n > 1):
        return out
    copy = np.lib.stride_tricks.as_strided(
        np.empty(out.size, out.dtype), out.shape, want
    )
    copy[...] = out
    return copy


def _strides(shape, arrays, itemsize):
    """The strides (in bytes) torch gives the result: its ``reorder_dimensions`` sorts
    the dimensions from the fastest-moving to the slowest, asking the operands in
    order; the first that tells two dimensions apart decides (a broadcast operand,
    stride 0 there, has no say; equal strides put the smaller size first). The result
    is then dense in that order."""
    n = len(shape)
    operands = [_broadcast_strides(a, shape) for a in arrays if type(a) is np.ndarray]

    def order(d0, d1):  # 1: d0 moves slower than d1 (swap them), -1: keep, 0: no say
        for s in operands:
            s0, s1 = s[d0], s[d1]
            if s0 == 0 or s1 == 0:
                continue
            if s0 != s1:
                return 1 if s0 > s1 else -1
            if shape[d0] > shape[d1]:
                return 1
        return 0

    perm = list(range(n - 1, -1, -1))  # fastest first: row-major is the last dim first
    for i in range(1, n):  # insertion sort that walks past "no say" (torch's)
        j = i
        for k in range(i - 1, -1, -1):
            c = order(perm[k], perm[j])
            if c > 0:
                perm[k], perm[j] = perm[j], perm[k]
                j = k
            elif c < 0:
                break
    strides, step = [0] * n, itemsize
    for d in perm:
        strides[d] = step
        step *= shape[d]
    return tuple(strides)


def _broadcast_strides(a, shape):
    """``a``'s byte strides seen from the result's dimensions: 0 where it is broadcast."""
    lead = len(shape) - a.ndim
    return [0] * lead + [
        0 if size == 1 and n != 1 else stride
        for size, stride, n in zip(a.shape, a.strides, shape[lead:])
    ]
