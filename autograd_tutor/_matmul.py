"""``a @ b``: matrix products, decomposed the way PyTorch's ``matmul`` decomposes them.

=========  ===============================================  =========================
a, b dims  what runs                                         nodes recorded
=========  ===============================================  =========================
1-D, 1-D   dot product                                       DotBackward0
2-D, 1-D   matrix-vector                                     MvBackward0
1-D, 2-D   unsqueeze a to a row, mm, squeeze                 UnsqueezeBackward0, Mm...
2-D, 2-D   matrix-matrix                                     MmBackward0
N-D, 1/2-D fold the batch into rows, mm/mv, unfold           View.., Mm.., UnsafeView..
batched    broadcast batches, reshape to 3-D, bmm, reshape   Expand.., Bmm.., UnsafeView..
=========  ===============================================  =========================

(torch also folds 1/2-D @ N-D by transposing; that path is mirrored too.)
"""

from math import prod

import numpy as np

from . import functions as F
from ._checks import broadcast_error
from ._dtype import CPP_NAMES
from .tensor import Tensor, bump_version

C_NAMES = CPP_NAMES  # torch says "float != double" here


def _title(t):
    """torch's short type name: Float, Double, Long..."""
    return t.dtype._legacy[: -len("Tensor")]


def check_mm(a, b):
    """torch's checks of ``mm``, in its order: dimensions, shapes, then dtypes."""
    if a._data.ndim != 2:
        raise RuntimeError("self must be a matrix")
    if b._data.ndim != 2:
        raise RuntimeError("mat2 must be a matrix")
    if a._data.shape[1] != b._data.shape[0]:
        raise RuntimeError(
            f"mat1 and mat2 shapes cannot be multiplied ({a._data.shape[0]}x"
            f"{a._data.shape[1]} and {b._data.shape[0]}x{b._data.shape[1]})"
        )
    if a._data.dtype != b._data.dtype:
        raise RuntimeError(
            "expected m1 and m2 to have the same dtype, but got: "
            f"{C_NAMES[a._data.dtype.char]} != {C_NAMES[b._data.dtype.char]}"
        )


def _check_mv(a, v):
    """torch's checks of ``mv`` (its ``addmv``), in its order: shapes, then dtypes."""
    if a._data.shape[1] != v._data.shape[0]:
        raise RuntimeError(
            f"size mismatch, got input ({a._data.shape[0]}), mat "
            f"({a._data.shape[0]}x{a._data.shape[1]}), vec ({v._data.shape[0]})"
        )
    if a._data.dtype != v._data.dtype:
        raise RuntimeError(
            "addmv input tensors must have the same dtype, but got "
            f"{_title(v)}, {_title(a)}, and {_title(v)}"
        )


def _should_fold(a, b):
    """torch's ``should_fold``: can the bigger operand be folded into a matrix?"""
    a_larger = a.ndim >= b.ndim
    big = a._data if a_larger else b._data.swapaxes(-1, -2)
    small = b if a_larger else a
    if not (big.ndim >= 3 and small.ndim <= 2):
        return False
    if small._requires_grad:
        return True
    if a.ndim == 2:
        return False
    if big.size == 0:
        return True
    shape, strides = big.shape, big.strides
    for i in range(big.ndim - 2):
        if strides[i] != strides[i + 1] * shape[i + 1]:
            return False
    return True


