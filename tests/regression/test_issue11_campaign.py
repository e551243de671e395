"""Issue 11, the classes the long fuzz campaigns (``scripts/fuzz.py``) still found after
the first round of fixes, each as the few-line program that shows it, run in lock step on
torch 2.13 and autograd_tutor (see ``lockstep.observe``).

A case returns what to compare: tensors (values, dtype, flags, ``grad_fn`` name), numbers
such as a tensor's ``_version``, or lists of what hooks received.
"""

import pytest

import autograd_tutor as at

from .lockstep import assert_same

# ----------------------------------------------------------------------------------------
# Wrong gradients


def grad_hook_on_view_changed_in_place(L):
    # seed 2005835: the view's grad_fn is derived again (AsStridedBackward0) when the
    # hook is registered, so the hook must go on that node, not the one before
    x = L.zeros(2, requires_grad=True)
    v = (x * 1).t()
    v.mul_(1.9)
    seen = []
    v.register_hook(lambda g: seen.append(g + 0))
    v.sum().backward()
    return seen, x.grad


def grad_retain_grad_on_view_changed_in_place(L):
    x = L.ones(2, requires_grad=True)
    v = (x * 1)[0:1]
    v.mul_(2)
    v.retain_grad()
    (v * 3).sum().backward()
    return v.grad, x.grad


def msg_second_backward_through_index_put(L):
    # seeds 5014644, 5036545: IndexPutBackward0 saves its indices, so backward frees
    # them and a second backward through it is torch's "second time" error
    x = L.zeros(3)
    v = L.tensor([1.0, 2.0], requires_grad=True)
    x[L.tensor([0, 2])] = v
    x.sum().backward()
    first = v.grad.clone()
    try:
        x.sum().backward()
    except RuntimeError as e:
        return first, str(e)
    return first, v.grad


def ok_hook_on_view_of_base_that_requires_grad_later(L):
    base = L.zeros(3)
    v = base[0:2]
    base.requires_grad_()
    v.register_hook(lambda g: g)
    v.retain_grad()
    return v.requires_grad, v.is_leaf, v.grad_fn


def grad_backward_to_a_non_leaf_input_computes_nothing_below_it(L):
    # seed 5022219: backward(inputs=[y]) runs y's node (PowBackward1) but, as torch's
    # task_should_compute_output, computes no gradient for an edge that leads to no
    # input: no b - 1 of the bool exponent (which a full backward refuses)
    x = L.tensor([[-1.4], [1.1]], dtype=L.float64, requires_grad=True)
    e = L.tensor([[False], [True]])
    y = x.pow(e)
    s = y.sum()
    s.backward(retain_graph=True, inputs=[s, y])
    refused = _error(lambda: y.sum().backward(retain_graph=True))
    y2 = x.pow(e)
    y2.sum().backward(inputs=[y2])  # the node ran: its saved values are freed
    return y.grad, x.grad, refused, y2.grad, _error(lambda: y2.sum().backward())


# ----------------------------------------------------------------------------------------
# Forward values


def fwd_number_to_the_power_of_an_integer_tensor(L):
    # seeds 5020119, 5034659: a Python int base does not widen the exponent's integer
    # dtype (1 ** int32 is int32); with a bool exponent it is int64, a float base float32
    i = L.tensor([0, 1, 3], dtype=L.int32)
    b = L.tensor([True, False])
    return 1**i, -(2**i), 2**b, 2.0**i, 3 ** L.tensor([1, 2])


def fwd_integers_to_negative_integer_powers(L):
    # seed 4200810: torch's integer pow gives 1 for 1, +-1 for -1 and 0 for any other
    # base to a negative power, the most negative exponent too (whose abs overflows)
    b = L.tensor([[False, True, False, True]])
    e = L.tensor([[1, -2147483648, -1, 0]], dtype=L.int32)
    i = L.tensor([0, 1, -1, -1, 2, -2])
    n = L.tensor([-1, -3, -2147483648, -9223372036854775808, -1, -9223372036854775807])
    return b.pow(e), b**e, i**n, L.tensor([0, 1, -1, 2], dtype=L.int32) ** e


