"""Data types, spelled like PyTorch's: ``at.float32`` (the default), ``at.float64``,
``at.int64`` and ``at.bool``. Each wraps the NumPy dtype that stores the numbers."""

import numbers

import numpy as np


class dtype:
    """A tensor element type. ``at.float32.is_floating_point`` is True, as in torch."""

    __slots__ = ("name", "np", "is_floating_point", "_legacy")

    def __init__(self, name, np_dtype, is_floating_point, legacy):
        self.name = name
        self.np = np.dtype(np_dtype)
        self.is_floating_point = is_floating_point
        self._legacy = legacy  # torch's old tensor type name, used in error messages

    @property
    def itemsize(self):
        return self.np.itemsize

    def __repr__(self):
        return f"at.{self.name}"

    def __reduce__(self):
        return (_by_name, (self.name,))


float32 = dtype("float32", np.float32, True, "FloatTensor")
float64 = dtype("float64", np.float64, True, "DoubleTensor")
int64 = dtype("int64", np.int64, False, "LongTensor")
int32 = dtype("int32", np.int32, False, "IntTensor")
bool_ = dtype("bool", np.bool_, False, "BoolTensor")

# torch's aliases
float = float32  # noqa: A001
double = float64
long = int64
int = int32  # noqa: A001

_FROM_NUMPY = {d.np: d for d in (float32, float64, int64, int32, bool_)}
_BY_NAME = {d.name: d for d in (float32, float64, int64, int32, bool_)}


def _by_name(name):
    return _BY_NAME[name]


def from_numpy_dtype(np_dtype):
    """The at dtype for a NumPy dtype (float16 and other types are not supported)."""
    try:
        return _FROM_NUMPY[np.dtype(np_dtype)]
    except KeyError:
        raise TypeError(
            f"autograd_tutor supports float32, float64, int64, int32 and bool tensors, "
            f"not {np.dtype(np_dtype)}; convert with .astype(numpy.float32) first"
        ) from None


def to_numpy_dtype(d):
    """Accept an at dtype, a NumPy dtype or a Python type and return the NumPy dtype."""
    if isinstance(d, dtype):
        return d.np
    if d is builtins_float:
        return float32.np
    if d is builtins_int:
        return int64.np
    if d is builtins_bool:
        return bool_.np
    return from_numpy_dtype(d).np


import builtins as _b  # noqa: E402

builtins_float, builtins_int, builtins_bool = _b.float, _b.int, _b.bool


# ----------------------------------------------------------------------------------------
# Type promotion: the one place that decides the dtype of a mixed-type operation


def _promote(a, b):
    """torch's promotion of two dtypes: floats win over ints, ints over bool, wider wins
    (float32 with int64 stays float32, where NumPy would pick float64)."""
    if a is None or a == b:
        return b
    if b is None:
        return a
    if a.kind == "f" and b.kind == "f":
        return a if a.itemsize >= b.itemsize else b
    if a.kind == "f" or b.kind == "b":
        return a
    if b.kind == "f" or a.kind == "b":
        return b
    return np.promote_types(a, b)  # two integer types


def _combine(higher, lower):
    """A lower category (0-d tensors, then Python numbers) only counts if it is of a
    higher kind: ``float32 tensor * float64 0-d tensor`` stays float32, ``int tensor *
    float64 0-d tensor`` becomes float64."""
    if higher is None:
        return lower
    if lower is None or higher.kind == "f":
        return higher
    if higher.kind == "b" or lower.kind == "f":
        return _promote(higher, lower)
    return higher


# (this module's ``int`` and ``float`` are torch's dtype aliases: use Python's own types)
_WRAPPED = {
    builtins_bool: np.dtype(np.bool_),
    builtins_int: np.dtype(np.int64),
    builtins_float: np.dtype(np.float32),
}


def result_type(*operands):
    """The dtype torch gives ``op(*operands)``: operands are NumPy arrays (a tensor's
    data) or Python numbers, in three categories: tensors with dimensions, 0-d tensors
    and Python numbers (which count as float32, int64 or bool).

    >>> import numpy as np
    >>> result_type(np.ones(2, np.float32), np.array(0.1))  # a float64 0-d tensor
    dtype('float32')
    >>> result_type(np.ones(2, np.int64), 2.5)
    dtype('float32')
    """
    dims = zero = wrapped = None
    for x in operands:
        if isinstance(x, np.ndarray):
            if x.ndim:
                dims = _promote(dims, x.dtype)
            else:
                zero = _promote(zero, x.dtype)
        elif x is not None:
            kind = (
                builtins_bool if isinstance(x, (builtins_bool, np.bool_)) else type(x)
            )
            if kind not in _WRAPPED:  # NumPy scalars and other numbers
                kind = (
                    builtins_int if isinstance(x, numbers.Integral) else builtins_float
                )
            wrapped = _promote(wrapped, _WRAPPED[kind])
    return _combine(dims, _combine(zero, wrapped))


# ----------------------------------------------------------------------------------------
# Names of dtypes in torch's error messages

# what C++ calls the element types (torch's TypeMeta names, in a few messages)
CPP_NAMES = {
    "f": "float",
    "d": "double",
    "l": "long int",
    "q": "long int",
    "i": "int",
    "?": "bool",
}


def type_string(np_dtype):
    """How torch names a tensor's type in some messages: ``at.FloatTensor``... (its
    legacy type names), but ``CPUBoolType`` for bool, which has none."""
    if np.dtype(np_dtype) == np.bool_:
        return "CPUBoolType"
    return f"at.{from_numpy_dtype(np_dtype)._legacy}"


def title(np_dtype):
    """torch's ScalarType name of a NumPy dtype: Float, Double, Long, Int, Bool."""
    return from_numpy_dtype(np_dtype)._legacy[: -len("Tensor")]
