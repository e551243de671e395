"""Backward nodes: what ``y.grad_fn`` is.

Mirrors ``torch.autograd.function``. Every operation that autograd records creates one
*node*: an object that remembers (a) where the gradient must go next
(``next_functions``) and (b) whatever values the local derivative needs (saved tensors).

* ``Op`` is the base of the built-in operations in ``autograd_tutor/functions.py``: a
  ``forward`` and a ``backward`` written on NumPy arrays. ``Op.apply`` runs the forward
  and, when gradients are being recorded, returns a tensor whose ``grad_fn`` is the node.
* ``AccumulateGrad`` is the node at a leaf: it adds the gradient into ``leaf.grad``.
* ``Function`` is the public way to write your own op on tensors, as in PyTorch.
"""

import itertools
import operator
import re
import weakref

import numpy as np

from .. import _quiet
from .. import functions as _functions  # (its ops are used when called: it imports us)
from .._broadcast import sum_to, unbroadcast
from .._checks import INTERNAL_OVERLAP
from .._dtype import from_numpy_dtype, result_type, title, type_string
from .._identity import TensorSet
from .._layout import torch_layout
from ..tensor import (
    MULTI_OUTPUT_NODE,
    NO_GRAD_MODE,
    Tensor,
    bump_version,
    update_view,
    version_counter,
)
from . import forward_ad as _forward_ad
from .anomaly_mode import anomaly_state, forward_trace
from .forward_ad import tangents
from .grad_mode import grad_state, no_grad
from .graph import notify, recorders
from .inference_mode import SAVED_MESSAGE as INFERENCE_SAVED_MESSAGE
from .inference_mode import InferenceVersion, inference_state
from .inference_mode import note_view as _note_inference_view

# Nodes are numbered in the order they are created. The backward pass always runs the
# ready node with the highest number first: the most recent operation is undone first.
sequence_nrs = itertools.count()

_FREED_MESSAGE = (
    "Trying to backward through the graph a second time (or directly access saved "
    "tensors after they have already been freed). Saved intermediate values of the graph "
    "are freed when you call .backward() or autograd.grad(). Specify retain_graph=True if "
    "you need to backward through the graph a second time or if you need to access saved "
    "tensors after calling backward."
)


class Node:
    """Base of every backward node (``MulBackward0``, ``AccumulateGrad``, ...).

    Attributes every node has:
        next_functions: one ``(node, output_nr)`` pair per input of the forward operation;
            ``(None, 0)`` for an input that needs no gradient.

    The node keeps its edges as two flat tuples, ``_next_nodes`` (where each input's
    gradient goes) and ``_next_nrs`` (as the gradient of which output of that node),
    and ``next_functions`` pairs them up when asked: one object per node fewer for
    Python's garbage collector to scan again and again in a long graph.
    """

    _sequence_nr = 0
    _n_outputs = 1
    _next_nodes = ()
    _next_nrs = ()
    _kept_values = (
        None  # values saved for backward (freed after it, unless retain_graph)
    )
    _freed = False
    _pre_hooks = None  # {output_nr: [hook, ...]} from Tensor.register_hook on outputs
    _retain = None  # {output_nr: weakref to the tensor} from Tensor.retain_grad()
    _hooked = False  # True once either of the two above is set
    _hook_dtypes = None  # {output_nr: dtype of that output}: what its hooks receive

    @property
    def next_functions(self):
        """One ``(node, output_nr)`` pair per input of the forward operation."""
        return tuple(zip(self._next_nodes, self._next_nrs))

    @next_functions.setter
    def next_functions(self, edges):
        self._next_nodes = tuple([fn for fn, _ in edges])
        self._next_nrs = shared_nrs(tuple([nr for _, nr in edges]))

    def name(self):
        """The node's name, e.g. ``'MulBackward0'``."""
        return type(self).__name__

    def __repr__(self):
        return f"<{type(self).__name__} object at {hex(id(self))}>"

    def _repr_pretty_(self, p, cycle):
        # IPython displays torch's nodes (C++ classes with the default repr) without
        # "object": <MulBackward0 at 0x...>; repr() and print() keep it, as in torch
        p.text(repr(self).replace(" object at ", " at "))

    def _add_pre_hook(self, output_nr, hook, dtype):
        if self._pre_hooks is None:
            self._pre_hooks = {}
            self._hook_dtypes = {}
            self._hooked = True
        self._pre_hooks.setdefault(output_nr, []).append(hook)
        self._hook_dtypes[output_nr] = dtype

    def _run_pre_hooks(self, grads):
        """Tensor hooks see (and may replace) the gradient before the node uses it
        (``None`` for an output that no gradient reached, as torch)."""
        for nr, hooks in (self._pre_hooks or {}).items():
            for hook in hooks:
                grads[nr] = _call_hook(hook, grads[nr], self._hook_dtypes[nr])
        for nr, ref in (self._retain or {}).items():
            t = ref()
            if t is not None and grads[nr] is not None:
                t._store_retained_grad(grads[nr])
        return grads


_SHARED_NRS, _SHARED_FLAGS = {}, {}  # (two tables: in Python, (1,) == (True,))


def shared_nrs(nrs):
    """The one tuple of this value that every node holding it keeps as ``_next_nrs``
    (and ``shared_flags``: as ``needs_input_grad``). Both take a few values only,
    ``(0, 0)``, ``(True, False)``, so the nodes of a graph share them rather than
    hold two new tuples each: a long graph has two objects per node fewer for
    Python's cyclic garbage collector to track and to scan again."""
    return _SHARED_NRS.setdefault(nrs, nrs)


def shared_flags(flags):
    """``needs_input_grad``'s one tuple of this value (see ``shared_nrs``)."""
    return _SHARED_FLAGS.setdefault(flags, flags)


def _call_hook(hook, grad, dtype):
    """Run one tensor hook: it sees the gradient as a tensor of the tensor's own dtype
    and may return a replacement, which must keep that size and dtype (torch checks).
    (Under create_graph=True the gradient already is a tensor, with its own history.)
    A tensor that no gradient reached gets ``None``, and may not replace it."""
    if grad is None:
        if hook(None) is not None:
            raise RuntimeError("can't replace a None gradient with a non-None value")
        return None
    recorded = isinstance(grad, Tensor)
    if recorded:
        if grad._data.dtype != dtype:
            grad = _to_copy(grad, dtype=dtype)
        new = hook(grad)
    else:
        if grad.dtype != dtype:
            grad = grad.astype(dtype)
        new = hook(Tensor._make(np.asarray(grad)))  # (a zero tensor: its zeros)
    if new is None:
        return grad
    if not isinstance(new, Tensor):
        raise TypeError(f"expected Variable, but hook returned '{type(new).__name__}'")
    name = getattr(hook, "__name__", type(hook).__name__)
    data = grad._data if recorded else grad
    if new._data.shape != data.shape:
        raise RuntimeError(f"hook '{name}' has changed the size of value")
    if new._data.dtype != data.dtype:
        raise RuntimeError(
            f"hook '{name}' has changed the type of value (was "
            f"at.{from_numpy_dtype(data.dtype)._legacy} got "
            f"at.{from_numpy_dtype(new._data.dtype)._legacy})"
        )
    return new if recorded else new._data