def fwd_pow_with_a_number_first(L):
    # torch.pow(2, x) is 2 ** x (its (Number self, Tensor exponent) overload)
    x = L.tensor([1.0, 2.0], requires_grad=True)
    y = L.pow(2, x)
    y.sum().backward()
    try:
        L.pow(2, 3)
    except TypeError as e:
        refused = str(e)
    return y, x.grad, L.pow(2.5, L.tensor([1, 2])), L.pow(True, L.tensor([1])), refused


# ----------------------------------------------------------------------------------------
# Names


def name_linear_without_in_features_gives_a_row_major_result(L):
    # seed 2004331: with no products (in_features 0) addmm's result is the bias,
    # broadcast into a new row-major tensor: flatten() is a view of it
    w = L.zeros(2, 0, requires_grad=True)
    b = L.tensor([-1.0, -0.5], requires_grad=True)
    y = L.nn.functional.linear(L.zeros(3, 0), w, b)
    return y, y.flatten(), y.flatten().grad_fn.next_functions[0][0]


def name_view_of_a_base_detached_in_place(L):
    # seeds 2005092, 2009413: the view is derived again after its base changed, and
    # the base no longer requires grad (detach_()): AsStridedBackward0 leads nowhere
    x = L.tensor(1.5, requires_grad=True)
    v = x.expand(2)
    with L.no_grad():
        x.mul_(2)
    x.detach_()
    return v, v.grad_fn.next_functions


# ----------------------------------------------------------------------------------------
# Messages


def _error(f):
    """The message of what ``f()`` raises, torch's module name read as at's."""
    try:
        f()
    except RuntimeError as e:
        return str(e).replace("torch.", "at.")
    return None


def _changed_inputs(L, op, n):
    """``op`` on ``n`` inputs of distinct shapes, all changed in place afterwards: the
    version error names the saved input torch checks first."""
    ins = [L.full([1] * i + [2, 3], 2.0 + i, requires_grad=True) * 1 for i in range(n)]
    out = op(*ins)
    for t in ins:
        t.mul_(1)
    return _error(lambda: out.sum().backward())


def msg_version_check_order_binary(L):
    # seeds 200462, 2009344, 2006584, 2008140: torch's nodes check their saved inputs
    # sorted by name (mul: other, self; pow: exponent, self; clamp: max, min, self)
    return [
        _changed_inputs(L, lambda a, b: a * b, 2),
        _changed_inputs(L, lambda a, b: a / b, 2),
        _changed_inputs(L, lambda a, b: a**b, 2),
        _changed_inputs(L, lambda a, b, c: a.clamp(b, c), 3),
        _changed_inputs(L, lambda a, b: a.clamp(min=b), 2),
        _changed_inputs(L, lambda a, b: a @ b.mT, 2),
    ]


def msg_version_check_order_inputs_before_result(L):
    x = L.ones(2, 3, requires_grad=True) * 1
    e = L.ones(1, 2, 3, requires_grad=True) * 1
    y = x**e
    x.mul_(1)
    y.mul_(1)  # the saved result is checked after the inputs
    first = _error(lambda: y.sum().backward())
    e.mul_(1)
    return first, _error(lambda: y.sum().backward())


def grad_version_check_order_create_graph(L):
    # the records in torch's order still match their saved values in a recorded
    # backward (create_graph=True): a float64 input cast for a float32 one
    a = L.tensor([1.0, 2.0], requires_grad=True)
    b = L.tensor([3.0, 4.0], dtype=L.float64, requires_grad=True)
    (ga, gb) = L.autograd.grad((a * b).sum(), (a, b), create_graph=True)
    (gga,) = L.autograd.grad((ga * gb).sum(), (a,), allow_unused=True)
    return ga, gb, gga


