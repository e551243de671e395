"""``Tensor``: a NumPy array plus what autograd needs to know about it.

Mirrors ``torch.Tensor``. A tensor holds its numbers (a NumPy ndarray) and, for autograd:

* ``requires_grad``: should operations on it be recorded?
* ``grad_fn``: the backward node of the operation that produced it (None for leaves);
* ``grad``: where ``backward()`` accumulates d(output)/d(this tensor), for leaves;
* a version counter, bumped by every in-place change, so that autograd can detect
  values that were changed after being saved for the backward pass.

Every operator below is a one-liner that calls an op from ``functions.py``.
"""

import numbers
import warnings
import weakref

import numpy as np

from . import _dtype, _quiet
from ._checks import broadcast_error, infer_view_shape, parse_shape, wrap_dim, wrap_dims
from ._formatting import tensor_repr
from ._layout import torch_layout

_NON_LEAF_GRAD_WARNING = (
    "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its "
    ".grad attribute won't be populated during autograd.backward(). If you indeed want "
    "the .grad field to be populated for a non-leaf Tensor, use .retain_grad() on the "
    "non-leaf Tensor. If you access the non-leaf Tensor by mistake, make sure you access "
    "the leaf Tensor instead. See github.com/pytorch/pytorch/pull/30531 for more "
    "information."
)


class Size(tuple):
    """A tensor's shape: a tuple that prints like ``torch.Size``; slicing it or adding a
    tuple to it gives a ``Size`` again, as in torch."""

    def __repr__(self):
        return f"at.Size({list(self)})"

    def __getitem__(self, key):
        out = tuple.__getitem__(self, key)
        return Size(out) if isinstance(key, slice) else out

    def __add__(self, other):
        return Size(tuple.__add__(self, other))

    def __radd__(self, other):
        return Size(tuple.__add__(tuple(other), self))

    def numel(self):
        n = 1
        for s in self:
            n *= s
        return n


Size.__module__ = "autograd_tutor"  # it is at.Size, as torch.Size is torch's


class RemovableHandle:
    """Returned by ``register_hook`` (torch's ``torch.utils.hooks.RemovableHandle``);
    ``handle.remove()`` unregisters the hook."""

    def __init__(self, hooks, hook):
        self._hooks, self._hook = hooks, hook

    def remove(self):
        if self._hook in self._hooks:
            self._hooks.remove(self._hook)


def as_operand(x):
    """Accept tensors and Python numbers as they are; turn NumPy arrays into tensors."""
    if isinstance(x, (Tensor, numbers.Number)):
        return x
    if isinstance(x, np.ndarray):
        return Tensor._make(x)
    raise TypeError(
        f"unsupported operand type: expected a Tensor or a number, got {type(x).__name__}"
    )


def _binary(op, a, b, **params):
    """Run a broadcasting op, turning NumPy's broadcast error into torch's message."""
    try:
        return op.apply(a, b, **params)
    except ValueError as e:
        raise _broadcast_failure(e, a, b) from None


def _broadcast_failure(error, a, b):
    """NumPy's "could not be broadcast" ValueError, in torch's words."""
    if "broadcast" in str(error):
        return broadcast_error(
            a._data.shape, np.shape(b._data if isinstance(b, Tensor) else b)
        )
    return error