class AccumulateGrad(Node):
    """The node at the end of every path: adds the arriving gradient into ``variable.grad``.

    ``.variable`` is the leaf tensor. Gradients *add up* across ``backward()`` calls, which
    is why training loops zero them after each update.
    """

    _sequence_nr = float("inf")  # runs as soon as it is ready, like torch
    caller_grad = None  # a leaf that is itself a root: the gradient its caller holds

    def __init__(self, variable):
        self.variable = variable

    def name(self):
        return "torch::autograd::AccumulateGrad"  # torch 2.13's exact name()

    def __repr__(self):
        return f"<AccumulateGrad object at {hex(id(self))}>"

    _repr_pretty_ = Node._repr_pretty_

    def _hooked_grad(self, g):
        """The leaf's own hooks (``w.register_hook``) applied to its arriving gradient."""
        v = self.variable
        for hook in v._hooks or ():
            g = _call_hook(hook, g, v._data.dtype)
        return g

    def _run(self, grads):
        v = self.variable
        # the leaf's hooks run first (torch: tensor pre-hooks of this node), even if
        # the leaf stopped requiring grad since (detach_(), requires_grad_(False))
        held, self.caller_grad = grads[0] is self.caller_grad, None
        g = self._hooked_grad(grads[0]) if v._hooks else grads[0]
        if g is None:  # no gradient reached the leaf: .grad stays as it is
            return ()
        if not v._requires_grad:  # requires_grad_(False) since the graph was recorded
            return ()
        if v._grad_fn is not None:  # an in-place op gave the leaf a history since
            raise RuntimeError("leaf variable has been moved into the graph interior")
        if isinstance(g, Tensor):  # create_graph=True: .grad gets a history of its own
            return self._accumulate_recorded(g)
        if g.dtype != v._data.dtype:
            g = g.astype(v._data.dtype)
        if g.shape != v._data.shape:
            g = np.broadcast_to(g, v._data.shape)
        old = v._grad
        if old is None:
            v._grad = grad = Tensor._make(_laid_out_as(v._data, g))  # its own memory
            if held:  # torch keeps ("steals") a gradient only the backward pass holds;
                # the caller's it copies into a new tensor with copy_(): version 1
                bump_version(grad)
        else:
            # in place, like torch: a reference to w.grad sees the sum
            np.add(old._data, g, out=old._data)
            bump_version(old)
        return ()

    def _accumulate_recorded(self, g):
        """create_graph=True, as torch: the first gradient is copied into a new tensor
        (recorded as ``CopyBackwards``), later ones are added out of place
        (``AddBackward0``), so ``.grad`` itself can be differentiated."""
        v = self.variable
        g = _fit_to_inputs((g,), ((v._data.shape, v._data.dtype),))[0]
        if v._grad is None:
            if g._requires_grad:
                v._grad = _copy(Tensor._make(np.empty_like(v._data)), g)
            else:
                v._grad = Tensor._make(_laid_out_as(v._data, g._data))
            bump_version(v._grad)  # (torch's copy_() into the new tensor: version 1)
        else:
            v._grad = v._grad + g
        return ()


def _laid_out_as(leaf, g):
    """A copy of gradient ``g`` in ``leaf``'s memory layout, as torch's AccumulateGrad
    gives ``.grad`` (the gradient through ``x.T`` of a row-major ``x`` is row-major)."""
    grad = np.empty_like(leaf, dtype=g.dtype)
    grad[...] = g
    return grad


def input_edge(t):
    """The next_functions entry for one input of an op: ``(None, 0)`` if it needs no
    gradient."""
    if isinstance(t, Tensor) and t._requires_grad:
        fn = t._grad_fn
        if fn is not None:
            return (fn, t._output_nr)
        if t._base is not None and not requires_grad_of_its_own(t):
            return _NO_EDGE  # a view made under no_grad(): no gradient flows back
        ref = t._accum  # a leaf: its AccumulateGrad, while one lives (see grad_edge)
        acc = ref() if ref is not None else None
        return (acc, 0) if acc is not None else grad_edge(t)
    return _NO_EDGE


# Views whose own ``requires_grad`` was set with ``requires_grad_()``. torch keeps a
# view's own flag apart from the one it has through its base: such a view is a leaf
# with an AccumulateGrad of its own, until its base gets a history in place and the
# view is derived from it again.
_own_flags = TensorSet()


def set_requires_grad_of_its_own(view, flag):
    """Note (``flag`` True) or forget a view's own ``requires_grad`` (tensor.py)."""
    if flag:
        _own_flags.add(view)
    else:
        _own_flags.discard(view)


def requires_grad_of_its_own(view):
    return view in _own_flags


def grad_edge(t):
    """Where a gradient for tensor ``t`` must go: its grad_fn, or its leaf's AccumulateGrad.

    A leaf keeps only a weak reference to its AccumulateGrad (as torch does), so a finished
    graph is freed as soon as nothing else points at it.
    """
    fn = t._grad_fn
    if fn is not None:
        return (fn, t._output_nr)
    ref = t._accum
    acc = ref() if ref is not None else None
    if acc is None:
        acc = AccumulateGrad(t)
        t._accum = weakref.ref(acc)
    return (acc, 0)


def message_name(name):
    """How torch names a node in its in-place errors: 'PowBackward0' -> 'Pow',
    'PowBackward2' -> 'Pow2' ('torch::autograd::CopySlices' and
    'torch::autograd::CopyBackwards' stay as they are)."""
    return re.sub(r"Backward(\d+)$", lambda m: m.group(1).lstrip("0"), name)


