"""The built-in operations: autograd_tutor's table of derivatives.

Mirrors the role of PyTorch's ``derivatives.yaml``. Each op is one small class: a
``forward`` on NumPy arrays, a ``backward`` that applies the chain rule
(dL/dinput = dL/doutput * doutput/dinput), and the name of the node PyTorch records for
it. Broadcasting is undone by the engine (``_broadcast.unbroadcast``), so the rules here
are written as if shapes matched. ``REGISTRY`` lists every op; the test suite checks each
one against finite differences and against PyTorch.

Each ``backward`` serves both kinds of backward pass: on NumPy arrays, and on tensors
under ``create_graph=True``, when its own steps are recorded so that the gradient can
be differentiated again. So the rules follow torch's formulas step by step (a
double-backward graph shows torch's nodes), with operators (``grad * b``) and ops
called through ``Op.call`` (``T.call(b)``: ``b.T`` on an array, a recorded
``TBackward0`` on a tensor).
"""

import numpy as np

from ._broadcast import unbroadcast
from ._dtype import result_type
from .autograd.function import MultiViewOp, Op, copy_slices, input_edge
from .autograd.grad_mode import grad_state
from .autograd.zero_tangent import ZeroGradient
from .tensor import Tensor

REGISTRY = {}
"""``{node name: Op class}`` for every built-in op (filled in as classes are defined)."""


def register(cls):
    REGISTRY[cls.node_name] = cls
    return cls


def array_of(x):
    """The NumPy array of a tensor (a condition, a mask: values that get no gradient)."""
    return x._data if isinstance(x, Tensor) else x


def to_dtype(grad, dtype):
    """``grad`` in ``dtype`` (itself if it already is; else a ``ToCopyBackward0``)."""
    return grad if array_of(grad).dtype == dtype else ToCopy.call(grad, dtype=dtype)


def _filled(shape, x):
    """A new array of ``shape`` holding ``x`` broadcast (what expand shows, copied)."""
    out = np.empty(shape, dtype=x.dtype)
    if x.ndim == 0:  # one number (sum's gradient): fill is quicker than broadcasting
        out.fill(x)
    else:
        out[...] = x
    return out


def zeros_like(x):
    """A gradient that is 0 everywhere: a constant, with no history in either pass."""
    return np.zeros_like(x._data if isinstance(x, Tensor) else x)


def masked(grad, keep):
    """``grad`` where ``keep``, else exactly 0., as torch's ``where(mask, grad, 0)``:
    a kept gradient passes unchanged (a -0. stays -0., a nan stays nan) and a dropped
    one becomes +0. (never -0. or nan, which ``grad * keep`` would give).

    For float32/float64 it works on the bits, several times faster than ``np.where``
    on large random masks: the bits of each element ANDed with all ones (kept) or all
    zeros (dropped, and all-zero bits are +0.)."""
    bits = _BITS.get(grad.dtype)
    if bits is None:  # not float32/float64
        return np.where(keep, grad, 0).astype(grad.dtype, copy=False)
    out = np.negative(keep, dtype=bits)  # True -> all ones, False -> 0
    if type(out) is not np.ndarray or out.shape != grad.shape:  # (0-d, or broadcast)
        out = np.array(np.broadcast_to(out, np.shape(grad)))
    np.bitwise_and(out, grad.view(bits), out=out)
    return out.view(grad.dtype)


_BITS = {np.dtype(np.float32): np.uint32, np.dtype(np.float64): np.uint64}


def _as_float(x):
    """Integer and bool inputs of a floating-point function compute in float32, the
    default dtype (``at.tensor([True]).exp()`` is float32, as in torch)."""
    return x if x.dtype.kind == "f" else x.astype(np.float32)


def _axis(x, dim):
    """NumPy's axis for a torch ``dim``: a 0-d tensor accepts dim 0 or -1 (already
    wrapped to 0) and has no axis to reduce, so its axis is ``()``."""
    return dim if x.ndim else ()


def matprod(a, b):
    """``a @ b`` for two matrices, with torch's sign of zero: when the inner size is 1
    (and the result is not a single row or column), torch's kernel writes each element
    as one product (``-0. * 1 = -0.``), where NumPy's sums from ``+0.`` give ``+0.``."""
    if a.shape[1] == 1 and a.shape[0] > 1 and b.shape[1] > 1:
        return a * b  # (m, 1) * (1, n): the outer product
    return a @ b


BOOL_SUBTRACTION = (
    "Subtraction, the `-` operator, with a bool tensor is not supported. If you are "
    "trying to invert a mask, use the `~` or `logical_not()` operator instead."
)


def _int_pow(a, b):
    """``a ** b`` elementwise, as C's ``pow`` for every element (torch's kernel for a
    tensor exponent); for integers to negative integer powers, torch's values (1 and -1
    stay +-1, every other base gives 0) where NumPy raises.

    NumPy takes a shortcut when the exponent is a single number broadcast over ``a``:
    0.5 becomes ``sqrt``, which gives -0. for -0. and nan for -inf, where ``pow`` gives
    0. and inf. So a single-number exponent is spelled out to ``a``'s full shape."""
    if a.dtype.kind in "biu" and b.dtype.kind in "biu" and (b < 0).any():
        sign = np.where(b % 2 == 0, 1, -1)
        z = np.where(a == 1, 1, np.where(a == -1, sign, 0))
        # (the negative exponents raised to 0 instead: NumPy refuses them, and abs()
        # of the most negative integer is itself)
        return np.where(b < 0, z, a ** np.maximum(b, 0)).astype(np.result_type(a, b))
    if b.size == 1 and (a.dtype.kind == "f" or b.dtype.kind == "f"):
        shape = np.broadcast_shapes(a.shape, b.shape)
        flat = np.broadcast_to(a, shape).reshape(
            -1
        )  # 1-D: a 0-d pair is a shortcut too
        return np.power(flat, np.full(flat.shape, b.reshape(()))).reshape(shape)
    return a**b


def _pow(x, e):
    """``x ** e`` for a number ``e``, with torch's special cases, which keep the sign of
    zero: ``e = 0.5`` is ``sqrt`` (so ``(-0.) ** 0.5 = -0.``), ``-0.5`` is ``1 / sqrt``,
    ``-1`` is ``1 / x``, ``2`` and ``3`` are products. A bool ``x`` (with a bool ``e``,
    else ``x`` was cast) is copied for ``True`` and all True for ``False``, as torch."""
    if x.dtype.kind == "b":
        return x.copy() if e else np.ones_like(x)
    if e == 2:
        return x * x
    if e == 3:
        return x * x * x
    if x.dtype.kind == "f":
        if e == 0.5:
            return np.sqrt(x)
        if e == -0.5:
            return 1 / np.sqrt(x)
        if e == -1:
            return 1 / x
        if e == -2:
            return 1 / (x * x)
    return x**e


# ----------------------------------------------------------------------------------------
# Arithmetic


@register
class Add(Op):
    """z = a + alpha * b.   dz/da = 1,  dz/db = alpha."""

    node_name = "AddBackward0"
    broadcasts = True
    elementwise = True
    attr_names = ("alpha",)

    @staticmethod
    def forward(ctx, a, b, alpha=1):
        ctx.alpha = alpha
        if alpha == 1:
            return a + b
        if a.dtype == b.dtype == np.bool_:
            # bool tensors stay bool, as in torch: alpha is cast to bool first
            return a | (b & bool(alpha))
        return a + alpha * b

    @staticmethod
    def backward(ctx, grad):
        if not ctx.needs_input_grad[1]:
            return grad, None
        return grad, (grad if ctx.alpha == 1 else MulScalar.call(grad, other=ctx.alpha))

    @staticmethod
    def jvp(ctx, z, a, b, da, db):
        """dz = da + alpha * db."""
        return da + db if ctx.alpha == 1 else da + ctx.alpha * db


@register
class Sub(Op):
    """z = a - alpha * b.   dz/da = 1,  dz/db = -alpha."""

    node_name = "SubBackward0"
    broadcasts = True
    elementwise = True
    attr_names = ("alpha",)

    @staticmethod
    def forward(ctx, a, b, alpha=1):
        ctx.alpha = alpha
        return a - b if alpha == 1 else a - alpha * b

    @staticmethod
    def backward(ctx, grad):
        if not ctx.needs_input_grad[1]:
            return grad, None
        return grad, (
            -grad if ctx.alpha == 1 else MulScalar.call(-grad, other=ctx.alpha)
        )

    @staticmethod
    def jvp(ctx, z, a, b, da, db):
        """dz = da - alpha * db."""
        return da - db if ctx.alpha == 1 else da - ctx.alpha * db


@register
class Rsub(Op):
    """z = other - alpha * a  (Python's ``1 - x``).   dz/da = -alpha."""

    node_name = "RsubBackward1"
    attr_names = ("alpha", "other")

    @staticmethod
    def forward(ctx, a, other, alpha=1):
        ctx.alpha, ctx.other = alpha, other
        return other - alpha * a

    @staticmethod
    def backward(ctx, grad):
        return (-grad if ctx.alpha == 1 else MulScalar.call(-grad, other=ctx.alpha),)

    @staticmethod
    def jvp(ctx, z, a, da):
        """dz = -alpha * da."""
        return -ctx.alpha * da


@register
class Mul(Op):
    """z = a * b.   dz/da = b,  dz/db = a."""

    node_name = "MulBackward0"
    jvp_reads_self = True  # (in place: self's missing tangent, see forward_ad)
    broadcasts = True
    elementwise = True
    saved_names = ("self", "other")

    @staticmethod
    def forward(ctx, a, b):
        need = ctx.needs_input_grad
        # like torch, keep only what backward will use: a is needed for dz/db only
        ctx.save_for_backward(a if need[1] else None, b if need[0] else None)
        return a * b

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        need = ctx.needs_input_grad
        # (torch records the later input's gradient first)
        db = grad * a if need[1] else None
        da = grad * b if need[0] else None
        return da, db

    @staticmethod
    def jvp(ctx, z, a, b, da, db):
        """dz = da * b + a * db  (the product rule)."""
        return da * b + a * db


@register
class MulScalar(Op):
    """z = a * c, c a number, as torch's backward formulas multiply (Python's ``x * 2``
    records MulBackward0; ``mul(Tensor, Scalar)`` in C++ is MulBackward1).   dz/da = c."""

    node_name = "MulBackward1"
    attr_names = ("other",)
    numpy = staticmethod(lambda a, other: a * other)

    @staticmethod
    def forward(ctx, a, other):
        ctx.other = other
        return a * other

    @staticmethod
    def backward(ctx, grad):
        return (MulScalar.call(grad, other=ctx.other),)

    @staticmethod
    def jvp(ctx, z, a, da):
        """dz = c da."""
        return da * ctx.other


