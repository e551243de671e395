"""Issue 11, engine side: each bug class found by differential testing, as the few-line
program that exposed it, run in lock step on torch 2.13 and autograd_tutor.

Each ``case_*`` function takes the library module ``L`` and returns what to compare
(see ``lockstep.observe``): values, dtypes, flags, node names, gradients, or the type
of the exception raised.
"""

import importlib
import warnings

import numpy as np
import pytest

import autograd_tutor as at

from .lockstep import assert_same

NAN, INF = float("nan"), float("inf")

# ----------------------------------------------------------------------------------------
# Wrong gradients


def grad_copy_into_non_leaf(L):
    x = L.ones(2, requires_grad=True)
    y = x * 2
    y.copy_(L.tensor([5.0, 5.0]))
    y.sum().backward()
    return x.grad, y, y.grad_fn.next_functions[0][0]


def grad_copy_from_grad_source(L):
    x = L.ones(2, requires_grad=True)
    y = L.zeros(2)
    y.copy_(x * 3)
    (y * y).sum().backward()
    return x.grad, y


def grad_copy_broadcast_and_cast(L):
    x = L.tensor([2.0], dtype=L.float64, requires_grad=True)
    y = L.zeros(2, 3)
    y.copy_(x)
    (y * L.arange(6.0).reshape(2, 3)).sum().backward()
    return x.grad, y


def grad_max_indices_changed(L):
    x = L.tensor([3.0, 1.0, 2.0], requires_grad=True)
    v, i = x.min(0)
    i.zero_()
    v.sum().backward()
    return x.grad


def grad_max_indices_keepdim_changed(L):
    x = L.tensor([[3.0, 1.0], [2.0, 5.0]], requires_grad=True)
    v, i = x.max(1, keepdim=True)
    i.add_(0)
    v.sum().backward()
    return x.grad


def grad_inplace_view_of_plain_base(L):
    w = L.ones(1, requires_grad=True)
    base = L.zeros(3)
    base[0:1].add_(w)
    (base * 2).sum().backward()
    return w.grad, base, base.grad_fn.next_functions[0]


def grad_inplace_view_mul(L):
    w = L.tensor([3.0, 4.0], requires_grad=True)
    base = L.ones(2, 2)
    view = base[:, 1]
    view.mul_(w)
    (base * L.tensor([[1.0, 2.0], [3.0, 4.0]])).sum().backward()
    return w.grad, base, view


def grad_hooks_on_grad_leaf_input(L):
    x = L.tensor([1.0, 2.0], requires_grad=True)
    x.register_hook(lambda g: g * 10)
    return L.autograd.grad((x * x).sum(), x)


def grad_hooks_on_grad_needed_input(L):
    x = L.tensor([1.0, 2.0], requires_grad=True)
    y = x * x
    y.register_hook(lambda g: g * 10)
    return L.autograd.grad(y.sum(), [y, x])


def grad_root_is_input_and_needed(L):
    x = L.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.register_hook(lambda g: g * 10)
    return L.autograd.grad(y, [y, x])


def grad_backward_inputs_listed_twice(L):
    x = L.tensor([1.0, 2.0], requires_grad=True)
    y = x * 3
    (y * y).sum().backward(inputs=[y, y, x, x])
    return x.grad, y.grad, y.retains_grad


def grad_root_is_backward_input(L):
    x = L.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward(inputs=[y, y])
    return x.grad, y.grad


def grad_requires_grad_false_after_use(L):
    x = L.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    x.requires_grad_(False)
    y.backward()
    return x.grad


def grad_hook_dtypes(L):
    x = L.tensor([1.0, 2.0], requires_grad=True)
    seen = []
    x.register_hook(lambda g: seen.append(str(g.dtype).split(".")[-1]))
    (0.5**x).sum().backward()
    x.min().backward()
    (x * L.tensor([2, 3])).sum().backward()
    (x / L.tensor(2.0, dtype=L.float64)).sum().backward()
    (x * L.tensor([True, False])).sum().backward()
    return seen, x.grad


def grad_nonleaf_hook_dtype(L):
    x = L.tensor([1.0, 2.0], requires_grad=True)
    y = x * 1
    seen = []
    y.register_hook(lambda g: seen.append(str(g.dtype).split(".")[-1]))
    (y * L.tensor([2, 3])).sum().backward()
    return seen