class SavedTensorMixin:
    """Saving values for backward, with torch's checks.

    ``save_for_backward`` remembers each tensor's version number. If the tensor is changed
    in place before backward uses it, unpacking raises torch's "modified by an inplace
    operation" error; after backward has freed the values, torch's "backward through the
    graph a second time" error.
    """

    _kept_versions = None

    def _check_saved(self):
        if self._freed:
            raise RuntimeError(_FREED_MESSAGE)
        for box, version, tensor, shape, dtype in self._kept_versions or ():
            if (
                tensor is not None
                and tensor._detached_at > self._sequence_nr
                and tensor._grad_fn is None
            ):  # a saved input with a history, cut off by detach_() since
                raise RuntimeError(
                    "Trying to use a saved tensor that has been detached in-place, i.e. "
                    "with .detach_().This is not supported, please use out-of-place "
                    "`.detach()` instead"
                )
            if box[0] != version:
                what = f"[{type_string(dtype)} {list(shape)}]"
                producer = None
                if tensor is None:
                    producer = self.name()
                else:
                    if tensor._base is not None:
                        update_view(tensor)  # its grad_fn as torch shows it now
                    if tensor._grad_fn is not None:
                        producer = tensor._grad_fn.name()
                if producer is not None:
                    what += f", which is output 0 of {message_name(producer)},"
                hint = (
                    "the backtrace further above shows the operation that failed to "
                    "compute its gradient. The variable in question was changed in there "
                    "or anywhere later. Good luck!"
                    if anomaly_state.enabled
                    else "enable anomaly detection to find the operation that failed to "
                    "compute its gradient, with "
                    "torch.autograd.set_detect_anomaly(True, check_nan=False)."
                )
                raise RuntimeError(
                    "one of the variables needed for gradient computation has been "
                    f"modified by an inplace operation: {what} is at version {box[0]}; "
                    f"expected version {version} instead. Hint: {hint}"
                )


class OpNode(SavedTensorMixin, Node):
    """The backward node of a built-in ``Op``; it doubles as the op's ``ctx``.

    The attributes every recorded node has are slots, which ``Op.apply`` sets; the
    rarer ones (``_in_meta``, ``_kept_versions``, ``_freed``, and what an op's forward
    adds: ``ctx.dim``...) are set only on the nodes that have them, over class defaults.
    """

    __slots__ = (
        "_next_nodes",
        "_next_nrs",
        "needs_input_grad",
        "_sequence_nr",
        "_kept_values",
    )
    _op = None
    _in_meta = None  # (shape, dtype) per input, when the op broadcast or cast one

    def save_for_backward(self, *arrays):
        """Keep NumPy arrays (inputs, the output or helpers) for the backward pass."""
        self._kept_values = arrays

    @property
    def saved_tensors(self):
        """The saved arrays, after checking they were neither freed nor modified."""
        if self._freed or self._kept_versions:
            self._check_saved()
        return self._kept_values

    def _run(self, grads):
        # no gradient reached this node, or none of its inputs has an edge (an op on
        # a view made in no_grad) and it saved no output: torch saved nothing for it,
        # so a second pass through it is no error: it passes none on
        if grads[0] is None or (
            not any(self._next_nodes) and not any(map(_is_output, self._op.saved_names))
        ):
            return (None,) * len(self._next_nodes)
        if isinstance(grads[0], Tensor):  # create_graph=True: record the backward too
            return self._run_recorded(grads[0])
        out = self._op.backward(self, grads[0])
        if type(out) is not tuple:
            out = (out,)
        if self._in_meta is not None:  # an input was broadcast or cast in forward:
            return _fit_to_inputs(out, self._in_meta)  # each gradient as its input
        return out

    def _run_recorded(self, grad):
        """The op's backward on tensors (create_graph=True): the gradient it returns is
        recorded like any result, so it has a grad_fn and can be differentiated again."""
        out = self._op.backward(RecordingContext(self), grad)
        if type(out) is not tuple:
            out = (out,)
        out = tuple(
            Tensor._make(np.asarray(g))
            if g is not None and not isinstance(g, Tensor)
            else g  # a constant gradient (zeros): no history
            for g in out
        )
        return _fit_to_inputs(out, self._in_meta)

    def _unpack_saved(self):
        """The saved values as tensors, for a backward recorded under create_graph: an
        input's saved data is that input tensor, the saved output a tensor whose grad_fn
        is this node (as torch unpacks it), anything else a constant."""
        values = self.saved_tensors  # (checks the versions first)
        records = self._kept_versions or ()
        order = self._op._check_order  # the records are in torch's order: walk the
        if order is None or len(order) != len(values):  # values in that order too
            order = range(len(values))
        out, k = [None] * len(values), 0
        for i in order:
            v = values[i]
            r = records[k] if k < len(records) else None
            if not isinstance(v, np.ndarray):
                out[i] = v  # None, a number or a tuple of indices
            elif r is not None and r[2] is None and r[3] == v.shape and r[4] == v.dtype:
                k += 1  # the op's own output
                result = Tensor._make(v, True)
                result._grad_fn = self
                if tangents:  # inside a dual level: the output's tangent comes along
                    tangent = _forward_ad.saved_output_tangent(self)
                    if tangent is not None:
                        _forward_ad.set_tangent(result, tangent)
                out[i] = result
            elif (
                r is not None
                and r[2] is not None
                and (
                    r[2]._data is v or (r[2]._data.shape == v.shape and r[4] != v.dtype)
                )
            ):
                k += 1  # an input, as it is: torch saves it uncast, and the
                t = r[2]  # recorded formula's own ops promote it (no ToCopyBackward0)
                if t._data is v and t is self.__dict__.get("_original_self"):
                    # an in-place op's old values: torch saves a clone of them, so the
                    # recorded backward reads the clone (one clone, however often read)
                    clone = self.__dict__.get("_original_clone")
                    if clone is None:
                        clone = self._original_clone = _functions.Clone.apply(t)
                    t = clone
                out[i] = t
            else:
                out[i] = Tensor._make(v)  # a helper array: a constant
        return tuple(out)

    # torch exposes saved values as ``_saved_<name>``; torchviz and our viz read them
    def __getattr__(self, attr):
        if attr.startswith("_saved_"):
            key = attr[len("_saved_") :]
            op = type(self)._op
            if key in op.saved_names:
                if self._freed:
                    raise RuntimeError(_FREED_MESSAGE)
                value = self._kept_values[op.saved_names.index(key)]
                return self._as_saved_tensor(value, is_output=key == "result")
            if key in op.attr_names:
                return self.__dict__[key]
        raise AttributeError(
            f"'{type(self).__name__}' object has no attribute '{attr}'"
        )

    def _as_saved_tensor(self, value, is_output):
        """A saved value as torch shows it: the input tensor itself when an input was
        saved, the output (with this node as its grad_fn) when the result was saved."""
        if value is None:
            return None
        if is_output:
            out = Tensor._make(value, True)
            out._grad_fn = self
            return out
        for _, _, tensor, _, _ in self._kept_versions or ():
            if tensor is not None and tensor._data is value:
                return tensor
        return Tensor._make(np.asarray(value))

    def __dir__(self):
        op = type(self)._op
        names = [f"_saved_{n}" for n in op.saved_names + op.attr_names]
        return sorted(set(super().__dir__()) | set(names))