class Tensor:
    """A multi-dimensional array that can record the operations applied to it.

    Create tensors with ``at.tensor``, ``at.ones``, ``at.randn``, ... rather than with this
    class directly.
    """

    __slots__ = (
        "_data",
        "_requires_grad",
        "_grad_fn",
        "_grad",
        "_version_box",
        "_output_nr",
        "_accum",
        "_retains_grad",
        "_hooks",
        "_base",
        "_view_version",
        "_creation_meta",
        "_detached_at",
        "__weakref__",
    )
    __array_ufunc__ = None  # numpy defers to our operators: np.float32(2) * t works
    __hash__ = object.__hash__

    def __init__(self, *args):
        """``at.Tensor(data)`` is ``at.tensor(data, dtype=at.float32)`` and
        ``at.Tensor(2, 3)`` a float32 tensor of that shape (zeros), as with torch.Tensor.
        Prefer ``at.tensor``/``at.zeros``, which say what they do."""
        if not args:
            t = tensor([], dtype=_dtype.float32)
        elif all(isinstance(a, int) and not isinstance(a, bool) for a in args):
            t = zeros(*args)
        elif len(args) == 1:
            t = tensor(args[0], dtype=_dtype.float32)
        else:
            raise TypeError(
                "Tensor() takes data (a list, a number or an array) or sizes (ints); "
                "use at.tensor(data, requires_grad=True) for a tensor that needs grad"
            )
        for s in Tensor.__slots__[:-1]:
            setattr(self, s, getattr(t, s))

    @classmethod
    def _make(cls, data, requires_grad=False):
        """Wrap an ndarray (no copy, no checks): the engine's fast constructor."""
        t = object.__new__(cls)
        t._data = data
        t._requires_grad = requires_grad
        t._grad_fn = None
        t._grad = None
        t._version_box = None  # created on first need: see version_counter
        t._output_nr = 0
        t._accum = None
        t._retains_grad = False
        t._hooks = None
        t._base = None
        t._view_version = 0
        t._creation_meta = DEFAULT
        t._detached_at = -1  # see detach_
        if inference_state.enabled:  # made in inference mode: an inference tensor
            _mark_inference(t)
        return t

    # ------------------------------------------------------------------------------------
    # Autograd attributes

    @property
    def requires_grad(self):
        """Whether operations on this tensor are recorded for differentiation."""
        if self._base is not None and self._grad_fn is None:
            # a view without history: as its base, or by a flag of its own
            own = _autograd_function.requires_grad_of_its_own(self)
            return self._base._requires_grad or own
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value):
        self.requires_grad_(value)

    def requires_grad_(self, requires_grad=True):
        """Set ``requires_grad`` in place (leaves only, floating point only)."""
        requires_grad = bool(requires_grad)
        if (
            requires_grad
            and type(self._version_box) is InferenceVersion
            and not inference_state.enabled
        ):
            raise RuntimeError(
                "Setting requires_grad=True on inference tensor outside InferenceMode "
                "is not allowed."
            )
        if self._base is not None:
            update_view(self)
        if self._grad_fn is not None:
            if not requires_grad:
                raise RuntimeError(
                    "you can only change requires_grad flags of leaf variables. If you "
                    "want to use a computed variable in a subgraph that doesn't require "
                    "differentiation use var_no_grad = var.detach()."
                )
            return self
        if requires_grad and self._data.dtype.kind != "f":
            raise RuntimeError(
                "only Tensors of floating point dtype can require gradients"
            )
        if self._base is not None:  # a view: a flag of its own, beside its base's
            _autograd_function.set_requires_grad_of_its_own(self, requires_grad)
            requires_grad = requires_grad or self._base._requires_grad
        self._requires_grad = requires_grad
        return self

    def is_inference(self):
        """True for a tensor made in ``at.inference_mode()`` (or a view of one)."""
        return type(self._version_box) is InferenceVersion

    @property
    def grad_fn(self):
        """The backward node of the operation that created this tensor (None for leaves)."""
        if self._base is not None:
            update_view(self)
        return self._grad_fn

    @property
    def is_leaf(self):
        """True for tensors you created (and for results of ops that were not recorded)."""
        if self._base is not None:
            update_view(self)
        return self._grad_fn is None

    @property
    def grad(self):
        """The accumulated gradient (leaves, or non-leaves after ``retain_grad()``)."""
        if self._grad_fn is not None and not self._retains_grad:
            warnings.warn(_NON_LEAF_GRAD_WARNING, UserWarning, stacklevel=2)
        return self._grad

    @grad.setter
    def grad(self, value):
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(
                    f"assigned grad expected to be a Tensor or None but got grad of type "
                    f"{type(value).__name__}"
                )
            if value._data.shape != self._data.shape:
                raise RuntimeError(
                    f"attempting to assign a gradient of size '{list(value.shape)}' to a "
                    f"tensor of size '{list(self.shape)}'. Please ensure that the gradient "
                    "and the tensor are the same size"
                )
            if value._data.dtype != self._data.dtype:
                raise RuntimeError(
                    "attempting to assign a gradient with dtype "
                    f"'{_matmul.C_NAMES[value._data.dtype.char]}' to a tensor with "
                    f"grad_dtype '{self.dtype._legacy[: -len('Tensor')]}'. The gradient "
                    "must match the tensor's grad_dtype (defaults to the tensor's dtype). "
                    "You can set the tensor's grad_dtype attribute with a specific dtype, "
                    "or None to allow any dtype. Set grad_dtype with caution. Diverging "
                    "the dtypes of a tensor and its gradient may break downstream systems "
                    "that assume they match."
                )
        self._grad = value

    @property
    def retains_grad(self):
        """True for a non-leaf whose ``.grad`` is kept because of ``retain_grad()``."""
        return self._retains_grad

    def retain_grad(self):
        """Ask backward to keep this intermediate tensor's gradient in ``.grad``.

        Intermediate gradients are dropped by default to save memory.

        >>> import autograd_tutor as at
        >>> x = at.ones(2, requires_grad=True)
        >>> y = x * 3
        >>> y.retain_grad()
        >>> (y * y).sum().backward()
        >>> y.grad
        tensor([6., 6.])
        """
        view_of_grad = self._base is not None and self._base._requires_grad
        if not (self._requires_grad or (self._grad_fn is None and view_of_grad)):
            raise RuntimeError(
                "can't retain_grad on Tensor that has requires_grad=False"
            )
        if self._grad_fn is None or self._retains_grad:
            return  # a leaf, by the node it has now (torch looks no further)
        if self._base is not None:
            update_view(self)  # its grad_fn as it is now (after in-place changes)
        self._attach_retain(self._grad_fn)
        self._retains_grad = True

    def _attach_retain(self, node):
        if node._retain is None:
            node._retain = {}
            node._hooked = True
        node._retain[self._output_nr] = weakref.ref(self)

    def _store_retained_grad(self, g):
        if isinstance(g, Tensor):  # create_graph=True: the gradient keeps its history
            self._grad = g.clone() if self._grad is None else self._grad + g
            return
        if self._grad is None:
            self._grad = Tensor._make(np.array(g, dtype=self._data.dtype, copy=True))
        else:
            total = np.asarray(self._grad._data + g)  # (0-d: an array, not a scalar)
            self._grad = Tensor._make(total.astype(self._data.dtype))

    def register_hook(self, hook):
        """Call ``hook(grad)`` when this tensor's gradient is computed; it may return a
        replacement gradient. Returns a handle with ``.remove()``.

        >>> import autograd_tutor as at
        >>> w = at.ones(2, requires_grad=True)
        >>> handle = w.register_hook(lambda g: g * 10)   # e.g. to inspect or clip
        >>> (w * 2).sum().backward()
        >>> w.grad
        tensor([20., 20.])
        >>> handle.remove()
        """
        if self._base is not None:
            update_view(
                self
            )  # a view changed in place since: the hook goes on its new node
        if not self._requires_grad:
            raise RuntimeError(
                "cannot register a hook on a tensor that doesn't require gradient"
            )
        if self._grad_fn is None:  # a leaf: AccumulateGrad runs the hook
            if self._hooks is None:
                self._hooks = []
            self._hooks.append(hook)
            return RemovableHandle(self._hooks, hook)
        self._grad_fn._add_pre_hook(self._output_nr, hook, self._data.dtype)
        return RemovableHandle(self._grad_fn._pre_hooks[self._output_nr], hook)

    def backward(
        self, gradient=None, retain_graph=None, create_graph=False, inputs=None
    ):
        """Compute d(self)/d(leaf) for every leaf in the graph and add it into ``leaf.grad``.

        >>> import autograd_tutor as at
        >>> x = at.ones(2, 2, requires_grad=True)
        >>> x.mean().backward()
        >>> x.grad
        tensor([[0.2500, 0.2500],
                [0.2500, 0.2500]])
        """
        if self._base is not None:
            update_view(
                self
            )  # a view changed in place since: its grad_fn is derived again
        if gradient is None and inputs is None and not create_graph and self._grad_fn:
            if self._data.size != 1:
                raise RuntimeError(
                    "grad can be implicitly created only for scalar outputs"
                )
            # the common case, loss.backward(): seed dL/dL = 1 and run the engine
            seed = np.array(1, dtype=self._data.dtype).reshape(self._data.shape)
            steps = _engine.iter_backward(
                [(self._grad_fn, self._output_nr)],
                [seed],
                bool(retain_graph),
                quiet=False,
            )
            token = _quiet.enter()  # NumPy stays silent about inf and nan, as torch
            try:
                for _ in steps:
                    pass
            finally:
                _quiet.exit(token)
            return
        _engine.backward(self, gradient, retain_graph, create_graph, inputs)

    def detach(self):
        """A tensor with the same numbers (shared memory) that is cut off from the graph.

        >>> import autograd_tutor as at
        >>> y = at.ones(2, requires_grad=True) * 2
        >>> d = y.detach()
        >>> d.requires_grad, d.grad_fn, d.tolist()
        (False, None, [2.0, 2.0])
        """
        t = Tensor._make(self._data)
        t._version_box = version_counter(self)  # shared, as in torch
        return t

    def detach_(self):
        """Cut this tensor off the graph, in place (not for views, as in torch)."""
        if self._base is not None:
            raise RuntimeError(
                "Can't detach views in-place. Use detach() instead. If you are using "
                "DistributedDataParallel (DDP) for training, and gradient_as_bucket_view is "
                "set as True, gradients are views of DDP buckets, and hence detach_() cannot "
                "be called on these gradients. To fix this error, please refer to the "
                "Optimizer.zero_grad() function in torch/optim/optimizer.py as the solution."
            )
        if self._grad_fn is not None:
            # a node that saved this tensor before will refuse it in backward (torch):
            # remember when, in the nodes' creation order
            self._detached_at = next(_autograd_function.sequence_nrs)
        self._grad_fn = None
        self._requires_grad = False
        _forward_ad.drop_tangent(self)  # (its tangent goes too, as in torch)
        return self

    @property
    def data(self):
        """The numbers as a tensor that does not require grad (shares memory).

        Unlike ``detach()``, changes made through ``.data`` are hidden from autograd:
        the version counter is not shared, as in torch, so nothing will complain if a
        value saved for backward is overwritten this way. Prefer ``detach()``.
        """
        return Tensor._make(self._data)

    @data.setter
    def data(self, value):
        self._data = value._data if isinstance(value, Tensor) else np.asarray(value)

    @property
    def output_nr(self):
        """Which output of its ``grad_fn`` this tensor is: 0, unless the node has
        several outputs (``a, b = x.split(2)``: ``b.output_nr`` is 1)."""
        return self._output_nr

    @property
    def _version(self):
        """How many times this tensor (or a view of it) was modified in place."""
        box = self._version_box
        if type(box) is InferenceVersion:
            raise RuntimeError("Inference tensors do not track version counter.")
        return 0 if box is None else box[0]

    # ------------------------------------------------------------------------------------
    # Shape and type

    @property
    def shape(self):
        return Size(self._data.shape)

    def size(self, dim=None):
        """The shape, or the size of one dimension."""
        if dim is None:
            return Size(self._data.shape)
        if self._data.ndim == 0:
            raise IndexError(
                f"Dimension specified as {dim} but tensor has no dimensions"
            )
        return self._data.shape[wrap_dim(dim, self._data.ndim)]

    def dim(self):
        return self._data.ndim

    @property
    def ndim(self):
        return self._data.ndim

    def numel(self):
        return self._data.size

    nelement = numel

    @property
    def dtype(self):
        return _dtype.from_numpy_dtype(self._data.dtype)

    def is_floating_point(self):
        return self._data.dtype.kind == "f"

    def is_contiguous(self):
        return bool(self._data.flags.c_contiguous)

    def contiguous(self):
        """This tensor if its memory is in C order, else a copy that is
        (``CloneBackward0``)."""
        if self._data.flags.c_contiguous:
            return self
        return F.Clone.apply(self, contiguous=True)

    def to(self, dtype):
        """Convert to another dtype (recorded as ``ToCopyBackward0``)."""
        np_dtype = _dtype.to_numpy_dtype(dtype)
        if np_dtype == self._data.dtype:
            return self
        return F.ToCopy.apply(self, dtype=np_dtype)

    def float(self):
        return self.to(_dtype.float32)

    def double(self):
        return self.to(_dtype.float64)

    def long(self):
        return self.to(_dtype.int64)

    def int(self):
        return self.to(_dtype.int32)

    def bool(self):
        return self.to(_dtype.bool_)

    # ------------------------------------------------------------------------------------
    # Leaving tensor land

    def item(self):
        """The single number in this tensor, as a Python number.

        >>> import autograd_tutor as at
        >>> at.tensor([[2.5]]).item()
        2.5
        """
        if self._data.size != 1:
            raise RuntimeError(
                f"a Tensor with {self._data.size} elements cannot be converted to Scalar"
            )
        return self._data.reshape(()).item()

    def tolist(self):
        return self._data.tolist()

    def numpy(self):
        """The underlying NumPy array (shared memory, like torch)."""
        if self._requires_grad:
            raise RuntimeError(
                "Can't call numpy() on Tensor that requires grad. Use "
                "tensor.detach().numpy() instead."
            )
        return self._data

    def __array__(self, dtype=None, copy=None):
        a = self.numpy()
        return a if dtype is None else a.astype(dtype)

    def __repr__(self):
        quiet = _quiet.enter()  # NumPy would warn about nan and inf while formatting
        try:
            tangent = _forward_ad.tangent_tensor(self) if _forward_ad.tangents else None
            return tensor_repr(self, tangent=tangent)
        finally:
            _quiet.exit(quiet)

    def __format__(self, spec):
        if self._data.ndim == 0:
            return format(self.item(), spec)
        return object.__format__(self, spec)

    def __len__(self):
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self._data.shape[0]))

    def __bool__(self):
        if self._data.size != 1:
            raise RuntimeError(
                "Boolean value of Tensor with "
                f"{'no values' if self._data.size == 0 else 'more than one value'} "
                "is ambiguous"
            )
        return bool(self._data.reshape(()))

    def __float__(self):
        return float(self._scalar())

    def __int__(self):
        return int(self._scalar())

    def _scalar(self):
        if self._data.size != 1:
            raise ValueError(
                "only one element tensors can be converted to Python scalars"
            )
        return self._data.reshape(()).item()

    def __index__(self):
        if self._data.dtype.kind not in "iu" or self._data.size != 1:
            raise TypeError(
                "only integer tensors of a single element can be converted to an index"
            )
        return int(self.item())

    # ------------------------------------------------------------------------------------
    # Arithmetic: each operator is one op from functions.py

    def __add__(self, other):
        try:
            return F.Add.apply(self, other)
        except ValueError as e:
            raise _broadcast_failure(e, self, other) from None

    __radd__ = __add__

    def __sub__(self, other):
        _check_bool_subtraction(self, other)
        try:
            return F.Sub.apply(self, other)
        except ValueError as e:
            raise _broadcast_failure(e, self, other) from None

    def __rsub__(self, other):
        _check_bool_subtraction(self, other)
        return F.Rsub.apply(self, other=as_operand(other))

    def __mul__(self, other):
        try:
            return F.Mul.apply(self, other)
        except ValueError as e:
            raise _broadcast_failure(e, self, other) from None

    __rmul__ = __mul__

    def __truediv__(self, other):
        try:
            return F.Div.apply(self, other)
        except ValueError as e:
            raise _broadcast_failure(e, self, other) from None

    def __rtruediv__(self, other):
        # 2 / x is recorded as torch records it: x.reciprocal() * 2
        return F.Mul.apply(F.Reciprocal.apply(self), as_operand(other))

    def __pow__(self, exponent):
        return self.pow(exponent)

    def __rpow__(self, base):
        _check_bool_pow(base, self)
        return F.PowScalarBase.apply(self, base=as_operand(base))

    def __neg__(self):
        return self.neg()

    def __matmul__(self, other):
        return matmul(self, other)

    def __rmatmul__(self, other):
        return matmul(as_operand(other), self)

    def add(self, other, alpha=1):
        if alpha == 1:
            return self.__add__(other)
        _check_alpha(self, other, alpha)
        return _binary(F.Add, self, other, alpha=alpha)

    def sub(self, other, alpha=1):
        _check_bool_subtraction(self, other)
        if alpha == 1:
            return self.__sub__(other)
        _check_alpha(self, other, alpha)
        return _binary(F.Sub, self, other, alpha=alpha)

    mul = __mul__
    div = __truediv__

    def neg(self):
        if self._data.dtype == np.bool_:
            raise RuntimeError(
                "Negation, the `-` operator, on a bool tensor is not supported. If you are "
                "trying to invert a mask, use the `~` or `logical_not()` operator instead."
            )
        return F.Neg.apply(self)

    def reciprocal(self):
        return F.Reciprocal.apply(self)

    def pow(self, exponent):
        """``x ** exponent``: PowBackward0 for a number, PowBackward1 for a tensor.

        >>> import autograd_tutor as at
        >>> x = at.tensor([1.0, 2.0], requires_grad=True)
        >>> x.pow(2)
        tensor([1., 4.], grad_fn=<PowBackward0>)
        """
        if isinstance(exponent, Tensor):
            _check_bool_pow(self, exponent)
            flag = exponent._data.dtype == np.bool_
            return _binary(F.PowTensor, self, exponent, bool_exponent=flag)
        if not isinstance(exponent, (int, float, numbers.Number)):
            raise TypeError(
                f"pow() exponent must be a number or a Tensor, not {type(exponent).__name__}"
            )
        if (
            self._data.dtype.kind in "biu"
            and isinstance(exponent, int)
            and exponent < 0
        ):
            raise RuntimeError("Integers to negative integer powers are not allowed.")
        return F.Pow.apply(self, exponent=exponent)

    def mm(self, mat2):
        """Matrix product of two 2-D tensors.

        >>> import autograd_tutor as at
        >>> at.ones(2, 3).mm(at.ones(3, 1))
        tensor([[3.],
                [3.]])
        """
        _matmul.check_mm(self, mat2)
        return F.Mm.apply(self, mat2)

    def matmul(self, other):
        return matmul(self, other)

    def exp(self):
        return F.Exp.apply(self)

    def log(self):
        return F.Log.apply(self)

    def sqrt(self):
        return F.Sqrt.apply(self)

    def abs(self):
        if self._data.dtype == np.bool_:
            raise NotImplementedError("\"abs_cpu\" not implemented for 'Bool'")
        return F.Abs.apply(self)

    def tanh(self):
        return F.Tanh.apply(self)

    def sigmoid(self):
        return F.Sigmoid.apply(self)

    def relu(self):
        if self._data.dtype == np.bool_:
            raise RuntimeError("Boolean inputs not supported for relu")
        return F.Relu.apply(self)

    def clamp(self, min=None, max=None):
        """Limit values to [min, max]: ``x.clamp(min=0)`` is ReLU. Bounds may be tensors.

        >>> import autograd_tutor as at
        >>> h = at.tensor([-1.0, 2.0], requires_grad=True)
        >>> h.clamp(min=0)
        tensor([0., 2.], grad_fn=<ClampBackward1>)
        """
        if min is None and max is None:
            raise RuntimeError(
                "torch.clamp: At least one of 'min' or 'max' must not be None"
            )
        if not isinstance(min, Tensor) and not isinstance(max, Tensor):
            # number bounds (the lesson's ReLU): ClampBackward1
            return F.Clamp.apply(self, min=min, max=max)
        min, max = _clamp_bounds("clamp", min, max)
        if isinstance(min, Tensor) or isinstance(max, Tensor):
            lo = as_operand(min) if min is not None else None
            hi = as_operand(max) if max is not None else None
            lo = (
                lo
                if lo is None or isinstance(lo, Tensor)
                else tensor(lo, dtype=self.dtype)
            )
            hi = (
                hi
                if hi is None or isinstance(hi, Tensor)
                else tensor(hi, dtype=self.dtype)
            )
            for bound in (lo, hi):
                if bound is not None:
                    try:
                        np.broadcast_shapes(self._data.shape, bound._data.shape)
                    except ValueError:
                        raise broadcast_error(
                            self._data.shape, bound._data.shape
                        ) from None
            return F.ClampTensor.apply(self, lo, hi)
        return F.Clamp.apply(self, min=min, max=max)

    clip = clamp

    # comparisons give bool tensors and are never recorded
    def _compare(self, other, ufunc):
        if other is None:  # x == None is False (Python's identity), as in torch
            return NotImplemented
        other = as_operand(other)
        a = self._data
        b = other._data if isinstance(other, Tensor) else other
        if isinstance(b, np.ndarray) and b.dtype != a.dtype:
            common = _dtype.result_type(a, b)  # compare in torch's common dtype
            a, b = a.astype(common, copy=False), b.astype(common, copy=False)
        try:
            out = np.asarray(ufunc(a, b))
        except ValueError:
            raise broadcast_error(self._data.shape, np.shape(b)) from None
        return Tensor._make(torch_layout(out, (a, b)) if out.ndim > 1 else out)

    def __eq__(self, other):
        return self._compare(other, np.equal)

    def __ne__(self, other):
        return self._compare(other, np.not_equal)

    def __lt__(self, other):
        return self._compare(other, np.less)

    def __le__(self, other):
        return self._compare(other, np.less_equal)

    def __gt__(self, other):
        return self._compare(other, np.greater)

    def __ge__(self, other):
        return self._compare(other, np.greater_equal)

    eq, ne, lt, le, gt, ge = __eq__, __ne__, __lt__, __le__, __gt__, __ge__

    def __invert__(self):
        if self._data.dtype != np.bool_:
            raise TypeError("~ is only supported on bool tensors in autograd_tutor")
        return Tensor._make(np.asarray(~self._data))  # (0-d: an array, not a scalar)

    def __and__(self, other):
        return self._compare(other, np.logical_and)

    def __or__(self, other):
        return self._compare(other, np.logical_or)

    # ------------------------------------------------------------------------------------
    # Reductions

    def sum(self, dim=None, keepdim=False):
        """Sum of all elements (SumBackward0) or over ``dim`` (SumBackward1).

        >>> import autograd_tutor as at
        >>> x = at.tensor([[1.0, 2.0], [3.0, 4.0]])
        >>> x.sum(), x.sum(dim=0), x.sum(1, keepdim=True).shape
        (tensor(10.), tensor([4., 6.]), at.Size([2, 1]))
        """
        if dim is None:
            if keepdim:
                return F.SumDim.apply(self, dim=tuple(range(self.ndim)), keepdim=True)
            return F.Sum.apply(self)
        return F.SumDim.apply(self, dim=wrap_dims(dim, self.ndim), keepdim=keepdim)

    def mean(self, dim=None, keepdim=False):
        """Average of all elements (MeanBackward0) or over ``dim`` (MeanBackward1).

        >>> import autograd_tutor as at
        >>> at.tensor([[1.0, 2.0], [3.0, 4.0]]).mean(dim=1)
        tensor([1.5000, 3.5000])
        """
        if self._data.dtype.kind != "f":
            raise RuntimeError(
                "mean(): could not infer output dtype. Input dtype must be either a "
                f"floating point or complex dtype. Got: {self.dtype._legacy[:-6]}"
            )
        if dim is None:
            if keepdim:
                return F.MeanDim.apply(self, dim=tuple(range(self.ndim)), keepdim=True)
            return F.Mean.apply(self)
        return F.MeanDim.apply(self, dim=wrap_dims(dim, self.ndim), keepdim=keepdim)

    def _extreme(self, full_op, dim_op, arg, dim, keepdim, name):
        if dim is None:
            if self._data.size == 0:
                raise RuntimeError(
                    f"{name}(): Expected reduction dim to be specified for input.numel() == 0. "
                    "Specify the reduction dim with the 'dim' argument."
                )
            return full_op.apply(self)
        d = wrap_dim(dim, self.ndim)
        if self.ndim == 0:
            indices = np.zeros((), dtype=np.int64)
        elif self._data.shape[d] == 0:
            raise IndexError(
                f"{name}(): Expected reduction dim {d} to have non-zero size."
            )
        else:
            indices = np.asarray(arg(self._data, axis=d, keepdims=keepdim), np.int64)
        values = dim_op.apply(self, dim=d, keepdim=keepdim, indices=indices)
        indices = Tensor._make(indices)
        if values._grad_fn is not None:  # it saved these indices: changing them errs
            _autograd_function.keep_version(values._grad_fn, indices)
        return return_types.MinMax(name, values, indices)

    def max(self, dim=None, keepdim=False):
        """The largest element, or ``(values, indices)`` along ``dim``.

        >>> import autograd_tutor as at
        >>> x = at.tensor([[1.0, 5.0], [7.0, 2.0]])
        >>> x.max()
        tensor(7.)
        >>> values, indices = x.max(dim=1)
        >>> values, indices
        (tensor([5., 7.]), tensor([1, 0]))
        """
        if isinstance(dim, Tensor):
            raise TypeError("use at.maximum-style elementwise max via clamp(min=other)")
        return self._extreme(F.Max, F.MaxDim, np.argmax, dim, keepdim, "max")

    def min(self, dim=None, keepdim=False):
        """The smallest element, or ``(values, indices)`` along ``dim``."""
        return self._extreme(F.Min, F.MinDim, np.argmin, dim, keepdim, "min")

    def all(self):
        """True (as a bool tensor) if every element is non-zero."""
        return Tensor._make(np.asarray(np.all(self._data)))

    def any(self):
        """True (as a bool tensor) if any element is non-zero."""
        return Tensor._make(np.asarray(np.any(self._data)))

    def argmax(self, dim=None, keepdim=False):
        return self._arg(np.argmax, dim, keepdim)

    def argmin(self, dim=None, keepdim=False):
        return self._arg(np.argmin, dim, keepdim)

    def _arg(self, arg, dim, keepdim):
        name = arg.__name__
        if self._data.dtype == np.bool_:
            raise RuntimeError(f"{name}(): does not support bool input")
        if dim is None:
            if self._data.size == 0:
                raise IndexError(
                    f"{name}(): Expected reduction dim to be specified for input.numel() "
                    "== 0."
                )
            return Tensor._make(np.asarray(arg(self._data), dtype=np.int64))
        d = wrap_dim(dim, self.ndim)
        if self.ndim and self._data.shape[d] == 0:
            raise IndexError(
                f"{name}(): Expected reduction dim {d} to have non-zero size."
            )
        if self.ndim == 0:  # a 0-d tensor: its one element, at index 0
            return Tensor._make(np.zeros((), dtype=np.int64))
        return Tensor._make(np.asarray(arg(self._data, axis=d, keepdims=keepdim)))

    # ------------------------------------------------------------------------------------
    # Shapes

    def t(self):
        """Transpose of a tensor with at most 2 dimensions."""
        if self.ndim > 2:
            raise RuntimeError(
                f"t() expects a tensor with <= 2 dimensions, but self is {self.ndim}D"
            )
        return F.T.apply(self)

    @property
    def T(self):
        """All dimensions reversed (torch records ``PermuteBackward0``, and warns once
        for a tensor that is not 2-D)."""
        if self.ndim == 0:
            warn_once(
                "Tensor.T is deprecated on 0-D tensors. This function is the "
                "identity in these cases."
            )
        elif self.ndim != 2:
            warn_once(
                "The use of `x.T` on tensors of dimension other than 2 to reverse their "
                "shape is deprecated and it will throw an error in a future release. "
                "Consider `x.mT` to transpose batches of matrices or "
                "`x.permute(*torch.arange(x.ndim - 1, -1, -1))` to reverse the "
                "dimensions of a tensor."
            )
        return F.Permute.apply(self, dims=tuple(range(self.ndim - 1, -1, -1)))

    @property
    def mT(self):
        """The last two dimensions swapped."""
        if self.ndim == 0:
            warn_once(
                "Tensor.mT is deprecated on 0-D tensors. This function is the identity "
                "in these cases."
            )
            return self
        if self.ndim == 1:
            raise RuntimeError(
                "tensor.mT is only supported on matrices or batches of matrices. Got 1-D "
                "tensor."
            )
        return self.transpose(-2, -1)

    def transpose(self, dim0, dim1):
        n = self.ndim
        return F.Transpose.apply(self, dim0=wrap_dim(dim0, n), dim1=wrap_dim(dim1, n))

    def permute(self, *dims):
        if not dims:
            raise TypeError('permute() missing 1 required positional arguments: "dims"')
        dims = parse_shape(dims, "dims")
        if len({d % max(self.ndim, 1) for d in dims}) != len(dims):
            raise RuntimeError("permute(): duplicate dims are not allowed.")
        if len(dims) != self.ndim:
            raise RuntimeError(
                "permute(sparse_coo): number of dimensions in the tensor input does not "
                "match the length of the desired ordering of dimensions i.e. input.dim() = "
                f"{self.ndim} is not equal to len(dims) = {len(dims)}"
            )
        return F.Permute.apply(self, dims=wrap_dims(dims, self.ndim))

    def view(self, *shape):
        """Same numbers, new shape, shared memory (fails if a copy would be needed).

        >>> import autograd_tutor as at
        >>> at.arange(6).view(2, -1)
        tensor([[0, 1, 2],
                [3, 4, 5]])
        """
        if self._base is not None and grad_state.enabled:
            update_view(self)  # (torch reads grad_fn first: its errors come first)
        shape = infer_view_shape(parse_shape(shape), self._data.size)
        if not _viewable(self._data, shape):
            raise RuntimeError(
                "view size is not compatible with input tensor's size and stride (at least "
                "one dimension spans across two contiguous subspaces). Use .reshape(...) "
                "instead."
            )
        return F.View.apply(self, shape=shape)

    def reshape(self, *shape):
        """New shape: a view when possible, else a copy (Clone + UnsafeView, as torch)."""
        shape = infer_view_shape(parse_shape(shape), self._data.size)
        if _viewable(self._data, shape):
            if self._data.flags.c_contiguous:
                return F.View.apply(self, shape=shape)
            return F.ReshapeAlias.apply(self, shape=shape)  # a view all the same
        return F.UnsafeView.apply(F.Clone.apply(self, contiguous=True), shape=shape)

    def view_as(self, other):
        return self.view(other.shape)

    def reshape_as(self, other):
        return self.reshape(other.shape)

    def flatten(self):
        """All elements in one dimension (a 1-D tensor is returned as it is, as torch)."""
        return self if self.ndim == 1 else self.reshape(-1)

    def unsqueeze(self, dim):
        return F.Unsqueeze.apply(self, dim=wrap_dim(dim, self.ndim + 1))

    def squeeze(self, dim=None):
        if dim is None:
            return F.Squeeze.apply(self)
        if isinstance(dim, (tuple, list)):
            return F.SqueezeDims.apply(self, dims=wrap_dims(dim, self.ndim))
        return F.SqueezeDim.apply(self, dim=wrap_dim(dim, self.ndim))

    def expand(self, *sizes):
        """Repeat along size-1 dimensions without copying (-1 keeps a size)."""
        sizes = list(parse_shape(sizes))
        if len(sizes) < self.ndim:
            raise RuntimeError(
                f"expand({_dtype.type_string(self._data.dtype)}{{{list(self.shape)}}}, "
                f"size={sizes}): the number of sizes provided ({len(sizes)}) must be "
                f"greater or equal to the number of dimensions in the tensor ({self.ndim})"
            )
        offset = len(sizes) - self.ndim
        for i in range(len(sizes) - 1, -1, -1):  # torch checks from the last dimension
            s = sizes[i]
            own = self._data.shape[i - offset] if i >= offset else None
            if s == -1:
                if own is None:
                    raise RuntimeError(
                        f"The expanded size of the tensor (-1) isn't allowed in a leading, "
                        f"non-existing dimension {i}"
                    )
                sizes[i] = own
            elif own is not None and own != s and own != 1:
                raise RuntimeError(
                    f"The expanded size of the tensor ({s}) must match the existing size "
                    f"({own}) at non-singleton dimension {i}.  Target sizes: "
                    f"{list(parse_shape(sizes))}.  Tensor sizes: {list(self.shape)}"
                )
        return F.Expand.apply(self, shape=tuple(sizes))

    def expand_as(self, other):
        return self.expand(other.shape)

    def unbind(self, dim=0):
        """The slices along ``dim``, as a tuple of views sharing one node
        (``UnbindBackward0``); none of them may be changed in place while recording."""
        return _split.unbind(self, dim)

    def split(self, split_size, dim=0):
        """Views of ``split_size`` elements along ``dim`` (``SplitBackward0``), or of
        the sizes in a list (``SplitWithSizesBackward0``)."""
        return _split.split(self, split_size, dim)

    def split_with_sizes(self, split_sizes, dim=0):
        """Views of the given sizes along ``dim`` (``SplitWithSizesBackward0``)."""
        return _split.split_by_sizes(self, split_sizes, dim, position=1)

    def chunk(self, chunks, dim=0):
        """At most ``chunks`` views of equal size along ``dim`` (``SplitBackward0``)."""
        return _split.chunk(self, chunks, dim)

    def clone(self):
        """A copy with its own memory (recorded: gradients flow through it)."""
        return F.Clone.apply(self)

    def __getitem__(self, key):
        return _indexing.getitem(self, key)

    def __setitem__(self, key, value):
        _inplace.setitem(self, key, value)

    # ------------------------------------------------------------------------------------
    # In-place operations (the trailing underscore): see _inplace.py

    def add_(self, other, alpha=1):
        """``self += alpha * other``, in place."""
        return _inplace.apply(self, F.Add, other, alpha=alpha)

    def sub_(self, other, alpha=1):
        """``self -= alpha * other``, in place: the lesson's weight update."""
        _inplace.precheck(self, other)  # torch: the in-place checks come first
        _check_bool_subtraction(self, other)
        return _inplace.apply(self, F.Sub, other, alpha=alpha)

    def mul_(self, other):
        """``self *= other``, in place."""
        return _inplace.apply(self, F.Mul, other)

    def div_(self, other):
        """``self /= other``, in place."""
        return _inplace.apply(self, F.Div, other)

    def clamp_(self, min=None, max=None):
        """Limit values to [min, max], in place (bounds: numbers or tensors)."""
        min, max = _clamp_bounds("clamp_", min, max)  # (torch's argument parser)
        _inplace.precheck(self, min, max)  # then the in-place checks
        if min is None and max is None:
            raise RuntimeError(
                "torch.clamp: At least one of 'min' or 'max' must not be None"
            )
        if isinstance(min, Tensor) or isinstance(max, Tensor):  # ClampBackward0
            lo, hi = (
                b if b is None or isinstance(b, Tensor) else tensor(b, dtype=self.dtype)
                for b in (min, max)
            )
            return _inplace.apply(self, F.ClampTensor, (lo, hi))
        return _inplace.apply(self, F.Clamp, min=min, max=max)

    def zero_(self):
        """Set every element to 0, in place (``w.grad.zero_()`` after each update)."""
        return _inplace.apply(self, F.Zero)

    def fill_(self, value):
        """Set every element to ``value`` (a number or a 0-d tensor), in place."""
        if isinstance(value, Tensor):
            if value.ndim:
                _inplace.precheck(self, value)  # torch: the in-place checks come first
                raise RuntimeError(
                    "fill_ only supports 0-dimension value tensor but got tensor with "
                    f"{value.ndim} dimensions."
                )
            return _inplace.apply(self, F.FillTensor, value)
        _inplace.precheck(self, None)
        _inplace.checked_number(value, self._data.dtype)
        return _inplace.apply(self, F.Fill, value=value)

    def copy_(self, src):
        """Overwrite this tensor's numbers with ``src``'s (broadcast, cast to this
        tensor's dtype); recorded as ``CopyBackwards`` when gradients are involved."""
        return _inplace.apply(self, F.Copy, src)

    def __iadd__(self, other):
        return self.add_(other)

    def __isub__(self, other):
        return self.sub_(other)

    def __imul__(self, other):
        return self.mul_(other)

    def __itruediv__(self, other):
        return self.div_(other)