@register
class DivScalar(Op):
    """z = a / c, c a number (torch's ``div(Tensor, Scalar)``, in backward formulas such
    as mean's).   dz/da = 1 / c."""

    node_name = "DivBackward1"
    attr_names = ("other",)
    numpy = staticmethod(lambda a, other: a / other)

    @staticmethod
    def forward(ctx, a, other):
        ctx.other = other
        return a / other

    @staticmethod
    def backward(ctx, grad):
        return (DivScalar.call(grad, other=ctx.other),)

    @staticmethod
    def jvp(ctx, z, a, da):
        """dz = da / c."""
        return da / ctx.other


@register
class Div(Op):
    """z = a / b.   dz/da = 1 / b,  dz/db = -a / b**2."""

    node_name = "DivBackward0"
    broadcasts = True
    elementwise = True
    saved_names = ("self", "other")

    @staticmethod
    def forward(ctx, a, b):
        need = ctx.needs_input_grad
        ctx.save_for_backward(a if need[1] else None, b)
        return a / b

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        need = ctx.needs_input_grad
        # (torch records the later input's gradient first)
        db = -grad * ((a / b) / b) if need[1] else None
        da = grad / b if need[0] else None
        return da, db

    @staticmethod
    def jvp(ctx, z, a, b, da, db):
        """dz = (da - z * db) / b  (the quotient rule, with z = a / b)."""
        return (da - z * db) / b