class RecordingContext:
    """What an op's ``backward`` receives as ``ctx`` under ``create_graph=True``: the
    node's own attributes, but ``saved_tensors`` are tensors (the inputs themselves, the
    output with this node as its grad_fn), so the gradient's graph leads back to them."""

    __slots__ = ("_node",)

    def __init__(self, node):
        self._node = node

    def __getattr__(self, attr):
        return getattr(self._node, attr)

    @property
    def saved_tensors(self):
        return self._node._unpack_saved()


class _Unrecorded:
    """The ``ctx`` of an op called on NumPy arrays inside a plain backward pass
    (``Op.call``): nothing is recorded, so nothing needs saving."""

    def __init__(self, n_inputs):
        self.needs_input_grad = (False,) * n_inputs

    def save_for_backward(self, *arrays):
        pass


_F64 = np.dtype(np.float64)


def _cpp_name(name):
    full = "torch::autograd::" + name
    return lambda self: full


_CPP_NAMED = {"CopyBackwards": _cpp_name("CopyBackwards")}
_NO_EDGE = (None, 0)
_CONSTANTS = (int, float, bool, np.ndarray, np.number, np.bool_)


def _fit_to_inputs(grads, in_meta):
    """Undo broadcasting and match dtypes so each gradient has its input's shape."""
    if in_meta is None:
        return grads
    fitted = []
    for g, meta in zip(grads, in_meta):
        if g is not None and meta is not None:
            shape, dt = meta
            if isinstance(g, Tensor):  # create_graph=True: recorded, as torch does it
                if g._data.shape != shape:
                    g = sum_to(g, shape)
                if g._data.dtype != dt:
                    g = _to_copy(g, dtype=dt)
            else:
                if g.shape != shape:
                    g = unbroadcast(g, shape)
                if g.dtype != dt:
                    g = g.astype(dt)
        fitted.append(g)
    return tuple(fitted)


def _is_output(saved_name):
    """Does torch save this value as an output of the op (``result``, ``result1``...)?"""
    return saved_name.startswith("result")