def matmul(a, b):
    if not isinstance(a, Tensor) or not isinstance(b, Tensor):
        raise TypeError("matmul(): argument 'other' must be Tensor")
    da, db = a.ndim, b.ndim
    if da == 0 or db == 0:
        raise RuntimeError(
            f"both arguments to matmul need to be at least 1D, but they are {da}D and {db}D"
        )
    if da == 1 and db == 1:
        if a._data.dtype != b._data.dtype:
            raise RuntimeError(
                "dot : expected both vectors to have same dtype, but found "
                f"{_title(a)} and {_title(b)}"
            )
        if a._data.shape[0] != b._data.shape[0]:
            n, m = a._data.shape[0], b._data.shape[0]
            raise RuntimeError(
                f"inconsistent tensor size, expected tensor [{n}] and src [{m}] to have the "
                f"same number of elements, but got {n} and {m} elements respectively"
            )
        return F.Dot.apply(a, b)
    if da == 2 and db == 1:
        _check_mv(a, b)
        return F.Mv.apply(a, b)
    if da == 1 and db == 2:
        row = a.unsqueeze(0)
        check_mm(row, b)
        out = F.SqueezeDimsInplace.apply(F.Mm.apply(row, b), dims=(0,))
        bump_version(out)  # torch squeezes in place (squeeze_): one version up
        return out
    if da == 2 and db == 2:
        return a.mm(b)
    if da == 3 and db == 3:
        # torch drops a batch of one from an operand that needs a gradient, so that its
        # gradient comes from one mm instead of a bmm followed by a sum
        if b._data.shape[0] == 1 and a._data.shape[0] != 1 and b._requires_grad:
            return matmul(a, b.squeeze(0))
        if a._data.shape[0] == 1 and b._data.shape[0] != 1 and a._requires_grad:
            return matmul(a.squeeze(0), b)
    if _should_fold(a, b):
        return _folded(a, b)
    return _batched(a, b)


def _folded(a, b):
    """N-D @ (1-D or 2-D): treat all leading dimensions of the big operand as rows."""
    transpose = b.ndim > a.ndim
    t1 = b.mT if transpose else a
    t2 = (a.t() if a.ndim == 2 else a) if transpose else b
    out_shape = t1._data.shape[:-1]
    folded = t1.reshape(prod(out_shape), t1._data.shape[-1])
    if t2.ndim == 2:
        check_mm(folded, t2)
        out = F.UnsafeView.apply(
            F.Mm.apply(folded, t2), shape=out_shape + (t2._data.shape[1],)
        )
        return out.mT.contiguous() if transpose else out
    _check_mv(folded, t2)
    return F.UnsafeView.apply(F.Mv.apply(folded, t2), shape=out_shape)


def _batched(a, b):
    """Broadcast the batch dimensions, reshape both to 3-D and use bmm."""
    sa, sb = a._data.shape, b._data.shape
    n = sa[-2] if a.ndim > 1 else 1
    m1 = sa[-1]
    m2 = sb[-2] if b.ndim > 1 else sb[0]
    p = sb[-1] if b.ndim > 1 else 1
    batch_a, batch_b = sa[: max(a.ndim - 2, 0)], sb[: max(b.ndim - 2, 0)]
    try:
        batch = tuple(np.broadcast_shapes(batch_a, batch_b))
    except ValueError:
        raise broadcast_error(batch_a, batch_b) from None
    if m1 != m2:
        raise RuntimeError(
            f"Expected size for first two dimensions of batch2 tensor to be: "
            f"[{prod(batch)}, {m1}] but got: [{prod(batch)}, {m2}]."
        )
    # bmm's kernel checks the dtypes, and it only runs if there is something to sum:
    # an empty product (or an empty inner dimension) has mat2's dtype, unchecked
    if a._data.dtype != b._data.dtype and prod(batch) * n * p and m1:
        raise RuntimeError(f"expected scalar type {_title(a)} but found {_title(b)}")
    vector_b = b.ndim == 1
    if a.ndim == 1:
        a = a.unsqueeze(0)
    if vector_b:
        b = b.unsqueeze(-1)
    a3 = a.expand(batch + (n, m1)).reshape(prod(batch), n, m1)
    b3 = b.expand(batch + (m2, p)).reshape(prod(batch), m2, p)
    out_shape = batch + ((n,) if len(sa) > 1 else ()) + ((p,) if len(sb) > 1 else ())
    out = F.Bmm.apply(a3, b3)
    if vector_b:  # the column that b became is squeezed away again
        out = F.SqueezeDim.apply(out, dim=2)
    return F.UnsafeView.apply(out, shape=out_shape)
