"""Issues 11 and 12 (views): how views and in-place changes to them behave, as the
few-line programs that exposed each difference, run in lock step on torch 2.13 and
autograd_tutor.

Each ``case_*`` function takes the library module ``L`` and returns what to compare
(see ``lockstep.observe``: values, dtypes, flags, node names). Errors are compared by
type *and* message here, since the messages are what tells a learner what went wrong.
"""

import pytest

from tests.conformance.graph_signature import signature

from .lockstep import observe


def _graph(t, *leaves):
    """The whole backward graph of ``t``: node names and edges, breadth first."""
    return signature(t.grad_fn, leaves)


def observe_with_message(L, program):
    """``lockstep.observe``, with the exception's message as well as its type."""
    error = []

    def run(L):
        try:
            return program(L)
        except Exception as e:  # noqa: BLE001 - the exception is what we compare
            # torch names its types torch.FloatTensor, autograd_tutor at.FloatTensor
            error.append((type(e).__name__, str(e).replace("torch.", "at.")))
            raise

    seen = observe(L, run)
    return ("raises", *error[0]) if error else seen


# ----------------------------------------------------------------------------------------
# In-place on a view of a tensor that requires grad (issue 12, item 3)


def inplace_view_of_non_leaf(L):
    x = L.ones(4, requires_grad=True)
    y = x * 2
    v = y[0:2]
    w = L.tensor([1.0, 2.0], requires_grad=True)
    v.mul_(w)
    graphs = (_graph(v, x, w), _graph(y, x, w))
    (y * L.arange(4.0)).sum().backward()
    return x.grad, w.grad, y, v, graphs, v._version, y._version


def inplace_view_backward_through_view(L):
    x = L.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * x
    v = y[1:]
    v.add_(x[:2] * 3)
    (v * v).sum().backward()
    return x.grad, v, _graph(v, x)


def inplace_view_of_saved_output(L):
    x = L.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x.exp()  # saves its output
    v = y[1:]
    v.add_(x[:2] * 3)
    (v * v).sum().backward()


def inplace_view_rederives_other_views(L):
    x = L.ones(2, 3, requires_grad=True)
    y = x * 2
    a, b, c = y[0], y.view(6), y.t()
    a.add_(1)
    graphs = [_graph(t, x) for t in (a, b, c, y)]
    (b * L.arange(6.0)).sum().backward()
    return x.grad, b, c, graphs


def inplace_view_of_view(L):
    x = L.ones(2, 3, requires_grad=True)
    y = x * 2
    a = y[0]
    b = a[1:]
    b.mul_(L.tensor([3.0, 4.0]))
    graphs = [_graph(t, x) for t in (b, a, y)]
    (y * L.arange(6.0).view(2, 3)).sum().backward()
    return x.grad, y, graphs, b._base is y


def inplace_base_then_view(L):
    x = L.ones(2, 3, requires_grad=True)
    y = x * 2
    a = y[0]
    y.mul_(3)
    a.sum().backward()
    return x.grad, a, _graph(a, x)


def inplace_view_retains_grad(L):
    x = L.ones(3, requires_grad=True)
    y = x * 2
    v = y[1:]
    v.retain_grad()
    v.mul_(5)
    (v * L.tensor([1.0, 2.0])).sum().backward()
    return x.grad, v.grad, v.retains_grad


def inplace_view_twice(L):
    x = L.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    y = x * 1
    v = y[::2]
    v.mul_(x[1::2])
    v.add_(1)
    y.sum().backward()
    return x.grad, y, _graph(y, x)


def inplace_view_setitem_on_view(L):
    x = L.ones(2, 3, requires_grad=True)
    y = x * 2
    v = y[1]
    v[0] = x[0, 0] * 10
    y.sum().backward()
    return x.grad, y, v, _graph(v, x)


def inplace_view_saved_value_changed(L):
    x = L.ones(3, requires_grad=True)
    y = x * 2
    z = y.pow(2)  # saves y
    y[0:1].add_(1)
    z.sum().backward()


def inplace_view_of_leaf(L):
    x = L.ones(3, requires_grad=True)
    x[0:2].add_(1)


def inplace_no_grad_view(L):
    x = L.ones(2, 3, requires_grad=True)
    y = x * 2
    with L.no_grad():
        v = y[0]
    v.add_(1)


def inplace_view_of_no_grad_view(L):
    x = L.ones(2, 3, requires_grad=True)
    y = x * 2
    with L.no_grad():
        v = y[0]
    u = v.unsqueeze(0)
    u.add_(1)


def no_grad_view_then_base_changed(L):
    x = L.ones(2, 3, requires_grad=True)
    y = x * 2
    with L.no_grad():
        v = y[0]
    y.add_(1)
    return v.grad_fn


def view_of_no_grad_view_then_base_changed(L):
    x = L.ones(2, 3, requires_grad=True)
    y = x * 2
    with L.no_grad():
        v = y[0]
    u = v.unsqueeze(0)
    y.add_(1)
    return u * 2


