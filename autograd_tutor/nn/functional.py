"""``at.nn.functional``: the layers' maths as plain functions, like ``torch.nn.functional``.

Two new built-in ops live here, registered in ``functions.REGISTRY`` with torch's node
names: ``Addmm`` (``bias + input @ weight.t()``, what ``Linear`` records on a batch) and
``MseLoss`` (``MseLossBackward0``). The other functions reuse the engine's ops.
"""

import warnings

import numpy as np

from .._checks import broadcast_error
from .._dtype import result_type, title
from ..autograd import forward_ad
from ..autograd.function import Op
from ..autograd.zero_tangent import ZeroTangent
from ..functions import (
    DivScalar,
    MulScalar,
    array_of,
    matprod,
    mm_mat1_backward,
    mm_mat2_backward,
    register,
    strides,
)
from ..tensor import Size, Tensor, matmul

__all__ = ["linear", "mse_loss", "relu", "sigmoid", "tanh"]

# torch's reduction enum, shown as grad_fn._saved_reduction
_REDUCTIONS = {"none": 0, "mean": 1, "sum": 2}
_DTYPE_WORD = {"float32": "Float", "float64": "Double"}
ZERO_TENSOR_IMMUTABLE = (
    "ZeroTensors are immutable. Please use the materialized zero tensor obtained using "
    ".clone() if you want a mutable tensor."
)


@register
class Addmm(Op):
    """out = beta * bias + alpha * (mat1 @ mat2).
    d/dbias = beta,  d/dmat1 = alpha * grad @ mat2.T,  d/dmat2 = alpha * mat1.T @ grad."""

    node_name = "AddmmBackward0"
    broadcasts = True  # the engine sums gradients back to broadcast inputs
    saved_names = ("mat1", "mat2")
    attr_names = (
        "alpha",
        "beta",
        "mat1_sym_sizes",
        "mat1_sym_strides",
        "mat2_sym_sizes",
        "mat2_sym_strides",
    )

    @staticmethod
    def forward(ctx, bias, mat1, mat2, alpha=1, beta=1):
        ctx.alpha, ctx.beta = alpha, beta
        need = ctx.needs_input_grad
        ctx.mat1_sym_sizes, ctx.mat1_sym_strides = mat1.shape, strides(mat1, need[1])
        ctx.mat2_sym_sizes, ctx.mat2_sym_strides = mat2.shape, strides(mat2, need[2])
        # like torch, keep mat1 only for mat2's gradient and vice versa
        ctx.save_for_backward(mat1 if need[2] else None, mat2 if need[1] else None)
        if mat1.shape[1] == 0:  # no products at all: torch returns beta * bias as is
            return np.array(
                np.broadcast_to(
                    bias if beta == 1 else beta * bias, (mat1.shape[0], mat2.shape[1])
                ),
                order="C",  # a new row-major result, as any other
            )
        out = matprod(mat1, mat2)
        if alpha != 1:
            out *= alpha
        if beta == 1:
            out += bias
        elif beta != 0:
            out += beta * bias
        return out

    @staticmethod
    def backward(ctx, grad):
        mat1, mat2 = ctx.saved_tensors
        need = ctx.needs_input_grad
        g_mat1 = g_mat2 = None  # (torch records mat1's, mat2's, then the bias's)
        if need[1]:
            sizes, strides = ctx.mat1_sym_sizes, ctx.mat1_sym_strides
            g_mat1 = _times(mm_mat1_backward(grad, mat2, sizes, strides), ctx.alpha)
        if need[2]:
            sizes, strides = ctx.mat2_sym_sizes, ctx.mat2_sym_strides
            g_mat2 = _times(mm_mat2_backward(grad, mat1, sizes, strides), ctx.alpha)
        return (_times(grad, ctx.beta) if need[0] else None), g_mat1, g_mat2

    @staticmethod
    def jvp(ctx, out, bias, mat1, mat2, dbias, dmat1, dmat2):
        """dout = beta * dbias + alpha * (dmat1 @ mat2 + mat1 @ dmat2)."""
        return ctx.beta * dbias + ctx.alpha * (dmat1 @ mat2 + mat1 @ dmat2)


