"""Forward-mode AD, like ``torch.autograd.forward_ad``: a tensor can carry a *tangent*
(a direction dx), and every op pushes it forward with its JVP rule, dy = J dx, as the
values are computed. One pass gives J v for one direction v; reverse mode gives v^T J.

>>> import autograd_tutor as at
>>> import autograd_tutor.autograd.forward_ad as fwAD
>>> with fwAD.dual_level():
...     x = fwAD.make_dual(at.tensor([1.0, 2.0]), at.tensor([1.0, 0.0]))
...     y = (x * x).sum()
...     fwAD.unpack_dual(y).tangent
tensor(2.)

Each op's rule is the ``jvp`` method beside its ``forward`` and ``backward`` in
``functions.py``. Tangents live in the dual level, not in the tensors: leaving the level
forgets them all (as torch does). Outside a level nothing here runs at all.
"""

import weakref
from typing import NamedTuple

import numpy as np

from .. import _quiet
from .. import functions as F  # (its ops are used when called: it imports us)
from .._identity import TensorSet
from ..tensor import Tensor, bump_version, version_counter
from .grad_mode import no_grad
from .zero_tangent import ZeroTangent

# The forward-mode state, read by Op.apply, in-place ops and autograd.functional:
levels = []  # the active dual level (torch allows one at a time: no nesting)
tangents = {}  # id(tensor) -> (weak reference to the tensor, its tangent: a Tensor)
busy = []  # non-empty while an in-place op is being given its new tangent
held = TensorSet()  # the tangents the program holds (see hold)
_generation = [0]  # counts the levels entered: a tangent kept by a node is of one level

TANGENT_WITH_TANGENT = (  # torch's words when a tangent would carry a tangent itself
    "Setting a forward grad that itself has a forward gradient at the same level0 is not "
    "supported."
)

TANGENT_RECORDED = (  # see _inplace._TANGENT_RECORDED
    "mul_ and div_ of a dual tensor that requires grad (or by a tensor that does) are "
    "not supported: torch records the new tangent on the tangent tensor itself (a "
    "copy_ recorded as CopyBackwards, so the tangent given to make_dual gets a "
    "grad_fn), and autograd_tutor's tangents are plain tensors. Write it out of place "
    "(d = d * w), whose tangent is a new tensor."
)

__all__ = [
    "UnpackedDualTensor",
    "dual_level",
    "enter_dual_level",
    "exit_dual_level",
    "make_dual",
    "unpack_dual",
]


class UnpackedDualTensor(NamedTuple):
    """What ``unpack_dual`` returns: the ``primal`` (a view of the values, without
    tangent) and the ``tangent`` (None if the tensor has none at this level)."""

    primal: object
    tangent: object


def enter_dual_level():
    """Start a dual level (prefer ``with dual_level():``). Returns its number."""
    if levels:
        raise RuntimeError("Nested forward mode AD is not supported at the moment")
    levels.append(0)
    _generation[0] += 1
    return 0


def exit_dual_level(*, level=None):
    """End the dual level: every tangent made in it is forgotten."""
    if not levels or (level is not None and level != levels[-1]):
        raise RuntimeError(
            "Trying to exit a forward AD level that was not the last one that was "
            "created. This is not supported."
        )
    levels.pop()
    tangents.clear()
    held.clear()


class dual_level:
    """The block inside which tensors may carry tangents (``with fwAD.dual_level():``);
    also a decorator."""

    def __enter__(self):
        return enter_dual_level()

    def __exit__(self, *exc):
        exit_dual_level()
        return False

    def __call__(self, func):
        def wrapper(*args, **kwargs):
            with dual_level():
                return func(*args, **kwargs)

        wrapper.__name__, wrapper.__doc__ = func.__name__, func.__doc__
        return wrapper


def _check_level(level):
    if not levels:
        raise RuntimeError(
            "Trying to create a dual Tensor for forward AD but no level exists, make "
            "sure to enter_dual_level() first."
        )
    if level is not None and level != levels[-1]:
        raise RuntimeError(f"Invalid level given to make_dual: {level}")