@register
class Reciprocal(Op):
    """y = 1 / x.   dy/dx = -1 / x**2 = -y**2.  (``2 / x`` is ``x.reciprocal() * 2``.)"""

    node_name = "ReciprocalBackward0"
    saved_names = ("result",)

    @staticmethod
    def forward(ctx, x):
        y = 1 / _as_float(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        return (-grad * (y * y),)

    @staticmethod
    def jvp(ctx, y, x, dx):
        """dy = -y**2 dx."""
        return -dx * y * y


@register
class Neg(Op):
    """y = -x.   dy/dx = -1."""

    node_name = "NegBackward0"

    @staticmethod
    def forward(ctx, x):
        return -x

    @staticmethod
    def backward(ctx, grad):
        return (-grad,)

    @staticmethod
    def jvp(ctx, y, x, dx):
        """dy = -dx."""
        return -dx


@register
class Pow(Op):
    """y = x ** n (n a number).   dy/dx = n * x ** (n - 1)."""

    node_name = "PowBackward0"
    saved_names = ("self",)
    attr_names = ("exponent",)
    numpy = staticmethod(lambda x, exponent: x if exponent == 1 else _pow(x, exponent))

    @staticmethod
    def forward(ctx, x, exponent):
        ctx.exponent = exponent
        if x.dtype.kind != "f":  # int ** 2.0 is float32, bool ** 2 int64 (a float
            dtype = result_type(x, exponent)  # tensor keeps its dtype)
            if dtype != x.dtype:
                x = x.astype(dtype)
        ctx.save_for_backward(x)
        return _pow(x, exponent)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        n = ctx.exponent
        if n == 0:
            return (zeros_like(grad),)
        if isinstance(grad, Tensor) or isinstance(x, Tensor):  # create_graph=True
            return (grad * MulScalar.call(Pow.call(x, exponent=n - 1), other=n),)
        return (grad * (Pow.numpy(x, exponent=n - 1) * n),)  # (MulScalar's: a * n)

    @staticmethod
    def jvp(ctx, y, x, dx):
        """dy = n * x ** (n - 1) * dx."""
        n = ctx.exponent
        if n == 0:
            return np.zeros_like(dx)
        return dx * (n * _pow(x, n - 1))


@register
class PowTensor(Op):
    """z = a ** b (both tensors).   dz/da = b * a ** (b - 1),  dz/db = a ** b * ln(a)."""

    node_name = "PowBackward1"
    jvp_reads_self = True  # (in place: self's missing tangent, see forward_ad)
    broadcasts = True
    elementwise = True
    saved_names = ("self", "exponent", "result")

    @staticmethod
    def forward(ctx, a, b, bool_exponent=False):
        ctx.bool_exponent = bool_exponent  # (b has been cast to the result's dtype)
        z = _int_pow(a, b)
        ctx.save_for_backward(a, b, z)
        return z

    @staticmethod
    def backward(ctx, grad):
        a, b, z = ctx.saved_tensors
        if ctx.bool_exponent and ctx.needs_input_grad[0]:
            raise RuntimeError(BOOL_SUBTRACTION)  # torch computes b - 1 for dz/da
        da = db = None  # (torch records the exponent's first)
        with np.errstate(all="ignore"):
            if ctx.needs_input_grad[1]:  # torch: 0 where a == 0 and b >= 0 (not nan)
                zero_base = (array_of(a) == 0) & (array_of(b) >= 0)
                # torch takes the log of the base cast to the result's dtype
                log_a = Log.call(to_dtype(a, array_of(z).dtype))
                db = grad * Where.call(0, z * log_a, condition=zero_base)
            if ctx.needs_input_grad[0]:  # torch: 0 where the exponent is 0 (not nan)
                power = grad * (b * PowTensor.call(a, SubScalar.call(b, other=1)))
                da = Where.call(0, power, condition=array_of(b) == 0)
        return da, db

    @staticmethod
    def jvp(ctx, z, a, b, da, db):
        """dz = b * a ** (b - 1) * da + a ** b * ln(a) * db, each term 0 where
        backward's is (torch computes it with backward's formulas)."""
        if ctx.bool_exponent:
            raise RuntimeError(BOOL_SUBTRACTION)  # (b - 1, as in backward)
        with np.errstate(all="ignore"):
            dz_a = np.where(b == 0, 0, da * (b * a ** (b - 1)))
            dz_b = db * np.where((a == 0) & (b >= 0), 0, z * np.log(a))
        return dz_a + dz_b


@register
class PowScalarBase(Op):
    """y = c ** x (c a number).   dy/dx = c ** x * ln(c)."""

    node_name = "PowBackward2"
    saved_names = ("exponent", "result")
    attr_names = ("self",)

    @staticmethod
    def forward(ctx, x, base):
        ctx.self = base
        x = _as_float(x) if isinstance(base, float) else x
        y = (  # an int base takes the exponent's dtype, as torch's Python numbers do
            _int_pow(np.asarray(base, dtype=result_type(base, x)), x)
            if isinstance(base, int)
            else np.power(base, x)
        )
        ctx.save_for_backward(x, y)
        return y

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        dtype = array_of(grad).dtype  # (a NumPy scalar, an array or a tensor)
        ln = np.log(np.asarray(ctx.self, dtype=dtype))  # ln(c) in grad's dtype
        if ctx.self == 0:  # torch: 0 ** x has derivative 0 where x >= 0 (not nan)
            slope = Where.call(
                0, MulScalar.call(y, other=ln), condition=array_of(x) >= 0
            )
            return (grad * slope,)
        return (grad * MulScalar.call(y, other=ln),)

    @staticmethod
    def jvp(ctx, y, x, dx):
        """dy = c ** x * ln(c) * dx."""
        ln = np.log(np.asarray(ctx.self, dtype=y.dtype))
        if ctx.self == 0:
            return dx * np.where(x >= 0, 0, y * ln)
        return dx * (y * ln)


# ----------------------------------------------------------------------------------------
# Elementwise functions


@register
class Exp(Op):
    """y = e ** x.   dy/dx = y (uses the saved output)."""

    node_name = "ExpBackward0"
    saved_names = ("result",)

    @staticmethod
    def forward(ctx, x):
        y = np.exp(_as_float(x))
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        return (grad * y,)

    @staticmethod
    def jvp(ctx, y, x, dx):
        """dy = y dx."""
        return dx * y


@register
class Log(Op):
    """y = ln(x).   dy/dx = 1 / x."""

    node_name = "LogBackward0"
    saved_names = ("self",)

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.log(_as_float(x))

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return (grad / x,)

    @staticmethod
    def jvp(ctx, y, x, dx):
        """dy = dx / x."""
        return dx / x


@register
class Sqrt(Op):
    """y = sqrt(x).   dy/dx = 1 / (2 * y)."""

    node_name = "SqrtBackward0"
    saved_names = ("result",)

    @staticmethod
    def forward(ctx, x):
        y = np.sqrt(_as_float(x))
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        return (grad / MulScalar.call(y, other=2),)

    @staticmethod
    def jvp(ctx, y, x, dx):
        """dy = dx / (2 y)."""
        return dx / (2 * y)


@register
class Abs(Op):
    """y = |x|.   dy/dx = sign(x) (0 at x = 0, as in torch)."""

    node_name = "AbsBackward0"
    saved_names = ("self",)

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.abs(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return (grad * Sgn.call(x),)

    @staticmethod
    def jvp(ctx, y, x, dx):
        """dy = sgn(x) dx (0 at x = nan, as the backward)."""
        return dx * Sgn.forward(ctx, x)


@register
class Tanh(Op):
    """y = tanh(x).   dy/dx = 1 - y**2."""

    node_name = "TanhBackward0"
    saved_names = ("result",)

    @staticmethod
    def forward(ctx, x):
        x = _as_float(x)
        if x.dtype == np.float32:  # NumPy's float32 tanh is 1 ulp off in a third of
            y = np.tanh(x, dtype=np.float64).astype(np.float32)  # its results; torch's
        else:  # is correctly rounded, and near saturation 1 - y**2 (the backward)
            y = np.tanh(x)  # cancels: the ulp would be a Hessian entry 10% off
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        return (TanhBackward.call(grad, y),)

    @staticmethod
    def jvp(ctx, y, x, dx):
        """dy = (1 - y**2) dx."""
        return dx * (1 - y * y)


@register
class Sigmoid(Op):
    """y = 1 / (1 + e**-x).   dy/dx = y * (1 - y)."""

    node_name = "SigmoidBackward0"
    saved_names = ("result",)

    @staticmethod
    def forward(ctx, x):
        y = 1 / (1 + np.exp(-_as_float(x)))
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        return (SigmoidBackward.call(grad, y),)

    @staticmethod
    def jvp(ctx, y, x, dx):
        """dy = y (1 - y) dx."""
        return dx * y * (1 - y)


@register
class Relu(Op):
    """y = max(x, 0).   dy/dx = 1 where y > 0, else 0."""

    node_name = "ReluBackward0"
    saved_names = ("result",)

    @staticmethod
    def forward(ctx, x):
        y = np.maximum(0, x)  # a tie returns x: -0. stays -0., nan stays nan (torch)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        return (ThresholdBackward.call(grad, y, threshold=0),)

    @staticmethod
    def jvp(ctx, y, x, dx):
        """dy = dx where y > 0, else 0."""
        return np.where(y <= 0, 0, dx)


@register
class Clamp(Op):
    """y = min(max(x, min), max) with number bounds.   dy/dx = 1 inside [min, max], else 0.

    ``x.clamp(min=0)`` is the lesson's ReLU; torch records it as ``ClampBackward1``.
    """

    node_name = "ClampBackward1"
    saved_names = ("self",)
    attr_names = ("min", "max")

    @staticmethod
    def forward(ctx, x, min=None, max=None):
        ctx.min, ctx.max = min, max
        ctx.save_for_backward(x)
        return _clamp(x, min, max)

    @staticmethod
    def backward(ctx, grad):
        x = array_of(ctx.saved_tensors[0])
        if ctx.max is None:
            inside = x >= ctx.min
        elif ctx.min is None:
            inside = x <= ctx.max
        else:
            inside = (x >= ctx.min) & (x <= ctx.max)
        if isinstance(grad, Tensor):  # create_graph=True: recorded, as torch
            return (Where.call(grad, 0, condition=inside),)
        return (_where(grad, 0, inside),)  # (where's NumPy function)

    @staticmethod
    def jvp(ctx, y, x, dx):
        """dy = dx inside [min, max], else 0."""
        inside = True
        if ctx.min is not None:
            inside = x >= ctx.min
        if ctx.max is not None:
            inside = inside & (x <= ctx.max)
        return np.where(inside, dx, 0)


def _clamp(x, lo, hi):
    """torch's clamp: a value is replaced only if it is below ``lo`` or above ``hi``, so
    -0. stays -0. at a bound of 0., and nan (in x or in a tensor bound) stays nan.
    (On a tie NumPy's maximum returns its second argument: x.)"""
    y = x if lo is None else np.maximum(lo, x)
    return y if hi is None else np.minimum(hi, y)


@register
class ClampTensor(Op):
    """y = min(max(x, min), max) with tensor bounds.

    dy/dx = 1 where min <= x <= max; dy/dmin = 1 where x < min; dy/dmax = 1 where x > max.
    """

    node_name = "ClampBackward0"
    jvp_reads_self = True  # (in place: self's missing tangent, see forward_ad)
    broadcasts = True
    elementwise = True
    saved_names = ("self", "min", "max")

    @staticmethod
    def forward(ctx, x, min=None, max=None):
        ctx.save_for_backward(x, min, max)
        return _clamp(x, min, max)

    @staticmethod
    def backward(ctx, grad):
        x, lo, hi = (array_of(t) for t in ctx.saved_tensors)
        need = ctx.needs_input_grad
        above_lo = x >= lo if lo is not None else True
        below_hi = x <= hi if hi is not None else True
        below, above = (x < lo) if lo is not None else None, None
        if hi is not None:
            above = x > hi
        if lo is not None and hi is not None:  # when min > max the result is max
            below, above = below & (lo < hi), above | (hi < lo)
        g_lo = (
            Where.call(grad, 0, condition=below)
            if below is not None and need[1]
            else None
        )
        g_hi = (
            Where.call(grad, 0, condition=above)
            if above is not None and need[2]
            else None
        )  # (torch records the bounds' gradients first, then x's)
        g_x = Where.call(grad, 0, condition=above_lo & below_hi)
        return g_x, g_lo, g_hi

    @staticmethod
    def jvp(ctx, y, x, lo, hi, dx, dlo, dhi):
        """dy = dmax wherever min > max (the result is max there), else dmin below
        min, dmax above max and dx elsewhere (torch's ``clamp_jvp``: with one bound,
        dx only strictly inside it, so a nan or a tie takes the bound's tangent)."""
        if lo is not None and hi is not None:
            inner = np.where(x > hi, dhi, dx)
            return np.where(lo > hi, dhi, np.where(x < lo, dlo, inner))
        if lo is not None:
            return np.where(x > lo, dx, dlo)
        if hi is not None:
            return np.where(x < hi, dx, dhi)
        return np.array(dx, copy=True)


# ----------------------------------------------------------------------------------------
# Reductions


@register
class Sum(Op):
    """y = sum of all x.   dy/dx_i = 1: the gradient is copied to every element."""

    node_name = "SumBackward0"
    attr_names = ("self_sym_sizes",)

    @staticmethod
    def forward(ctx, x):
        ctx.self_sym_sizes = x.shape
        if x.dtype.kind in "biu":  # torch sums integers and bools as int64
            return np.add.reduce(x, axis=None, dtype=np.int64)
        return np.add.reduce(x, axis=None)

    @staticmethod
    def backward(ctx, grad):
        if isinstance(grad, Tensor):  # create_graph=True: recorded, as torch
            return (Expand.call(grad, shape=ctx.self_sym_sizes),)
        return (Expand.numpy(grad, shape=ctx.self_sym_sizes),)  # (plain pass: NumPy)

    @staticmethod
    def jvp(ctx, y, x, dx):
        """dy = sum of dx."""
        return np.add.reduce(dx, axis=None)


@register
class SumDim(Op):
    """y = x summed over ``dim``.   Each summed element gets the gradient of its sum."""

    node_name = "SumBackward1"
    attr_names = ("dim", "keepdim", "self_sym_sizes")

    @staticmethod
    def forward(ctx, x, dim, keepdim=False):
        ctx.dim, ctx.keepdim, ctx.self_sym_sizes = dim, keepdim, x.shape
        ctx.axis = _axis(x, dim)
        dtype = np.int64 if x.dtype.kind in "biu" else None  # as torch
        return np.add.reduce(x, axis=ctx.axis, keepdims=keepdim, dtype=dtype)

    @staticmethod
    def backward(ctx, grad):
        return (Expand.call(_unsqueeze_dims(ctx, grad), shape=ctx.self_sym_sizes),)

    @staticmethod
    def jvp(ctx, y, x, dx):
        """dy = dx summed over ``dim``."""
        return np.add.reduce(dx, axis=ctx.axis, keepdims=ctx.keepdim)


@register
class Mean(Op):
    """y = mean of all n elements of x.   dy/dx_i = 1 / n."""

    node_name = "MeanBackward0"
    attr_names = ("self_sym_sizes", "self_sym_numel")

    @staticmethod
    def forward(ctx, x):
        ctx.self_sym_sizes, ctx.self_sym_numel = x.shape, x.size
        return np.add.reduce(x, axis=None) / x.size  # empty: 0 / 0 = nan, silently

    @staticmethod
    def backward(ctx, grad):
        grad = Expand.call(grad, shape=ctx.self_sym_sizes)
        return (DivScalar.call(grad, other=ctx.self_sym_numel),)

    @staticmethod
    def jvp(ctx, y, x, dx):
        """dy = mean of dx."""
        return np.add.reduce(dx, axis=None) / ctx.self_sym_numel


@register
class MeanDim(Op):
    """y = x averaged over ``dim`` (k elements each).   dy/dx_i = 1 / k."""

    node_name = "MeanBackward1"
    attr_names = ("dim", "keepdim", "self_sym_sizes")

    @staticmethod
    def forward(ctx, x, dim, keepdim=False):
        ctx.dim, ctx.keepdim, ctx.self_sym_sizes = dim, keepdim, x.shape
        ctx.axis = _axis(x, dim)
        dims = ctx.axis if isinstance(ctx.axis, tuple) else (ctx.axis,)
        ctx.count = int(np.prod([x.shape[d] for d in dims]))
        return np.add.reduce(x, axis=ctx.axis, keepdims=keepdim) / ctx.count

    @staticmethod
    def backward(ctx, grad):
        grad = Expand.call(_unsqueeze_dims(ctx, grad), shape=ctx.self_sym_sizes)
        return (DivScalar.call(grad, other=ctx.count),)

    @staticmethod
    def jvp(ctx, y, x, dx):
        """dy = dx averaged over ``dim``."""
        return np.add.reduce(dx, axis=ctx.axis, keepdims=ctx.keepdim) / ctx.count


def _unsqueeze_dims(ctx, grad):
    """The reduced dimensions put back as size 1 (one ``unsqueeze`` each, as torch),
    unless ``keepdim`` kept them."""
    if ctx.keepdim:
        return grad
    axes = ctx.axis if isinstance(ctx.axis, tuple) else (ctx.axis,)
    for d in sorted(a % len(ctx.self_sym_sizes) for a in axes):
        grad = Unsqueeze.call(grad, dim=d)
    return grad


class _Extreme(Op):
    """Shared rule of max() / min() over all elements: ties share the gradient evenly."""

    saved_names = ("self", "result")
    reduce = None

    @classmethod
    def forward(cls, ctx, x):
        y = cls.reduce(x)
        ctx.save_for_backward(x, y)
        return y

    @staticmethod
    def backward(ctx, grad):
        x, y = (array_of(t) for t in ctx.saved_tensors)
        hits = np.isnan(x) if np.isnan(y) else x == y  # a nan result: the nans share
        dtype = array_of(grad).dtype
        share = grad / np.asarray(hits.sum(), dtype=dtype)
        return (MaskedFill.call(np.zeros(x.shape, dtype), share, mask=hits),)

    @staticmethod
    def jvp(ctx, y, x, dx):
        """dy = mean of dx over the positions that hold the extreme (ties share).
        As torch's ``evenly_read_jvp``: ``sum(dx * (x == y)) / count``, so a nan
        result (no position equals it) gives nan, as does a nan anywhere in dx."""
        hits = x == y
        return np.add.reduce(dx * hits, axis=None) / np.add.reduce(hits, axis=None)


@register
class Max(_Extreme):
    """y = max of all x.   dy/dx_i = 1 for the maximum (split evenly among ties)."""

    node_name = "MaxBackward1"
    reduce = staticmethod(np.max)


@register
class Min(_Extreme):
    """y = min of all x.   dy/dx_i = 1 for the minimum (split evenly among ties)."""

    node_name = "MinBackward1"
    reduce = staticmethod(np.min)


class _ExtremeDim(Op):
    """Shared rule of max(dim) / min(dim): the gradient goes to the chosen index."""

    saved_names = ("indices",)
    attr_names = ("dim", "keepdim", "self_sym_sizes")

    @staticmethod
    def forward(ctx, x, dim, keepdim, indices):
        ctx.dim, ctx.keepdim, ctx.self_sym_sizes = dim, keepdim, x.shape
        ctx.save_for_backward(indices)  # the very array the caller gets as .indices
        if x.ndim == 0:
            return x.copy()
        idx = np.expand_dims(indices, dim) if not keepdim else indices
        y = np.take_along_axis(x, idx, axis=dim)
        return y if keepdim else np.squeeze(y, dim)

    @staticmethod
    def backward(ctx, grad):
        idx = array_of(ctx.saved_tensors[0])
        if not ctx.self_sym_sizes:
            return (grad,)
        if not ctx.keepdim:
            idx = np.expand_dims(idx, ctx.dim)
            grad = Unsqueeze.call(grad, dim=ctx.dim)
        zeros = np.zeros(ctx.self_sym_sizes, dtype=array_of(grad).dtype)
        return (Scatter.call(zeros, grad, dim=ctx.dim, index=idx),)

    @staticmethod
    def jvp(ctx, y, x, dx):
        """dy = dx read at the chosen index along ``dim``."""
        (idx,) = ctx._kept_values  # saved by forward even when nothing is recorded
        if x.ndim == 0:
            return dx.copy()
        idx = np.expand_dims(idx, ctx.dim) if not ctx.keepdim else idx
        dy = np.take_along_axis(dx, idx, axis=ctx.dim)
        return dy if ctx.keepdim else np.squeeze(dy, ctx.dim)


@register
class MaxDim(_ExtremeDim):
    """values = x.max(dim).   The gradient flows only to the position of each maximum."""

    node_name = "MaxBackward0"


@register
class MinDim(_ExtremeDim):
    """values = x.min(dim).   The gradient flows only to the position of each minimum."""

    node_name = "MinBackward0"


# ----------------------------------------------------------------------------------------
# Matrix products


@register
class Mm(Op):
    """C = A @ B (matrices).   dL/dA = dL/dC @ B.T,  dL/dB = A.T @ dL/dC."""

    node_name = "MmBackward0"
    saved_names = ("self", "mat2")
    numpy = staticmethod(matprod)
    attr_names = (
        "self_sym_sizes",
        "self_sym_strides",
        "mat2_sym_sizes",
        "mat2_sym_strides",
    )

    @staticmethod
    def forward(ctx, a, b):
        save_factors(ctx, a, b)
        need = ctx.needs_input_grad  # (a factor's strides lay out its own gradient)
        ctx.self_sym_sizes, ctx.self_sym_strides = a.shape, strides(a, need[0])
        ctx.mat2_sym_sizes, ctx.mat2_sym_strides = b.shape, strides(b, need[1])
        return matprod(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        need = ctx.needs_input_grad
        db = da = None  # (torch records the later input's gradient first)
        if need[1]:
            db = mm_mat2_backward(grad, a, ctx.mat2_sym_sizes, ctx.mat2_sym_strides)
        if need[0]:
            da = mm_mat1_backward(grad, b, ctx.self_sym_sizes, ctx.self_sym_strides)
        return da, db

    @staticmethod
    def jvp(ctx, c, a, b, da, db):
        """dC = dA @ B + A @ dB."""
        return da @ b + a @ db


def save_factors(ctx, a, b):
    """Save the two factors of a product C = A @ B (mm, bmm, mv, dot): dL/dA uses B
    and dL/dB uses A, so each is kept only when the other's gradient is needed (as
    torch)."""
    need = ctx.needs_input_grad
    ctx.save_for_backward(a if need[1] else None, b if need[0] else None)


def strides(a, needed=True):
    """A matrix's strides counted in elements, as torch counts them; torch keeps them
    only for a factor whose gradient is ``needed`` (else ``()``)."""
    if not needed:
        return ()
    rows, cols = a.strides
    return (rows // a.itemsize, cols // a.itemsize)


def mm_mat1_backward(grad, mat2, sizes, strides):
    """dL/dA = grad @ B.T. For an A stored column by column (a transposed matrix),
    torch computes (B @ grad.T).T: the same numbers, laid out as A was.

    On NumPy arrays (the plain backward pass) the steps are written in NumPy itself:
    what ``T.call`` and ``Mm.call`` would run, without dispatching four times."""
    column_major = strides[0] == 1 and strides[1] == sizes[0]
    if not isinstance(grad, Tensor) and not isinstance(mat2, Tensor):
        return matprod(mat2, grad.T).T if column_major else matprod(grad, mat2.T)
    if column_major:
        return T.call(Mm.call(mat2, T.call(grad)))
    return Mm.call(grad, T.call(mat2))


def mm_mat2_backward(grad, mat1, sizes, strides):
    """dL/dB = A.T @ grad; (grad.T @ A).T for a B stored column by column (torch).
    (NumPy itself on arrays, as in ``mm_mat1_backward``.)"""
    column_major = strides[0] == 1 and strides[1] == sizes[0]
    if not isinstance(grad, Tensor) and not isinstance(mat1, Tensor):
        return matprod(grad.T, mat1).T if column_major else matprod(mat1.T, grad)
    if column_major:
        return T.call(Mm.call(T.call(grad), mat1))
    return Mm.call(T.call(mat1), grad)


@register
class Mv(Op):
    """y = A @ v (matrix times vector).   dL/dA = outer(dL/dy, v),  dL/dv = A.T @ dL/dy."""

    node_name = "MvBackward0"
    saved_names = ("self", "vec")

    @staticmethod
    def forward(ctx, a, v):
        save_factors(ctx, a, v)
        return a @ v

    @staticmethod
    def backward(ctx, grad):
        a, v = ctx.saved_tensors
        need = ctx.needs_input_grad
        # outer(grad, v) as torch writes it: a column times a row
        da = grad.reshape(-1, 1) * v if need[0] else None
        dv = Mv.call(T.call(a), grad) if need[1] else None
        return da, dv

    @staticmethod
    def jvp(ctx, y, a, v, da, dv):
        """dy = dA @ v + A @ dv."""
        return da @ v + a @ dv


@register
class Dot(Op):
    """y = a . b (vectors).   dy/da = b,  dy/db = a."""

    node_name = "DotBackward0"
    saved_names = ("self", "tensor")

    @staticmethod
    def forward(ctx, a, b):
        save_factors(ctx, a, b)
        return np.dot(a, b) + 0.0  # torch sums from +0.: a single -0. product is +0.

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        return (
            grad * b if ctx.needs_input_grad[0] else None,
            grad * a if ctx.needs_input_grad[1] else None,
        )

    @staticmethod
    def jvp(ctx, y, a, b, da, db):
        """dy = da . b + a . db."""
        return np.dot(da, b) + np.dot(a, db)


@register
class Bmm(Op):
    """C[i] = A[i] @ B[i] for each batch i.   Same rule as Mm, batch by batch."""

    node_name = "BmmBackward0"
    saved_names = ("self", "mat2")

    @staticmethod
    def forward(ctx, a, b):
        save_factors(ctx, a, b)
        # (torch's result has mat2's dtype; they differ only for a product with no
        # element to compute, which bmm does not check)
        return (a @ b).astype(b.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        need = ctx.needs_input_grad
        db = da = None  # (torch records the later input's gradient first)
        if need[1]:
            db = Bmm.call(Transpose.call(a, dim0=1, dim1=2), grad)
        if need[0]:
            da = Bmm.call(grad, Transpose.call(b, dim0=1, dim1=2))
        return da, db

    @staticmethod
    def jvp(ctx, c, a, b, da, db):
        """dC[i] = dA[i] @ B[i] + A[i] @ dB[i]."""
        return da @ b + a @ db


# ----------------------------------------------------------------------------------------
# Shape operations: they move numbers around, so backward moves gradients back


class _View(Op):
    is_view = True
    attr_names = ("self_sym_sizes",)

    @staticmethod
    def backward(ctx, grad):
        return (grad.reshape(ctx.self_sym_sizes),)

    @staticmethod
    def jvp(ctx, y, x, dx):
        """dy = dx in y's shape (a view of the tangent when possible, as in torch)."""
        return dx.reshape(y.shape)


@register
class View(_View):
    """y = x viewed with a new shape (same memory).   Backward reshapes the gradient back."""

    node_name = "ViewBackward0"

    @staticmethod
    def forward(ctx, x, shape):
        ctx.self_sym_sizes = x.shape
        y = x.view()
        y.shape = shape  # raises if a copy would be needed (torch: use .reshape)
        return y


@register
class ReshapeAlias(View):
    """y = x.reshape(shape) as a view of a non-contiguous x (e.g. a transposed one):
    the same as View, recorded under torch's other name."""

    node_name = "ReshapeAliasBackward0"


@register
class UnsafeView(_View):
    """y = a reshaped copy (``reshape`` of a non-contiguous tensor, after ``clone``)."""

    node_name = "UnsafeViewBackward0"
    is_view = False

    @staticmethod
    def forward(ctx, x, shape):
        ctx.self_sym_sizes = x.shape
        return x.reshape(shape)


@register
class Squeeze(_View):
    """y = x without its size-1 dimensions.   Backward reshapes back."""

    node_name = "SqueezeBackward0"

    @staticmethod
    def forward(ctx, x):
        ctx.self_sym_sizes = x.shape
        return np.squeeze(x)

    @staticmethod
    def backward(ctx, grad):
        return (
            _unsqueeze_to(grad, ctx.self_sym_sizes, range(len(ctx.self_sym_sizes))),
        )


@register
class SqueezeDim(_View):
    """y = x without dimension ``dim`` (if its size is 1)."""

    node_name = "SqueezeBackward1"

    @staticmethod
    def forward(ctx, x, dim):
        ctx.self_sym_sizes, ctx.dim = x.shape, dim
        return np.squeeze(x, dim) if x.ndim and x.shape[dim] == 1 else x.view()

    @staticmethod
    def backward(ctx, grad):
        return (_unsqueeze_to(grad, ctx.self_sym_sizes, (ctx.dim,)),)


@register
class SqueezeDims(_View):
    """y = x without the listed dimensions (those of size 1): ``x.squeeze((0, 2))``."""

    node_name = "SqueezeBackward2"

    @staticmethod
    def forward(ctx, x, dims):
        ctx.self_sym_sizes, ctx.dim = x.shape, dims
        return np.squeeze(x, tuple(d for d in dims if x.shape[d] == 1))

    @staticmethod
    def backward(ctx, grad):
        return (_unsqueeze_to(grad, ctx.self_sym_sizes, sorted(ctx.dim)),)


@register
class SqueezeDimsInplace(SqueezeDims):
    """The same, done in place inside ``matmul`` of a vector and a matrix (torch's
    ``squeeze_``, hence another overload number)."""

    node_name = "SqueezeBackward4"
    is_view = False  # squeeze_ changes matmul's own result: no new view


@register
class Unsqueeze(_View):
    """y = x with a new size-1 dimension at ``dim``."""

    node_name = "UnsqueezeBackward0"
    numpy = staticmethod(lambda x, dim: np.expand_dims(x, dim))

    @staticmethod
    def forward(ctx, x, dim):
        ctx.self_sym_sizes, ctx.dim = x.shape, dim
        return np.expand_dims(x, dim)

    @staticmethod
    def backward(ctx, grad):
        return (SqueezeDim.call(grad, dim=ctx.dim),)


def _unsqueeze_to(grad, sizes, dims):
    """Squeeze's backward (torch's ``unsqueeze_to``): the size-1 dimensions among
    ``dims`` that squeeze removed come back, one ``unsqueeze`` each."""
    if not sizes:  # a 0-d input: squeeze removed nothing
        return grad.reshape(()) if isinstance(grad, np.ndarray) else grad
    for d in dims:
        if sizes[d] == 1 and grad.ndim < len(sizes):
            grad = Unsqueeze.call(grad, dim=d)
    return grad


def _expand_strides(x, shape):
    """The strides torch gives ``x.expand(shape)`` (its ``inferExpandGeometry``): 0 for
    a repeated dimension; ``x``'s own stride for a dimension it keeps, even of size 1
    (where NumPy's ``broadcast_to`` writes 0); for a new leading dimension of size 1
    the size times the stride of the dimension after it (0 after a 0-d ``x``). The
    in-place ops compare these strides (see ``_inplace.overlap``)."""
    strides = [0] * len(shape)
    new = len(shape) - x.ndim
    for i in reversed(range(len(shape))):
        if i >= new:
            size, stride = x.shape[i - new], x.strides[i - new]
        else:
            size = 1
            stride = shape[i + 1] * strides[i + 1] if i + 1 < len(shape) else 0
        strides[i] = stride if size == shape[i] else 0
    return tuple(strides)


@register
class Expand(Op):
    """y = x repeated along size-1 dimensions.   Backward sums the copies' gradients."""

    node_name = "ExpandBackward0"
    is_view = True
    attr_names = ("self_sym_sizes",)
    numpy = staticmethod(lambda x, shape: _filled(shape, x))  # (a copy: faster)

    @staticmethod
    def forward(ctx, x, shape):
        ctx.self_sym_sizes = x.shape
        shape = np.broadcast_shapes(x.shape, shape)  # (refuses what does not fit)
        return np.lib.stride_tricks.as_strided(  # (broadcast_to's view is read-only)
            x, shape, _expand_strides(x, shape), writeable=x.flags.writeable
        )

    @staticmethod
    def backward(ctx, grad):
        if not ctx.self_sym_sizes:  # torch's at::sum_to sums to a 0-d shape, always
            if isinstance(grad, Tensor):  # (a -0. gradient becomes 0.)
                return (grad.sum(),)  # create_graph=True: recorded
            return (np.asarray(np.add.reduce(grad, axis=None)),)
        return (unbroadcast(grad, ctx.self_sym_sizes),)

    @staticmethod
    def jvp(ctx, y, x, dx):
        """dy = dx expanded the same way (a view of the tangent)."""
        return Expand.forward(ctx, dx, y.shape)


@register
class T(Op):
    """y = x.t() (matrix transpose).   Backward transposes the gradient."""

    node_name = "TBackward0"
    is_view = True
    numpy = staticmethod(lambda x: x.T)

    @staticmethod
    def forward(ctx, x):
        return x.T

    @staticmethod
    def backward(ctx, grad):
        return (T.call(grad),)

    @staticmethod
    def jvp(ctx, y, x, dx):
        """dy = dx.T."""
        return dx.T


@register
class Transpose(Op):
    """y = x with dimensions ``dim0`` and ``dim1`` swapped.   Backward swaps them back."""

    node_name = "TransposeBackward0"
    is_view = True
    attr_names = ("dim0", "dim1")

    @staticmethod
    def forward(ctx, x, dim0, dim1):
        ctx.dim0, ctx.dim1 = dim0, dim1
        return np.swapaxes(x, dim0, dim1) if x.ndim else x.view()

    @staticmethod
    def backward(ctx, grad):
        return (Transpose.call(grad, dim0=ctx.dim0, dim1=ctx.dim1),)

    @staticmethod
    def jvp(ctx, y, x, dx):
        """dy = dx with the same dimensions swapped."""
        return np.swapaxes(dx, ctx.dim0, ctx.dim1) if dx.ndim else dx.view()


@register
class Permute(Op):
    """y = x with its dimensions reordered.   Backward applies the inverse order."""

    node_name = "PermuteBackward0"
    is_view = True
    attr_names = ("dims",)

    @staticmethod
    def forward(ctx, x, dims):
        ctx.dims = dims
        return np.transpose(x, dims)

    @staticmethod
    def backward(ctx, grad):
        inverse = tuple(int(d) for d in np.argsort(ctx.dims))
        return (Permute.call(grad, dims=inverse),)

    @staticmethod
    def jvp(ctx, y, x, dx):
        """dy = dx with its dimensions in the same order."""
        return np.transpose(dx, ctx.dims)


@register
class Alias(Op):
    """y = x itself, as a new view (``x[:, :]`` when no index narrows anything)."""

    node_name = "AliasBackward0"
    is_view = True

    @staticmethod
    def forward(ctx, x):
        return x.view()

    @staticmethod
    def backward(ctx, grad):
        return (grad,)

    @staticmethod
    def jvp(ctx, y, x, dx):
        """dy = dx (a view of the tangent)."""
        return dx.view()


class Identity(Alias):
    """``unpack_dual``'s primal: the values as a new view, without the tangent (torch's
    ``Identity`` node). Alias's rules; not in REGISTRY, as it is no op of the API."""

    node_name = "Identity"


# torch's Identity node has no Python class of its own: its type is CppFunction
Identity._node_class.__name__ = Identity._node_class.__qualname__ = "CppFunction"
Identity._node_class.name = lambda self: "torch::autograd::Identity"


@register
class Clone(Op):
    """y = a copy of x.   dy/dx = 1.

    Like torch, the copy keeps x's layout (a transposed x gives a transposed copy)
    unless ``contiguous=True`` (``x.contiguous()``, ``x.reshape(...)``): C order."""

    node_name = "CloneBackward0"

    @staticmethod
    def forward(ctx, x, contiguous=False):
        return np.array(x, copy=True, order="C" if contiguous else "K")

    @staticmethod
    def backward(ctx, grad):
        return (grad,)

    @staticmethod
    def jvp(ctx, y, x, dx):
        """dy = a copy of dx."""
        return np.array(dx, copy=True)


@register
class ToCopy(Op):
    """y = x converted to another dtype.   The gradient is converted back."""

    node_name = "ToCopyBackward0"
    sets_dtype = True

    @staticmethod
    def forward(ctx, x, dtype):
        ctx.in_dtype = x.dtype
        return x.astype(dtype)

    @staticmethod
    def backward(ctx, grad):
        return (to_dtype(grad, ctx.in_dtype),)  # back to the input's dtype

    @staticmethod
    def jvp(ctx, y, x, dx):
        """dy = dx in the new dtype (integer results have no tangent)."""
        return dx.astype(y.dtype)


@register
class Stack(Op):
    """y = the inputs (same shape) stacked along a new dimension ``dim``.
    dy/dx_i = 1 at slice i: each input's gradient is its slice of the gradient."""

    node_name = "StackBackward0"
    broadcasts = True  # (not elementwise: this makes inputs of mixed dtypes promote)
    attr_names = ("dim",)

    @staticmethod
    def forward(ctx, *arrays, dim=0):
        ctx.dim = dim
        return np.stack(arrays, axis=dim)

    @staticmethod
    def backward(ctx, grad):
        n = grad.shape[ctx.dim]  # (torch: grad.unbind(dim), one slice per input)
        return tuple(Select.call(grad, dim=ctx.dim, index=i) for i in range(n))

    @staticmethod
    def jvp(ctx, y, *args):
        """dy = the tangents stacked the same way."""
        tangents = args[len(args) // 2 :]
        shape = np.shape(args[0])
        return np.stack([np.broadcast_to(t, shape) for t in tangents], axis=ctx.dim)


@register
class Cat(Op):
    """y = the inputs joined along ``dim`` (torch's ``cat``; here the backward of
    ``split``, recorded under create_graph=True).   Each input's gradient is its part
    of y's gradient (torch's ``narrow``: ``SliceBackward0``)."""

    node_name = "CatBackward0"
    attr_names = ("dim",)

    @staticmethod
    def forward(ctx, *arrays, dim):
        ctx.dim, ctx.sizes = dim, [a.shape[dim] for a in arrays]
        return np.concatenate(arrays, axis=dim)

    @staticmethod
    def backward(ctx, grad):
        grads, start = [], 0
        for n, need in zip(ctx.sizes, ctx.needs_input_grad):
            part = dict(dim=ctx.dim, start=start, end=start + n, step=1)
            grads.append(Slice.call(grad, **part) if need else None)
            start += n
        return tuple(grads)

    @staticmethod
    def jvp(ctx, y, *args):
        """dy = the tangents joined the same way (a constant input's tangent: 0)."""
        n = len(args) // 2
        parts = [np.broadcast_to(t, np.shape(a)) for a, t in zip(args[:n], args[n:])]
        return np.concatenate(parts, axis=ctx.dim)


# ----------------------------------------------------------------------------------------
# Several views at once (unbind, split, chunk): one node, one output_nr per view


@register
class Unbind(MultiViewOp):
    """``x.unbind(dim)``: the slices ``x[..., i, ...]`` along ``dim``, each a view.
    Backward stacks the slices' gradients, a slice that got none counting as zeros
    (``StackBackward0`` under create_graph=True)."""

    node_name = "UnbindBackward0"
    attr_names = ("dim",)

    @staticmethod
    def forward(ctx, x, dim):
        ctx.dim, ctx.shape, ctx.dtype = dim, x.shape[:dim] + x.shape[dim + 1 :], x.dtype
        return Unbind.jvp(ctx, x)

    @staticmethod
    def backward(ctx, grads):
        grads = [np.zeros(ctx.shape, ctx.dtype) if g is None else g for g in grads]
        return Stack.call(*grads, dim=ctx.dim)

    @staticmethod
    def jvp(ctx, dx):
        """Each output's tangent: the same slice of x's tangent (a view of it)."""
        key = (slice(None),) * ctx.dim
        return tuple(dx[key + (i, Ellipsis)] for i in range(dx.shape[ctx.dim]))


class _Split(MultiViewOp):
    """The pieces of x along ``dim``, ``ctx.sizes`` elements each, as views.
    Backward joins the pieces' gradients, zeros for a piece that got none
    (``CatBackward0`` under create_graph=True)."""

    attr_names = ("dim", "self_sym_sizes")

    @staticmethod
    def pieces(ctx, x, dim, sizes):
        ctx.dim, ctx.sizes, ctx.self_sym_sizes, ctx.dtype = dim, sizes, x.shape, x.dtype
        return _Split.jvp(ctx, x)

    @staticmethod
    def backward(ctx, grads):
        shape = list(ctx.self_sym_sizes)
        filled = []
        for g, n in zip(grads, ctx.sizes):
            shape[ctx.dim] = n
            filled.append(np.zeros(shape, ctx.dtype) if g is None else g)
        return Cat.call(*filled, dim=ctx.dim)

    @staticmethod
    def jvp(ctx, dx):
        """Each output's tangent: the same piece of x's tangent (a view of it)."""
        key, start, out = (slice(None),) * ctx.dim, 0, []
        for n in ctx.sizes:
            out.append(dx[key + (slice(start, start + n),)])
            start += n
        return tuple(out)


@register
class Split(_Split):
    """``x.split(split_size, dim)``: pieces of ``split_size`` (the last may be
    smaller)."""

    node_name = "SplitBackward0"
    attr_names = _Split.attr_names + ("split_size",)

    @staticmethod
    def forward(ctx, x, split_size, dim):
        ctx.split_size, n = split_size, x.shape[dim]
        steps = range(0, n, split_size) if split_size else ()
        sizes = [min(split_size, n - s) for s in steps] or [n]  # (at least one piece)
        return _Split.pieces(ctx, x, dim, sizes)


@register
class SplitWithSizes(_Split):
    """``x.split([2, 1, ...], dim)``: pieces of the given sizes."""

    node_name = "SplitWithSizesBackward0"
    attr_names = _Split.attr_names + ("split_sizes",)

    @staticmethod
    def forward(ctx, x, split_sizes, dim):
        ctx.split_sizes = tuple(split_sizes)
        return _Split.pieces(ctx, x, dim, list(split_sizes))


# ----------------------------------------------------------------------------------------
# Indexing: the gradient goes back to the positions that were read


@register
class Select(Op):
    """y = x[..., index, ...] at dimension ``dim`` (an integer index)."""

    node_name = "SelectBackward0"
    is_view = True
    attr_names = ("dim", "index", "self_sym_sizes")

    @staticmethod
    def forward(ctx, x, dim, index):
        ctx.dim, ctx.index, ctx.self_sym_sizes = dim, index, x.shape
        ctx.key = (slice(None),) * dim + (index,)
        return x[
            ctx.key + (Ellipsis,)
        ]  # with "...", NumPy gives a 0-d view, not a copy

    @staticmethod
    def backward(ctx, grad):
        sizes, dim, index = ctx.self_sym_sizes, ctx.dim, ctx.index
        return (SelectBackward.call(grad, input_sizes=sizes, dim=dim, index=index),)

    @staticmethod
    def jvp(ctx, y, x, dx):
        """dy = dx[..., index, ...] (a view of the tangent)."""
        return dx[ctx.key + (Ellipsis,)]


@register
class Slice(Op):
    """y = x[..., start:end:step, ...] at dimension ``dim``."""

    node_name = "SliceBackward0"
    is_view = True
    attr_names = ("dim", "start", "end", "step", "self_sym_sizes")

    @staticmethod
    def forward(ctx, x, dim, start, end, step):
        ctx.dim, ctx.start, ctx.end, ctx.step = dim, start, end, step
        ctx.self_sym_sizes = x.shape
        ctx.key = (slice(None),) * dim + (slice(start, end, step),)
        return x[ctx.key]

    @staticmethod
    def backward(ctx, grad):
        where = dict(dim=ctx.dim, start=ctx.start, end=ctx.end, step=ctx.step)
        return (SliceBackward.call(grad, input_sizes=ctx.self_sym_sizes, **where),)

    @staticmethod
    def jvp(ctx, y, x, dx):
        """dy = dx[..., start:end:step, ...] (a view of the tangent)."""
        return dx[ctx.key]


@register
class Index(Op):
    """y = x[indices] with integer arrays or boolean masks (a copy).

    Backward adds each gradient into the position it was read from; a position read
    twice receives both gradients (``np.add.at``, not plain assignment).
    """

    node_name = "IndexBackward0"
    attr_names = ("indices", "self_sym_sizes")

    @staticmethod
    def forward(ctx, x, key):
        ctx.indices, ctx.self_sym_sizes = key, x.shape
        ctx.save_for_backward(key)  # torch saves the indices: freed after backward
        return x[key]

    @staticmethod
    def backward(ctx, grad):
        key = array_of(ctx.saved_tensors[0])
        zeros = np.zeros(ctx.self_sym_sizes, dtype=array_of(grad).dtype)
        return (IndexPutImpl.call(zeros, grad, indices=key, accumulate=True),)

    @staticmethod
    def jvp(ctx, y, x, dx):
        """dy = dx[indices]."""
        return dx[ctx.indices]


# ----------------------------------------------------------------------------------------
# Overwriting ops (only in place): the old values no longer matter


@register
class Zero(Op):
    """x.zero_(): y = 0.   dy/dx = 0."""

    node_name = "ZeroBackward0"
    writes_any_dtype = True

    @staticmethod
    def forward(ctx, x):
        return np.zeros_like(x)

    @staticmethod
    def backward(ctx, grad):
        return (zeros_like(grad),)

    @staticmethod
    def jvp(ctx, y, x, dx):
        """dy = 0."""
        return np.zeros_like(dx)


@register
class Fill(Op):
    """x.fill_(value): y = value everywhere.   dy/dx = 0."""

    node_name = "FillBackward2"
    writes_any_dtype = True
    attr_names = ("value",)

    @staticmethod
    def forward(ctx, x, value):
        ctx.value = value
        return np.full_like(x, value)

    @staticmethod
    def backward(ctx, grad):
        return (zeros_like(grad),)

    @staticmethod
    def jvp(ctx, y, x, dx):
        """dy = 0."""
        return np.zeros_like(dx)


@register
class FillTensor(Op):
    """x.fill_(v) with a 0-d tensor v: y = v everywhere.   dy/dx = 0,  dy/dv = sum."""

    node_name = "FillBackward3"
    writes_any_dtype = True

    @staticmethod
    def forward(ctx, x, value):
        return np.full_like(x, value)

    @staticmethod
    def backward(ctx, grad):
        return zeros_like(grad), (grad.sum() if ctx.needs_input_grad[1] else None)

    @staticmethod
    def jvp(ctx, y, x, value, dx, dvalue):
        """dy = dvalue everywhere."""
        return np.full_like(y, dvalue)


@register
class Copy(Op):
    """x.copy_(src): y = src, broadcast to x's shape and cast to x's dtype.

    dy/dx = 0 (the old values are gone),  dy/dsrc = 1 (summed over broadcast copies).
    """

    node_name = "CopyBackwards"
    writes_any_dtype = True
    sets_dtype = True  # the result keeps x's dtype, whatever src's

    @staticmethod
    def forward(ctx, x, src):
        ctx.src_shape, ctx.src_dtype = np.shape(src), np.asarray(src).dtype
        return np.array(np.broadcast_to(src, x.shape), dtype=x.dtype)

    @staticmethod
    def backward(ctx, grad):
        if not ctx.needs_input_grad[1]:
            return zeros_like(grad), None
        # src was broadcast and cast: its gradient is cast back, then summed (torch)
        return zeros_like(grad), unbroadcast(
            to_dtype(grad, ctx.src_dtype), ctx.src_shape
        )

    @staticmethod
    def jvp(ctx, y, x, src, dx, dsrc):
        """dy = dsrc, broadcast to x's shape (x's old values no longer matter)."""
        return np.broadcast_to(dsrc, y.shape)


@register
class IndexPut(Op):
    """x[indices] = v with integer arrays or masks: y = x with v written at indices.

    dy/dx = 1 except at the overwritten positions (0 there),  dy/dv = 1 at them.
    """

    node_name = "IndexPutBackward0"
    writes_any_dtype = True
    attr_names = ("indices", "accumulate")

    @staticmethod
    def forward(ctx, x, values, key):
        ctx.key, ctx.accumulate, ctx.values_shape = key, False, np.shape(values)
        ctx.values_dtype = np.asarray(values).dtype
        ctx.save_for_backward(key)  # torch saves the indices: freed after backward
        y = x.copy()
        y[key] = values
        return y

    @staticmethod
    def backward(ctx, grad):
        (key,) = ctx.saved_tensors
        zeros = np.zeros(ctx.values_shape, dtype=array_of(grad).dtype)
        g_x = IndexPut.call(grad, zeros, key=key)  # 0 where x was overwritten
        if not ctx.needs_input_grad[1]:
            return g_x, None
        g_v = unbroadcast(Index.call(grad, key=key), ctx.values_shape)  # v was
        return g_x, to_dtype(g_v, ctx.values_dtype)  # broadcast and cast: undone

    @staticmethod
    def jvp(ctx, y, x, values, dx, dvalues):
        """dy = dx with dvalues written at the indices."""
        dy = np.array(dx, dtype=y.dtype, copy=True)
        dy[ctx.key] = dvalues
        return dy


@register
class AsStrided(Op):
    """A view derived again from its base after an in-place change (torch's
    ``AsStridedBackward0``): the view's elements are the base's elements at
    ``positions`` (flat, in the base's C order), and the gradient goes back there.

    Never run forward: ``derive`` records the node for a view that already exists
    (``tensor._fresh``), ``view_of`` also makes the view's values (inside the recorded
    backward of ``CopySlices`` and of this op itself)."""

    node_name = "AsStridedBackward0"
    attr_names = ("size", "stride", "storage_offset")

    @classmethod
    def derive(cls, base, positions, strides=None):
        """The node of a view of ``base`` at ``positions``. torch shows the view's
        geometry in elements of the base's storage: its size, its strides (numpy's
        own when given, else read off ``positions``) and where it starts."""
        node = cls.record((input_edge(base),))
        node.size = tuple(positions.shape)
        node.storage_offset = int(positions.flat[0]) if positions.size else 0
        if strides is None:
            strides, step = [], 1
            for d in reversed(range(positions.ndim)):  # (size-1 dims: contiguous,
                n = positions.shape[d]  # and all of an empty view's: none to read)
                if n > 1 and positions.size:
                    step = (
                        int(np.take(positions, 1, axis=d).flat[0]) - node.storage_offset
                    )
                strides.insert(0, step)
                step *= max(n, 1)
        node.stride = tuple(strides)
        node.base_shape, node.positions = base._data.shape, positions
        return node

    @classmethod
    def view_of(cls, base, positions):
        """``base.as_strided(...)`` for a view given by ``positions``: its values
        (read at the positions: a copy), recorded when ``base`` requires grad."""
        out = Tensor._make(base._data.reshape(-1)[positions])
        if base._requires_grad and grad_state.enabled:
            out._grad_fn, out._requires_grad = cls.derive(base, positions), True
        return out

    @staticmethod
    def backward(ctx, grad):
        """torch's ``as_strided_backward``, step by step: the gradient is summed
        along each dimension the view repeats (stride 0: an ``expand``), size-1
        dimensions are squeezed away; then it is written into zeros of the base's
        size at the view's positions and read back in the base's shape. Under
        create_graph=True the writing is ``storage.as_strided(...).copy_(grad)`` on a
        new ``storage`` (recorded as ``CopySlices``) and the reading one more
        ``as_strided`` (``AsStridedBackward0``), as in torch.

        (A view of the ops here repeats elements only by stride 0, so what is left
        covers each position once: torch's ``index_add_`` path is never needed.)"""
        positions = ctx.positions
        for d in reversed(range(positions.ndim)):
            n = positions.shape[d]
            if n == 0:  # an empty view: no gradient reaches the base
                return (np.zeros(ctx.base_shape, dtype=array_of(grad).dtype),)
            if n == 1 or ctx.stride[d] == 0:
                if n == 1:
                    grad = SqueezeDim.call(grad, dim=d)
                else:
                    grad = SumDim.call(grad, dim=d)
                positions = np.take(positions, 0, axis=d)
        size = int(np.prod(ctx.base_shape))
        if not isinstance(grad, Tensor):  # the plain backward pass
            out = np.zeros(size, dtype=grad.dtype)
            out[positions] = grad
            return (out.reshape(ctx.base_shape),)
        storage = Tensor._make(np.zeros(size, dtype=grad._data.dtype))
        view = AsStrided.view_of(storage, positions)
        storage = copy_slices(storage, positions, view, grad)
        return (AsStrided.view_of(storage, np.arange(size).reshape(ctx.base_shape)),)

    @staticmethod
    def jvp(ctx, y, base, dbase):
        """dy = the base's tangent read at the elements the view covers."""
        return dbase.reshape(-1)[ctx.positions]


# ----------------------------------------------------------------------------------------
# Backward formulas that are ops of their own (torch's ``*_backward`` functions). The
# plain backward pass runs their NumPy forward; under create_graph=True they are
# recorded (``ThresholdBackwardBackward0``...), so the gradient can be differentiated
# again, and their own backward says how.


@register
class ThresholdBackward(Op):
    """g = grad where x > threshold, else 0 (relu's backward; x = nan passes grad).
    dg/dgrad = the same mask,  dg/dx = 0."""

    node_name = "ThresholdBackwardBackward0"
    saved_names = ("self",)
    attr_names = ("threshold",)

    @staticmethod
    def forward(ctx, grad, x, threshold):
        ctx.threshold = threshold
        ctx.save_for_backward(x)
        return masked(grad, ~(x <= threshold))

    @staticmethod
    def backward(ctx, gg):
        (x,) = ctx.saved_tensors
        return ThresholdBackward.call(gg, x, threshold=ctx.threshold), zeros_like(gg)

    @staticmethod
    def jvp(ctx, g, grad, x, dgrad, dx):
        """dg = dgrad where x > threshold."""
        return masked(dgrad, ~(x <= ctx.threshold))


@register
class TanhBackward(Op):
    """g = grad * (1 - y**2) (tanh's backward, y its output).
    dg/dgrad = 1 - y**2,  dg/dy = -2 y grad."""

    node_name = "TanhBackwardBackward0"
    saved_names = ("grad_output", "output")

    @staticmethod
    def forward(ctx, grad, y):
        ctx.save_for_backward(grad, y)
        return grad * (1 - y * y)

    @staticmethod
    def backward(ctx, gg):
        grad, y = ctx.saved_tensors
        need = ctx.needs_input_grad
        return (
            TanhBackward.call(gg, y) if need[0] else None,
            gg * (MulScalar.call(y, other=-2.0) * grad) if need[1] else None,
        )

    @staticmethod
    def jvp(ctx, g, grad, y, dgrad, dy):
        """dg = dgrad (1 - y**2) - 2 y grad dy."""
        return dgrad * (1 - y * y) + dy * (-2.0 * y * grad)


@register
class SigmoidBackward(Op):
    """g = grad * y * (1 - y) (sigmoid's backward, y its output).
    dg/dgrad = y (1 - y),  dg/dy = grad (1 - 2 y)."""

    node_name = "SigmoidBackwardBackward0"
    saved_names = ("grad_output", "output")

    @staticmethod
    def forward(ctx, grad, y):
        ctx.save_for_backward(grad, y)
        return grad * y * (1 - y)

    @staticmethod
    def backward(ctx, gg):
        grad, y = ctx.saved_tensors
        need = ctx.needs_input_grad
        slope = (
            AddScalar.call(MulScalar.call(y, other=-2), other=1) if need[1] else None
        )
        return (
            SigmoidBackward.call(gg, y) if need[0] else None,
            gg * grad * slope if need[1] else None,
        )

    @staticmethod
    def jvp(ctx, g, grad, y, dgrad, dy):
        """dg = dgrad y (1 - y) + grad (1 - 2 y) dy."""
        return dgrad * y * (1 - y) + dy * grad * (1 - 2 * y)


@register
class AddScalar(Op):
    """z = a + c, c a number (torch's ``add(Tensor, Scalar)``, in backward formulas;
    Python's ``x + 1`` records AddBackward0).   dz/da = 1."""

    node_name = "AddBackward1"

    @staticmethod
    def forward(ctx, a, other):
        return a + other

    @staticmethod
    def backward(ctx, grad):
        return (grad,)

    @staticmethod
    def jvp(ctx, z, a, da):
        """dz = da."""
        return da


@register
class SubScalar(Op):
    """z = a - c, c a number (torch's ``sub(Tensor, Scalar)``, as in pow's backward
    ``b - 1``; Python's ``x - 1`` records SubBackward0).   dz/da = 1."""

    node_name = "SubBackward1"

    @staticmethod
    def forward(ctx, a, other):
        return a - other

    @staticmethod
    def backward(ctx, grad):
        return (grad,)

    @staticmethod
    def jvp(ctx, z, a, da):
        """dz = da."""
        return da


def _where(a, b, condition):
    """``a`` where ``condition``, else ``b`` (the gradient masks of backward rules)."""
    if isinstance(b, (int, float)) and b == 0 and isinstance(a, np.ndarray):
        return masked(a, condition)  # (the common case, faster than np.where)
    return np.where(condition, a, b)


@register
class Where(Op):
    """z = a where condition, else b (torch's ``where``; a or b may be the number 0).
    dz/da = 1 where condition,  dz/db = 1 elsewhere."""

    node_name = "WhereBackward0"
    broadcasts = True
    saved_names = ("condition",)

    numpy = staticmethod(_where)

    @staticmethod
    def forward(ctx, a, b, condition):
        ctx.save_for_backward(condition)
        return _where(a, b, condition)

    @staticmethod
    def backward(ctx, grad):
        condition = array_of(ctx.saved_tensors[0])
        need = ctx.needs_input_grad
        # (torch records the later input's gradient first)
        db = Where.call(0, grad, condition=condition) if need[1] else None
        da = Where.call(grad, 0, condition=condition) if need[0] else None
        return da, db

    @staticmethod
    def jvp(ctx, z, a, b, da, db):
        """dz = da where condition, else db."""
        (condition,) = ctx._kept_values
        return np.where(condition, da, db)


@register
class Sgn(Op):
    """y = sign(x): -1, 0 or 1 (0 for nan, as torch's sgn).   dy/dx = 0.

    Recorded only by abs's backward under create_graph (``grad * sgn(x)``). Its own
    gradient is torch's zero tensor (``ZeroGradient``): the nodes after it multiply it
    and it stays exactly 0 (``0 * inf`` is 0 there, not nan), so a second derivative
    of ``|f|`` is only the one along ``f``'s own path, as in torch."""

    node_name = "SgnBackward0"

    @staticmethod
    def forward(ctx, x):
        sign = np.asarray(np.sign(x))  # (0-d: an array, not a NumPy scalar)
        if sign.dtype.kind == "f":
            sign[np.isnan(x)] = 0  # torch's sgn(nan) is 0: no nan gradient
        return sign

    @staticmethod
    def backward(ctx, grad):
        if isinstance(grad, Tensor):  # (recorded again: the zeros are a constant)
            return (zeros_like(grad),)
        return (ZeroGradient(grad.shape, grad.dtype),)

    @staticmethod
    def jvp(ctx, y, x, dx):
        """dy = 0."""
        return np.zeros_like(dx)


@register
class SelectBackward(Op):
    """g = zeros of the input's sizes, grad written at [..., index, ...] (select's
    backward).   dg/dgrad: select the same position again."""

    node_name = "SelectBackwardBackward0"
    attr_names = ("dim", "index")

    @staticmethod
    def forward(ctx, grad, input_sizes, dim, index):
        ctx.dim, ctx.index = dim, index
        out = np.zeros(input_sizes, dtype=grad.dtype)
        out[(slice(None),) * dim + (index,)] = grad
        return out

    @staticmethod
    def backward(ctx, gg):
        return (Select.call(gg, dim=ctx.dim, index=ctx.index),)

    @staticmethod
    def jvp(ctx, g, grad, dgrad):
        """dg = dgrad written at the same position."""
        return SelectBackward.forward(ctx, dgrad, g.shape, ctx.dim, ctx.index)


@register
class SliceBackward(Op):
    """g = zeros of the input's sizes, grad written at [..., start:end:step, ...]
    (slice's backward).   dg/dgrad: slice the same positions again."""

    node_name = "SliceBackwardBackward0"
    attr_names = ("dim", "start", "end", "step")

    @staticmethod
    def forward(ctx, grad, input_sizes, dim, start, end, step):
        ctx.dim, ctx.start, ctx.end, ctx.step = dim, start, end, step
        out = np.zeros(input_sizes, dtype=grad.dtype)
        out[(slice(None),) * dim + (slice(start, end, step),)] = grad
        return out

    @staticmethod
    def backward(ctx, gg):
        return (
            Slice.call(gg, dim=ctx.dim, start=ctx.start, end=ctx.end, step=ctx.step),
        )

    @staticmethod
    def jvp(ctx, g, grad, dgrad):
        """dg = dgrad written at the same positions."""
        where = (ctx.dim, ctx.start, ctx.end, ctx.step)
        return SliceBackward.forward(ctx, dgrad, g.shape, *where)


@register
class IndexPutImpl(Op):
    """y = x with values added at indices (``index_put_(..., accumulate=True)``, how
    indexing's backward adds the gradient into zeros; a position read twice gets both).
    dy/dx = 1,  dy/dvalues = 1 at the indices (read back with the same indices)."""

    node_name = "IndexPutImplBackward0"
    attr_names = ("accumulate", "indices")

    @staticmethod
    def forward(ctx, x, values, indices, accumulate=True):
        ctx.indices, ctx.accumulate = indices, accumulate
        out = np.array(x, dtype=np.result_type(x, values), copy=True)
        np.add.at(out, indices, values)
        return out

    @staticmethod
    def backward(ctx, grad):
        need = ctx.needs_input_grad
        return (
            grad if need[0] else None,
            Index.call(grad, key=ctx.indices) if need[1] else None,
        )

    @staticmethod
    def jvp(ctx, y, x, values, dx, dvalues):
        """dy = dx with dvalues added at the indices."""
        dx = np.broadcast_to(dx, y.shape)  # (a constant x has the tangent 0)
        return IndexPutImpl.forward(ctx, dx, dvalues, ctx.indices)


def _along(index, dim):
    """The positions ``index`` names along ``dim`` (every other dimension: an element's
    own position), as a NumPy index: how scatter and gather address their elements."""
    grid = list(np.ogrid[tuple(slice(n) for n in index.shape)])
    grid[dim] = index
    return tuple(grid)


@register
class Scatter(Op):
    """y = x with src written along ``dim`` at ``index`` (max(dim)'s backward writes
    the gradient into zeros this way).   dy/dx = 1 where not written,
    dy/dsrc = 1 where written (read back with gather)."""

    node_name = "ScatterBackward0"
    attr_names = ("dim", "index")

    @staticmethod
    def forward(ctx, x, src, dim, index):
        ctx.dim, ctx.index = dim, index
        out = np.array(x, dtype=np.result_type(x, src), copy=True)
        out[_along(index, dim)] = src
        return out

    @staticmethod
    def backward(ctx, grad):
        need = ctx.needs_input_grad
        written = np.zeros(array_of(grad).shape, dtype=bool)
        written[_along(ctx.index, ctx.dim)] = True
        return (
            Where.call(0, grad, condition=written) if need[0] else None,
            Gather.call(grad, dim=ctx.dim, index=ctx.index) if need[1] else None,
        )

    @staticmethod
    def jvp(ctx, y, x, src, dx, dsrc):
        """dy = dx with dsrc written at the same positions."""
        dx = np.broadcast_to(dx, y.shape)  # (a constant x has the tangent 0)
        return Scatter.forward(ctx, dx, dsrc, ctx.dim, ctx.index)


@register
class Gather(Op):
    """y = x read along ``dim`` at ``index``.   dy/dx = 1 at the positions read (a
    position read twice gets both gradients: scatter_add)."""

    node_name = "GatherBackward0"
    attr_names = ("dim", "index")

    @staticmethod
    def forward(ctx, x, dim, index):
        ctx.dim, ctx.index, ctx.self_sym_sizes = dim, index, x.shape
        return x[_along(index, dim)]

    @staticmethod
    def backward(ctx, grad):
        zeros = np.zeros(ctx.self_sym_sizes, dtype=array_of(grad).dtype)
        return (ScatterAdd.call(zeros, grad, dim=ctx.dim, index=ctx.index),)

    @staticmethod
    def jvp(ctx, y, x, dx):
        """dy = dx read at the same positions."""
        return dx[_along(ctx.index, ctx.dim)]


@register
class ScatterAdd(Op):
    """y = x with src added along ``dim`` at ``index`` (gather's backward).
    dy/dx = 1,  dy/dsrc = 1 at the positions added to (read back with gather)."""

    node_name = "ScatterAddBackward0"
    attr_names = ("dim", "index")

    @staticmethod
    def forward(ctx, x, src, dim, index):
        ctx.dim, ctx.index = dim, index
        out = np.array(x, dtype=np.result_type(x, src), copy=True)
        np.add.at(out, _along(index, dim), src)
        return out

    @staticmethod
    def backward(ctx, grad):
        need = ctx.needs_input_grad
        return (
            grad if need[0] else None,
            Gather.call(grad, dim=ctx.dim, index=ctx.index) if need[1] else None,
        )

    @staticmethod
    def jvp(ctx, y, x, src, dx, dsrc):
        """dy = dx with dsrc added at the same positions."""
        dx = np.broadcast_to(dx, y.shape)  # (a constant x has the tangent 0)
        return ScatterAdd.forward(ctx, dx, dsrc, ctx.dim, ctx.index)


@register
class MaskedFill(Op):
    """y = x with the 0-d value written where ``mask`` (max()'s backward spreads the
    gradient over the tied maxima this way).   dy/dx = 1 where not mask,
    dy/dvalue = 1 at each masked position (their sum)."""

    node_name = "MaskedFillBackward1"
    attr_names = ("mask",)

    @staticmethod
    def forward(ctx, x, value, mask):
        ctx.mask = mask
        return np.where(mask, value, x).astype(np.result_type(x, value), copy=False)

    @staticmethod
    def backward(ctx, grad):
        need = ctx.needs_input_grad
        return (
            Where.call(0, grad, condition=ctx.mask) if need[0] else None,
            MaskedSelect.call(grad, mask=ctx.mask).sum() if need[1] else None,
        )

    @staticmethod
    def jvp(ctx, y, x, value, dx, dvalue):
        """dy = dvalue where mask, else dx."""
        return np.where(ctx.mask, dvalue, dx)


@register
class MaskedSelect(Op):
    """y = the elements of x where ``mask``, as a 1-D tensor.
    dy/dx = 1 at the masked positions."""

    node_name = "MaskedSelectBackward0"
    attr_names = ("mask",)

    @staticmethod
    def forward(ctx, x, mask):
        ctx.mask, ctx.self_sym_sizes = mask, x.shape
        return x[mask]

    @staticmethod
    def backward(ctx, grad):
        """The gradient written, in order, into zeros at the masked positions (torch's
        ``zeros.masked_scatter_(mask, grad)``: ``MaskedScatterBackward0``)."""
        zeros = np.zeros(ctx.self_sym_sizes, dtype=array_of(grad).dtype)
        return (MaskedScatter.call(zeros, grad, mask=ctx.mask),)

    @staticmethod
    def jvp(ctx, y, x, dx):
        """dy = dx at the masked positions."""
        return dx[ctx.mask]


@register
class MaskedScatter(Op):
    """y = x with the first elements of ``source`` written, in order, at the positions
    where ``mask`` (masked_select's backward).   dy/dx = 1 where not mask,
    dy/dsource = 1 for each element written (torch: masked_select of the gradient,
    zeros for the elements of source left unused, viewed in source's shape)."""

    node_name = "MaskedScatterBackward0"
    attr_names = ("mask",)

    @staticmethod
    def forward(ctx, x, source, mask):
        ctx.mask, ctx.source_shape = mask, np.shape(source)
        out = np.array(x, dtype=np.result_type(x, source), copy=True)
        out[mask] = np.reshape(source, -1)[: np.count_nonzero(mask)]
        return out

    @staticmethod
    def backward(ctx, grad):
        need = ctx.needs_input_grad
        g_x = g_source = None
        if need[0]:  # (torch: masked_fill(mask, 0); here x is always masked_select's
            g_x = Where.call(0, grad, condition=ctx.mask)  # zeros, needing none)
        if need[1]:
            sizes = ctx.source_shape
            g_source = MaskedScatterBackward.call(grad, mask=ctx.mask, sizes=sizes)
        return g_x, g_source

    @staticmethod
    def jvp(ctx, y, x, source, dx, dsource):
        """dy = dx with dsource written at the same positions."""
        dx = np.broadcast_to(dx, y.shape)  # (a constant x has the tangent 0)
        dsource = np.broadcast_to(dsource, np.shape(source))
        return MaskedScatter.forward(ctx, dx, dsource, ctx.mask)


@register
class MaskedScatterBackward(Op):
    """g = grad at the masked positions, in order, then zeros for the elements of
    source that were not used, in source's shape (``sizes``): masked_scatter's
    backward, an op of its own in torch.   dg/dgrad = 1 at the masked positions
    (written back with masked_scatter)."""

    node_name = "MaskedScatterBackwardBackward0"
    attr_names = ("mask", "sizes")

    @staticmethod
    def forward(ctx, grad, mask, sizes):
        ctx.mask, ctx.sizes, ctx.grad_shape = mask, tuple(sizes), grad.shape
        out = np.zeros(int(np.prod(sizes)), dtype=grad.dtype)
        picked = grad[mask]
        out[: picked.size] = picked
        return out.reshape(sizes)

    @staticmethod
    def backward(ctx, gg):
        zeros = np.zeros(ctx.grad_shape, dtype=array_of(gg).dtype)
        return (MaskedScatter.call(zeros, gg, mask=ctx.mask),)

    @staticmethod
    def jvp(ctx, g, grad, dgrad):
        """dg = the same picking of dgrad."""
        return MaskedScatterBackward.forward(ctx, dgrad, ctx.mask, ctx.sizes)
