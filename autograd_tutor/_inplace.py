"""In-place operations (``w.sub_(...)``, ``w.grad.zero_()``, ``x[0] = 1``) and their
autograd rules.

Mirrors how PyTorch treats in-place ops:

* The tensor's memory is overwritten and its version counter goes up by one, so any
  backward node that saved the old values will refuse to use them.
* When recording (grad mode on and something requires grad), the tensor gets a new
  ``grad_fn`` (e.g. ``SubBackward0``) whose first edge leads to its old ``grad_fn``.
* A leaf that requires grad (or a view of one) may not be changed in place while
  recording: that would silently break the graph. This is why weight updates go inside
  ``with no_grad():``.
* An in-place op on a *view* changes its base: the base records ``CopySlices`` (the op's
  node applied to the viewed part), and the view is derived again from the base
  (``AsStridedBackward0``).
* ``x[key] = v`` is ``x[key].copy_(v)`` for integers and slices, and ``index_put_``
  (``IndexPutBackward0``) for integer arrays and masks.
"""

import math
import warnings

import numpy as np

from . import _indexing
from . import functions as F
from ._checks import INTERNAL_OVERLAP, broadcast_error
from ._dtype import from_numpy_dtype, result_type
from ._quiet import enter as _quiet
from ._quiet import exit as _loud
from .autograd import forward_ad as _forward_ad
from .autograd.forward_ad import tangents
from .autograd.function import CopySlices, input_edge, view_positions
from .autograd.grad_mode import grad_state
from .autograd.inference_mode import InferenceVersion as _Inference
from .autograd.inference_mode import check_inplace as _check_inference_inplace
from .autograd.inference_mode import check_recorded_view as _check_inference_view
from .autograd.inference_mode import inference_state, inference_views
from .tensor import (
    DEFAULT,
    Tensor,
    as_operand,
    bump_version,
    update_view,
    version_counter,
    view_rebase_error,
)

NOTHING = object()  # "no second operand" (None can be a clamp bound)

# How each op writes into an existing array when nothing is recorded (the fast path of
# the weight update): ufunc(self, other, out=self).
_FAST = {F.Add: np.add, F.Sub: np.subtract, F.Mul: np.multiply, F.Div: np.true_divide}

_OVERLAP = (
    "unsupported operation: some elements of the input tensor and the written-to tensor "
    "refer to a single memory location. Please clone() the tensor before performing the "
    "operation."
)


def apply(self, op, other=NOTHING, **params):
    """``self.<op>_(other, **params)``: recorded when grad mode is on and something
    requires grad, else written straight into ``self``'s memory."""
    if tangents and not _forward_ad.busy:  # forward-mode AD: in a dual level only
        operands = () if other is NOTHING else (other,)
        if op in _TANGENT_RECORDED and _tangent_recorded(self, other):
            precheck(self, other)  # (torch's own in-place errors come first)
            raise NotImplementedError(_forward_ad.TANGENT_RECORDED)
        return _forward_ad.inplace(apply, self, op, operands, params)
    if type(self._version_box) is _Inference and not inference_state.enabled:
        # an inference tensor outside inference mode: torch writes, then refuses
        o = None if other is NOTHING else as_operand(other)
        _write(self, op, o._data if isinstance(o, Tensor) else o, params)
        _check_inference_inplace(self)
    if self._base is not None and self._grad_fn is None:
        self._requires_grad = self.requires_grad  # a view follows its base (or its own)
    # the operands as tensors (for recording) and as arrays (for writing)
    if other is NOTHING:
        operands, data = (), None
    elif isinstance(other, tuple):  # several operands: clamp_ with tensor bounds
        operands = other
        data = tuple(o._data if isinstance(o, Tensor) else o for o in other)
    elif isinstance(other, Tensor):
        operands, data = (other,), other._data
    else:
        other = data = as_operand(other)  # (a number stays a number)
        if isinstance(other, Tensor):  # (a NumPy array: a new tensor)
            data = other._data
        operands = (other,)
    if grad_state.enabled and (
        self._requires_grad
        or any(isinstance(o, Tensor) and o._requires_grad for o in operands)
        or (params and any(isinstance(v, Tensor) for v in params.values()))
    ):
        if op is not F.Copy or self._data.dtype.kind == "f":
            return _recorded(self, op, operands, params)
        # copy_ into an integer or bool tensor: torch asks first whether it can have a
        # gradient at all, so nothing is recorded or checked (other ops are checked)
    return _write(self, op, data, params)