def make_dual(tensor, tangent, *, level=None):
    """A view of ``tensor`` that carries ``tangent`` (same shape, floating point).

    Its ``grad_fn`` is ``ViewBackward0`` when ``tensor`` requires grad, so reverse mode
    still sees through it.
    """
    _check_level(level)
    if not isinstance(tensor, Tensor) or not isinstance(tangent, Tensor):
        raise TypeError("make_dual(): expected Tensor arguments")
    for name, t in (("primal", tensor), ("tangent", tangent)):
        if not t.dtype.is_floating_point:
            raise ValueError(
                f"Expected {name} to be floating point or complex, but got: {t.dtype}"
            )
    if tangent_of(tensor) is not None:  # (checked first, as torch does)
        raise RuntimeError(
            "Making a dual Tensor based on a Tensor that already has a forward "
            "gradient at the same level 0 is not supported."
        )
    if tangent._data.shape != tensor._data.shape:
        raise RuntimeError(
            "Trying to set a forward gradient that has a different size than that of "
            "the original Tensor, this is not supported. Tensor is of size "
            f"{list(tensor._data.shape)} while the given forward gradient is of size "
            f"{list(tangent._data.shape)}."
        )
    if not _same_layout(tangent, tensor):  # a copy laid out as the primal (torch)
        with no_grad():
            copy = Tensor._make(_zeros_laid_out_as(tensor._data, tangent._data.dtype))
            tangent = copy.copy_(tangent)  # (an expanded primal: torch's overlap error)
    else:
        hold(tangent)  # the program's own tensor, kept as it is
    dual = F.View.apply(tensor, shape=tensor._data.shape)
    set_tangent(dual, tangent)
    return dual


def _same_layout(tangent, primal):
    """Can ``tangent`` be the primal's tangent as it is? As torch's ``has_same_meta``:
    the same strides (in elements: the dtypes may differ), the same offset into
    memory of the same size (a tensor's memory: its base's, for a view)."""
    return _layout(tangent) == _layout(primal) and not _internal_overlap(primal._data)