def grad_relu_nan_and_signed_zero(L):
    x = L.tensor([NAN, -1.0, 0.0, -0.0, 2.0], requires_grad=True)
    y = x.relu()
    y.sum().backward()
    return y, x.grad


def grad_clamp_signed_zero(L):
    x = L.tensor([-0.0, NAN, 0.3], requires_grad=True)
    y = x.clamp(min=0)
    z = x.clamp(max=0)
    (y + z).sum().backward()
    return y, z, x.grad


def grad_max_with_nan(L):
    x = L.tensor([1.0, NAN, 3.0, NAN], requires_grad=True)
    y = x.max()
    y.backward()
    m = x.min()
    return y, x.grad, m


def grad_zero_base_power(L):
    x = L.tensor([0.0, 1.0, -1.0, 0.5], requires_grad=True)
    y = 0**x
    y.sum().backward()
    return y, x.grad


def grad_power_specialisations(L):
    x = L.tensor([0.0, -0.0, 1.0, 4.0], requires_grad=True)
    outs = [x**e for e in (0, 0.5, -0.5, -1, -2, 2, 3, 1.5)]
    sum(o.sum() for o in outs).backward()
    return outs, x.grad


def grad_power_zero_of_nan(L):
    x = L.tensor([NAN, 0.0, -2.0], requires_grad=True)
    y = x**0
    y.sum().backward()
    return y, x.grad


def grad_divide_by_zero(L):
    x = L.tensor([1.0, -1.0, 0.0, -0.0], requires_grad=True)
    y = x / 0
    z = 1 / x
    (y.sum() + z.sum()).backward()
    return y, z, x.grad


# ----------------------------------------------------------------------------------------
# Wrong forward values


def fwd_int_index_is_a_view(L):
    x = L.zeros(3)
    x[1].add_(5)
    y = L.zeros(2, 2)
    y[0, 1].fill_(2)
    return x, y, x._version


def fwd_zero_dim_promotion(L):
    a = L.tensor([0.1, 0.2])
    b = L.tensor(0.1, dtype=L.float64)
    i = L.tensor([1, 2])
    return (
        a * b,
        a + b,
        a == b,
        a < b,
        i * L.tensor(2.5, dtype=L.float64),
        i + L.tensor(2, dtype=L.int32),
        L.tensor(1.0) * b,
        i.int() + L.tensor(3),
        L.tensor([True]) + L.tensor(2),
    )


def fwd_zero_dim_promotion_grad(L):
    a = L.tensor([0.1, 0.2], requires_grad=True)
    b = L.tensor(3.0, dtype=L.float64, requires_grad=True)
    y = a * b
    y.sum().backward()
    return y, a.grad, b.grad


def fwd_inplace_promotion(L):
    a = L.tensor([0.1, 0.2])
    a.add_(L.tensor(0.1, dtype=L.float64))
    return a


def fwd_return_types_and_size(L):
    r = L.ones(2, 3).max(1)
    s = L.ones(2, 3, 4).shape
    return (
        type(r).__name__,
        isinstance(r, tuple),
        type(s[1:]).__name__,
        s[1:],
        type(s + (5,)).__name__,
        s[-1],
    )


# ----------------------------------------------------------------------------------------
# Internal crashes


def crash_dims_on_zero_dim(L):
    x = L.tensor(2.0, requires_grad=True)
    outs = [
        x.mean(0),
        x.sum(-1),
        x.sum(0, keepdim=True),
        x.transpose(0, 0),
        x.squeeze(-1),
        x.squeeze(0),
        x.unsqueeze(-1),
        x.max(0).values,
        x.argmax(0),
        x[L.tensor(True)],
    ]
    sum(o.sum() for o in outs if o.dtype == x.dtype).backward()
    return outs, x.grad


def crash_empty_reductions(L):
    x = L.ones(0, 3, requires_grad=True)
    outs = [x.sum(0), x.mean(0), x.sum(), x.mean(), x.max(1).values, x.mean(1)]
    sum(o.sum() for o in outs).backward()
    return outs, x.grad


def crash_empty_max_dim(L):
    return L.ones(0, 3).max(0)


def crash_bool_float_ops(L):
    b = L.tensor([True, False])
    i = L.tensor([1, 4])
    return [b.exp(), b.log(), b.sqrt(), b.sigmoid(), b.tanh(), i.exp(), i.sqrt()]


def crash_bool_and_int_sums(L):
    return (
        L.tensor([True, True]).sum(),
        L.tensor([1, 2], dtype=L.int32).sum(),
        L.tensor([[True], [True]]).sum(0),
    )