def _times(grad, c):
    """torch's ``maybe_multiply``: ``grad * c``, or ``grad`` itself when c is 1."""
    return grad if c == 1 else MulScalar.call(grad, other=c)


@register
class MseLoss(Op):
    """loss = reduce((input - target) ** 2).   d/dinput = 2 (input - target) [/ N for
    mean],  d/dtarget = 2 (target - input) [/ N] (torch computes it so, not as minus
    d/dinput: an exact fit gives +0., not -0.)."""

    node_name = "MseLossBackward0"
    broadcasts = True  # the engine sums gradients back to broadcast inputs
    saved_names = ("self", "target")
    attr_names = ("reduction",)

    @staticmethod
    def forward(ctx, input, target, reduction=1):
        ctx.reduction = reduction
        ctx.save_for_backward(input, target)
        diff = input - target
        sq = diff * diff
        if reduction == 0:
            return sq
        if reduction == 1:
            loss = np.add.reduce(sq, axis=None) / sq.size  # empty: nan, silently
        else:
            loss = sq.sum()
        if sq.size == 0:
            return np.asarray(loss)
        # torch writes the loss into the memory of the squared differences: its 0-d
        # result lives in memory of N numbers (make_dual's layout rule sees it)
        out = sq.reshape(-1)[:1].reshape(())
        out[...] = loss
        return out

    @staticmethod
    def backward(ctx, grad):
        if getattr(ctx, "zero_tangent_level", None) is not None:
            if ctx.zero_tangent_level == forward_ad.current_level():
                raise RuntimeError(ZERO_TENSOR_IMMUTABLE)  # (see jvp)
        input, target = ctx.saved_tensors
        need, r = ctx.needs_input_grad, ctx.reduction
        return (  # the same rule for the target, with the roles swapped (as torch)
            _mse_backward(grad, input, target, r) if need[0] else None,
            _mse_backward(grad, target, input, r) if need[1] else None,
        )

    @staticmethod
    def jvp(ctx, loss, input, target, dinput, dtarget):
        """dloss = reduce(2 (input - target) dinput + 2 (target - input) dtarget), each
        term by backward's kernel (torch's formula), which fills in a zero tangent."""
        if ctx.reduction == 1 and (
            isinstance(dinput, ZeroTangent) != isinstance(dtarget, ZeroTangent)
        ):  # torch's backward, in this level, reads the saved dual tensors and pushes
            # their tangents through mse_loss_backward, whose JVP divides the zero
            # tangent in place: a zero tensor refuses that (torch's own limitation)
            ctx.zero_tangent_level = forward_ad.current_level()
        d = _mse_grad(dinput, input, target) + _mse_grad(dtarget, target, input)
        if ctx.reduction == 1:  # (an empty mean is nan, silently)
            return np.add.reduce(d, axis=None) / d.size
        return np.add.reduce(d, axis=None) if ctx.reduction == 2 else d


def _mse_backward(grad, input, target, reduction):
    """torch's ``mse_loss_backward``: its result is in ``input``'s own dtype (the
    kernel writes it so), so a recorded gradient of a target of another dtype needs
    no cast node (no ToCopyBackward0, as in torch)."""
    dtype = array_of(input).dtype
    return MseLossBackward.call(grad, input, target, reduction=reduction, dtype=dtype)


def _mse_grad(grad, input, target):
    """torch's ``mse_loss_backward(grad, input, target, reduction=None)`` kernel:
    ``2 (input - target) grad``, on a filled-in grad (a kernel, not a product)."""
    return 2 * (input - target) * np.asarray(grad)


