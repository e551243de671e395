"""In-place operations (``w.sub_(...)``, ``w.grad.zero_()``) and their autograd rules.

Mirrors how PyTorch treats in-place ops:

* The tensor's memory is overwritten and its version counter goes up by one, so any
  backward node that saved the old values will refuse to use them.
* When recording (grad mode on and something requires grad), the tensor gets a new
  ``grad_fn`` (e.g. ``SubBackward0``) whose first edge leads to its old ``grad_fn``.
* A leaf that requires grad may not be changed in place while recording: that would
  silently break the graph. This is why weight updates go inside ``with no_grad():``.
"""

import numpy as np

from ._checks import broadcast_error
from .autograd.grad_mode import _state
from .tensor import Tensor, _bump_version, _operand, _version_counter

# How each op writes into an existing array when nothing is recorded (the fast path of
# the weight update): ufunc(self, other, out=self).
_FAST = {
    "AddBackward0": np.add,
    "SubBackward0": np.subtract,
    "MulBackward0": np.multiply,
    "DivBackward0": np.true_divide,
}


def fast(self, ufunc, other, alpha=1):
    """Nothing to record: write ``ufunc(self, other)`` straight into self's memory."""
    b = other._data if isinstance(other, Tensor) else other
    if alpha != 1:
        b = b * alpha
    a = self._data
    try:
        ufunc(a, b, out=a, casting="same_kind")
    except (TypeError, ValueError) as e:
        raise _translate(e, self, b) from None
    _bump_version(self)
    return self


def fill(self, value):
    """Nothing to record: overwrite every element with ``value``."""
    try:
        self._data.fill(value)
    except ValueError as e:  # read-only memory (an expanded tensor)
        raise _translate(e, self, None) from None
    _bump_version(self)
    return self


def run(self, op, other=None, **params):
    """Apply ``op`` to ``self`` in place; ``other`` is the second operand, if any."""
    operands = () if other is None and op.node_name not in _FAST else (_operand(other),)
    recording = _state.enabled and (
        self._requires_grad
        or any(isinstance(o, Tensor) and o._requires_grad for o in operands)
        or any(isinstance(v, Tensor) and v._requires_grad for v in params.values())
    )
    if recording:
        return _recorded(self, op, operands, params)
    _check_writable(self)
    other_data = (
        operands[0]._data
        if operands and isinstance(operands[0], Tensor)
        else (operands[0] if operands else None)
    )
    a = self._data
    try:
        ufunc = _FAST.get(op.node_name)
        if ufunc is not None:
            alpha = params.get("alpha", 1)
            if alpha != 1:
                other_data = other_data * alpha
            ufunc(a, other_data, out=a, casting="same_kind")
        elif op.node_name == "ZeroBackward0":
            a.fill(0)
        elif op.node_name == "FillBackward2":
            a.fill(params["value"])
        else:  # clamp_
            np.clip(a, params.get("min"), params.get("max"), out=a, casting="same_kind")
    except (TypeError, ValueError) as e:
        raise _translate(e, self, other_data) from None
    _bump_version(self)
    return self


def _recorded(self, op, operands, params):
    """The recording path: run the op out of place on the old values, then write back."""
    if self._grad_fn is None and self._requires_grad:
        raise RuntimeError(
            "a leaf Variable that requires grad is being used in an in-place operation."
        )
    if self._base is not None and (self._base._requires_grad or self._requires_grad):
        raise NotImplementedError(
            "autograd_tutor does not record in-place changes to a view of a tensor that "
            "requires grad (PyTorch would rewrite the base's graph with CopySlices). "
            "Call .clone() on the view first, or use an out-of-place operation."
        )
    _check_writable(self)
    # The old value, as its own tensor: the new node's first edge points at its history.
    old = Tensor._make(self._data.copy(), self._requires_grad)
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
    if result._data.shape != self._data.shape:
        raise RuntimeError(
            f"output with shape {list(self._data.shape)} doesn't match the broadcast shape "
            f"{list(result._data.shape)}"
        )
    if not np.can_cast(result._data.dtype, self._data.dtype, casting="same_kind"):
        raise _cast_error(result._data.dtype, self._data.dtype)
    np.copyto(self._data, result._data, casting="same_kind")
    _bump_version(self)
    node = result._grad_fn
    self._grad_fn, self._requires_grad, self._output_nr = node, True, 0
    if self._retains_grad:  # the retained gradient now comes from the new node only
        old_node = old._grad_fn
        if old_node is not None and old_node._retain:
            old_node._retain.pop(self._output_nr, None)
        self._attach_retain(node)
    if (
        node._kept_versions
    ):  # a saved output is this tensor itself, now at its new version
        node._kept_versions = [
            (_version_counter(self), self._version_box[0], t, s, d)
            if box is result._version_box
            else (box, v, t, s, d)
            for box, v, t, s, d in node._kept_versions
        ]
    return self


def copy(self, src):
    """``self.copy_(src)``: overwrite with src's values (broadcast, cast)."""
    src = _operand(src)
    data = src._data if isinstance(src, Tensor) else np.asarray(src)
    if _state.enabled and self._grad_fn is None and self._requires_grad:
        raise RuntimeError(
            "a leaf Variable that requires grad is being used in an in-place operation."
        )
    if _state.enabled and isinstance(src, Tensor) and src._requires_grad:
        raise NotImplementedError(
            "autograd_tutor does not record copy_() from a tensor that requires grad; "
            "use .detach() on the source or wrap the copy in at.no_grad()"
        )
    _check_writable(self)
    try:
        np.copyto(self._data, np.broadcast_to(data, self._data.shape), casting="unsafe")
    except ValueError:
        raise broadcast_error(self._data.shape, data.shape) from None
    _bump_version(self)
    return self


def setitem(self, key, value):
    """``x[key] = value``, allowed when nothing is being recorded."""
    if _state.enabled and (
        self._requires_grad or (isinstance(value, Tensor) and value._requires_grad)
    ):
        raise NotImplementedError(
            "autograd_tutor does not record index assignment (x[...] = v) on tensors that "
            "require grad; do it inside `with at.no_grad():` or build the tensor with "
            "out-of-place operations"
        )
    _check_writable(self)
    data = value._data if isinstance(value, Tensor) else value
    self._data[key] = data
    _bump_version(self)


def _check_writable(self):
    if not self._data.flags.writeable:
        raise RuntimeError(
            "unsupported operation: more than one element of the written-to tensor refers "
            "to a single memory location. Please clone() the tensor before performing the "
            "operation."
        )


_TORCH_TYPE = {
    "f": "Float",
    "d": "Double",
    "l": "Long",
    "q": "Long",
    "i": "Int",
    "?": "Bool",
}


def _cast_error(src, dst):
    return RuntimeError(
        f"result type {_TORCH_TYPE.get(np.dtype(src).char, src)} can't be cast to the "
        f"desired output type {_TORCH_TYPE.get(np.dtype(dst).char, dst)}"
    )


def _translate(e, self, other):
    """NumPy's in-place errors, in torch's words."""
    msg = str(e)
    if "read-only" in msg:
        return RuntimeError(
            "unsupported operation: more than one element of the written-to tensor refers "
            "to a single memory location. Please clone() the tensor before performing the "
            "operation."
        )
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