def crash_setitem_with_tensor_index(L):
    x = L.zeros(4)
    x[L.tensor([0, 2])] = 1.0
    x[x > 0.5] = 3.0
    x[L.tensor(3)] = 7.0
    return x


def crash_fill_with_tensor(L):
    return L.zeros(3).fill_(L.tensor([1.0]))


def crash_eye_negative(L):
    return L.eye(-1)


def crash_linear_no_inputs(L):
    layer = L.nn.Linear(0, 2)
    return tuple(layer.weight.shape), layer(L.ones(3, 0)).shape


def crash_hook_wrong_shape(L):
    x = L.ones(2, requires_grad=True)
    x.register_hook(lambda g: L.ones(3))
    (x * 2).sum().backward()


def crash_nonleaf_hook_wrong_shape(L):
    x = L.ones(2, requires_grad=True)
    y = x * 2
    y.register_hook(lambda g: L.ones(3))
    y.sum().backward()


def crash_hook_wrong_type(L):
    x = L.ones(2, requires_grad=True)
    x.register_hook(lambda g: 3)
    (x * 2).sum().backward()


def crash_hook_wrong_dtype(L):
    x = L.ones(2, requires_grad=True)
    x.register_hook(lambda g: g.double())
    (x * 2).sum().backward()


def crash_numpy_warnings(L):
    x = L.tensor([0.0, 1.0, -1.0, INF], requires_grad=True)
    outs = [x / 0, x.log(), (x - 1).sqrt(), x * INF, x - INF, (x * 1e38) * 1e38, x**-1]
    sum(o.sum() for o in outs).backward()
    return outs, x.grad, repr(x.detach() / 0)


# ----------------------------------------------------------------------------------------
# Accepted silently where torch refuses


def silent_second_backward_through_index(L):
    x = L.ones(3, requires_grad=True)
    y = x[[0, 0]].sum()
    y.backward()
    y.backward()


def silent_second_backward_through_mask(L):
    x = L.ones(3, requires_grad=True)
    y = x[x > 0].sum()
    y.backward()
    y.backward()


def ok_second_backward_through_select(L):
    x = L.ones(3, requires_grad=True)
    y = x[1]
    y.backward()
    y.backward()
    return x.grad


def silent_saved_zero_dim_output(L):
    x = L.tensor(1.0, requires_grad=True)
    y = x.exp()
    y.add_(1)
    y.backward()


def silent_copy_into_view_of_leaf(L):
    w = L.ones(2, 2, requires_grad=True)
    w.T.copy_(L.zeros(2, 2))


def silent_inplace_on_view_of_leaf(L):
    w = L.ones(2, 2, requires_grad=True)
    w[0].add_(1)


def silent_index_put_dtype(L):
    x = L.zeros(3)
    x[[0]] = L.tensor([1])


def silent_index_put_dtype_int(L):
    x = L.zeros(3, dtype=L.int64)
    x[[0]] = L.tensor([1.5])


def ok_basic_setitem_casts(L):
    x = L.zeros(3)
    x[0:1] = L.tensor([1])
    x[2] = L.tensor(4)
    return x


def silent_negative_step_setitem(L):
    x = L.zeros(3)
    x[::-1] = 1.0


def silent_overlapping_copy(L):
    x = L.arange(4.0)
    x[0:3].copy_(x[1:4])


def silent_overlapping_add(L):
    x = L.arange(4.0)
    x[0:3].add_(x[1:4])


def ok_self_overlap(L):
    x = L.arange(4.0)
    x.add_(x)
    x.copy_(x)
    return x


def silent_tensor_of_none(L):
    return L.tensor(None)


def silent_tensor_of_list_with_none(L):
    return L.tensor([1.0, None])


# ----------------------------------------------------------------------------------------
# Refused where torch works


def refused_setitem_from_grad(L):
    w = L.ones(2, requires_grad=True)
    x = L.zeros(3)
    x[0:2] = w * 2
    x.sum().backward()
    return x, w.grad, [n for n, _ in x.grad_fn.next_functions]


def refused_index_put_from_grad(L):
    w = L.ones(2, requires_grad=True)
    x = L.zeros(3)
    x[[0, 2]] = w * 2
    (x * x).sum().backward()
    return x, w.grad


def refused_setitem_on_grad(L):
    w = L.ones(3, requires_grad=True)
    x = w * 1
    x[0] = 5.0
    x.sum().backward()
    return x, w.grad