def _write(self, op, other, params):
    """Nothing to record: compute in self's memory (``ufunc(self, other, out=self)``)."""
    a = _check_writable(self, op, other)
    if op is F.Zero:  # w.grad.zero_(): the most common in-place op of all
        a.fill(0)
        bump_version(self)
        return self
    ufunc = _FAST.get(op)
    if ufunc is not None:  # w.sub_(lr * w.grad): the weight update
        return _write_arithmetic(self, a, op, ufunc, other, params.get("alpha", 1))
    if isinstance(other, np.ndarray) and op is not F.FillTensor:
        if a.base is not None or other.base is not None:  # (two owners never overlap)
            _check_overlap(a, other)
    elif op is F.Copy:  # copy_ from a Python number
        other = np.asarray(other)
    if op is F.Copy and isinstance(other, np.ndarray):
        _check_broadcast(a, (other,))  # torch: the shapes first, then the dtypes
    if op is F.ClampTensor:  # tensor bounds: each may overlap, all must broadcast
        for bound in other:
            if bound is not None:
                _check_overlap(a, bound)
        _check_broadcast(a, other)
    if op in (F.Clamp, F.ClampTensor):  # computed, then cast back
        bounds = (params.get("min"), params.get("max")) if op is F.Clamp else other
        common = _result_dtype(op, a, bounds)
        if common != a.dtype and not np.can_cast(common, a.dtype, casting="same_kind"):
            raise _cast_error(common, a.dtype, scalar_bounds=op is F.Clamp)
    quiet = _quiet()
    try:
        if op is F.Copy:
            np.copyto(a, np.broadcast_to(other, a.shape), casting="unsafe")
        elif op is F.Fill:
            a.fill(params["value"])
        elif op is F.FillTensor:
            a.fill(other)
        elif op is F.IndexPut:
            a[params["key"]] = other
        elif op is F.ClampTensor:
            np.clip(a, other[0], other[1], out=a, casting="same_kind")
        else:  # clamp_
            np.clip(a, params.get("min"), params.get("max"), out=a, casting="same_kind")
    except (TypeError, ValueError) as e:
        raise _translate(e, self, other) from None
    finally:
        _loud(quiet)
    bump_version(self)
    return self


def _write_arithmetic(self, a, op, ufunc, other, alpha):
    """``a = a <op> alpha * other`` in ``a``'s own memory (add_, sub_, mul_, div_), with
    torch's checks in torch's order: no partial overlap, the shapes, then the dtypes
    (computed in the promoted dtype, which must cast back to ``a``'s)."""
    same_dtype = False
    if isinstance(other, np.ndarray):
        if a.base is not None or other.base is not None:  # (two owners never overlap)
            _check_overlap(a, other)
        if other.shape != a.shape:  # (a shape broadcasts to itself)
            _check_broadcast(a, (other,))
        same_dtype = other.dtype == a.dtype
    if not same_dtype or op is F.Div:  # (an integer tensor / itself is float)
        common = _result_dtype(op, a, (other,))
        if common != a.dtype and not np.can_cast(common, a.dtype, casting="same_kind"):
            raise _cast_error(common, a.dtype)
    quiet = _quiet()
    try:
        if not same_dtype and isinstance(other, np.ndarray):
            other = other.astype(common)
        if alpha != 1:
            other = other * alpha
        ufunc(a, other, out=a, casting="same_kind")
    except (TypeError, ValueError) as e:
        raise _translate(e, self, other) from None
    finally:
        _loud(quiet)
    bump_version(self)
    return self


def _check_broadcast(a, others):
    """The operands must broadcast to ``a``'s own shape (torch's words if not)."""
    shape = a.shape
    for o in others:
        if o is None or o.shape == shape:  # (a shape broadcasts to itself)
            continue
        try:
            shape = np.broadcast_shapes(shape, o.shape)
        except ValueError:
            raise broadcast_error(a.shape, o.shape) from None
    if shape != a.shape:
        raise RuntimeError(
            f"output with shape {list(a.shape)} doesn't match the broadcast shape "
            f"{list(shape)}"
        )


def _result_dtype(op, a, operands):
    """The dtype torch computes ``op`` in before writing the result back into ``a``:
    the promoted dtype of the operands, and for true division of integers the default
    float dtype (``int_tensor.div_(2)`` computes in float32, so it cannot be written
    back)."""
    common = result_type(a, *[o for o in operands if o is not None])
    if op is F.Div and common.kind in "biu":
        common = np.dtype(np.float32)
    return common