def _layout(t):
    """(strides of the dimensions that have any, offset, size of the memory)."""
    a = t._data
    if a.size == 0:
        return ()
    memory = _memory(a if t._base is None else t._base._data)
    offset = a.__array_interface__["data"][0] - memory.__array_interface__["data"][0]
    steps = [s // a.itemsize for s, n in zip(a.strides, a.shape) if n > 1]
    return steps, offset // a.itemsize, memory.size


def _memory(a):
    """The array NumPy allocated ``a``'s numbers in (torch's storage): an op's result
    may be part of a larger one (``mse_loss``'s loss, as torch's, is the first of the
    squared differences)."""
    while isinstance(a.base, np.ndarray):
        a = a.base
    return a


def _steps(a):
    return [s // a.itemsize for s in a.strides]


def _internal_overlap(a):
    return a.size > 1 and any(s == 0 and n > 1 for s, n in zip(a.strides, a.shape))


def _zeros_laid_out_as(a, dtype):
    """Zeros of ``a``'s shape and strides (torch's ``_new_zeros_with_same_feature_meta``):
    an expanded ``a`` gives zeros whose elements share memory as ``a``'s do."""
    if a.flags.c_contiguous or a.size == 0:
        return np.zeros(a.shape, dtype)
    steps = _steps(a)
    extent = 1 + sum((n - 1) * abs(k) for n, k in zip(a.shape, steps))
    strides = [k * np.dtype(dtype).itemsize for k in steps]
    return np.lib.stride_tricks.as_strided(np.zeros(extent, dtype), a.shape, strides)


def unpack_dual(tensor, *, level=None):
    """``(primal, tangent)`` of a dual tensor; outside a level, ``(tensor, None)``."""
    if not levels:
        return UnpackedDualTensor(tensor, None)
    if level is not None and level != levels[-1]:
        raise RuntimeError(f"Invalid level given to unpack_dual: {level}")
    tangent = tangent_tensor(tensor)  # (the very tensor, each time, as in torch)
    if tangent is not None:
        hold(tangent)
    primal = F.Identity.apply(tensor)  # the values as a view, without the tangent
    tangents.pop(id(primal), None)
    return UnpackedDualTensor(primal, tangent)


def tangent_of(t):
    """The tangent array of tensor ``t`` at the active level, or None."""
    entry = tangents.get(id(t))
    if entry is None or entry[0]() is not t:
        return None
    return entry[1]._data


def tangent_tensor(t):
    """The tangent of ``t`` as the tensor ``unpack_dual`` gives, or None."""
    entry = tangents.get(id(t))
    if entry is None or entry[0]() is not t:
        return None
    return entry[1]


def drop_tangent(t):
    """``t`` carries no tangent any more (``detach_()``: torch drops the forward grad
    with the grad_fn)."""
    if tangent_tensor(t) is not None:
        del tangents[id(t)]


def hold(tangent):
    """Note that the program holds ``tangent`` (it gave it to ``make_dual`` or read it
    with ``unpack_dual``): an in-place op that torch would record on it is refused
    (``_inplace._TANGENT_RECORDED``)."""
    held.add(tangent)


def tangent_held(t):
    """Is ``t``'s tangent one the program holds, or a view of one?"""
    tangent = tangent_tensor(t)
    return tangent is not None and (tangent in held or tangent._base in held)


def current_level():
    """A token of the dual level now active (None outside one): equal only within the
    same level, so what a node noted in one level is known not to be of another."""
    return _generation[0] if levels else None


def saved_output_tangent(node):
    """The tangent of a node's output, kept by ``push`` when the node saved its output:
    unpacked for a recorded backward (create_graph=True), the output is a new tensor
    object, and takes this tangent (forward mode over reverse mode). None outside the
    level the tangent was made in."""
    kept = getattr(node, "_output_tangent", None)
    if kept is None or not levels or kept[0] != _generation[0]:
        return None
    return kept[1]


def set_tangent(t, tangent, view_of=None):
    """Give ``t`` its tangent for the current level: a tensor (``make_dual``'s, kept
    as it is) or an ndarray, made a tensor. The tangent of a view is a view of the
    tangent ``view_of`` (the viewed input's; by default its base's), when it is one
    in memory: it shares its version counter, as in torch (an in-place change of
    either is seen by both)."""
    if not isinstance(tangent, Tensor):
        array, tangent = tangent, Tensor._make(tangent)
        base = view_of
        if base is None and t._base is not None:
            base = tangent_tensor(t._base)
        if base is not None and np.may_share_memory(array, base._data):
            tangent._version_box = version_counter(base)
            tangent._base = base if base._base is None else base._base
            tangent._view_version = tangent._version_box[0]
    key = id(t)
    tangents[key] = (weakref.ref(t, lambda _, k=key: tangents.pop(k, None)), tangent)


# ----------------------------------------------------------------------------------------
# Pushing tangents through ops (called by Op.apply and the in-place ops, in a level only)


def push(op, ctx, inputs, arrays, result):
    """After ``op``'s forward: if an input carries a tangent, give ``result`` the tangent
    ``op.jvp`` computes. An input without one (a tensor or a number) has a zero tangent
    that stays exactly zero in products, as torch's zero tensor (``ZeroTangent``)."""
    if op is F.Identity:  # unpack_dual's primal: it carries no tangent (torch's)
        return
    y = result._data
    tangents, found = [], False
    for t, a in zip(inputs, arrays):
        if isinstance(t, Tensor):
            dt = tangent_of(t)
            if dt is None:
                dt = ZeroTangent(a.shape, a.dtype)
            else:
                found = True
                if tangent_of(tangent_tensor(t)) is not None:  # (a tangent made dual)
                    raise RuntimeError(TANGENT_WITH_TANGENT)
                if dt.dtype != a.dtype and a.dtype.kind == "f":
                    dt = dt.astype(a.dtype)  # the op computed in a common dtype
            tangents.append(dt)
        else:  # a number (a wrapped number in torch) has a zero tangent, a bound none
            tangents.append(None if t is None else ZeroTangent((), y.dtype))
    if not found or y.dtype.kind != "f":  # integer results have no tangent
        return
    quiet = _quiet.enter()  # silent on inf and nan, as the forward is (torch is)
    try:
        dy = np.asarray(op.jvp(ctx, y, *arrays, *tangents))
        if dy.shape != y.shape:
            dy = np.broadcast_to(dy, y.shape).copy()
        if dy.dtype != y.dtype:
            dy = dy.astype(y.dtype)
    finally:
        _quiet.exit(quiet)
    set_tangent(result, dy, tangent_tensor(inputs[0]) if op.is_view else None)
    if ctx._kept_values and any(v is y for v in ctx._kept_values):
        ctx._output_tangent = (_generation[0], dy)  # see saved_output_tangent


def push_custom(function, ctx, args, outputs):
    """A custom ``Function`` on dual tensors: its ``jvp(ctx, *tangents)`` (one tangent
    per input of ``forward``, None for non-tensors) gives one tangent per output."""
    tangents = [tangent_of(a) if isinstance(a, Tensor) else None for a in args]
    if all(t is None for t in tangents):
        return outputs
    if not hasattr(function, "jvp"):
        raise NotImplementedError(
            "You must implement the jvp function for custom autograd.Function to use "
            "it with forward mode AD."
        )
    wrapped = [
        None
        if not isinstance(a, Tensor)
        else Tensor._make(np.zeros_like(a._data) if t is None else t)
        for a, t in zip(args, tangents)
    ]
    with no_grad():
        result = function.jvp(ctx, *wrapped)
    single = not isinstance(outputs, tuple)
    outs = (outputs,) if single else outputs
    result = (result,) if not isinstance(result, tuple) else result
    fresh = []
    for o, dt in zip(outs, result):
        if isinstance(o, Tensor) and any(o is a for a in args):
            o = Tensor._make(o._data)  # an input returned as is: a new identity
        if isinstance(o, Tensor) and isinstance(dt, Tensor):
            set_tangent(o, dt._data)
        fresh.append(o)
    return fresh[0] if single else tuple(fresh)


def inplace(apply, self, op, operands, params):
    """An in-place op on a level: the values change by ``apply`` as usual, and ``self``'s
    tangent becomes the op's result tangent, written into the tangent's memory, so views
    of the tangent (the tangents of views of ``self``, or of its base) see it too.

    A ``self`` without a tangent gets one of real zeros first (torch's codegen fills
    them for an in-place op's self), unless the op's JVP reads self's old value
    (``jvp_reads_self``: ``mul_``'s ``da * b + a * db``), where torch's formula works
    on a copy of the old self, with a zero tensor (``ZeroTangent``) as its tangent."""
    args = operands  # (clamp_'s tensor bounds come as one tuple)
    if len(operands) == 1 and isinstance(operands[0], tuple):
        args = operands[0]
    tensors = [self, *(o for o in (*args, *params.values()) if isinstance(o, Tensor))]
    if self._data.dtype.kind != "f" or all(tangent_of(t) is None for t in tensors):
        # (an integer or bool self has no tangent in torch, whatever it is given)
        busy.append(True)
        try:
            return apply(self, op, *operands, **params)
        finally:
            busy.pop()
    old = Tensor._make(self._data.copy())  # self before the op (torch's original_self)
    dself = tangent_of(self)
    if dself is None and not getattr(op, "jvp_reads_self", False):
        dself = np.zeros_like(self._data)
    if dself is not None:
        set_tangent(old, dself)
    # a tangent made dual itself: torch refuses when it sets self's new tangent, after
    # the op (the values have changed); a JVP that reads self's old value clones self
    # first, and the clone's tangent refuses before the op
    dual = [tangent_of(tangent_tensor(t)) is not None for t in tensors]
    if dual[0] and getattr(op, "jvp_reads_self", False):
        raise RuntimeError(TANGENT_WITH_TANGENT)
    _apply_quietly(apply, self, op, operands, params)  # the op first, its checks too
    if any(dual):
        raise RuntimeError(TANGENT_WITH_TANGENT)
    with no_grad():  # then the tangent, as torch: the same op out of place on the old
        new = tangent_of(op.apply(old, *args, **params))  # self and the operands now
    target = tangent_of(self)
    if target is None:
        target = _new_tangent_memory(self)
    if new is None:
        target[...] = 0
    else:
        np.copyto(target, np.broadcast_to(new, target.shape), casting="unsafe")
    bump_version(tangent_tensor(self))  # (the tangent changed in place)
    return self


def _apply_quietly(apply, self, op, operands, params):
    """The in-place op itself (``_inplace.apply``), with no tangent pushing of its own."""
    busy.append(True)
    try:
        apply(self, op, *operands, **params)
    finally:
        busy.pop()


def _new_tangent_memory(t):
    """A zero tangent for ``t``; for a view, the matching part of its base's tangent
    (created as zeros if the base has none), as torch does."""
    base = t._base
    if base is None:
        tangent = np.zeros_like(t._data)
        set_tangent(t, tangent)
        return tangent
    base_tangent = tangent_of(base)
    if base_tangent is None:
        base_tangent = np.zeros_like(base._data)
        set_tangent(base, base_tangent)
    b, v = base._data, t._data
    if (
        base_tangent.flags.c_contiguous
        and base_tangent.strides == b.strides
        and base_tangent.dtype == b.dtype
    ):  # the view's tangent: the same strides and offset, in the base's tangent
        offset = v.__array_interface__["data"][0] - b.__array_interface__["data"][0]
        tangent = np.ndarray(
            v.shape, v.dtype, buffer=base_tangent, offset=offset, strides=v.strides
        )
    else:  # an unusual layout: the view's tangent is its own
        tangent = np.zeros_like(v)
    set_tangent(t, tangent)
    return tangent
