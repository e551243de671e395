"""Whole-function derivatives, like ``torch.autograd.functional``: ``jacobian``, ``vjp``
(v^T J, reverse mode), ``jvp`` (J v), and the second derivatives
``hessian``, ``hvp`` (H v) and ``vhp`` (v^T H), with torch's signatures.

>>> import autograd_tutor as at
>>> from autograd_tutor.autograd.functional import hessian, jacobian, jvp, vjp
>>> f = lambda x: x * x
>>> x = at.tensor([1.0, 2.0])
>>> jacobian(f, x)
tensor([[2., 0.],
        [0., 4.]])
>>> vjp(f, x, at.tensor([1.0, 1.0]))[1]
tensor([2., 4.])
>>> jvp(f, x, at.tensor([1.0, 0.0]))[1]
tensor([2., 0.])
>>> hessian(lambda x: (x**3).sum(), x)
tensor([[ 6.,  0.],
        [ 0., 12.]])

``jacobian`` runs one backward pass per output element (reverse mode) or one forward
pass per input element (``strategy="forward-mode"``). The second derivatives
differentiate a gradient recorded with ``create_graph=True``: ``hessian`` is the
Jacobian of the gradient, ``vhp`` one more backward pass through the gradient, and
``hvp`` torch's "double backward trick" (below). With ``create_graph=True`` the results
keep their graph to the inputs, so they can be differentiated again.
``vectorize=True`` (torch's vmap batching) is refused: the values are the same without.

The double backward trick computes J v with two backward passes: u -> u^T J is linear
in u, so differentiating it with respect to u (in direction v) gives J v. ``jvp`` uses it,
as torch does (forward mode with dual tensors gives the same numbers, but not always the
same sign of a zero, nor the same nan or inf where a value is not finite).
"""

import numpy as np

from ..creation import zeros_like
from ..tensor import Tensor, stack
from .engine import grad as _grad
from .grad_mode import enable_grad, is_grad_enabled, set_grad_enabled

__all__ = ["hessian", "hvp", "jacobian", "jvp", "vhp", "vjp"]


def _refuse_vectorize(vectorize):
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


def _grad_preprocess(inputs, create_graph, need_graph):
    """New tensor objects for the inputs, as torch makes them (so the function's own
    captured tensors stay apart): with create_graph, a view that keeps the graph back to
    an input that requires grad; otherwise a detached copy of the reference."""
    res = []
    for inp in inputs:
        if create_graph and inp.requires_grad:
            res.append(inp.view_as(inp))
        else:
            res.append(inp.detach().requires_grad_(need_graph))
    return tuple(res)


def _grad_postprocess(results, create_graph):
    """Without create_graph the results are detached: they carry no graph."""
    if create_graph:
        return results
    return tuple(None if r is None else r.detach() for r in results)


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


def _check_requires_grad(tensors, kind, strict):
    """strict=True: torch's errors when something does not depend on the inputs."""
    if not strict:
        return
    for i, t in enumerate(tensors):
        if t is None:
            raise RuntimeError(
                f"The output of the user-provided function is independent of input {i}."
                " This is not allowed in strict mode."
            )
        if t.requires_grad:
            continue
        if kind == "hessian":
            raise RuntimeError(
                f"The hessian of the user-provided function with respect to input {i} "
                "is independent of the input. This is not allowed in strict mode. You "
                "should ensure that your function is thrice differentiable and that the "
                "hessian depends on the inputs."
            )
        if kind == "jacobian":
            raise RuntimeError(
                "While computing the hessian, found that the jacobian of the "
                f"user-provided function with respect to input {i} is independent of "
                "the input. This is not allowed in strict mode. You should ensure that "
                "your function is twice differentiable and that the jacobian depends on "
                "the inputs (this would be violated by a linear function for example)."
            )
        if kind == "grad_inputs":
            raise RuntimeError(
                f"The gradient with respect to input {i} is independent of the inputs "
                "of the user-provided function. This is not allowed in strict mode."
            )
        raise RuntimeError(
            f"Output {i} of the user-provided function does not require gradients. The "
            "outputs must be computed in a differentiable manner from the input when "
            "running in strict mode."
        )


def _grads(outputs, inputs, grad_outputs=None, create_graph=False, retain_graph=None):
    """autograd.grad over the outputs that require grad; None for unused inputs."""
    grad_outputs = grad_outputs or (None,) * len(outputs)
    pairs = [
        (o, g)
        for o, g in zip(outputs, grad_outputs)
        if o is not None and o.requires_grad
    ]
    if not pairs:
        return (None,) * len(inputs)
    outs, gouts = zip(*pairs)
    return _grad(
        outs,
        inputs,
        gouts,
        retain_graph=retain_graph,
        create_graph=create_graph,
        allow_unused=True,
    )


