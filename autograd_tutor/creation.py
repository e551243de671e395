"""Making tensors: ``tensor``, ``zeros``, ``ones``, ``randn``, ``rand``, ``arange``, ...

Mirrors torch's factory functions. The default floating type is float32, Python ints
give int64, and only floating-point tensors can require grad. Random numbers come from one
seeded NumPy generator (``manual_seed``); the values differ from torch's, the
distributions are the same.
"""

import numbers

import numpy as np

from . import _dtype, _layout
from ._checks import parse_shape
from .tensor import Tensor

_rng = np.random.default_rng(0)


def generator():
    """The NumPy generator behind ``randn``, ``rand`` and ``nn.init`` (torch's default
    generator); ``manual_seed`` replaces it."""
    return _rng


def manual_seed(seed):
    """Seed the random number generator used by ``randn``/``rand`` (for reproducible
    lessons). Returns the generator."""
    global _rng
    if not isinstance(seed, (int, np.integer)):
        raise TypeError(f"manual_seed expected an int, got {type(seed).__name__}")
    _rng = np.random.default_rng(int(seed))
    return _rng


def _finish(data, requires_grad):
    t = Tensor._make(data)
    if requires_grad:
        if data.dtype.kind != "f":
            raise RuntimeError(
                "Only Tensors of floating point and complex dtype can require gradients"
            )
        t._requires_grad = True
    return t


def _infer_dtype(data):
    """torch.tensor's rule: any float -> float32, else ints -> int64, bools stay bool."""
    if isinstance(data, (np.ndarray, np.generic)):  # NumPy data keeps its dtype
        return _dtype.from_numpy_dtype(data.dtype).np
    flat = (
        data
        if isinstance(data, (bool, numbers.Number))
        else np.asarray(data, dtype=object).ravel()
    )
    values = [flat] if isinstance(flat, (bool, numbers.Number)) else list(flat)
    if any(v is None for v in values):
        raise RuntimeError("Could not infer dtype of NoneType")
    if any(isinstance(v, Tensor) for v in values):
        values = [v.item() if isinstance(v, Tensor) else v for v in values]
    if all(isinstance(v, (bool, np.bool_)) for v in values) and values:
        return np.bool_
    if all(isinstance(v, (bool, int, np.integer)) for v in values) and values:
        return np.int64
    return np.float32


def tensor(data, dtype=None, requires_grad=False):
    """A new tensor holding a copy of ``data`` (a number, nested lists or an array).

    >>> import autograd_tutor as at
    >>> at.tensor(1.1, requires_grad=True)
    tensor(1.1000, requires_grad=True)
    >>> at.tensor([1, 2, 3])
    tensor([1, 2, 3])
    """
    if isinstance(data, Tensor):
        arr = data._data
    elif isinstance(data, (list, tuple)) and any(isinstance(v, Tensor) for v in data):
        arr = np.array([v.item() if isinstance(v, Tensor) else v for v in data])
    else:
        arr = data
    np_dtype = _dtype.to_numpy_dtype(dtype) if dtype is not None else _infer_dtype(arr)
    try:
        out = np.array(arr, dtype=np_dtype, copy=True)
    except (ValueError, TypeError) as e:
        ragged = _ragged_error(arr)
        if ragged is not None:
            raise ragged from None
        raise TypeError(
            f"could not build a tensor from {type(data).__name__}: {e}"
        ) from None
    return _finish(out, requires_grad)


def _ragged_error(data):
    """torch's message for nested lists whose rows differ in length, or None."""
    level, dim = [data], 0
    while level and all(isinstance(x, (list, tuple)) for x in level):
        lengths = [len(x) for x in level]
        for n in lengths[1:]:
            if n != lengths[0]:
                return ValueError(
                    f"expected sequence of length {lengths[0]} at dim {dim} (got {n})"
                )
        level = [y for x in level for y in x]
        dim += 1
    return None


def from_numpy(array):
    """A tensor sharing memory with a NumPy array (its dtype is kept)."""
    _dtype.from_numpy_dtype(array.dtype)
    return Tensor._make(array)


def _shape(size, fn=None):
    shape = parse_shape(size)
    for s in shape:
        if s < 0 and fn == "zeros":
            raise RuntimeError("zeros: Dimension size must be non-negative.")  # torch's
        if s < 0:
            raise RuntimeError(
                f"Trying to create tensor with negative dimension {s}: {list(shape)}"
            )
    return shape