def no_grad_view_of_leaf_after_step(L):
    # seed 200261: an optimizer step (under no_grad) changes the leaf, then the
    # no_grad view is used with grad mode on
    x = L.ones(2, 1, 3, requires_grad=True)
    with L.no_grad():
        v = x.squeeze(-2)
    opt = L.optim.SGD([x, v], lr=0.1)
    ((x - 0.5) ** 2).sum().backward()
    opt.step()
    return ((v - 0.5) ** 2).sum()


def no_grad_view_used_before_change(L):
    x = L.ones(3, requires_grad=True)
    with L.no_grad():
        v = x[1:]
    out = v * 2
    return out, out.grad_fn.next_functions, v.requires_grad, v.is_leaf


def no_grad_view_changed_under_no_grad(L):
    x = L.ones(3, requires_grad=True)
    y = x * 2
    with L.no_grad():
        v = y[1:]
        v.add_(1)
    return y, v, v.requires_grad


def view_requires_grad_follows_base(L):
    # "cosmetic: flag": a view's requires_grad follows its base's
    v0 = L.ones(2, 3)
    v1 = v0.detach()
    v4 = v1[None]
    v1.requires_grad_()
    out = v4 * 2
    return v4.requires_grad, v4.is_leaf, out, out.grad_fn.next_functions


# ----------------------------------------------------------------------------------------
# Node names of views ("cosmetic: name")


def slice_in_tuple_not_written_as_full(L):
    # torch skips a slice inside a tuple only when it is literally 0:n (or :), so
    # -1:1 on a dimension of size 1 still records SliceBackward0
    x = L.tensor([[0.3], [0.9], [0.9]], requires_grad=True)
    return _graph(x[:, -1:1], x), _graph(x[:, 0:1], x), _graph(x[:, :5], x)


def slice_in_tuple_with_advanced_index(L):
    x = L.ones(2, 3, 2, requires_grad=True)
    return _graph(x[[0], -3:3, 0:3:2], x), _graph(x[[0], 0:3, ::1], x)


def setitem_normalized_slice_is_a_view(L):
    # seed 204957: y[:, -3:3] = c writes a view (CopySlices), not y itself
    x = L.tensor([[0.5, 0.1], [-1.7, 1.1]], requires_grad=True)
    y = x.sigmoid()
    y[:, -3:3] = -1.3
    return y, _graph(y, x)


def setitem_same_shape_copies(L):
    # seed 200304: a 0-d value into a 0-d destination is copy_ (CopyBackwards)
    x = L.tensor(2.0, requires_grad=True)
    y = x * 3
    w = L.tensor(-1.9, requires_grad=True)
    y[...] = w
    return y, _graph(y, x, w)


def setitem_broadcast_value_views_and_expands(L):
    # seeds 200203, 200645: the value loses its leading 1s (ViewBackward0) and is
    # expanded to the destination (ExpandBackward0) before copy_
    w = L.tensor([[-0.8]], dtype=L.float64, requires_grad=True)
    a = L.zeros(3, 2, dtype=L.float64)
    a[1:3, ...] = w
    u = L.tensor([[1.0, 2.0]], requires_grad=True)
    b = L.zeros(3, 2)
    b[0:2] = u
    c = L.zeros(2, 2)
    c[[1, 0]] = u
    return a, b, c, _graph(a, w), _graph(b, u), _graph(c, u)


def setitem_fill_with_zero_d(L):
    w = L.tensor(0.5, requires_grad=True)
    a = L.zeros(3)
    a[1:] = w
    b = L.zeros(2, 2)
    b[0] = 4.0
    return a, b, _graph(a, w)


def setitem_into_bool_records_nothing(L):
    # seed 205796: copy_ into a bool or integer tensor records nothing (same shapes:
    # x[...] = w is copy_); torch's fill_ records FillBackward3 even on a bool tensor
    v = L.tensor([1.0, -1.0]) < 0
    w = L.tensor(0.3, requires_grad=True)
    v[...] = w
    s = L.tensor(1.6) < 0
    s[...] = w
    u = L.zeros(2, dtype=L.int64)
    u.copy_(w * 2)
    return v, s, u


# ----------------------------------------------------------------------------------------
# Memory layout: what can be viewed after contiguous(), clone() and matmul


def view_after_contiguous_of_transposed(L):
    # seed 202625: contiguous() gives C order, whatever the input's layout
    x = L.tensor([[0.0, -1.5], [-1.7, 0.8]], requires_grad=True)
    c = x.mT.contiguous()
    return c.is_contiguous(), c.view(4), _graph(c.view(4), x)


def clone_keeps_the_layout(L):
    # clone() preserves a dense layout (torch's preserve_format): a transposed clone
    # is not contiguous, and reshape makes a copy of it
    x = L.ones(2, 3, requires_grad=True)
    c = x.t().clone()
    return c.is_contiguous(), _graph(c.reshape(6), x)