# How a view was made, as torch's ``CreationMeta``: it decides whether the view may be
# changed in place later, or used after its base was.
DEFAULT = (
    "default"  # made with grad mode on: in-place changes are recorded (CopySlices)
)
NO_GRAD_MODE = (
    "no_grad"  # made under no_grad(): in-place changes with grad mode on refused
)
MULTI_OUTPUT_NODE = (
    "multi_output"  # one of several views one op returned (unbind): never in place
)


def _clamp_bounds(name, lo, hi):
    """torch's two ``clamp`` overloads: both bounds tensors (or None), or both numbers
    (a 0-d tensor that needs no gradient counts as a number). A tensor and a number
    match neither: torch's argument parser raises a TypeError."""
    if not isinstance(lo, Tensor) and not isinstance(hi, Tensor):
        return lo, hi  # numbers (or None): the Number overload, the common case

    def number_like(b):
        return not isinstance(b, Tensor) or (b.ndim == 0 and not b.requires_grad)

    given = [b for b in (lo, hi) if b is not None]
    if all(isinstance(b, Tensor) for b in given):
        return lo, hi  # the Tensor overload
    if all(number_like(b) for b in given):  # the Number overload
        return tuple(b.item() if isinstance(b, Tensor) else b for b in (lo, hi))
    got = ", ".join(type(b).__name__ for b in (lo, hi))
    bad = ", ".join(f"!{type(b).__name__}!" for b in (lo, hi))
    raise TypeError(
        f"{name}() received an invalid combination of arguments - got ({got}), but "
        "expected one of:\n"
        " * (Tensor min = None, Tensor max = None)\n"
        f"      didn't match because some of the arguments have invalid types: ({bad})\n"
        " * (Number min = None, Number max = None)\n"
        f"      didn't match because some of the arguments have invalid types: ({bad})\n"
    )