def _np_dtype(dtype, default=np.float32):
    return _dtype.to_numpy_dtype(dtype) if dtype is not None else np.dtype(default)


def zeros(*size, dtype=None, requires_grad=False):
    """A tensor of zeros: ``at.zeros(2, 3)`` or ``at.zeros((2, 3))``.

    >>> import autograd_tutor as at
    >>> at.zeros(1, 3, requires_grad=True)     # a bias, as in the lesson
    tensor([[0., 0., 0.]], requires_grad=True)
    """
    return _finish(
        np.zeros(_shape(size, "zeros"), dtype=_np_dtype(dtype)), requires_grad
    )


def ones(*size, dtype=None, requires_grad=False):
    """A tensor of ones: ``at.ones(2, 2, requires_grad=True)``.

    >>> import autograd_tutor as at
    >>> at.ones(2, dtype=at.float64)
    tensor([1., 1.], dtype=at.float64)
    """
    return _finish(np.ones(_shape(size), dtype=_np_dtype(dtype)), requires_grad)


def full(size, fill_value, dtype=None, requires_grad=False):
    """A tensor filled with ``fill_value``."""
    default = (
        np.float32
        if isinstance(fill_value, float)
        else (np.bool_ if isinstance(fill_value, bool) else np.int64)
    )
    return _finish(
        np.full(_shape((size,)), fill_value, dtype=_np_dtype(dtype, default)),
        requires_grad,
    )


def randn(*size, dtype=None, requires_grad=False):
    """Samples from the standard normal distribution N(0, 1).

    >>> import autograd_tutor as at
    >>> _ = at.manual_seed(0)
    >>> w1 = at.randn(3, 32, requires_grad=True)
    >>> w1.shape, w1.dtype, w1.is_leaf
    (at.Size([3, 32]), at.float32, True)
    """
    data = _rng.standard_normal(_shape(size)).astype(_np_dtype(dtype))
    return _finish(data, requires_grad)


def rand(*size, dtype=None, requires_grad=False):
    """Samples from the uniform distribution on [0, 1)."""
    data = _rng.random(_shape(size)).astype(_np_dtype(dtype))
    return _finish(data, requires_grad)


def arange(start, end=None, step=1, dtype=None, requires_grad=False):
    """``[start, start + step, ...]`` up to (not including) ``end``; int64 for int args.

    >>> import autograd_tutor as at
    >>> at.arange(4), at.arange(0.0, 1.0, 0.25)
    (tensor([0, 1, 2, 3]), tensor([0.0000, 0.2500, 0.5000, 0.7500]))
    """
    if end is None:
        start, end = 0, start
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (end - start) * step < 0:
        raise RuntimeError("upper bound and larger bound inconsistent with step sign")
    ints = all(
        isinstance(v, (int, np.integer)) and not isinstance(v, bool)
        for v in (start, end, step)
    )
    data = np.arange(
        start, end, step, dtype=_np_dtype(dtype, np.int64 if ints else np.float32)
    )
    return _finish(data, requires_grad)


def eye(n, m=None, dtype=None, requires_grad=False):
    """The identity matrix."""
    if n < 0:
        raise RuntimeError(f"n must be greater or equal to 0, got {n}")
    if m is not None and m < 0:
        raise RuntimeError(f"m must be greater or equal to 0, got {m}")
    return _finish(np.eye(n, m, dtype=_np_dtype(dtype)), requires_grad)


def _like(fn):
    def like(input, dtype=None, requires_grad=False):
        t = fn(
            input.shape,
            dtype=dtype if dtype is not None else input.dtype,
            requires_grad=requires_grad,
        )
        t._data = _layout.like(t._data, input._data)  # (in input's dimension order)
        return t

    like.__name__ = fn.__name__ + "_like"
    like.__doc__ = (
        f"``{fn.__name__}`` with the shape and dtype of ``input``, laid out in its "
        "dimension order (torch's preserve_format)."
    )
    return like


zeros_like = _like(zeros)
ones_like = _like(ones)
randn_like = _like(randn)
rand_like = _like(rand)


def full_like(input, fill_value, dtype=None, requires_grad=False):
    """``full`` with the shape and dtype of ``input``, laid out as ``zeros_like``."""
    t = full(
        input.shape, fill_value, dtype=dtype or input.dtype, requires_grad=requires_grad
    )
    t._data = _layout.like(t._data, input._data)
    return t