def _check_inplace(self):
    """torch's rules for recording an in-place op (grad mode on, something requires
    grad): never on a view made under no_grad() (or a view of one), a view of a leaf
    that requires grad, or a leaf that requires grad."""
    base = self._base
    if base is not None:
        if self._creation_meta is not DEFAULT:  # (before its grad_fn is looked at)
            raise view_rebase_error(self, indirect=False)
        if self._grad_fn is None and base._grad_fn is not None:
            # its base got a history in place after the view was made, and nothing
            # has asked for the view's grad_fn since: torch's check reads the node
            # the view has (none), so it is a leaf that requires grad (seed 6314817)
            raise RuntimeError(_LEAF_IN_PLACE)
        update_view(self)
        if self._requires_grad and base._grad_fn is None:
            raise RuntimeError(
                "a view of a leaf Variable that requires grad is being used in an "
                "in-place operation."
            )
    if self._grad_fn is None and self._requires_grad:
        raise RuntimeError(_LEAF_IN_PLACE)


_LEAF_IN_PLACE = (
    "a leaf Variable that requires grad is being used in an in-place operation."
)


def _recorded(self, op, operands, params):
    """The recording path: run the op out of place on the old values, then write back."""
    if inference_views:  # views made in inference mode may not be changed in place here
        _check_inference_view(self)
    _check_inplace(self)
    a = _check_writable(self, op, operands[0] if operands else None)
    for o in operands:
        if isinstance(o, Tensor) and op is not F.FillTensor:  # (torch clones an alias)
            _check_overlap(a, o._data)
    if (op in _FAST or op is F.Copy) and operands and isinstance(operands[0], Tensor):
        _check_broadcast(a, (operands[0]._data,))  # the shapes first, as in _write
    base = self._base
    # The old value, as its own tensor: the new node's first edge points at its history.
    old = Tensor._make(a.copy(), self._requires_grad)
    old._grad_fn, old._output_nr, old._accum = (
        self._grad_fn,
        self._output_nr,
        self._accum,
    )
    try:
        result = op.apply(old, *operands, **params)
    except ValueError as e:
        other = (
            operands[0]._data if operands and isinstance(operands[0], Tensor) else None
        )
        raise _translate(e, self, other) from None
    if result._data.shape != a.shape:
        raise RuntimeError(
            f"output with shape {list(a.shape)} doesn't match the broadcast shape "
            f"{list(result._data.shape)}"
        )
    if not np.can_cast(result._data.dtype, a.dtype, casting="same_kind"):
        raise _cast_error(result._data.dtype, a.dtype)
    if op is F.IndexPut:  # only the indexed elements: others may share their memory
        key = params["key"]
        a[key] = result._data[key]
    else:
        np.copyto(a, result._data, casting="same_kind")
    node = result._grad_fn
    if node is not None:  # its saved old values: a clone, for a recorded backward
        node._original_self = old
    bump_version(self)
    if node is None:  # nothing differentiable came out (an integer result)
        return self
    if node._kept_versions:  # a saved output is this tensor itself, at its new version
        node._kept_versions = [
            (version_counter(self), self._version_box[0], t, s, d)
            if box is result._version_box
            else (box, v, t, s, d)
            for box, v, t, s, d in node._kept_versions
        ]
    if base is not None:
        _rebase_view(self, base, node)
        return self
    self._grad_fn, self._requires_grad, self._output_nr = node, True, 0
    _follow_retain(self, old._grad_fn, old._output_nr)
    return self


def _rebase_view(view, base, node):
    """An in-place op on a view rewrites its base's history (torch's ``rebase_history``):
    the base's new node is ``CopySlices``, which runs the op's node on the part of the
    gradient the view covers. The view itself is derived from that new history at once
    (``AsStridedBackward0``: torch asks for its grad_fn there, so it is no leaf for the
    next in-place op); every other view of the base, the next time it is used."""
    edge, before = input_edge(base), (base._grad_fn, base._output_nr)
    base._grad_fn = CopySlices(edge, view_positions(base._data, view._data), node)
    base._requires_grad, base._output_nr = True, 0
    _follow_retain(base, *before)
    update_view(view)


def _follow_retain(t, old_node, old_nr):
    """After an in-place op gave ``t`` a new node: its ``retain_grad()`` follows it (the
    retained gradient is that of ``t`` as it is now, from the new node only)."""
    if not t._retains_grad:
        return
    if old_node is not None and old_node._retain:
        old_node._retain.pop(old_nr, None)
    t._attach_retain(t._grad_fn)