class Op:
    """Base class of the built-in operations (``functions.py``).

    A subclass gives:

    * ``node_name``: the torch node class name, e.g. ``"MulBackward0"``;
    * ``forward(ctx, *arrays, **params)``: computes the result from NumPy arrays and may call
      ``ctx.save_for_backward(...)`` and set attributes on ``ctx``;
    * ``backward(ctx, grad)``: given dL/d(output), returns dL/d(input) for each input
      (``None`` where ``ctx.needs_input_grad`` says it is not needed);
    * ``saved_names`` / ``attr_names``: torch's names for what it saves, shown as
      ``grad_fn._saved_<name>``;
    * ``is_view``: True when the output is a view sharing the input's memory and version;
    * ``numpy``: optionally, a plain NumPy function giving ``forward``'s result without
      what recording needs (saved sizes, a writable view): what ``Op.call`` runs in a
      plain backward pass, which must stay as fast as hand-written NumPy.

    ``backward`` is written once for both kinds of backward pass: on NumPy arrays
    (the plain pass) and on tensors (``create_graph=True``: the gradient is recorded, so
    it can be differentiated again). Operators (``grad * b``) work on both; other steps
    call an op through ``Op.call``, which is NumPy on arrays and recorded on tensors.
    """

    node_name = None
    saved_names = ()
    attr_names = ()
    is_view = False
    numpy = None  # optional: forward's result on arrays alone, faster (for Op.call)
    broadcasts = False  # True for elementwise ops whose inputs may broadcast
    elementwise = False  # True: the result is laid out as torch's (see _layout)
    sets_dtype = False  # True for ops whose result dtype is chosen by the caller
    writes_any_dtype = False  # True for the in-place writes torch records on any dtype
    _node_class = None
    _check_order = None
    _check_items = None
    _node_base = OpNode  # the base of the op's node class (``MultiOutputNode``...)

    def __init_subclass__(cls, **kw):
        super().__init_subclass__(**kw)
        # torch's generated nodes unpack (and version-check) the saved inputs sorted by
        # name, then the saved outputs: MulBackward0 checks `other` before `self`
        names = cls.saved_names
        order = sorted(
            range(len(names)), key=lambda i: (_is_output(names[i]), names[i])
        )
        cls._check_order = tuple(order) if order != list(range(len(names))) else None
        if cls._check_order is not None:  # the saved values in that order, at once
            cls._check_items = operator.itemgetter(*order)
        if cls.node_name:
            node_base = cls._node_base
            cls._node_class = type(cls.node_name, (node_base,), {"_op": cls})
            if cls.node_name in _CPP_NAMED:  # torch names these C++ nodes in full
                cls._node_class.name = _CPP_NAMED[cls.node_name]
            cls._node_class.__module__ = "autograd_tutor.functions"

    @classmethod
    def apply(cls, *inputs, **params):
        """Run the op on tensors (or Python numbers) and record it if gradients are on.

        Each positional input becomes one slot of ``next_functions``; keyword ``params``
        (a dimension, an exponent, ...) are plain settings. The four steps:

        1. unwrap each input to its NumPy array (a number stays a number);
        2. if grad mode is on and an input requires grad, note where each input's
           gradient must go: its ``grad_fn``, or its leaf's ``AccumulateGrad``;
        3. run ``forward`` on the arrays (it saves what ``backward`` will need);
        4. wrap the result in a tensor whose ``grad_fn`` is the node.
        """
        # 1. unwrap
        arrays = []
        requires_grad = mixed = False
        dtype = None
        shaped = 0  # how many inputs are arrays (tensors, or NumPy arrays as constants)
        for t in inputs:
            if isinstance(t, Tensor):
                if t._base is not None and not _casts_to_non_float(cls, params):
                    _refresh_view(t)
                a = t._data
                arrays.append(a)
                requires_grad = requires_grad or t._requires_grad
                shaped += 1
                if dtype is None:
                    dtype = a.dtype
                elif a.dtype is not dtype:
                    mixed = True
            elif t is None or isinstance(t, _CONSTANTS):
                arrays.append(t)
                if type(t) is np.ndarray:
                    shaped += 1
            else:
                raise TypeError(
                    f"{cls.__name__}: expected a Tensor or a number, got {type(t).__name__}"
                )
        if mixed and cls.broadcasts:  # compute in the one dtype torch would choose
            dtype = result_type(*arrays)
            arrays = [_cast(a, dtype) for a in arrays]
        # 2. record the edges
        recording = requires_grad and grad_state.enabled
        node = cls._node_class()
        if recording:
            nodes = nrs = needs = ()  # (short: a tuple grows as fast as a list)
            for t in inputs:
                fn, nr = input_edge(t)  # (None, 0) for an input that needs no gradient
                nodes += (fn,)
                nrs += (nr,)
                needs += (fn is not None,)
            node._next_nodes = nodes
            node._next_nrs = _SHARED_NRS.setdefault(nrs, nrs)  # (shared_nrs, inline:
            node.needs_input_grad = _SHARED_FLAGS.setdefault(needs, needs)  # per op)
        else:
            node.needs_input_grad = (False,) * len(inputs)
        node._kept_values = None
        # 3. compute, silently as torch does (1 / 0 is inf)
        quiet = _quiet.enter()
        try:
            out = cls.forward(node, *arrays, **params)
        finally:
            _quiet.exit(quiet)
        if type(out) is not np.ndarray:  # a NumPy scalar (0-d result): make it an array
            out = _replace_saved(node, out, np.asarray(out))
        if out.dtype is _F64 and not cls.sets_dtype and not _any_f64(inputs):
            # Python floats don't promote float32 or int tensors (torch)
            out = _replace_saved(node, out, out.astype(np.float32))
        if cls.elementwise and shaped > 1 and out.ndim > 1:  # torch's memory layout
            laid_out = torch_layout(out, arrays)
            if laid_out is not out:
                out = _replace_saved(node, out, laid_out)
        # 4. wrap (and attach the node)
        result = Tensor._make(out)
        if cls.is_view:
            _make_view(result, inputs[0], requires_grad and not recording)
        if recording and (out.dtype.kind == "f" or _records_dtype(cls, out.dtype)):
            # the node is the result's grad_fn: number it, note how to undo broadcasts
            # and casts, and the versions of the values it saved
            if cls.broadcasts:
                shape = out.shape
                for t in inputs:
                    if isinstance(t, Tensor) and (
                        t._data.shape != shape or t._data.dtype is not out.dtype
                    ):
                        node._in_meta = _input_meta(inputs, node._next_nodes)
                        break
            node._sequence_nr = next(sequence_nrs)
            if anomaly_state.enabled:
                node._forward_trace = forward_trace()
            if node._kept_values:
                node._kept_versions = _version_records(
                    cls, node._kept_values, inputs, arrays, result
                )
            result._requires_grad = True
            result._grad_fn = node
        if tangents:  # forward-mode AD (inside a dual level only): push the tangents
            _forward_ad.push(cls, node, inputs, arrays, result)
        if recorders:
            notify(cls, inputs, params, result)
        return result

    @classmethod
    def call(cls, *inputs, **params):
        """Use the op inside another op's ``backward``: on NumPy arrays (a plain
        backward pass) it is just the op's NumPy ``forward``; on tensors
        (``create_graph=True``) it is ``apply``, recorded like any op."""
        for t in inputs:
            if isinstance(t, Tensor):
                return cls.apply(*inputs, **params)
        if cls.numpy is not None:  # the same result, skipping what recording needs
            return cls.numpy(*inputs, **params)
        out = cls.forward(_Unrecorded(len(inputs)), *inputs, **params)
        return out if type(out) is np.ndarray else np.asarray(out)

    @classmethod
    def record(cls, edges):
        """A node of this op with the given ``next_functions``, for an operation that
        was carried out without calling ``forward`` (e.g. a view derived again)."""
        node = cls._node_class()
        node.next_functions = edges
        node.needs_input_grad = shared_flags(tuple([fn is not None for fn, _ in edges]))
        node._kept_values = None
        node._sequence_nr = next(sequence_nrs)
        return node

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError

    @staticmethod
    def backward(ctx, grad):
        raise NotImplementedError


def _casts_to_non_float(cls, params):
    """Is this op a cast to an integer or bool dtype (``x.int()``)? Its result has no
    gradient, so nothing is recorded and torch never asks for the input's history: a
    view made under no_grad() whose base changed since may be cast, not used."""
    return cls.sets_dtype and params.get("dtype", _F64).kind != "f"


def _refresh_view(t):
    """A view without a history, or changed in place since its grad_fn was set: its
    flags as they are now, and its grad_fn derived again if it will be used."""
    if t._grad_fn is None or t._version_box[0] != t._view_version:
        if grad_state.enabled:
            update_view(t)
        elif t._grad_fn is None:
            t._requires_grad = t._base._requires_grad


def _make_view(result, base, view_of_grad):
    """The result shares ``base``'s memory: it shares its version counter too, and
    remembers how it was made (torch's CreationMeta: a view made under no_grad() may not
    be changed in place, nor used after its base was, with grad mode on)."""
    result._version_box = version_counter(base)
    result._base = base if base._base is None else base._base
    result._view_version = result._version_box[0]
    if not grad_state.enabled:
        result._creation_meta = NO_GRAD_MODE
    elif base._base is not None:
        result._creation_meta = base._creation_meta
    if view_of_grad:
        # a view of a tensor that requires grad, made under no_grad(), still says
        # requires_grad=True (as in torch), though no gradient can flow through it
        result._requires_grad = True
    if inference_state.enabled and type(result._version_box) is not InferenceVersion:
        _note_inference_view(result)  # a normal tensor's view: torch remembers


def _records_dtype(cls, dtype):
    """Does ``cls`` record a node for a result of ``dtype``, which is not floating
    point? Not a dtype-setting op (an integer result: nothing to record); the in-place
    writes torch records on any dtype do (an integer tensor made to require grad by
    ``fill_`` with one that does: torch records that, then refuses the rest); any other
    op raises torch's error."""
    if cls.sets_dtype:
        return False
    if not cls.writes_any_dtype:
        raise RuntimeError(f"Autograd not support dtype: {title(dtype)}")
    return True


def _input_meta(inputs, nodes):
    """``(shape, dtype)`` of each input that needs a gradient (None for the others):
    how the backward pass undoes a broadcast or a cast of the inputs."""
    meta = []
    for t, fn in zip(inputs, nodes):
        meta.append(None if fn is None else (t._data.shape, t._data.dtype))
    return tuple(meta)


