"""Whole-function derivatives, like ``torch.autograd.functional``: ``jacobian``, ``vjp``
(v^T J, reverse mode) and ``jvp`` (J v, forward mode), with torch's signatures.

>>> import autograd_tutor as at
>>> from autograd_tutor.autograd.functional import jacobian, jvp, vjp
>>> f = lambda x: x * x
>>> x = at.tensor([1.0, 2.0])
>>> jacobian(f, x)
tensor([[2., 0.],
        [0., 4.]])
>>> vjp(f, x, at.tensor([1.0, 1.0]))[1]
tensor([2., 4.])
>>> jvp(f, x, at.tensor([1.0, 0.0]))[1]
tensor([2., 0.])

``jacobian`` runs one backward pass per output element (reverse mode) or one forward
pass per input element (``strategy="forward-mode"``). Options that need what
autograd_tutor lacks are refused with a message: ``create_graph=True`` (higher-order
gradients) and ``vectorize=True`` (torch's vmap batching; the values are the same
without it). ``hessian``, ``hvp`` and ``vhp`` need ``create_graph`` and are not here.
"""

import numpy as np

from . import forward_ad as fwAD
from .engine import grad as _grad
from .grad_mode import enable_grad

__all__ = ["jacobian", "jvp", "vjp"]


def _refuse(create_graph, vectorize=False):
    if create_graph:
        raise NotImplementedError(
            "create_graph=True (higher-order gradients) is not supported by "
            "autograd_tutor; with create_graph=False the values are the same, without "
            "a graph"
        )
    if vectorize:
        raise NotImplementedError(
            "vectorize=True batches the passes with torch's vmap, which autograd_tutor "
            "does not have; vectorize=False computes the same values, one pass per "
            "row (reverse mode) or column (forward mode)"
        )


def _as_tuple(inp, arg_name, fn_name):
    """torch's check: a Tensor or a tuple of Tensors. Returns (was it a tuple, tuple)."""
    is_tuple = isinstance(inp, tuple)
    items = inp if is_tuple else (inp,)
    for i, el in enumerate(items):
        if not isinstance(el, Tensor):
            where = f"value at index {i}" if is_tuple else f"given {arg_name}"
            raise TypeError(
                f"The {arg_name} given to {fn_name} must be either a Tensor or a tuple "
                f"of Tensors but the {where} has type {type(el)}."
            )
    return is_tuple, items


def _unpack(res, is_tuple):
    return res if is_tuple else res[0]


def _validate_v(v, other, is_other_tuple):
    if len(other) != len(v):
        if is_other_tuple:
            raise RuntimeError(
                f"v is a tuple of invalid length: should be {len(other)} but got "
                f"{len(v)}."
            )
        raise RuntimeError("The given v should contain a single Tensor.")
    for idx, (el_v, el_other) in enumerate(zip(v, other)):
        if el_v.shape != el_other.shape:
            prepend = f"Entry {idx} in " if is_other_tuple else ""
            raise RuntimeError(
                f"{prepend}v has invalid size: should be {el_other.shape} but got "
                f"{el_v.shape}."
            )


def _check_outputs(outputs, strict):
    if strict:
        for i, out in enumerate(outputs):
            if not out.requires_grad:
                raise RuntimeError(
                    f"Output {i} of the user-provided function does not require "
                    "gradients. The outputs must be computed in a differentiable manner "
                    "from the input when running in strict mode."
                )


def _grads(outputs, inputs, grad_outputs=None, retain_graph=None):
    """autograd.grad over the outputs that require grad; None for unused inputs."""
    grad_outputs = grad_outputs or (None,) * len(outputs)
    pairs = [(o, g) for o, g in zip(outputs, grad_outputs) if o.requires_grad]
    if not pairs:
        return (None,) * len(inputs)
    outs, gouts = zip(*pairs)
    return _grad(outs, inputs, gouts, retain_graph=retain_graph, allow_unused=True)


def _fresh_inputs(inputs):
    # new tensor objects, as torch: the function's own captured tensors stay apart
    return tuple(t.detach().requires_grad_(t.dtype.is_floating_point) for t in inputs)