def refused_index_put_on_grad(L):
    w = L.ones(3, requires_grad=True)
    x = w * 1
    x[[0, 1]] = 5.0
    x.sum().backward()
    return x, w.grad


def refused_mask_put_on_grad(L):
    w = L.tensor([1.0, 0.0, 2.0], requires_grad=True)
    x = w * 1
    x[x > 0.5] = 5.0
    (x * 3).sum().backward()
    return x, w.grad


def refused_index_put_accumulates_both(L):
    w = L.tensor([1.0, 2.0, 3.0], requires_grad=True)
    v = L.tensor([10.0, 20.0], requires_grad=True)
    x = w * 2
    x[L.tensor([2, 0])] = v * v
    (x * L.tensor([1.0, 2.0, 3.0])).sum().backward()
    return x, w.grad, v.grad


def refused_copy_into_view_from_grad(L):
    w = L.ones(2, requires_grad=True)
    x = L.zeros(3)
    x[0:2].copy_(w * 2)
    x.sum().backward()
    return x, w.grad


def refused_grad_walks_past_inputs(L):
    x = L.tensor([1.0, 2.0], requires_grad=True)
    y = x * x
    z = (y * 3).sum()
    (gy,) = L.autograd.grad(z, y)
    z2 = (y * 3).sum()
    z2.backward()
    y2 = (x * 2).sum()
    (gz,) = L.autograd.grad(y2, x, retain_graph=True)
    return gy, x.grad, gz


def refused_grad_version_beyond_input(L):
    x = L.tensor([1.0, 2.0], requires_grad=True)
    a = x * 1
    b = a.exp()
    a.mul_(2)  # b's node saved its output, not a: only x's path is stale
    c = b * 3
    return L.autograd.grad(c.sum(), b)


def refused_bool_and_empty_index(L):
    x = L.tensor([1.0, 2.0], requires_grad=True)
    y = x[True]
    return y, y.grad_fn.next_functions[0][0], x[False].shape, x[[]], L.ones(2, 3)[[]]


def refused_compare_with_none(L):
    x = L.tensor([1.0, 2.0])
    return x == None, x != None  # noqa: E711


def refused_zero_dim_expand_inplace(L):
    x = L.tensor(1.0)
    x.expand(()).add_(1)
    z = L.ones(3)
    z.expand(3).add_(1)
    return x, z


def refused_views_under_no_grad(L):
    x = L.ones(3, requires_grad=True)
    with L.no_grad():
        v = x[0:2]
        w = x.view(3)
        u = x * 2
    return v.requires_grad, w.requires_grad, u.requires_grad, v.is_leaf, v.grad_fn


def refused_integer_casts_not_recorded(L):
    x = L.ones(2, requires_grad=True)
    return x.long(), x.int(), x.bool(), x.double()


# ----------------------------------------------------------------------------------------
# The same classes, as the differential fuzzer (tests/fuzz) found them


def grad_root_leading_to_no_input_runs_its_hooks(L):
    x = L.tensor(0.6, requires_grad=True)
    seen = []
    x.register_hook(lambda g: seen.append(g.tolist()))
    other = L.tensor(1.0, requires_grad=True)
    x.backward(inputs=[other])
    return seen, other.grad


def grad_sign_of_zero_in_matrix_products(L):
    x = L.tensor([[-2.0, 5.0, -0.7], [-1.1, 1.1, -1.4]], requires_grad=True)
    w = L.tensor([[-1.0, -0.0, -0.1]], requires_grad=True)
    y = x.mm(w.t())
    y.sum().backward()
    a = L.tensor([[-0.4], [0.2]]) @ L.tensor([[1.8, 0.0]])
    layer = L.nn.Linear(0, 2)
    with L.no_grad():
        layer.bias.copy_(L.tensor([-0.0, -1.7]))
    return y, x.grad, a, layer(L.zeros(3, 0))


def fwd_tensor_bound_clamp_spreads_nan(L):
    x = L.tensor([[-1, 2, 0], [0, -1, -1]])
    lo = L.tensor([[NAN, 1.7, -0.0], [INF, 1.1, 1.8]], requires_grad=True)
    return x.clamp(min=lo), L.tensor([1.0, -0.0]).clamp(max=L.tensor([NAN, 0.0]))