def setitem(self, key, value):
    """``x[key] = value``, in torch's steps and so with torch's errors in torch's order:

    1. ``value`` becomes a tensor (a number: a 0-d tensor of ``x``'s dtype);
    2. the key is resolved (``_indexing.resolve``): integers, slices, None and ... give
       the view written to (``x`` itself if they select all of it); indexing errors
       come here, before any in-place check;
    3. without integer arrays or masks: ``view.copy_(value)`` (``fill_`` for a 0-d
       value; else the value, its leading 1s dropped, is expanded to the view's shape,
       with ``expand``'s errors); with them: ``view.index_put_(indices, value)``;
    4. the in-place checks run on the tensor written to: on a view of a leaf that
       requires grad torch says "a view of a leaf Variable", on the leaf itself (as
       ``x[...]`` or ``x[[0]]``) "a leaf Variable".
    """
    value = _value_tensor(self, value)
    if self._base is not None:
        update_view(self)
    if key is False:  # torch writes nothing and checks nothing
        return
    target, advanced = _indexing.resolve(self, key)
    if advanced:
        owner = target if target._base is None else target._base
        old = owner._grad_fn
        _index_put(self, target, advanced, value)
        node = owner._grad_fn
        if node is not old:  # recorded: IndexPutBackward0 (inside a CopySlices on a
            _indexing.watch_index_tensors(  # view) saves the index tensors
                node._fn if isinstance(node, CopySlices) else node, key
            )
    else:
        _copy_to(self, target, value)


def _value_tensor(self, value):
    """torch's ``valueToTensor``: a tensor as it is, a number as a 0-d tensor of
    ``self``'s dtype (``x[0] = 2.7`` into an int64 tensor writes 2)."""
    if isinstance(value, Tensor):
        return value
    if isinstance(value, (bool, int, float, np.integer)):  # (np.float64 is a float)
        checked_number(value, self._data.dtype)
        quiet = _quiet()
        try:
            return Tensor._make(np.asarray(value).astype(self._data.dtype))
        finally:
            _loud(quiet)
    kind = type(value)  # Python's name for the type: "list", "numpy.ndarray"
    name = kind.__name__ if kind.__module__ == "builtins" else kind.__module__ + "."
    name = name if kind.__module__ == "builtins" else name + kind.__qualname__
    raise TypeError(f"can't assign a {name} to a at.{_legacy_name(self._data)}")


def _copy_to(self, target, value):
    """torch's ``copy_to(target, value)``: ``copy_`` for a value of the same shape,
    ``fill_`` for a 0-d one, else ``copy_`` of the value viewed without its leading 1s
    and expanded (``ViewBackward0`` and ``ExpandBackward0`` when it requires grad)."""
    if target._data.shape == value._data.shape:
        op = F.Copy
    elif value._data.ndim == 0:
        op = F.FillTensor
    else:
        value = F.View.apply(value, shape=_without_leading_ones(value._data.shape))
        if value._data.shape != target._data.shape:
            value = value.expand(target._data.shape)
        op = F.Copy
    apply(target, op, value)


def _index_put(self, target, advanced, value):
    """torch's ``target.index_put_(indices, value)``, its checks in torch's order: the
    in-place checks; a single mask with a one-element value is a ``masked_fill_``
    (the value is converted to the target's dtype, checked, even when the mask
    selects nothing); else the value must not share memory with the target, must
    broadcast to the indexed shape and have the target's dtype, and only then are
    the indices checked against their dimension's size."""
    if value._data.ndim and value._data.shape[0] == 1:  # leading 1s: viewed away first
        value = F.View.apply(value, shape=_without_leading_ones(value._data.shape))
    if grad_state.enabled and (target._requires_grad or value._requires_grad):
        _check_inplace(target)
    a = target._data
    shared = _internal_overlap(a)
    if shared:
        _warn_expanded("index_put_", "[indices] = tensor")
    masks = [arr for _, arr, _ in advanced if arr.dtype == np.bool_]
    masked_fill = value._data.size == 1 and len(advanced) == 1 and len(masks) == 1
    key, bounds_error = _indexing.advanced_key(target, advanced)
    if masked_fill:
        if shared:
            _warn_expanded("masked_fill_", "[mask] = scalar")
        checked_number(value._data.item(), a.dtype)
    else:
        if overlap(a, value._data) is not None:  # torch: not even all of it
            raise RuntimeError(_OVERLAP)
        shape = _indexing.indexed_shape(target, key)
        try:
            np.broadcast_shapes(value._data.shape, shape)
            fits = np.broadcast_shapes(value._data.shape, shape) == shape
        except ValueError:
            fits = False
        if not fits:
            raise RuntimeError(
                f"shape mismatch: value tensor of shape {list(value._data.shape)} cannot "
                f"be broadcast to indexing result of shape {list(shape)}"
            )
        if value._data.dtype != a.dtype:
            raise RuntimeError(
                "Index put requires the source and destination dtypes match, got "
                f"{_TORCH_TYPE[a.dtype.char]} for the destination and "
                f"{_TORCH_TYPE[value._data.dtype.char]} for the source."
            )
        if bounds_error is not None:
            raise bounds_error
    apply(target, F.IndexPut, value, key=key)