def msg_inplace_shapes_before_dtypes(L):
    # seed 2000880: torch's TensorIterator checks the shapes before the dtypes, and
    # says "output with shape" when the result would not fit (item: copy_ from a
    # larger source), with or without a recording
    grad = L.ones(3, requires_grad=True)
    return [
        _error(lambda: L.zeros(2, 2, dtype=L.bool).add_(L.ones(4, 4))),
        _error(lambda: L.zeros(2, 2, dtype=L.bool).add_(L.ones(4, 4) * grad[0])),
        _error(lambda: L.zeros(1, dtype=L.int64).mul_(L.ones(3))),
        _error(lambda: L.zeros(1).copy_(L.ones(3))),
        _error(lambda: L.zeros(2, 1).copy_(L.ones(3))),
        _error(lambda: L.zeros(1).copy_(grad)),
        _error(lambda: (grad[0:1] * 1).copy_(L.ones(3))),
        _error(lambda: L.zeros(2).copy_(L.ones(3))),
    ]


def msg_linear_dtypes_as_its_path_checks_them(L):
    # seed 2003373: an input linear cannot fold (not contiguous) goes through matmul,
    # whose words differ from addmm's; addmm checks the bias's dtype first
    F = L.nn.functional
    w, b = L.ones(3, 2), L.ones(3)
    d = L.float64
    inputs = [
        L.ones(4, 3, 2, dtype=d).permute(1, 0, 2),
        L.ones(4, 3, 2, dtype=d),
        L.ones(2, dtype=d),
        L.ones(4, dtype=d)[::2],
        L.ones(2, 4, dtype=d).t(),
    ]
    return [
        _error(lambda x=x, bias=bias: F.linear(x, w, bias))
        for x in inputs
        for bias in (b, None, b.double())
    ] + [_error(lambda: F.linear(L.ones(4, 2), w.double(), b))]


def msg_clamp_with_a_number_and_a_tensor(L):
    # torch has two overloads, (Tensor, Tensor) and (Number, Number): its argument
    # parser refuses a mix (a 0-d tensor that needs no gradient passes as a number)
    x = L.zeros(3, requires_grad=True)
    t = L.ones(3)

    def type_error(f):
        try:
            f()
        except TypeError as e:
            return str(e)
        return None

    return [
        type_error(lambda: x.clamp(0, t)),
        type_error(lambda: x.clamp(t, 1.5)),
        type_error(lambda: x.clamp(L.tensor(0.5, requires_grad=True), 2)),
        type_error(lambda: x.clamp_(0, t)),  # before the leaf check
        type_error(lambda: x.clone().clamp_(t, True)),
        x.clamp(L.tensor(0.5), 2).grad_fn,  # ClampBackward1, as numbers
        x.clamp(L.tensor(0.5)).grad_fn,
        x.clamp(None, t).grad_fn,
    ]


def msg_in_place_with_an_operand_of_other_strides_over_the_same_memory(L):
    # seed 5000898: torch's get_overlap_status compares all strides, a size-1
    # dimension's too: the same memory seen with other strides is a partial overlap
    x = L.tensor([-1.9])
    y = L.zeros(1, 1)
    z = L.zeros(2, 1)
    return [
        _error(lambda: x[-1:2:2].sub_(x)),
        _error(lambda: x.sub_(x[-1:2:2])),
        _error(lambda: y.add_(y[0])),
        _error(lambda: y.add_(y.t())),  # the same strides (1, 1): the full overlap
        _error(lambda: z[0:1].add_(z[::2])),
        _error(lambda: x.clamp_(min=x[::2])),
        x,
        y,
        z,
    ]


def msg_expand_keeps_the_stride_of_a_dimension_it_does_not_repeat(L):
    # torch's expand keeps a size-1 dimension's stride where the size stays 1, so
    # writing x + x.expand(...) into x is the full overlap torch allows
    x = L.ones(1, 3)
    y = L.ones(2, 1)
    t = L.tensor(1.0)
    return [
        _error(lambda: x.add_(x.expand(1, 3))),
        _error(lambda: x.copy_(x.expand(1, 3))),
        _error(lambda: y.add_(y.expand(1, 2, 1)[0])),
        _error(lambda: t.add_(t.expand(1))),
        _error(lambda: L.ones(3).add_(L.ones(3).expand(1, 3))),
        x,
        y,
        t,
    ]