def vjp(func, inputs, v=None, create_graph=False, strict=False):
    """``(func(*inputs), v^T J)``: the vector-Jacobian product, one backward pass.

    ``v`` has the outputs' shapes; it may be omitted when ``func`` returns one
    single-element tensor. The result has the inputs' shapes.
    """
    _refuse(create_graph)
    with enable_grad():
        is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", "vjp")
        inputs = _fresh_inputs(inputs)
        outputs = func(*inputs)
        is_outputs_tuple, outputs = _as_tuple(
            outputs, "outputs of the user-provided function", "vjp"
        )
        _check_outputs(outputs, strict)
        if v is not None:
            _, v = _as_tuple(v, "v", "vjp")
            v = tuple(t.detach() for t in v)
            _validate_v(v, outputs, is_outputs_tuple)
        elif len(outputs) != 1 or outputs[0].numel() != 1:
            raise RuntimeError(
                "The vector v can only be None if the user-provided function returns "
                "a single Tensor with a single element."
            )
    grads = _grads(outputs, inputs, v)
    result = []
    for i, (g, inp) in enumerate(zip(grads, inputs)):
        if g is None:
            if strict:
                raise RuntimeError(
                    "The output of the user-provided function is independent of input "
                    f"{i}. This is not allowed in strict mode."
                )
            g = zeros_like(inp)
        result.append(g)
    outputs = tuple(o.detach() for o in outputs)
    return _unpack(outputs, is_outputs_tuple), _unpack(tuple(result), is_inputs_tuple)


def jvp(func, inputs, v=None, create_graph=False, strict=False):
    """``(func(*inputs), J v)``: the Jacobian-vector product, in one forward pass with
    dual tensors (``forward_ad``).

    ``v`` has the inputs' shapes; it may be omitted when the input is one
    single-element tensor. The result has the outputs' shapes. (torch computes the same
    values with two backward passes, the "double backward trick", which is why its
    ``strict`` checks are about that trick; they are refused here.)
    """
    _refuse(create_graph)
    if strict:
        raise NotImplementedError(
            "strict=True checks the graphs of torch's double backward trick; "
            "autograd_tutor computes jvp in forward mode, so use strict=False (an "
            "output that does not depend on the inputs gets a zero jvp)"
        )
    is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", "jvp")
    if v is not None:
        _, v = _as_tuple(v, "v", "jvp")
        v = tuple(t.detach() for t in v)
        _validate_v(v, inputs, is_inputs_tuple)
    elif len(inputs) != 1 or inputs[0].numel() != 1:
        raise RuntimeError(
            "The vector v can only be None if the input to the user-provided function "
            "is a single Tensor with a single element."
        )
    else:
        v = (ones_like(inputs[0]),)
    if fwAD._levels:  # already inside a dual level (levels do not nest): use J
        return _jvp_by_jacobian(func, inputs, v)
    with fwAD.dual_level(), enable_grad():
        duals = tuple(
            fwAD.make_dual(t.detach(), d) for t, d in zip(_fresh_inputs(inputs), v)
        )
        outputs = func(*duals)
        is_outputs_tuple, outputs = _as_tuple(
            outputs, "outputs of the user-provided function", "jvp"
        )
        result = []
        for out in outputs:
            tangent = fwAD.unpack_dual(out).tangent
            result.append(zeros_like(out) if tangent is None else tangent)
        outputs = tuple(o.detach() for o in outputs)
    return _unpack(outputs, is_outputs_tuple), _unpack(tuple(result), is_outputs_tuple)


def _jvp_by_jacobian(func, inputs, v):
    """J v from the rows of J, for a jvp asked for inside a dual level."""
    with enable_grad():
        outputs = func(*_fresh_inputs(inputs))
    is_outputs_tuple, outputs = _as_tuple(
        outputs, "outputs of the user-provided function", "jvp"
    )
    jac = jacobian(func, inputs)  # inputs is a tuple here: rows are tuples
    jac = jac if is_outputs_tuple else (jac,)
    result = []
    for out, row in zip(outputs, jac):
        total = np.zeros(out.shape, dtype=out._data.dtype)
        for j, d in zip(row, v):
            total += (j._data.reshape(out.numel(), -1) @ d._data.reshape(-1)).reshape(
                out.shape
            )
        result.append(Tensor._make(total))
    outputs = tuple(o.detach() for o in outputs)
    return _unpack(outputs, is_outputs_tuple), _unpack(tuple(result), is_outputs_tuple)