class CopySlices(Node):
    """An in-place op on a *view*, recorded on the view's base (torch's ``CopySlices``).

    ``base[0:1].add_(w)`` changes part of ``base``. The base's new node sends the
    gradient of the untouched elements to the base's old history unchanged, and runs the
    op's own node (``AddBackward0``) on the gradient of the elements the view covers:
    its first result goes to the base's old values there, the others to the op's other
    inputs (``w``). So ``next_functions`` is the base's old edge, then the op's others.
    """

    _kept_versions = None

    def name(self):
        return "torch::autograd::CopySlices"  # torch 2.13's exact name()

    def __init__(self, base_edge, positions, fn):
        self.next_functions = (base_edge,) + tuple(fn.next_functions[1:])
        self._positions = positions  # the view's elements, as flat positions in base
        self._fn = fn
        self._sequence_nr = next(sequence_nrs)

    # Like torch, backward releases the op's node (with its saved values) after one
    # pass: a second backward without retain_graph=True is an error.
    _freed = False

    @property
    def _kept_values(self):
        return () if self._freed else (self._fn,)

    @_kept_values.setter
    def _kept_values(self, value):
        if value is None:
            self._fn._kept_values = None

    def _run(self, grads):
        if self._freed:
            raise RuntimeError(_FREED_MESSAGE)
        grad = grads[0]
        if grad is None:  # no gradient reached this node: it passes none on
            return (None,) * len(self._next_nodes)
        if isinstance(grad, Tensor):  # create_graph=True
            return self._run_recorded(grad)
        flat = np.array(grad, copy=True).reshape(-1)
        res = self._fn._run([flat[self._positions]])
        self._check_writable(res[0])
        flat[self._positions] = 0 if res[0] is None else res[0]
        return (flat.reshape(grad.shape),) + tuple(res[1:])

    def _run_recorded(self, grad):
        """The same under create_graph=True, in torch's recorded steps, so the
        gradient can be differentiated again:

        1. ``result``: the gradient copied into a new tensor (``CopyBackwards``);
        2. ``grad_slice``: the view's part of it (``AsStridedBackward0``);
        3. the op's node runs on a copy of that part (``CloneBackward0``: the node may
           keep what it receives);
        4. its first result is copied into ``grad_slice``: an in-place op on a view,
           so ``result`` itself records ``CopySlices`` (of a ``CopyBackwards``).
           ``result`` goes to the base's old history, the other results to the op's
           other inputs."""
        positions = self._positions
        result = _copy(Tensor._make(np.empty_like(grad._data)), grad)
        grad_slice = _functions.AsStrided.view_of(result, positions)
        res = self._fn._run([_functions.Clone.apply(grad_slice, contiguous=True)])
        self._check_writable(res[0])
        first = None
        if self._next_nodes[0] is not None and res[0] is not None:
            first = copy_slices(result, positions, grad_slice, res[0])
        return (first,) + tuple(res[1:])

    def _check_writable(self, slice_grad):
        """torch writes the op's gradient into the view's part of the base's gradient
        (``copy_``): for a view whose elements share memory (``expand(3).zero_()``,
        which in place writes allowed) that is its overlap error."""
        p = self._positions
        if slice_grad is not None and p.size > 1 and np.unique(p).size < p.size:
            raise RuntimeError(INTERNAL_OVERLAP)


def copy_slices(result, positions, view, src):
    """``view.copy_(src)`` where ``view`` holds the elements of ``result`` at
    ``positions``, as a recorded backward step (torch writes into the view itself):
    a new tensor, ``result`` with ``src`` at the positions, whose node is
    ``CopySlices`` of the ``CopyBackwards`` that the copy records on the view."""
    copy = _copy(view, src)
    data = np.array(result._data, copy=True, order="C")  # (so reshape is a view)
    data.reshape(-1)[positions] = copy._data
    out = Tensor._make(data)
    if copy._grad_fn is not None:  # (not recorded: neither requires grad)
        out._grad_fn = CopySlices(input_edge(result), positions, copy._grad_fn)
        out._requires_grad = True
    return out


class MultiOutputNode(OpNode):
    """The node of an op with several outputs (``UnbindBackward0``): the engine
    gathers one gradient per output (``output_nr``), and backward receives them all,
    None for an output that received none."""

    __slots__ = ()

    def _run(self, grads):
        if all(g is None for g in grads):  # no gradient reached any output
            return (None,)
        recorded = any(isinstance(g, Tensor) for g in grads)  # create_graph=True
        out = self._op.backward(RecordingContext(self) if recorded else self, grads)
        if recorded and not isinstance(out, Tensor):
            out = Tensor._make(np.asarray(out))  # (no gradient arrived with a history)
        return (out,)


class MultiViewOp(Op):
    """An op that returns several views of its one input (``unbind``, ``split``,
    ``chunk``): ``forward`` gives a tuple of NumPy views, ``backward(ctx, grads)`` the
    input's gradient from the list of the outputs' gradients.

    One node serves all the outputs (output ``i`` is ``(node, i)``), and every output
    shares the base's memory and version counter. torch forbids changing such a view
    in place (and using it after its base changed): the single node could not record
    what happened to one of its outputs. So the views are marked with the creation
    meta ``MULTI_OUTPUT_NODE`` (``NO_GRAD_MODE`` when made under ``no_grad()``), and the
    in-place checks raise torch's error for them."""

    is_view = True
    _node_base = MultiOutputNode

    @classmethod
    def apply(cls, x, **params):
        """``Op.apply``'s steps for one input and several view outputs."""
        if x._base is not None:
            _refresh_view(x)
        recording = x._requires_grad and grad_state.enabled
        node = cls._node_class()
        node.needs_input_grad = (recording,)
        node._kept_values = None
        arrays = cls.forward(node, x._data, **params)
        if recording:
            node.next_functions = (input_edge(x),)
            node._sequence_nr = next(sequence_nrs)
            node._n_outputs = len(arrays)
            if anomaly_state.enabled:
                node._forward_trace = forward_trace()
        outputs = []
        for i, a in enumerate(arrays):
            t = Tensor._make(a)
            _make_view(t, x, x._requires_grad and not recording)
            if grad_state.enabled:  # (under no_grad(): NO_GRAD_MODE, as any view)
                t._creation_meta = MULTI_OUTPUT_NODE
            if recording:
                t._grad_fn, t._output_nr, t._requires_grad = node, i, True
            outputs.append(t)
        outputs = tuple(outputs)
        if tangents:  # forward-mode AD: each output's tangent is a view of x's
            dx = _forward_ad.tangent_of(x)
            if dx is not None and x._data.dtype.kind == "f":
                view_of = _forward_ad.tangent_tensor(x)
                for t, dt in zip(outputs, cls.jvp(node, dx)):
                    _forward_ad.set_tangent(t, dt, view_of)
        if recorders:
            notify(cls, (x,), params, outputs)
        return outputs