def _without_leading_ones(shape):
    """torch's ``slicePrefix1sSize``: ``[1, 1, 3]`` -> ``[3]``, ``[1, 1]`` -> ``[]``."""
    i = 0
    while i < len(shape) and shape[i] == 1:
        i += 1
    return tuple(shape[i:])


def _warn_expanded(op, example):
    warnings.warn(
        f"Use of {op} on expanded tensors is deprecated. Please clone() the tensor "
        "before performing this operation. This also applies to advanced indexing e.g. "
        f"tensor{example}",
        UserWarning,
        stacklevel=4,
    )


# The in-place ops whose tangent rule reads the values (``da * b + a * db``): torch
# computes the new tangent with recorded ops and copies it into the tangent tensor,
# which then has a grad_fn (CopyBackwards) when something requires grad. Here tangents
# are plain arrays: a tangent the program holds (given to make_dual, read by
# unpack_dual) would silently lack that history, so these are refused (the README's
# list of differences).
_TANGENT_RECORDED = (F.Mul, F.Div)


def _tangent_recorded(self, other):
    """Would torch record the new tangent of ``self`` (``self.mul_(other)``) on a
    tangent the program holds?"""
    requires_grad = self._requires_grad or (
        isinstance(other, Tensor) and other._requires_grad
    )
    return grad_state.enabled and requires_grad and _forward_ad.tangent_held(self)


def precheck(self, *others):
    """The in-place checks torch runs before an op's own argument checks (e.g.
    ``fill_`` with a 1-d tensor on a leaf that requires grad: the leaf error first)."""
    if grad_state.enabled and (
        self._requires_grad
        or any(isinstance(o, Tensor) and o._requires_grad for o in others)
    ):
        _check_inplace(self)


# The ops torch lets write into memory that several elements share (an expanded
# tensor): fill_ with a number and zero_ (filling is idempotent), and index_put_ (which
# only warns). copy_, fill_ with a tensor (a copy_) and the arithmetic ops refuse.
_SHARED_WRITE_OK = (F.Fill, F.Zero, F.IndexPut)


def _internal_overlap(a):
    """Do several elements of ``a`` share memory (a stride 0 along a dimension of size
    more than 1, in a non-empty array)? torch's ``has_internal_overlap``."""
    return (
        0 in a.strides
        and a.size > 1
        and any(s == 0 and n > 1 for s, n in zip(a.strides, a.shape))
    )


def _check_writable(self, op, other=None):
    """Refuse to write into memory that several elements share, as torch does for
    ``op`` (see ``_SHARED_WRITE_OK``), and into read-only memory. (``copy_`` from the
    very same memory returns before torch looks: nothing to write.)"""
    a = self._data
    shared = 0 in a.strides and op not in _SHARED_WRITE_OK and _internal_overlap(a)
    if shared or not a.flags.writeable:
        if not (op is F.Copy and _same_memory(a, other)):
            raise RuntimeError(INTERNAL_OVERLAP)
    return a


def _same_memory(a, b):
    """Are ``a`` and ``b`` the very same elements (start, shape, strides, dtype)?"""
    if isinstance(b, Tensor):
        b = b._data
    return (
        isinstance(b, np.ndarray)
        and _start(a) == _start(b)
        and a.shape == b.shape
        and a.strides == b.strides
        and a.dtype == b.dtype
    )


def _start(a):
    return a.__array_interface__["data"][0]


def _check_overlap(a, b):
    """An operand that shares part (not all) of the written memory: torch refuses."""
    if a is not b and overlap(a, b) == "partial":
        raise RuntimeError(_OVERLAP)