_INDEPENDENT = {  # torch's strict-mode words for a missing gradient, by stage
    "back": "The output of the user-provided function is independent of input {i}. "
    "This is not allowed in strict mode.",
    "back_trick": "The gradient with respect to the input is independent of entry {i} "
    "in the grad_outputs when using the double backward trick to compute forward mode "
    "gradients. This is not allowed in strict mode.",
    "double_back": "The jacobian of the user-provided function is independent of input "
    "{i}. This is not allowed in strict mode.",
    "double_back_trick": "The hessian of the user-provided function is independent of "
    "entry {i} in the grad_jacobian. This is not allowed in strict mode as it prevents "
    "from using the double backward trick to replace forward mode AD.",
}


def _fill_in_zeros(grads, refs, strict, create_graph, stage):
    """A missing gradient (the result does not depend on that input) becomes zeros,
    or torch's error in strict mode."""
    res = []
    for i, g in enumerate(grads):
        if g is None:
            if strict:
                raise RuntimeError(_INDEPENDENT[stage].format(i=i))
            g = zeros_like(refs[i])
        elif strict and create_graph and not g.requires_grad:
            which = "hessian" if "double" in stage else "jacobian"
            raise RuntimeError(
                f"The {which} of the user-provided function is independent of input "
                f"{i}. This is not allowed in strict mode when create_graph=True."
            )
        res.append(g)
    return tuple(res)


def _prepare_v(v, inputs, is_inputs_tuple, create_graph, fn_name):
    """``v`` for a product with the inputs' shapes (None only for one scalar input)."""
    if v is not None:
        _, v = _as_tuple(v, "v", fn_name)
        v = _grad_preprocess(v, create_graph, need_graph=False)
        _validate_v(v, inputs, is_inputs_tuple)
        return v
    if len(inputs) != 1 or inputs[0].numel() != 1:
        raise RuntimeError(
            "The vector v can only be None if the input to the user-provided function "
            "is a single Tensor with a single element."
        )
    return None


def vjp(func, inputs, v=None, create_graph=False, strict=False):
    """``(func(*inputs), v^T J)``: the vector-Jacobian product, one backward pass.

    ``v`` has the outputs' shapes; it may be omitted when ``func`` returns one
    single-element tensor. The result has the inputs' shapes.
    """
    with enable_grad():
        is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", "vjp")
        inputs = _grad_preprocess(inputs, create_graph, need_graph=True)
        outputs = func(*inputs)
        is_outputs_tuple, outputs = _as_tuple(
            outputs, "outputs of the user-provided function", "vjp"
        )
        _check_requires_grad(outputs, "outputs", strict)
        if v is not None:
            _, v = _as_tuple(v, "v", "vjp")
            v = _grad_preprocess(v, create_graph, need_graph=False)
            _validate_v(v, outputs, is_outputs_tuple)
        elif len(outputs) != 1 or outputs[0].numel() != 1:
            raise RuntimeError(
                "The vector v can only be None if the user-provided function returns "
                "a single Tensor with a single element."
            )
    with set_grad_enabled(create_graph or is_grad_enabled()):
        grads = _grads(outputs, inputs, v, create_graph)
        result = _fill_in_zeros(grads, inputs, strict, create_graph, "back")
    outputs = _grad_postprocess(outputs, create_graph)
    result = _grad_postprocess(result, create_graph)
    return _unpack(outputs, is_outputs_tuple), _unpack(result, is_inputs_tuple)


def jvp(func, inputs, v=None, create_graph=False, strict=False):
    """``(func(*inputs), J v)``: the Jacobian-vector product, as torch computes it: with
    the double backward trick (two backward passes), not with dual tensors (so the
    values, down to the sign of a zero or a nan, are torch's: see
    ``_jvp_by_double_backward``).

    ``v`` has the inputs' shapes; it may be omitted when the input is one
    single-element tensor. The result has the outputs' shapes.
    """
    return _jvp_by_double_backward(func, inputs, v, create_graph, strict)