def msg_elementwise_result_laid_out_as_torch(L):
    # torch's TensorIterator lays out a result as its first operand with a say: a
    # transposed view plus a row-major tensor is transposed (NumPy: row-major), so
    # view() refuses it, reshape copies it, is_contiguous() is False
    a = L.ones(2, 3).t()
    b = L.ones(3, 2)
    w = L.ones(3, 2, requires_grad=True)
    c = L.ones(2, 3, 2, requires_grad=True).permute(0, 2, 1)
    d = L.ones(2, 2, 3, dtype=L.float64)
    return [
        (a + b).is_contiguous(),
        (b + a).is_contiguous(),
        (a * b.double()).is_contiguous(),
        (a > b).is_contiguous(),
        (a - w).is_contiguous(),
        a.clamp(min=b).is_contiguous(),
        (c - d).is_contiguous(),
        _error(lambda: (a + b).view(6)),
        (a * w).reshape(6).grad_fn,
        (a * w).reshape(3, 2).grad_fn,
        _names(((c - d) @ L.ones(2, 3, 1, dtype=L.float64)).grad_fn),
    ]


def _names(node):
    """The names along a graph's first edges (seed 6004611: matmul reshapes a
    non-contiguous batch with ReshapeAliasBackward0)."""
    names = []
    while node is not None and node.next_functions:
        names.append(node.name())
        node = node.next_functions[0][0]
    return names


def msg_views_of_integers_are_never_checked_for_how_they_were_made(L):
    # seeds 6308186, 6331705, 6337941: an integer or bool view is not a
    # differentiable view in torch: made under no_grad() or by unbind, it may be
    # written from a tensor that requires grad (the values are cast, nothing recorded)
    b = L.tensor([True, False])
    i = L.tensor([1, 2])
    with L.no_grad():
        vb = b[:]
        vi = i.view(2)
    w = L.tensor(1.4, requires_grad=True)

    def setitem():
        vb[0] = w

    return [
        _error(setitem),
        _error(lambda: vi.copy_(L.tensor([1.5, 2.0], requires_grad=True))),
        _error(lambda: i.unbind()[0].copy_(L.tensor(1.5, requires_grad=True))),
        b,
        i,
    ]


def msg_view_whose_base_got_a_history_in_place_is_a_leaf_to_in_place_ops(L):
    # seed 6314817: the view was made while its base needed no gradient; the base then
    # got one in place; until something asks for the view's grad_fn (using it in an
    # op, reading grad_fn or is_leaf), torch's in-place check sees a leaf
    out = []
    for make in (lambda b: b[None], lambda b: b[0:1], lambda b: b.t()):
        for ask in (None, "grad_fn", "use"):
            base = L.tensor([1.0, 2.0])
            view = make(base)
            base.mul_(L.tensor(2.0, requires_grad=True))
            if ask == "grad_fn":
                out.append(view.grad_fn)
            elif ask == "use":
                out.append(view * 2)
            out.append(_error(lambda v=view: v.mul_(2)))
            out.append(view)
    return out


# ----------------------------------------------------------------------------------------
# Flags: versions


def flag_linear_adds_the_bias_in_place(L):
    # seed 2005865: linear of an input it cannot fold is matmul, then add_(bias)
    w = L.ones(1, 2, requires_grad=True)
    b = L.ones(1, requires_grad=True)
    x = L.ones(2, 1, 2).permute(1, 2, 0)
    y = L.nn.functional.linear(x.permute(0, 2, 1), w, b)
    with L.no_grad():
        z = L.nn.functional.linear(L.ones(4)[::2], w, b)
    folded = L.nn.functional.linear(L.ones(2, 3, 2), w, b)
    return y, y._version, z, z._version, folded, folded._version


def flag_grad_of_a_leaf_root_is_a_copy(L):
    # seeds 2005412, 2009217: a leaf that is itself the root gets its caller's
    # gradient, which AccumulateGrad copies with copy_() (version 1); a gradient the
    # backward pass computed it keeps (version 0)
    x = L.tensor([-1.6], requires_grad=True)
    x.backward()
    y = L.ones(3, requires_grad=True)
    g = L.ones(3)
    y.backward(g)
    z = L.ones(3, requires_grad=True)
    (z * 2).backward(g)
    return x.grad._version, y.grad._version, g._version, z.grad._version