def fwd_transpose_of_vector_is_a_view(L):
    x = L.tensor([1.0, 2.0], requires_grad=True)
    z = L.tensor(3.0, requires_grad=True)
    return x.T, z.T, x.T is x, z.mT is z if hasattr(z, "mT") else True


def fwd_vector_matmul_squeezes_in_place(L):
    v = L.tensor([1.0, 2.0], requires_grad=True) @ L.ones(2, 3)
    return v, v._version


def silent_bool_inputs_refused(L):
    b = L.tensor([True, False])
    out = []
    for f in (lambda: b.argmax(), lambda: b.argmin(0), lambda: b.relu()):
        try:
            f()
            out.append("ok")
        except RuntimeError:
            out.append("RuntimeError")
    for f in (lambda: b.abs(), lambda: b**-1):
        try:
            f()
            out.append("ok")
        except (RuntimeError, NotImplementedError) as e:
            out.append(type(e).__name__)
    return out


def silent_second_backward_through_copyslices(L):
    w = L.ones(1, requires_grad=True)
    base = L.zeros(3)
    base[0:1].add_(w)
    y = base.sum()
    y.backward()
    y.backward()


def crash_logical_ops_broadcast(L):
    return L.tensor([True, False]) & L.tensor([True, False, True])


def ok_mask_assignment_casts(L):
    x = L.tensor([-0.3, -0.9, 1.5])
    x[L.tensor([False, True, True])] = L.tensor(-0.1, dtype=L.float64)
    w = L.tensor([-1.2], requires_grad=True)
    y = L.tensor([1.4, 0.4, -1.1], dtype=L.float64)
    y[L.tensor([True, False, False])] = w
    y.sum().backward()
    return x, y, w.grad


def crash_empty_mse_loss_is_silent(L):
    return L.nn.functional.mse_loss(L.zeros(0, requires_grad=True), L.zeros(0))


def ok_linear_on_empty_batch(L):
    layer = L.nn.Linear(0, 3)
    with L.no_grad():
        layer.bias.copy_(L.tensor([1.2, -1.9, -1.9]))
    return layer(L.zeros(1, 2, 0, requires_grad=True))


def ok_names_of_handles_and_sizes(L):
    h = L.ones(1, requires_grad=True).register_hook(lambda g: g)
    return type(h).__name__, type(L.ones(2).shape).__module__.replace(
        "autograd_tutor", "torch"
    )


CASES = {
    name: fn
    for name, fn in list(globals().items())
    if callable(fn)
    and (name.split("_")[0] in ("grad", "fwd", "crash", "silent", "ok", "refused"))
}