def update_view(view):
    """Bring a view's autograd attributes up to date, as torch's ``grad_fn()`` does.

    * A view without a history of its own follows its base: it requires grad when the
      base does (even if it was made under ``no_grad()``).
    * If the view, its base or another view of the base was changed in place since the
      view's ``grad_fn`` was set, the view is derived again from the base's new history:
      its node becomes ``AsStridedBackward0`` (base -> view). A view made under
      ``no_grad()`` cannot be: torch refuses.
    """
    base = view._base
    if view._grad_fn is None:
        view._requires_grad = view.requires_grad  # (its base's, or its own flag)
        if not base._requires_grad:
            return  # nothing to derive from (torch checks again next time)
    box = view._version_box
    if box[0] == view._view_version:
        return
    if view._creation_meta is not DEFAULT:
        raise view_rebase_error(view, indirect=True)
    old = view._grad_fn
    data = view._data
    positions = _autograd_function.view_positions(base._data, data)
    node = F.AsStrided.derive(
        base, positions, [s // data.itemsize for s in data.strides]
    )
    view._grad_fn, view._output_nr, view._requires_grad = node, 0, True
    view._view_version = box[0]
    if view._retains_grad:  # retain_grad() follows the tensor to its new node
        if old is not None and old._retain:
            old._retain.pop(0, None)
        view._attach_retain(node)


def view_rebase_error(view, indirect):
    """torch's error for a view that may not be changed in place (``indirect=False``),
    nor used after its base or another view of the base was (``indirect=True``), with
    grad mode on: one made under ``no_grad()`` (or a view of one), and one of several
    views an op returned (``unbind``, ``split``, ``chunk``: ``MULTI_OUTPUT_NODE``)."""
    fn, meta = view._grad_fn, view._creation_meta
    modified = (
        "its base or another view of its base has been" if indirect else "is being"
    )
    name = None if fn is None else _autograd_function.message_name(fn.name())
    if meta is NO_GRAD_MODE or fn is None:
        if fn is None:
            prefix = "A view was created in"
        else:
            prefix = f"Output {view._output_nr} of {name} is a view of a view which was created in"
        msg = f"{prefix} no_grad mode and {modified} modified inplace with grad mode enabled."
    else:
        msg = f"Output {view._output_nr} of {name} is a view and {modified} modified inplace."
    if meta is MULTI_OUTPUT_NODE:
        return RuntimeError(
            f"{msg} This view is the output of a function that returns multiple views. "
            "Such functions do not allow the output views to be modified inplace. You "
            "should replace the inplace operation by an out-of-place one."
        )
    return RuntimeError(
        f"{msg} Given that this use case is ambiguous and error-prone, it is forbidden. "
        "You can clarify your code by moving both the view and the inplace either both "
        "inside the no_grad block (if you don't want the inplace to be tracked) or both "
        "outside (if you want the inplace to be tracked)."
    )


def version_counter(t):
    """``t``'s version counter: a one-element list, shared by a tensor and its views.

    Most tensors are never modified in place nor saved for backward, so the list is
    only made when first needed (an unmade counter reads as version 0).
    """
    box = t._version_box
    if box is None:
        box = t._version_box = [0]
    return box


_WARNED = set()


def warn_once(message):
    """A UserWarning given once per process, as torch's ``TORCH_WARN_ONCE``."""
    if message not in _WARNED:
        _WARNED.add(message)
        warnings.warn(message, UserWarning, stacklevel=3)


def bump_version(t):
    """Record one in-place modification of ``t`` (and so of its base and views)."""
    box = t._version_box
    if box is None:
        t._version_box = [1]
    else:
        box[0] += 1


def _check_alpha(a, b, alpha):
    """torch refuses a float ``alpha`` when the result would be an integer tensor."""
    other = b._data if isinstance(b, Tensor) else b
    if isinstance(alpha, float) and _dtype.result_type(a._data, other).kind in "biu":
        raise RuntimeError(
            "For integral input tensors, argument alpha must not be a floating point "
            "number."
        )


def _check_bool_pow(base, exponent):
    """torch has no ``pow`` kernel for bool: a power whose result would be bool is
    refused (a Python bool exponent is not: ``b ** True`` is a copy, ``b ** False``
    ones)."""
    data = [x._data if isinstance(x, Tensor) else x for x in (base, exponent)]
    if _dtype.result_type(*data) == np.bool_:
        raise NotImplementedError("\"pow\" not implemented for 'Bool'")


def _check_bool_subtraction(a, b):
    """torch refuses ``-`` on bool tensors, pointing to the operator meant instead."""
    a_bool = a._data.dtype.kind == "b"
    b_bool = isinstance(b, Tensor) and b._data.dtype.kind == "b"
    if a_bool and b_bool:
        raise RuntimeError(
            "Subtraction, the `-` operator, with two bool tensors is not supported. "
            "Use the `^` or `logical_xor()` operator instead."
        )
    if a_bool or b_bool:
        raise RuntimeError(F.BOOL_SUBTRACTION)


def _viewable(a, shape):
    """Can ``a`` take ``shape`` without copying? (NumPy's answer matches torch's.)"""
    v = a.view()
    try:
        v.shape = shape
    except AttributeError:
        return False
    return True


def matmul(a, b):
    """Matrix product with torch's rules for 1-D, 2-D and batched operands."""
    return _matmul.matmul(a, b)


def stack(tensors, dim=0):
    """Tensors of one shape, stacked along a new dimension ``dim`` (``StackBackward0``).

    >>> import autograd_tutor as at
    >>> at.stack([at.tensor([1.0, 2.0]), at.tensor([3.0, 4.0])], dim=1)
    tensor([[1., 3.],
            [2., 4.]])
    """
    tensors = list(tensors)
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(
                f"expected Tensor as element {i} in argument 0, but got "
                f"{type(t).__name__}"
            )
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    for i, t in enumerate(tensors[1:], 1):
        if t._data.shape != tensors[0]._data.shape:
            raise RuntimeError(
                "stack expects each tensor to be equal size, but got "
                f"{list(tensors[0].shape)} at entry 0 and {list(t.shape)} at entry {i}"
            )
    return F.Stack.apply(*tensors, dim=wrap_dim(dim, tensors[0].ndim + 1))


from . import _indexing, _inplace, _matmul, _split, return_types  # noqa: E402
from . import functions as F  # noqa: E402
from .autograd import engine as _engine  # noqa: E402
from .autograd import forward_ad as _forward_ad  # noqa: E402
from .autograd import function as _autograd_function  # noqa: E402
from .autograd.grad_mode import grad_state  # noqa: E402
from .autograd.inference_mode import InferenceVersion, inference_state  # noqa: E402
from .autograd.inference_mode import mark as _mark_inference  # noqa: E402
from .creation import tensor, zeros  # noqa: E402