def overlap(a, b):
    """torch's ``get_overlap_status`` of two arrays: ``"full"`` (the same block of
    memory with the same strides), ``"partial"``, or None: no shared memory, or too
    hard to tell (one of them is not a dense block of memory, e.g. a slice with a
    step), which torch lets pass unchecked.

    torch compares *all* the strides, those of size-1 dimensions too, though they
    never move to another element: ``x[::2]`` of a one-element ``x`` (stride 2) and
    ``x`` (stride 1) are the same element, yet a partial overlap."""
    if a.size == 0 or b.size == 0 or not (_dense(a) and _dense(b)):
        return None
    a0, b0 = _start(a), _start(b)
    a1, b1 = a0 + a.size * a.itemsize, b0 + b.size * b.itemsize
    if (a0, a1) == (b0, b1):
        return "full" if _element_strides(a) == _element_strides(b) else "partial"
    return "partial" if a0 < b1 and b0 < a1 else None


def _element_strides(a):
    """``a``'s strides counted in elements (torch's), not bytes (NumPy's)."""
    return tuple(s // a.itemsize for s in a.strides)


def _dense(a):
    """torch's ``is_non_overlapping_and_dense``: the elements fill one block of memory
    exactly, the dimensions taken in some order (a transpose is dense, a step is not)."""
    want = a.itemsize
    for stride, n in sorted((s, n) for s, n in zip(a.strides, a.shape) if n > 1):
        if stride != want:
            return False
        want *= n
    return True


_TORCH_TYPE = {
    "f": "Float",
    "d": "Double",
    "l": "Long",
    "q": "Long",
    "i": "Int",
    "?": "Bool",
}


def _legacy_name(a):
    """torch's old type name of an array's dtype: ``FloatTensor``, ``LongTensor``."""
    return from_numpy_dtype(a.dtype)._legacy


# clamp_ with number bounds names the output type as C++ does (caffe2's TypeMeta)
_CPP_TYPE = {"f": "float", "d": "double", "l": "long int", "q": "long int", "i": "int"}
_CPP_TYPE["?"] = "bool"


def _cast_error(src, dst, scalar_bounds=False):
    names = _CPP_TYPE if scalar_bounds else _TORCH_TYPE
    return RuntimeError(
        f"result type {_TORCH_TYPE.get(np.dtype(src).char, src)} can't be cast to the "
        f"desired output type {names.get(np.dtype(dst).char, dst)}"
    )


# the C++ type a number is converted to for a tensor of each dtype (float64 and bool
# take any Python float)
_CHECKED = {"l": "int64_t", "q": "int64_t", "i": "int", "f": "float"}


def checked_number(value, dtype):
    """torch's checked conversion of a Python number written into a tensor of
    ``dtype`` (``fill_``, ``x[i] = value``): a number out of the type's range (inf or
    nan for an integer tensor) is refused, not wrapped around."""
    if isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_)):
        if not -(2**63) <= int(value) < 2**63:
            raise OverflowError("int too big to convert")
    name = _CHECKED.get(np.dtype(dtype).char)
    if name is None or isinstance(value, (bool, np.bool_)):
        return value
    if np.dtype(dtype).kind in "iu":
        info = np.iinfo(dtype)
        fits = info.min <= value <= info.max  # (False for nan)
    else:
        v = float(value)
        fits = not math.isfinite(v) or abs(v) <= float(np.finfo(np.float32).max)
    if not fits:
        raise RuntimeError(f"value cannot be converted to type {name} without overflow")
    return value


def _translate(e, self, other):
    """NumPy's in-place errors, in torch's words."""
    msg = str(e)
    if "read-only" in msg:
        return RuntimeError(INTERNAL_OVERLAP)
    if "Cannot cast" in msg or "casting" in msg:
        src = np.result_type(self._data, other if other is not None else 0.0)
        if isinstance(other, float) or (
            isinstance(other, np.ndarray) and other.dtype.kind == "f"
        ):
            src = np.float32 if self._data.dtype.kind != "f" else src
        return _cast_error(src, self._data.dtype)
    if "non-broadcastable output" in msg and other is not None:
        full = np.broadcast_shapes(self._data.shape, np.shape(other))
        return RuntimeError(
            f"output with shape {list(self._data.shape)} doesn't match the broadcast shape "
            f"{list(full)}"
        )
    if "broadcast" in msg and other is not None:
        return broadcast_error(self._data.shape, np.shape(other))
    return e