def flag_grad_under_create_graph_is_a_copy(L):
    x = L.ones(2, requires_grad=True)
    (x * x).sum().backward(create_graph=True)
    y = L.ones(2, requires_grad=True)
    (y * 2).sum().backward(create_graph=True)
    return x.grad._version, x.grad.grad_fn, y.grad._version


def msg_mask_assignment_converts_its_one_element_value(L):
    # seed 9035089: ``x[mask] = value`` with a one-element value is torch's
    # masked_fill_, which converts the value to x's dtype, checked, even when the
    # mask selects nothing
    out = []
    for dtype, value in ((L.int64, float("inf")), (L.float32, 1e300), (L.int64, 2.5)):
        x = L.zeros(2, 1, 3, dtype=dtype)
        try:
            x[L.tensor([False, False])] = L.tensor([[[value]]], dtype=L.float64)
            out.append(x)
        except RuntimeError as e:
            out.append(str(e))
    return out


def msg_only_copy_skips_the_view_checks_for_an_integer_or_bool_view(L):
    # seeds 9208242, 9220547, 9008958: an integer or bool view made under no_grad()
    # (or by unbind) is checked as any view when an in-place op's operand requires
    # grad; only copy_ asks first whether the written tensor can have a gradient
    # (torch's copy_: requires_grad &= isDifferentiableType(self))
    w = L.tensor(1.5, dtype=L.float64, requires_grad=True)
    out = []
    for dtype in (L.int64, L.bool):
        for make in ("no_grad", "unbind"):
            for op in ("copy_", "fill_", "mul_", "setitem", "index", "mask"):
                base = L.ones(2, 3, dtype=dtype)
                if make == "no_grad":
                    with L.no_grad():
                        v = base.reshape(3, 2).t()
                else:
                    v = base.unbind()[0]

                def write(v=v, op=op):
                    if op == "setitem":
                        v[0] = w
                    elif op == "index":
                        v[L.tensor([0])] = w
                    elif op == "mask":
                        v[v != 5] = w
                    else:
                        getattr(v, op)(w)

                out.append((str(dtype)[-5:], make, op, _error(write), base))
    return out


def msg_index_assignment_watches_its_index_tensors(L):
    # seed 9222030: index_put_ saves its index tensors (IndexPutBackward0, also inside
    # a CopySlices): one changed in place before backward is torch's version error
    out = []
    for kind in ("write", "write_mask", "write_view", "read", "not_recorded"):
        x = L.ones(3, requires_grad=True)
        y = x * 1
        if "mask" in kind:
            i = L.tensor([True, False, True])
        else:
            i = L.tensor([0, 2])
        if kind == "read":
            y = y[i]
        elif kind == "write_view":
            i = i[:1]
            y[1:][i] = 5.0
        elif kind == "not_recorded":
            with L.no_grad():
                y[i] = 5.0
        else:
            y[i] = 5.0
        i.fill_(0)
        out.append(_error(lambda y=y: y.sum().backward()))
        out.append(x.grad)
    return out


def grad_a_view_that_requires_grad_of_its_own_stays_a_view(L):
    # seed 9419975: requires_grad_() on a view of a tensor that needs no gradient makes
    # the view a leaf of its own, but it stays a view: once its base gets a history in
    # place, the view is derived from it again (AsStridedBackward0), and the gradient
    # flows to the base's history, not to the view
    out = []
    for change_base in (False, True):
        base = L.tensor([-1.6, 0.5], dtype=L.float64)
        v = base.expand(3, 2)
        v.requires_grad_()
        w = L.tensor([-1.3], dtype=L.float64, requires_grad=True)
        if change_base:
            base.div_(w)
        y = v.contiguous() * 2
        y.sum().backward()
        out += [v.is_leaf, v.requires_grad, v._base is base, v.grad, w.grad]
        out.append(_error(lambda v=v: v.add_(1)))
    base = L.zeros(2)
    v = base[0:1]
    v.requires_grad_()
    v.requires_grad_(False)
    out += [v.requires_grad, v.is_leaf]
    return out


CASES = {
    k: v
    for k, v in dict(globals()).items()
    if k.split("_")[0] in ("grad", "fwd", "ok", "msg", "flag", "name")
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_torch(name, torch):
    assert_same(torch, at, CASES[name])