@register
class MseLossBackward(Op):
    """g = 2 (input - target) grad [/ N for mean]: mse_loss's backward as an op, so that
    a recorded gradient of the loss can be differentiated again.
    dg/dgrad = 2 (input - target) [/ N],  dg/dinput = 2 grad [/ N] = -dg/dtarget."""

    node_name = "MseLossBackwardBackward0"
    broadcasts = True
    saved_names = ("grad_output", "self", "target")
    attr_names = ("reduction",)

    @staticmethod
    def forward(ctx, grad, input, target, reduction=1, dtype=None):
        ctx.reduction = reduction
        ctx.save_for_backward(grad, input, target)
        # chain rule: d(diff**2)/d(diff) = 2 diff, and d(mean)/d(each element) = 1/N
        n = np.size(input)
        scale = (2.0 / n if n else float("nan")) if reduction == 1 else 2.0
        g = (input - target) * (grad * scale)
        return g if dtype is None else g.astype(dtype, copy=False)

    @staticmethod
    def backward(ctx, gg):
        grad, input, target = ctx.saved_tensors
        need, r = ctx.needs_input_grad, ctx.reduction
        g_grad = g_input = g_target = None  # (torch: input's, target's, then grad's)
        if need[1] or need[2]:
            twice = MulScalar.call(gg * grad, other=2)
            if r == 1:
                twice = DivScalar.call(twice, other=np.size(array_of(input)))
            g_input = twice if need[1] else None
            g_target = -twice if need[2] else None
        if need[0]:  # the loss's own rule, applied to gg (then summed: grad is 0-d)
            g_grad = _mse_backward(gg, input, target, r)
            g_grad = g_grad if r == 0 else g_grad.sum()
        return g_grad, g_input, g_target

    @staticmethod
    def jvp(ctx, g, grad, input, target, dgrad, dinput, dtarget):
        """dg = 2 [(input - target) dgrad + grad (dinput - dtarget)] [/ N]."""
        n = np.size(input)
        scale = (2.0 / n if n else float("nan")) if ctx.reduction == 1 else 2.0
        return ((input - target) * dgrad + grad * (dinput - dtarget)) * scale


def _check_addmm(bias, input, weight):
    """torch's addmm checks, in its order: the bias's dtype against the weight's, the
    input's against the weight's, then the shapes."""
    for first, name in ((bias, "self"), (input, "mat1")):
        if first._data.dtype != weight._data.dtype:
            a, b = first.dtype.name, weight.dtype.name
            raise RuntimeError(
                f"{name} and mat2 must have the same dtype, but got "
                f"{_DTYPE_WORD.get(a, a)} and {_DTYPE_WORD.get(b, b)}"
            )
    shape = input._data.shape
    if shape[-1] != weight._data.shape[1]:
        rows = int(np.prod(shape[:-1])) if input.ndim > 1 else 1
        out_f, in_f = weight._data.shape
        raise RuntimeError(
            f"mat1 and mat2 shapes cannot be multiplied ({rows}x{shape[-1]} and "
            f"{in_f}x{out_f})"
        )


def linear(input, weight, bias=None):
    """``input @ weight.t() + bias``: what a ``Linear`` layer computes.

    The nodes recorded are torch's: a batch (2-D input) with a bias is one fused
    ``AddmmBackward0`` whose inputs are ``(bias, input, weight.t())``; without a bias it
    is ``MmBackward0``. Other contiguous shapes are folded to 2-D and back
    (``ViewBackward0``). An input that cannot be folded (not contiguous) goes through
    ``matmul``, and the bias is then added in place (``AddBackward0``; the result's
    ``_version`` is 1), as torch does.

    Args:
        input: ``(*, in_features)``.
        weight: ``(out_features, in_features)``.
        bias: ``(out_features,)`` or None.

    Returns:
        ``(*, out_features)``.

    Example:
        >>> import autograd_tutor as at
        >>> import autograd_tutor.nn.functional as F
        >>> w = at.tensor([[1.0, 2.0]], requires_grad=True)
        >>> b = at.tensor([0.5], requires_grad=True)
        >>> y = F.linear(at.tensor([[3.0, 4.0]]), w, b)
        >>> y
        tensor([[11.5000]], grad_fn=<AddmmBackward0>)
        >>> [fn.name() if fn else None for fn, _ in y.grad_fn.next_functions]
        ['torch::autograd::AccumulateGrad', None, 'TBackward0']
    """
    if input.ndim == 0:
        raise RuntimeError(
            "both arguments to linear need to be at least 1D, but they are 0D and "
            f"{weight.ndim}D"
        )
    if bias is not None:
        if input.ndim == 2:
            _check_addmm(bias, input, weight)
            return Addmm.apply(bias, input, weight.t())
        if bias.ndim == 1 and input._data.flags.c_contiguous:
            # torch's _flatten_nd_linear: fold the leading dimensions into rows
            _check_addmm(bias, input, weight)
            out_shape = input._data.shape[:-1] + (weight._data.shape[0],)
            n = int(np.prod(input._data.shape[:-1]))  # explicit: -1 is ambiguous if 0
            rows = input.reshape(n, input._data.shape[-1])
            return Addmm.apply(bias, rows, weight.t()).view(out_shape)
    out = matmul(input, weight.t())
    if bias is not None:
        out.add_(bias)
    return out