def _jvp_by_double_backward(func, inputs, v, create_graph, strict):
    """J v as torch computes it: g(u) = u^T J is linear in u, so the gradient of
    g(u) . v with respect to u is J v (whatever u is: zeros here)."""
    with enable_grad():
        is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", "jvp")
        inputs = _grad_preprocess(inputs, create_graph, need_graph=True)
        v = _prepare_v(v, inputs, is_inputs_tuple, create_graph, "jvp")
        outputs = func(*inputs)
        is_outputs_tuple, outputs = _as_tuple(
            outputs, "outputs of the user-provided function", "jvp"
        )
        _check_requires_grad(outputs, "outputs", strict)
        u = tuple(zeros_like(out, requires_grad=True) for out in outputs)
        grad_inputs = _grads(outputs, inputs, u, create_graph=True)  # u^T J
        _check_requires_grad(grad_inputs, "grad_inputs", strict)
    with set_grad_enabled(create_graph or is_grad_enabled()):
        grads = _grads(grad_inputs, u, v, create_graph)  # d(u^T J v)/du = J v
        result = _fill_in_zeros(grads, outputs, strict, create_graph, "back_trick")
    outputs = _grad_postprocess(outputs, create_graph)
    result = _grad_postprocess(result, create_graph)
    return _unpack(outputs, is_outputs_tuple), _unpack(result, is_outputs_tuple)


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
    tensors (torch needs ``vectorize=True`` for it; here it runs without). With
    ``create_graph=True`` (reverse mode) the rows are recorded gradients, stacked
    (``StackBackward0``): the Jacobian can be differentiated again.
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
        _refuse_vectorize(vectorize)
        if strict:
            raise RuntimeError(
                "torch.autograd.functional.jacobian: `strict=True` and "
                '`strategy="forward-mode"` are not supported together (yet). Please '
                'either set `strict=False` or `strategy="reverse-mode"`.'
            )
        return _jacfwd(func, inputs)
    with enable_grad():
        is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", "jacobian")
        inputs = _grad_preprocess(inputs, create_graph, need_graph=True)
        outputs = func(*inputs)
        is_outputs_tuple, outputs = _as_tuple(
            outputs, "outputs of the user-provided function", "jacobian"
        )
        if vectorize and strict:  # (torch's checks, in torch's order)
            raise RuntimeError(
                "torch.autograd.functional.jacobian: `strict=True` and "
                "`vectorized=True` are not supported together. Please either set "
                "`strict=False` or `vectorize=False`."
            )
        _refuse_vectorize(vectorize)
        _check_requires_grad(outputs, "outputs", strict)
        jac = []
        for i, out in enumerate(outputs):
            rows = [[] for _ in inputs]  # row j of d(out)/d(input k), for each k
            for j in range(out.numel()):
                grads = _grads(
                    (out.reshape(-1)[j],), inputs, None, create_graph, retain_graph=True
                )
                for k, (g, inp) in enumerate(zip(grads, inputs)):
                    if g is None:
                        if strict:
                            raise RuntimeError(
                                f"Output {i} of the user-provided function is "
                                f"independent of input {k}. This is not allowed in "
                                "strict mode."
                            )
                        g = zeros_like(inp)
                    elif strict and create_graph and not g.requires_grad:
                        raise RuntimeError(
                            "The jacobian of the user-provided function is independent "
                            f"of input {i}. This is not allowed in strict mode when "
                            "create_graph=True."
                        )
                    rows[k].append(g)
            jac.append(
                _grad_postprocess(
                    tuple(  # (no rows for an empty output: stack refuses, as torch's)
                        stack(r).view(out.shape + inp.shape)
                        for r, inp in zip(rows, inputs)
                    ),
                    create_graph,
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


def _unpack_both(jac, is_outputs_tuple, is_inputs_tuple):
    if not is_inputs_tuple:
        jac = [row[0] for row in jac]
    return tuple(jac) if is_outputs_tuple else jac[0]


def hessian(
    func,
    inputs,
    create_graph=False,
    strict=False,
    vectorize=False,
    outer_jacobian_strategy="reverse-mode",
):
    """The Hessian of a scalar function: the Jacobian of its gradient, where the
    gradient is recorded (``create_graph=True``) so that it can be differentiated.
    For one input of shape s, a tensor of shape ``s + s``; for a tuple of inputs, a
    tuple of tuples (block (i, j) holds d2f / dx_i dx_j), as torch's.

    ``outer_jacobian_strategy="forward-mode"`` differentiates the gradient in forward
    mode (forward over reverse).
    """
    is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", "hessian")
    if outer_jacobian_strategy not in ("forward-mode", "reverse-mode"):
        raise AssertionError(
            'Expected strategy to be either "forward-mode" or "reverse-mode".'
        )

    def single_output(*inp):
        out = func(*inp)
        is_out_tuple, t_out = _as_tuple(
            out, "outputs of the user-provided function", "hessian"
        )
        _check_requires_grad(t_out, "outputs", strict)
        if is_out_tuple or not isinstance(out, Tensor):
            raise RuntimeError(
                "The function given to hessian should return a single Tensor"
            )
        if out.numel() != 1:
            raise RuntimeError(
                "The Tensor returned by the function given to hessian should contain a "
                "single element"
            )
        return out.squeeze()

    def gradient(*inp):
        if outer_jacobian_strategy == "forward-mode":
            inp = tuple(t.requires_grad_(True) for t in inp)
        jac = jacobian(single_output, inp, create_graph=True)
        _check_requires_grad(jac, "jacobian", strict)
        return jac

    res = jacobian(
        gradient,
        inputs,
        create_graph=create_graph,
        strict=strict,
        vectorize=vectorize,
        strategy=outer_jacobian_strategy,
    )
    if not is_inputs_tuple:
        res = res[0][0]
    return res


def _scalar_output(func, inputs, strict, fn_name):
    outputs = func(*inputs)
    is_outputs_tuple, outputs = _as_tuple(
        outputs, "outputs of the user-provided function", fn_name
    )
    _check_requires_grad(outputs, "outputs", strict)
    if is_outputs_tuple or not isinstance(outputs[0], Tensor):
        raise RuntimeError(
            f"The function given to {fn_name} should return a single Tensor"
        )
    if outputs[0].numel() != 1:
        raise RuntimeError(
            f"The Tensor returned by the function given to {fn_name} should contain a "
            "single element"
        )
    return is_outputs_tuple, outputs


def _recorded_gradient(func, inputs, v, create_graph, strict, name):
    """The common start of ``vhp`` and ``hvp`` (called with grad mode on): inputs and
    ``v`` checked and prepared, ``func`` run, and its gradient computed with
    ``create_graph=True`` so that a second backward pass can go through it."""
    is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", name)
    inputs = _grad_preprocess(inputs, create_graph, need_graph=True)
    v = _prepare_v(v, inputs, is_inputs_tuple, create_graph, name)
    is_outputs_tuple, outputs = _scalar_output(func, inputs, strict, name)
    jac = _grads(outputs, inputs, create_graph=True)  # the gradient, recorded
    _check_requires_grad(jac, "jacobian", strict)
    return is_inputs_tuple, inputs, v, is_outputs_tuple, outputs, jac


def vhp(func, inputs, v=None, create_graph=False, strict=False):
    """``(func(*inputs), v^T H)``: the vector-Hessian product of a scalar function:
    the gradient, recorded, then one backward pass through it with ``v``.

    >>> import autograd_tutor as at
    >>> from autograd_tutor.autograd.functional import vhp
    >>> vhp(lambda x: (x**3).sum(), at.tensor([1.0, 2.0]), at.tensor([1.0, 1.0]))[1]
    tensor([ 6., 12.])
    """
    with enable_grad():
        is_inputs_tuple, inputs, v, is_outputs_tuple, outputs, jac = _recorded_gradient(
            func, inputs, v, create_graph, strict, "vhp"
        )
    with set_grad_enabled(create_graph or is_grad_enabled()):
        grads = _grads(jac, inputs, v, create_graph)
        result = _fill_in_zeros(grads, inputs, strict, create_graph, "double_back")
    outputs = _grad_postprocess(outputs, create_graph)
    result = _grad_postprocess(result, create_graph)
    return _unpack(outputs, is_outputs_tuple), _unpack(result, is_inputs_tuple)


def hvp(func, inputs, v=None, create_graph=False, strict=False):
    """``(func(*inputs), H v)``: the Hessian-vector product of a scalar function, with
    the double backward trick (as torch): u -> u^T H is linear in u, so its gradient
    with respect to u, in direction v, is H v. (H is symmetric for a twice continuously
    differentiable function, so H v = (v^T H)^T; ``vhp`` is cheaper.)

    >>> import autograd_tutor as at
    >>> from autograd_tutor.autograd.functional import hvp
    >>> hvp(lambda x: (x**3).sum(), at.tensor([1.0, 2.0]), at.tensor([1.0, 1.0]))[1]
    tensor([ 6., 12.])
    """
    with enable_grad():
        is_inputs_tuple, inputs, v, is_outputs_tuple, outputs, jac = _recorded_gradient(
            func, inputs, v, create_graph, strict, "hvp"
        )
        u = tuple(zeros_like(inp, requires_grad=True) for inp in inputs)
        double_back = _grads(jac, inputs, u, create_graph=True)  # u^T H
        _check_requires_grad(jac, "hessian", strict)
    with set_grad_enabled(create_graph or is_grad_enabled()):
        grads = _grads(double_back, u, v, create_graph)  # d(u^T H v)/du = H v
        result = _fill_in_zeros(
            grads, inputs, strict, create_graph, "double_back_trick"
        )
    outputs = _grad_postprocess(outputs, create_graph)
    result = _grad_postprocess(result, create_graph)
    return _unpack(outputs, is_outputs_tuple), _unpack(result, is_inputs_tuple)