def _more_cases():
    """Fuzzer finds of the second campaign (same classes), as reproducers."""

    def refused_integer_negative_powers(L):
        return 3 ** L.tensor([-2, 0, 2]), L.tensor([2, -1, 1]) ** L.tensor([-1, -3, -2])

    def fwd_int_tensor_to_float_power(L):
        return L.tensor([2, 3]) ** 2.0

    def grad_pow_zero_exponent_is_plus_zero(L):
        a = L.tensor([0.3, 1.4], requires_grad=True)
        (a ** L.tensor([-0.0, 0.8])).sum().backward()
        return a.grad

    def silent_mask_changed_after_indexing(L):
        x = L.tensor([1.0, -2.0, 3.0], requires_grad=True)
        mask = x > 0
        y = (x * 2)[mask]
        mask[...] = True
        y.sum().backward()

    def ok_one_mask_with_scalar_value_casts(L):
        x = L.ones(2, 3, 2)
        x[L.tensor([False, True]), -2, 1] = L.tensor([-1.9], dtype=L.float64)
        return x

    def silent_index_put_needs_same_dtype(L):
        x = L.arange(5)
        x[L.tensor([True, False, True, False, False])] = L.tensor([1.2, 1.4])

    def ok_ellipsis_assignment_is_a_plain_copy(L):
        x = L.zeros(1)
        w = L.tensor([-0.5], dtype=L.float64, requires_grad=True)
        x[...] = w
        x.sum().backward()
        x.sum().backward()
        return x, w.grad

    def silent_leaf_moved_into_the_graph(L):
        a = L.tensor(0.9, requires_grad=True)
        b = a.neg()
        a.detach_()
        a.copy_(b)
        b.backward()

    def silent_detach_of_a_view(L):
        x = L.zeros(2)
        x.transpose(0, 0)[...].detach_()

    def ok_detach_of_a_vector_matrix_product(L):
        y = L.ones(2, requires_grad=True) @ L.ones(2, 3)
        return y.detach_()

    def silent_setitem_on_a_no_grad_view(L):
        x = L.ones(3, requires_grad=True)
        with L.no_grad():
            v = x[0:2]
        v[0] = L.tensor(2.0, requires_grad=True)

    def grad_retain_grad_follows_a_derived_view(L):
        x = L.tensor([[1.0], [2.0]], requires_grad=True)
        v = x.unsqueeze(0)
        v.sum().backward(inputs=[v])
        with L.no_grad():
            x.mul_(2)
        v.mT.sum().backward()
        return v.grad

    def fwd_dot_of_signed_zeros(L):
        return (0 * L.tensor([-0.6])) @ L.tensor([0.5])

    def refused_views_derived_again_after_inplace(L):
        x = L.tensor([1.0, 2.0, 3.0], requires_grad=True)
        a = x * 1
        v = a[0:2]
        a.mul_(2)
        v.sum().backward()
        return v, x.grad

    def refused_view_of_plain_base_after_copyslices(L):
        w = L.ones(1, requires_grad=True)
        base = L.zeros(3)
        v = base[0:2]
        base[2:3].add_(w)
        (v * 3).sum().backward()
        return v, base, w.grad

    def grad_abs_of_nan_is_zero(L):
        x = L.tensor([-1.7, 0.6, 2.0], requires_grad=True)
        y = x.log()
        y.abs().sum().backward(inputs=[y])
        return y.grad

    def grad_retained_after_a_cast_keeps_its_dtype(L):
        x = L.ones(2, requires_grad=True)
        s = x.sum()
        d = s.double()
        d.backward(retain_graph=True, inputs=[s])
        d.backward(retain_graph=True)
        return s.grad

    def fwd_bool_tensor_power(L):
        return (L.tensor([1.0, -0.6]) >= -0.4) ** 2

    def ok_lone_true_assignment_casts(L):
        x = L.zeros(2) >= 1
        x[True] = L.tensor([1.0, 0.0], dtype=L.float64)
        return x

    def ok_view_made_a_leaf_by_requires_grad(L):
        with L.no_grad():
            v = L.ones([], dtype=L.float64).expand(())
        v.requires_grad_()
        v.backward()
        return v.grad

    def silent_inplace_on_view_of_detached_leaf(L):
        a = L.tensor(0.3, requires_grad=True)
        b = a * 1
        v = b[...]
        b.detach_()
        v.zero_()

    def silent_no_grad_view_after_recorded_inplace(L):
        x = L.ones(3, requires_grad=True)
        y = x * 1
        with L.no_grad():
            v = y[0:2]
        y.mul_(L.tensor(2.0, requires_grad=True))
        return v * 2

    def crash_empty_mse_loss_backward(L):
        x = L.zeros(2, 0, dtype=L.float64, requires_grad=True)
        L.nn.MSELoss()(x, L.ones_like(x)).backward()
        return x.grad

    def crash_abs_of_zero_dim(L):
        x = L.tensor(-2.0, requires_grad=True)
        x.abs().backward()
        return x.grad

    def silent_float_alpha_on_integers(L):
        return L.tensor(-2).add(L.tensor(True), alpha=0.5)

    return {k: v for k, v in locals().items()}


CASES.update(_more_cases())


@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_torch(name, torch):
    assert_same(torch, at, CASES[name])


def test_zero_dim_mT_warns_like_torch(torch):
    # torch warns once per process (TORCH_WARN_ONCE), and so does autograd_tutor
    importlib.import_module("autograd_tutor.tensor")._WARNED.clear()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        y = at.tensor(2.0).mT
    assert y.tolist() == 2.0
    assert any("mT is deprecated on 0-D tensors" in str(w.message) for w in caught)
    del torch


def test_max_return_type_named_like_torch(torch):
    r = at.ones(2, 3).max(1)
    t = torch.ones(2, 3).max(1)
    assert type(r).__name__ == type(t).__name__ == "max"
    assert type(at.ones(2).min(0)).__name__ == "min"
    assert repr(r).startswith("at.return_types.max(")
    assert r.values is r[0] and r.indices is r[1]


def test_no_numpy_warning_escapes_backward(torch):
    x = at.tensor([0.0, 1.0], requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ((x * 0).log() / x).sum().backward()
    assert np.isnan(x.grad.numpy()).any() or np.isinf(x.grad.numpy()).any()
    del torch