def view_positions(base, view):
    """For each element of ``view`` (a NumPy view into ``base``'s memory), its position
    in ``base`` counted in C order: how a view's gradient finds its base elements."""
    offset = view.__array_interface__["data"][0] - base.__array_interface__["data"][0]
    v = _addresses(view, offset).reshape(-1)
    if base.flags.c_contiguous:
        return (v // base.itemsize).reshape(view.shape)
    b = _addresses(base, 0).reshape(-1)
    order = np.argsort(b, kind="stable")
    return order[np.searchsorted(b[order], v)].reshape(view.shape)


def _addresses(a, start):
    """The byte offset of every element of ``a`` (from ``start``), in ``a``'s shape."""
    addr = np.full(a.shape, start, dtype=np.int64)
    for d, (n, stride) in enumerate(zip(a.shape, a.strides)):
        shape = [1] * a.ndim
        shape[d] = n
        addr = addr + (np.arange(n, dtype=np.int64) * stride).reshape(shape)
    return addr


def keep_version(node, tensor):
    """Make ``node`` check, before using its saved values, that ``tensor`` (saved by the
    caller: max/min indices, index tensors) was not changed in place since."""
    box = version_counter(tensor)
    record = (box, box[0], tensor, tensor._data.shape, tensor._data.dtype)
    node._kept_versions = (node._kept_versions or []) + [record]


def _version_records(op, saved, inputs, arrays, result):
    """For each saved array that is an input's or the output's data, note its version.

    ``arrays`` are the inputs' data as the forward received them (maybe cast to a common
    dtype); the record names the tensor, with its own dtype, as torch does. The records
    are in the order torch checks the saved values (``op._check_order``). (Two saved
    values that name one input tensor: see ``_records_in_save_order``.)"""
    order = op._check_order
    walk = saved  # the saved values, in torch's order
    if order is not None and len(order) == len(saved):
        walk = op._check_items(saved)
    records = []  # (counter, version, tensor, shape, dtype)
    out = result._data
    for arr in walk:
        if arr is None:  # nothing saved there
            continue
        if arr is out:
            box = version_counter(result)
            records.append((box, box[0], None, arr.shape, arr.dtype))
            continue
        for t, a in zip(inputs, arrays):
            if a is arr and isinstance(t, Tensor):
                break
        else:
            continue  # a number, indices, a helper array: no version to check
        for r in records:
            if r[2] is t:  # named already: two saved values hold the same array
                return _records_in_save_order(saved, inputs, arrays, result, order)
        box = t._version_box or version_counter(t)  # (a box is a non-empty list)
        if type(box) is InferenceVersion:
            raise RuntimeError(INFERENCE_SAVED_MESSAGE)
        records.append((box, box[0], t, arr.shape, t._data.dtype))
    return records or None  # nothing to check: no list to keep


def _records_in_save_order(saved, inputs, arrays, result, order):
    """``_version_records`` where two saved values hold one array (``x * x``, or two
    inputs ``x.detach()`` twice): each is named in save order, the first input holding
    it that is not named yet (``_owner``), then the records are put in torch's order."""
    records = []  # in save order
    positions = []  # the saved position of each record
    out = result._data
    for i, arr in enumerate(saved):
        if type(arr) is not np.ndarray:
            continue
        if arr is out:
            box = version_counter(result)
            records.append((box, box[0], None, arr.shape, arr.dtype))
            positions.append(i)
            continue
        for t, a in zip(inputs, arrays):
            if a is arr and isinstance(t, Tensor):
                break
        else:
            continue
        if any(r[2] is t for r in records):
            t = _owner(arr, inputs, arrays, records)
        box = version_counter(t)
        if type(box) is InferenceVersion:
            raise RuntimeError(INFERENCE_SAVED_MESSAGE)
        records.append((box, box[0], t, t._data.shape, t._data.dtype))
        positions.append(i)
    if order is not None and len(order) == len(saved):
        return [records[positions.index(i)] for i in order if i in positions]
    return records


def _owner(arr, inputs, arrays, records):
    """The input tensor whose data ``arr`` is, when inputs were named already: two
    inputs may hold the same array (x.detach() twice), then the first not named in
    ``records`` yet, in save order (all named: the first of them)."""
    owner = None
    for t, a in zip(inputs, arrays):
        if a is arr and isinstance(t, Tensor):
            if all(r[2] is not t for r in records):
                return t
            if owner is None:
                owner = t  # (all named: the first of them)
    return owner


def _replace_saved(node, old, new):
    """The forward's result was converted (a NumPy scalar made an array, or cast): if it
    was saved for backward, save the converted one, so its version can be checked."""
    kept = node._kept_values
    if kept:
        node._kept_values = tuple(new if k is old else k for k in kept)
    return new


def _cast(a, dtype):
    """An input array in the op's common dtype (the same array if it already is)."""
    if isinstance(a, np.ndarray) and a.dtype != dtype:
        return a.astype(dtype)
    return a


def _any_f64(inputs):
    """Is a float64 tensor among the inputs? (If not, a float64 result came from a
    Python float, which torch computes in the default dtype instead.)"""
    return any(isinstance(t, Tensor) and t._data.dtype is _F64 for t in inputs)


# ----------------------------------------------------------------------------------------
# Custom functions, the public API (torch.autograd.Function)


class BackwardCFunction(SavedTensorMixin, Node):
    """The node (and ``ctx``) of a user-defined ``Function``: ``MyExpBackward``."""

    _forward_cls = None  # the Function subclass (torch's name)
    needs_input_grad = ()
    _tensor_positions = ()
    materialize_grads = True

    def __repr__(self):
        return f"<autograd_tutor.autograd.function.{self.name()} object at {hex(id(self))}>"

    _repr_pretty_ = Node._repr_pretty_

    def save_for_backward(self, *tensors):
        """Save tensors (inputs or outputs of ``forward``) for ``backward``."""
        for t in tensors:
            if t is not None and not isinstance(t, Tensor):
                raise TypeError(
                    "save_for_backward can only save variables, but argument "
                    f"{tensors.index(t)} is of type {type(t).__name__}"
                )
        if any(self.needs_input_grad) and any(
            t is not None and type(t._version_box) is InferenceVersion for t in tensors
        ):
            raise RuntimeError(INFERENCE_SAVED_MESSAGE)
        self._kept_values = tensors
        self._kept_versions = [
            (
                version_counter(t),
                version_counter(t)[0],
                t,
                t._data.shape,
                t._data.dtype,
            )
            for t in tensors
            if t is not None
        ]

    @property
    def saved_tensors(self):
        self._check_saved()
        return self._kept_values or ()

    def set_materialize_grads(self, value):
        self.materialize_grads = bool(value)

    def mark_non_differentiable(self, *tensors):
        self._non_diff = {id(t) for t in tensors}

    def _run(self, grads):
        # create_graph=True: the gradients are tensors and backward is recorded (grad
        # mode stays on), so the gradients it returns keep their history
        recorded = any(isinstance(g, Tensor) for g in grads)
        wrapped = []
        for g, meta in zip(grads, self._out_meta):
            if g is None and self.materialize_grads:
                g = np.zeros(meta[0], dtype=meta[1])
            wrapped.append(g if g is None or recorded else Tensor._make(np.asarray(g)))
        if recorded:
            wrapped = [Tensor._make(g) if type(g) is np.ndarray else g for g in wrapped]
            result = self._forward_cls.backward(self, *wrapped)
        else:
            with no_grad():
                result = self._forward_cls.backward(self, *wrapped)
        if not isinstance(result, tuple):
            result = (result,)
        n_args = len(self.needs_input_grad)
        if len(result) != n_args:
            raise RuntimeError(
                f"function {self.name()} returned an incorrect number of gradients "
                f"(expected {n_args}, got {len(result)})"
            )
        out = []
        for pos, meta in zip(self._tensor_positions, self._in_meta):
            g = result[pos]
            if g is None:
                out.append(None)
                continue
            if not isinstance(g, Tensor):
                raise TypeError(
                    f"{self.name()}.backward must return tensors or None, "
                    f"got {type(g).__name__} for input {pos}"
                )
            shape = g._data.shape
            g = g if recorded else g._data
            if meta is not None and shape != meta[0]:
                try:
                    np.broadcast_shapes(shape, meta[0])
                    g = sum_to(g, meta[0]) if recorded else unbroadcast(g, meta[0])
                except ValueError:
                    g = None
                if g is None or g.shape != meta[0]:
                    raise RuntimeError(
                        f"Function {self.name()} returned an invalid gradient at index "
                        f"{pos} - got {list(result[pos].shape)} but expected shape "
                        f"compatible with {list(meta[0])}"
                    )
            out.append(g)
        return _fit_to_inputs(tuple(out), self._in_meta)


class FunctionMeta(type):
    """Gives each ``Function`` subclass its own node class, named ``<Name>Backward``."""

    def __init__(cls, name, bases, attrs):
        super().__init__(name, bases, attrs)
        cls._backward_cls = type(
            name + "Backward", (BackwardCFunction,), {"_forward_cls": cls}
        )
        cls._backward_cls.__module__ = "autograd_tutor.autograd.function"


class Function(metaclass=FunctionMeta):
    """Write your own differentiable operation, exactly as in PyTorch::

        >>> import autograd_tutor as at
        >>> class Square(at.autograd.Function):
        ...     @staticmethod
        ...     def forward(ctx, x):
        ...         ctx.save_for_backward(x)
        ...         return x * x
        ...     @staticmethod
        ...     def backward(ctx, grad_output):
        ...         (x,) = ctx.saved_tensors
        ...         return 2 * x * grad_output
        >>> x = at.tensor([3.0], requires_grad=True)
        >>> y = Square.apply(x)
        >>> y.grad_fn.name()
        'SquareBackward'
        >>> y.backward(at.ones(1)); x.grad
        tensor([6.])

    ``forward`` runs without recording (its inner operations are not part of the graph);
    ``backward`` gets one gradient per output and returns one per input of ``forward``
    (``None`` for inputs that are not tensors or need no gradient).
    """

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError(
            "You must implement the forward function for custom autograd.Function."
        )

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError(
            "You must implement either the backward or vjp method for your custom "
            "autograd.Function to use it with backward mode AD."
        )

    @classmethod
    def apply(cls, *args, **kwargs):
        ctx = cls._backward_cls()
        positions = tuple(i for i, a in enumerate(args) if isinstance(a, Tensor))
        ctx.needs_input_grad = tuple(
            isinstance(a, Tensor) and a._requires_grad and grad_state.enabled
            for a in args
        )
        recording = any(ctx.needs_input_grad)
        with no_grad():
            outputs = cls.forward(ctx, *args, **kwargs)
        if tangents:  # forward-mode AD (inside a dual level only): the user's jvp
            outputs = _forward_ad.push_custom(cls, ctx, args, outputs)
        single = not isinstance(outputs, tuple)
        outs = (outputs,) if single else outputs
        if not recording:
            if recorders:
                notify(cls, args, kwargs, outputs)
            return outputs
        ctx._tensor_positions = positions
        ctx.next_functions = tuple(
            grad_edge(args[i]) if ctx.needs_input_grad[i] else (None, 0)
            for i in positions
        )
        ctx._in_meta = tuple(
            (args[i]._data.shape, args[i]._data.dtype)
            if ctx.needs_input_grad[i]
            else None
            for i in positions
        )
        ctx._sequence_nr = next(sequence_nrs)
        if anomaly_state.enabled:
            ctx._forward_trace = forward_trace()
        non_diff = getattr(ctx, "_non_diff", set())
        wrapped = []
        meta = []
        for nr, o in enumerate(outs):
            if not isinstance(o, Tensor):
                wrapped.append(o)
                meta.append(((), np.float32))
                continue
            if any(
                o is a for a in args
            ):  # returned an input as is: give it a new identity
                o = Tensor._make(o._data)
            meta.append((o._data.shape, o._data.dtype))
            if id(o) not in non_diff and o.dtype.is_floating_point:
                o._requires_grad = True
                o._grad_fn = ctx
                o._output_nr = nr
            wrapped.append(o)
        ctx._out_meta = meta
        ctx._n_outputs = len(meta)
        result = wrapped[0] if single else tuple(wrapped)
        if recorders:
            notify(cls, args, kwargs, result)
        return result


def _copy(*args, **params):
    return _functions.Copy.apply(*args, **params)


def _to_copy(*args, **params):
    return _functions.ToCopy.apply(*args, **params)