def relu(input):
    """``max(input, 0)`` element-wise (``ReluBackward0``).

    Example:
        >>> import autograd_tutor as at
        >>> at.nn.functional.relu(at.tensor([-1.0, 2.0]))
        tensor([0., 2.])
    """
    return input.relu()


def tanh(input):
    """Hyperbolic tangent element-wise (``TanhBackward0``).

    Example:
        >>> import autograd_tutor as at
        >>> at.nn.functional.tanh(at.tensor([0.0]))
        tensor([0.])
    """
    return input.tanh()


def sigmoid(input):
    """``1 / (1 + exp(-input))`` element-wise (``SigmoidBackward0``).

    Example:
        >>> import autograd_tutor as at
        >>> at.nn.functional.sigmoid(at.tensor([0.0]))
        tensor([0.5000])
    """
    return input.sigmoid()


def mse_loss(input, target, reduction="mean"):
    """Mean squared error: ``((input - target) ** 2).mean()``, one ``MseLossBackward0``.

    Args:
        input: predictions.
        target: the values they should have had (same shape; a different shape is
            broadcast with torch's warning, since that is usually a bug).
        reduction: ``'mean'`` (default), ``'sum'`` (the blog network's loss) or
            ``'none'`` (one squared error per element).

    Example:
        >>> import autograd_tutor as at
        >>> pred = at.tensor([1.0, 2.0], requires_grad=True)
        >>> loss = at.nn.functional.mse_loss(pred, at.tensor([0.0, 0.0]))
        >>> loss
        tensor(2.5000, grad_fn=<MseLossBackward0>)
        >>> loss.backward(); pred.grad
        tensor([1., 2.])
    """
    try:
        enum = _REDUCTIONS[reduction]
    except (KeyError, TypeError):
        raise ValueError(f"{reduction} is not a valid value for reduction") from None
    if not isinstance(target, Tensor):
        raise TypeError(
            f"mse_loss(): argument 'target' (position 2) must be Tensor, not "
            f"{type(target).__name__}"
        )
    a, b = input._data.shape, target._data.shape
    if a != b:
        warnings.warn(
            f"Using a target size ({Size(b)!r}) that is different to the input size "
            f"({Size(a)!r}). This will likely lead to incorrect results due to "
            "broadcasting. Please ensure they have the same size.",
            UserWarning,
            stacklevel=2,
        )
        try:
            shape = np.broadcast_shapes(a, b)
        except ValueError:
            raise broadcast_error(a, b) from None
        # torch.broadcast_tensors: only the operand whose shape changes is expanded
        if a != shape:
            input = input.expand(shape)
        if b != shape:
            target = target.expand(shape)
    if forward_ad.tangents and (
        forward_ad.tangent_of(input) is not None
        or forward_ad.tangent_of(target) is not None
    ):  # torch's JVP runs the backward kernel on each tangent, whose result is in
        for t in (input, target):  # that operand's dtype: not an integer or bool one
            if t._data.dtype.kind != "f":
                common = result_type(input._data, target._data)
                raise RuntimeError(
                    f"result type {title(common)} can't be cast to the desired output "
                    f"type {title(t._data.dtype)}"
                )
    return MseLoss.apply(input, target, reduction=enum)