def jacobian(
    func,
    inputs,
    create_graph=False,
    strict=False,
    vectorize=False,
    strategy="reverse-mode",
):
    """The Jacobian of ``func`` at ``inputs``: for one input and one output, a tensor of
    shape ``output.shape + input.shape``; tuples of them for tuples, as torch's.

    ``strategy="reverse-mode"`` (torch's default) runs one backward pass per output
    element; ``"forward-mode"`` one forward pass per input element, with dual
    tensors (torch needs ``vectorize=True`` for it; here it runs without).
    """
    if strategy not in ("forward-mode", "reverse-mode"):
        raise AssertionError(
            'Expected strategy to be either "forward-mode" or "reverse-mode". Hint: '
            'If your function has more outputs than inputs, "forward-mode" tends to '
            'be more performant. Otherwise, prefer to use "reverse-mode".'
        )
    if strategy == "forward-mode":
        if create_graph:
            raise NotImplementedError(
                "torch.autograd.functional.jacobian: `create_graph=True` and "
                '`strategy="forward-mode"` are not supported together (yet). Please '
                'either set `create_graph=False` or `strategy="reverse-mode"`.'
            )
        _refuse(False, vectorize)
        if strict:
            raise RuntimeError(
                "torch.autograd.functional.jacobian: `strict=True` and "
                '`strategy="forward-mode"` are not supported together (yet). Please '
                'either set `strict=False` or `strategy="reverse-mode"`.'
            )
        return _jacfwd(func, inputs)
    _refuse(create_graph, vectorize)
    with enable_grad():
        is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", "jacobian")
        inputs = _fresh_inputs(inputs)
        outputs = func(*inputs)
        is_outputs_tuple, outputs = _as_tuple(
            outputs, "outputs of the user-provided function", "jacobian"
        )
        _check_outputs(outputs, strict)
    jac = []
    for i, out in enumerate(outputs):
        rows = [[] for _ in inputs]  # row j of d(out)/d(input k), for each k
        flat = out.reshape(-1)
        for j in range(out.numel()):
            grads = _grads((flat[j],), inputs, retain_graph=True)
            for k, (g, inp) in enumerate(zip(grads, inputs)):
                if g is None:
                    if strict:
                        raise RuntimeError(
                            f"Output {i} of the user-provided function is independent "
                            f"of input {k}. This is not allowed in strict mode."
                        )
                    rows[k].append(np.zeros_like(inp._data))
                else:
                    rows[k].append(g._data)
        jac.append(
            tuple(
                _stack(r, out.shape + inp.shape, inp._data.dtype)
                for r, inp in zip(rows, inputs)
            )
        )
    return _unpack_both(jac, is_outputs_tuple, is_inputs_tuple)


def _jacfwd(func, inputs):
    """The Jacobian column by column: one forward pass (a jvp) per input element."""
    is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", "jacobian")
    primals = tuple(t.detach() for t in inputs)
    is_outputs_tuple, outputs = _as_tuple(
        func(*primals), "outputs of the user-provided function", "jacobian"
    )
    jac = [
        [np.zeros(o.shape + p.shape, dtype=o._data.dtype) for p in primals]
        for o in outputs
    ]
    for k, p in enumerate(primals):
        for e in range(p.numel()):
            basis = tuple(zeros_like(q) for q in primals)
            basis[k]._data.reshape(-1)[e] = 1  # the direction of input k's element e
            _, jv = jvp(func, primals, basis)
            for i, t in enumerate(jv if is_outputs_tuple else (jv,)):
                column = jac[i][k].reshape(outputs[i].numel(), p.numel())
                column[:, e] = t._data.reshape(-1)
    jac = [tuple(Tensor._make(block) for block in row) for row in jac]
    return _unpack_both(jac, is_outputs_tuple, is_inputs_tuple)


def _stack(rows, shape, dtype):
    if not rows:
        return Tensor._make(np.zeros(shape, dtype=dtype))
    return Tensor._make(np.stack(rows).reshape(shape))


def _unpack_both(jac, is_outputs_tuple, is_inputs_tuple):
    if not is_inputs_tuple:
        jac = [row[0] for row in jac]
    return tuple(jac) if is_outputs_tuple else jac[0]


from ..creation import ones_like, zeros_like  # noqa: E402
from ..tensor import Tensor  # noqa: E402  (tensor.py imports the engine)