def matmul_result_is_contiguous(L):
    # seeds 204882, 210576: a batched matmul's result is laid out as torch's
    a = L.tensor([[[1.1], [1.5], [-2.0]]], dtype=L.float64, requires_grad=True)
    b = L.tensor([[[1.6, -0.6]], [[1.0, 1.3]]], dtype=L.float64)
    out = a @ b
    c = L.ones(2, 3, requires_grad=True)
    d = L.ones(1, 3, 2, requires_grad=True)
    e = L.ones(1, 2, 2, requires_grad=True)
    f = L.matmul(c.matmul(d), e)
    return (
        out.is_contiguous(),
        _graph(out.contiguous(), a),
        out.view(-1),
        f.is_contiguous(),
        _graph(f, c, d, e),
    )


def view_of_clone_of_transposed(L):
    x = L.ones(2, 3)
    x.t().clone().view(6)


def repr_of_no_grad_view_after_change(L):
    # seed 500696: torch's repr shows grad_fn=<Invalid> where .grad_fn would raise
    x = L.tensor([[-0.4], [1.9]], dtype=L.float64, requires_grad=True)
    with L.no_grad():
        v = x.expand_as(x)
        v[1, -1] = 0.4
    return repr(v).replace("torch.", "at."), v.requires_grad


def no_grad_view_changed_then_viewed_under_no_grad(L):
    # seed 209486: under no_grad() nothing asks for the view's grad_fn: no error
    x = L.zeros(2, 3, requires_grad=True)
    with L.no_grad():
        v = x[0:1]
        v.mul_(2)
        u = v[None, ...]
    return u.shape, u.requires_grad


def grad_wrt_no_grad_view_after_change(L):
    # seed 206082: autograd.grad asks for the input's grad_fn: torch's view error
    x = L.tensor([0.1, -0.6, 0.5], requires_grad=True)
    with L.no_grad():
        v = x[2]
    w = L.tensor([-1.6], dtype=L.float64, requires_grad=True)
    with L.no_grad():
        v[None] = w
    return L.autograd.grad(w, [v, x])


def detached_in_place_saved_input(L):
    # seed 212372: a saved input that had a history, detached in place since
    x = L.ones(3, requires_grad=True)
    y = x.sum()
    w = L.tensor(2.0, requires_grad=True)
    z = y * w
    y.detach_()
    z.backward()


def detached_in_place_before_saved(L):
    # detached first, then saved (as a leaf): nothing to refuse
    x = L.ones(3, requires_grad=True)
    y = x * 2
    y.detach_()
    w = L.tensor(2.0, requires_grad=True)
    (y * w).sum().backward()
    return w.grad, y.requires_grad, y.is_leaf


def no_grad_view_changed_twice(L):
    # seed 209486: changed in place with grad mode on after a change under no_grad():
    # torch's error is the direct one ("is being modified"), checked first
    x = L.zeros(2, 3, requires_grad=True)
    with L.no_grad():
        v = x[0:1]
        v.mul_(2)
    v.add_(0)


VALUE_CASES = [
    inplace_view_of_non_leaf,
    inplace_view_backward_through_view,
    inplace_view_rederives_other_views,
    inplace_view_of_view,
    inplace_base_then_view,
    inplace_view_retains_grad,
    inplace_view_twice,
    inplace_view_setitem_on_view,
    no_grad_view_used_before_change,
    no_grad_view_changed_under_no_grad,
    view_requires_grad_follows_base,
    slice_in_tuple_not_written_as_full,
    slice_in_tuple_with_advanced_index,
    setitem_normalized_slice_is_a_view,
    setitem_same_shape_copies,
    setitem_broadcast_value_views_and_expands,
    setitem_fill_with_zero_d,
    setitem_into_bool_records_nothing,
    view_after_contiguous_of_transposed,
    clone_keeps_the_layout,
    matmul_result_is_contiguous,
    repr_of_no_grad_view_after_change,
    no_grad_view_changed_then_viewed_under_no_grad,
    detached_in_place_before_saved,
]

ERROR_CASES = [
    no_grad_view_changed_twice,
    detached_in_place_saved_input,
    grad_wrt_no_grad_view_after_change,
    view_of_clone_of_transposed,
    inplace_view_of_saved_output,
    inplace_view_saved_value_changed,
    inplace_view_of_leaf,
    inplace_no_grad_view,
    inplace_view_of_no_grad_view,
    no_grad_view_then_base_changed,
    view_of_no_grad_view_then_base_changed,
    no_grad_view_of_leaf_after_step,
]


@pytest.mark.parametrize("case", VALUE_CASES + ERROR_CASES, ids=lambda f: f.__name__)
def test_same_as_torch(torch, case):
    import autograd_tutor as at

    expected = observe_with_message(torch, case)
    got = observe_with_message(at, case)
    if expected[0] == "ok":
        expected = expected[:2] + ([],)  # torch's own warnings are not NumPy's
    assert got == expected, f"\nautograd_tutor: {got}\ntorch:          {expected}"
    if case in ERROR_CASES:
        assert expected[0] == "raises"
