"""The tangent of an input that has none, as a JVP rule sees it: torch's "efficient zero
tensor" (``torch._efficientzerotensor``).

An op's JVP rule is written for every input having a tangent: ``d(a * b) = da * b +
a * db``. When only ``a`` is dual, ``db`` is zero, and torch does not fill an array of
zeros for it: it passes a *zero tensor*, which has a shape and a dtype but no numbers,
and which the arithmetic ops treat as an exact zero:

- ``0 * x`` and ``x * 0`` are zero even where ``x`` is inf or nan (a filled zero would
  give nan: ``0. * inf``), and ``0 / x`` is zero too;
- ``x + 0`` and ``x - 0`` are a copy of ``x`` (a ``-0.`` stays ``-0.``), ``0 - x`` is
  ``-x``; ``x / 0`` is inf everywhere and ``0 / 0`` nan (torch's ``div_zerotensor``);
- ``dot`` of two vectors is zero when either is; everything else (``mm``, ``where``,
  sums, ``-z``, ...) sees real zeros, as torch's fallback fills them in.

So with ``x`` dual and ``c = inf`` plain, ``x * c``'s tangent is ``dx * c + x * 0 =
dx * c``, and with ``x = inf`` dual and ``c = 0`` it is ``dx * 0 + inf * 0 = 0``, as
in torch. The JVP rules in ``functions.py`` are written once, with ordinary NumPy
operators; ``ZeroTangent`` takes part in them through NumPy's dispatch protocols
(``__array_ufunc__`` and ``__array_function__``), and a rule that needs an array gets
one from ``np.asarray``. ``ZeroGradient`` is the same zero as a gradient in the
backward pass (torch's ``sgn`` backward returns one).
"""

import numpy as np

__all__ = ["ZeroGradient", "ZeroTangent"]


class ZeroTangent(np.lib.mixins.NDArrayOperatorsMixin):
    """Zeros of ``shape`` and ``dtype`` that are never filled in where torch's zero
    tensor is not (see the module's docstring)."""

    __slots__ = ("dtype", "shape")

    def __init__(self, shape, dtype):
        self.shape = tuple(shape)
        self.dtype = np.dtype(dtype)

    def __repr__(self):
        return f"ZeroTangent(shape={self.shape}, dtype={self.dtype})"

    @property
    def ndim(self):
        return len(self.shape)

    @property
    def size(self):
        return int(np.prod(self.shape))

    def __array__(self, dtype=None, copy=None):
        """The zeros filled in (for any op the zero tensor has no rule for)."""
        return np.zeros(self.shape, self.dtype if dtype is None else dtype)

    def __getitem__(self, key):  # indexing (x[mask] in a backward): the filled zeros
        return np.asarray(self)[key]

    def __getattr__(self, name):  # methods (reshape, copy, ...): on the filled zeros
        if name.startswith("__"):  # (NumPy asks for __array_interface__ and the like)
            raise AttributeError(name)
        return getattr(np.asarray(self), name)

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        if method == "__call__" and not kwargs and len(inputs) == 2:
            result = _arithmetic(ufunc, *inputs)
            if result is not None:
                return result
        inputs = tuple(_filled(x) for x in inputs)
        return getattr(ufunc, method)(*inputs, **kwargs)

    def __array_function__(self, func, types, args, kwargs):
        if func is np.dot and not kwargs and all(len(_shape(x)) == 1 for x in args):
            return ZeroTangent((), _dtype(*args))  # torch's dot of a zero vector
        return func(*_filled(args), **{k: _filled(v) for k, v in kwargs.items()})


class ZeroGradient(ZeroTangent):
    """torch's zero tensor as a gradient in the backward pass: the gradient of ``sgn``
    (recorded by abs's backward under create_graph), zero in the products of the nodes
    after it, as a ZeroTangent is. One rule differs, where two gradients meet: torch
    adds the later one into the first in place, so a zero tensor added into a gradient
    is a real 0 (``-0. + 0. = 0.``), while a gradient added to a zero tensor stays as
    it is (``0 + -0.`` is ``-0.``)."""

    __slots__ = ()

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        if ufunc is np.add and len(inputs) == 2 and inputs[1] is self and not kwargs:
            if not isinstance(inputs[0], ZeroTangent):
                return np.add(inputs[0], np.asarray(self))
        return super().__array_ufunc__(ufunc, method, *inputs, **kwargs)


def _arithmetic(ufunc, a, b):
    """``a <ufunc> b`` where one of them is a ZeroTangent, by torch's zero-tensor
    kernels; None for an op those kernels do not cover. (A zero result is of the
    zero operand's class: a ZeroGradient stays one.)"""
    za, zb = isinstance(a, ZeroTangent), isinstance(b, ZeroTangent)
    zero = type(a) if za else type(b)
    if ufunc is np.multiply or (ufunc is np.true_divide and za and not zb):
        return zero(_shape(a, b), _dtype(a, b))
    if ufunc is np.true_divide:  # x / 0: inf everywhere, 0 / 0: nan (as torch)
        return np.full(_shape(a, b), np.nan if za else np.inf, _dtype(a, b))
    if ufunc not in (np.add, np.subtract):
        return None
    if za and zb:
        return zero(_shape(a, b), _dtype(a, b))
    shape, dtype = _shape(a, b), _dtype(a, b)
    if zb:  # x + 0, x - 0: a copy of x
        return np.array(np.broadcast_to(a, shape), dtype=dtype)
    if ufunc is np.add:  # 0 + x
        return np.array(np.broadcast_to(b, shape), dtype=dtype)
    return np.negative(np.broadcast_to(b, shape), dtype=dtype)  # 0 - x


def _shape(*xs):
    shapes = (x.shape if isinstance(x, ZeroTangent) else np.shape(x) for x in xs)
    return np.broadcast_shapes(*shapes)


def _dtype(*xs):
    return np.result_type(*(x.dtype if isinstance(x, ZeroTangent) else x for x in xs))


def _filled(x):
    """``x`` with every ZeroTangent in it (also in lists and tuples) filled in."""
    if isinstance(x, ZeroTangent):
        return np.asarray(x)
    if isinstance(x, (list, tuple)):
        return type(x)(_filled(v) for v in x)
    return x
