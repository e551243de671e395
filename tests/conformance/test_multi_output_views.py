"""Conformance: the ops that return several views (``unbind``, ``split``, ``chunk``),
against PyTorch 2.13 (issue 12, item 3).

All outputs share one node (``UnbindBackward0``, ``SplitBackward0``,
``SplitWithSizesBackward0``; output ``i`` is ``(node, i)``), the base's memory and its
version counter. torch refuses to change one of them in place while recording, and to
use one after its base (or another view of it) was changed, with its "multiple views"
error. Each check runs the same program on torch and on autograd_tutor and compares
what it sees: values, node graphs, output numbers, versions, gradients (also recorded,
to the third order), tangents, and the errors, type and message.
"""

import numpy as np
import pytest

import autograd_tutor as at
import autograd_tutor.autograd.forward_ad as at_fwad

from .graph_signature import signature

# Each program: (library, x) -> the views it makes, x of shape (3, 4) requiring grad.
VIEWS = {
    "unbind": lambda L, x: (x * 1).unbind(),
    "unbind_dim_-1": lambda L, x: L.unbind(x * 1, dim=-1),
    "unbind_leaf": lambda L, x: x.unbind(1),
    "split_int": lambda L, x: (x * 1).split(2),
    "split_int_dim1": lambda L, x: L.split(x * 1, 3, dim=1),
    "split_bigger_than_dim": lambda L, x: (x * 1).split(10),
    "split_list": lambda L, x: (x * 1).split([1, 2]),
    "split_tuple_with_zero": lambda L, x: L.split(x * 1, (0, 3, 1), 1),
    "split_one_element_tensor": lambda L, x: (x * 1).split(L.tensor(2)),
    "split_with_sizes": lambda L, x: L.split_with_sizes(x * 1, [2, 2], dim=1),
    "split_with_sizes_method": lambda L, x: (x * 1).split_with_sizes([3]),
    "chunk": lambda L, x: (x * 1).chunk(2),
    "chunk_more_than_size": lambda L, x: L.chunk(x * 1, 7, dim=1),
    "chunk_empty_dim": lambda L, x: (x[:0] * 1).chunk(3),
    "split_empty_dim": lambda L, x: (x[:0] * 1).split(0),
    "unbind_of_a_view": lambda L, x: (x * 1)[1:].unbind(1),
    "split_of_a_transpose": lambda L, x: (x * 1).t().split(2),
}


def _leaf(L, rng_array):
    return L.tensor(rng_array, dtype=L.float64, requires_grad=True)


def _describe(views, leaves):
    return [
        (
            tuple(v.shape),
            v.detach().numpy().copy(),
            v.requires_grad,
            v.is_leaf,
            v.output_nr,
            v._version,
            signature(v.grad_fn, leaves),
        )
        for v in views
    ]


def _pieces(L, views, weights):
    """A loss using all views but the last (whose gradient the node fills with 0)."""
    used = views[:-1] if len(views) > 1 else views
    return sum((v * v * L.tensor(w)).sum() for v, w in zip(used, weights))


@pytest.mark.parametrize("name", sorted(VIEWS))
def test_views_nodes_and_gradients_match_torch(name, torch, rng):
    program = VIEWS[name]
    array = rng.standard_normal((3, 4))
    seen = {}
    for L in (torch, at):
        x = _leaf(L, array)
        views = program(L, x)
        assert type(views) is tuple
        w_rng = np.random.default_rng(1)
        weights = [w_rng.standard_normal(tuple(v.shape)) for v in views]
        described = _describe(views, [x])
        shared = len({id(v.grad_fn) for v in views if v.grad_fn is not None})
        loss = _pieces(L, views, weights)
        grad = None
        if isinstance(loss, (L.Tensor,)) and loss.requires_grad:
            (grad,) = L.autograd.grad(loss, x)
            grad = grad.numpy()
        seen[L] = described, shared, grad
    (a_desc, a_shared, a_grad), (t_desc, t_shared, t_grad) = seen[at], seen[torch]
    assert len(a_desc) == len(t_desc)
    for i, (a, t) in enumerate(zip(a_desc, t_desc)):
        assert a[0] == t[0], f"view {i}"
        np.testing.assert_array_equal(a[1], t[1], err_msg=f"view {i}")
        assert a[2:] == t[2:], f"view {i}"
    assert a_shared == t_shared  # one node for all the outputs
    assert (a_grad is None) == (t_grad is None)
    if t_grad is not None:
        np.testing.assert_allclose(a_grad, t_grad, rtol=1e-12, atol=1e-14)


def test_saved_attributes_match_torch(torch):
    seen = {}
    for L in (torch, at):
        x = L.ones(3, 4, requires_grad=True) * 1
        nodes = [
            x.unbind(1)[0].grad_fn,
            x.split(3, 1)[0].grad_fn,
            x.split([1, 2])[0].grad_fn,
            x.chunk(2)[0].grad_fn,
        ]
        seen[L] = [
            {
                n: getattr(node, n)
                for n in dir(node)
                if n.startswith("_saved_") and n != "_saved_tensors"
            }
            for node in nodes
        ]
    assert seen[at] == seen[torch]


def _three_orders(L, name, array, seeds, weights):
    """The gradient of the views (grad_outputs that require grad; the last view gets
    none), recorded; the gradient of its weighted sum, recorded; and that of its
    square: graphs of the first two orders, values of all three."""
    x = _leaf(L, array)
    views = VIEWS[name](L, x * x * x)
    used = views[:-1] if len(views) > 1 else views
    vs = [L.tensor(s, dtype=L.float64, requires_grad=True) for s in seeds[: len(used)]]
    leaves = [x, *vs]
    (g,) = L.autograd.grad(used, x, vs, create_graph=True)
    (h,) = L.autograd.grad((g * L.tensor(weights)).sum(), x, create_graph=True)
    (k,) = L.autograd.grad((h * h).sum(), x)
    graphs = [signature(t.grad_fn, leaves) for t in (g, h)]
    return graphs, [t.detach().numpy().copy() for t in (g, h, k)]


@pytest.mark.parametrize(
    "name", ["unbind", "split_int_dim1", "split_list", "chunk", "split_of_a_transpose"]
)
def test_create_graph_matches_torch(name, torch, rng):
    """Under create_graph=True the backward of UnbindBackward0 records torch's
    StackBackward0 and that of the split nodes CatBackward0, zeros (no edge) for the
    view without a gradient."""
    array = rng.standard_normal((3, 4))
    probe = VIEWS[name](torch, torch.tensor(array))
    seeds = [rng.standard_normal(tuple(v.shape)) for v in probe]
    weights = rng.standard_normal((3, 4))
    t_graphs, t_values = _three_orders(torch, name, array, seeds, weights)
    a_graphs, a_values = _three_orders(at, name, array, seeds, weights)
    assert a_graphs == t_graphs
    for a, t in zip(a_values, t_values):
        np.testing.assert_allclose(a, t, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name", ["unbind", "split_int_dim1", "split_list", "chunk"])
def test_tangents_match_torch(name, torch, rng):
    """Forward mode: each view's tangent is the same view of the input's tangent."""
    array, direction = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    seen = {}
    for L, fwad in ((torch, torch.autograd.forward_ad), (at, at_fwad)):
        with fwad.dual_level():
            x = fwad.make_dual(L.tensor(array), L.tensor(direction))
            views = VIEWS[name](L, x)
            seen[L] = [fwad.unpack_dual(v).tangent.numpy().copy() for v in views]
    assert len(seen[at]) == len(seen[torch])
    for a, t in zip(seen[at], seen[torch]):
        np.testing.assert_array_equal(a, t)


def _versions(L, x):
    y = x * 1
    views = y.unbind() + y.split(2, 1)
    y.detach().add_(1)  # the base changes: every view sees it
    views[0].detach().mul_(2)  # a view changes: the base and all views see it
    with L.no_grad():
        views[-1].add_(1)  # allowed without recording
    return [y._version] + [v._version for v in views], y.detach().numpy().copy()


def test_versions_are_shared_with_the_base(torch, rng):
    array = rng.standard_normal((3, 4))
    a_versions, a_values = _versions(at, _leaf(at, array))
    t_versions, t_values = _versions(torch, _leaf(torch, array))
    assert a_versions == t_versions
    np.testing.assert_array_equal(a_values, t_values)


def test_hooks_and_retained_gradients_of_views(torch, rng):
    """Each view is its own output of the shared node: a hook or retain_grad() on
    one sees that view's gradient only."""
    array = rng.standard_normal((3, 4))
    seen = {}
    for L in (torch, at):
        x = _leaf(L, array)
        views = (x * 1).unbind()
        hooked = []
        views[1].register_hook(lambda g, seen=hooked: seen.append(g.numpy().copy()))
        views[2].retain_grad()
        (views[1] * 2 + views[2] * views[2]).sum().backward()
        seen[L] = hooked[0], views[2].grad.numpy(), x.grad.numpy()
    for a, t in zip(seen[at], seen[torch]):
        np.testing.assert_allclose(a, t, rtol=1e-12)


def test_made_under_no_grad(torch, rng):
    """Views made under no_grad() say requires_grad=True (their base does) and have
    no grad_fn, as in torch."""
    array = rng.standard_normal((3, 4))
    seen = {}
    for L in (torch, at):
        y = _leaf(L, array) * 1
        with L.no_grad():
            views = y.unbind() + y.chunk(2)
        seen[L] = [(v.requires_grad, v.grad_fn is None, v.is_leaf) for v in views]
    assert seen[at] == seen[torch]


# ----------------------------------------------------------------------------------------
# What torch refuses, with its messages


def changed_in_place(L, x):
    y = x * 1
    y.unbind()[0].mul_(2)


def split_piece_changed(L, x):
    y = x * 1
    y.split(2)[1].add_(1)


def split_list_piece_copied_into(L, x):
    y = x * 1
    y.split([1, 2])[1].copy_(x[1:])


def chunk_zeroed(L, x):
    (x * 1).chunk(3, 1)[0].zero_()


def single_piece_changed(L, x):
    (x * 1).split(5)[0].add_(1)


def leaf_view_changed(L, x):
    x.unbind()[0].add_(1)


def view_of_a_piece_changed(L, x):
    y = x * 1
    y.unbind()[0][1:].add_(1)


def piece_index_assigned(L, x):
    y = x * 1
    y.unbind()[0][0] = 5.0


def base_changed_then_used(L, x):
    y = x * 1
    a = y.unbind()[0]
    y.mul_(2)
    a * 2


def base_changed_then_grad_fn_read(L, x):
    y = x * 1
    a = y.split(2)[0]
    y[2].add_(1)  # another view of the base
    a.grad_fn  # noqa: B018  (reading it is what torch refuses)


def changed_under_no_grad_then_used(L, x):
    y = x * 1
    a = y.unbind()[0]
    with L.no_grad():
        a.mul_(2)  # allowed, but the view's history is now ambiguous
    a.sum()


def changed_through_detach_then_backward(L, x):
    y = x * 1
    a, b = y.split(2)
    b.detach().mul_(2)
    (a * 2).sum().backward()


def view_of_piece_used_after_base_changed(L, x):
    y = x * 1
    a = y.unbind()[0].view(2, 2)
    y.add_(1)
    a * 1


def made_under_no_grad_changed_outside(L, x):
    y = x * 1
    with L.no_grad():
        a = y.unbind()[0]
    a.mul_(2)


def made_in_inference_mode_changed_outside(L, x):
    y = x * 1
    with L.inference_mode():
        a = y.unbind()[0]
    a.add_(1)


def plain_base_grad_operand(L, x):
    z = L.zeros(3, 4, dtype=L.float64)
    z.unbind()[0].add_(x[0])


def plain_base_given_grad_then_used(L, x):
    z = L.zeros(3, 4, dtype=L.float64)
    a = z.unbind()[0]
    z.add_(x)
    a * 1


def unbind_bad_dim(L, x):
    x.unbind(2)


def unbind_zero_dim(L, x):
    x.sum().unbind()


def unbind_float_dim(L, x):
    x.unbind(1.0)


def split_zero(L, x):
    x.split(0)


def split_negative(L, x):
    x.split(-1)


def split_bad_dim(L, x):
    L.split(x, 1, dim=-3)


def split_zero_dim_tensor(L, x):
    x.sum().split([1])


def split_sizes_wrong_sum(L, x):
    x.split([1, 1], dim=-1)


def split_sizes_negative(L, x):
    x.split([4, -1])


def split_sizes_empty(L, x):
    x.split([])


def split_float(L, x):
    x.split(1.5)


def split_float_sizes(L, x):
    x.split([1.5, 1.5])


def split_with_sizes_int(L, x):
    x.split_with_sizes(2)


def split_with_sizes_function_float(L, x):
    L.split_with_sizes(x, 1.5)


def split_sizes_tensor(L, x):
    x.split(L.tensor([1, 2]))


def chunk_zero(L, x):
    x.chunk(0)


def chunk_negative(L, x):
    x.chunk(-2, 1)


def chunk_zero_dim_tensor(L, x):
    x.sum().chunk(1)


def chunk_bad_dim(L, x):
    x.chunk(2, 3)


def chunk_float(L, x):
    x.chunk(2.0)


def not_a_tensor(L, x):
    for f in (L.unbind, L.chunk):
        with pytest.raises(TypeError) as info:
            f([1.0], 1)
        assert "must be Tensor, not list" in str(info.value)
    L.split_with_sizes([1.0], [1])


def split_not_a_tensor(L, x):
    L.split([1.0], 1)


REFUSED = [
    not_a_tensor,
    split_not_a_tensor,
    changed_in_place,
    split_piece_changed,
    split_list_piece_copied_into,
    chunk_zeroed,
    single_piece_changed,
    leaf_view_changed,
    view_of_a_piece_changed,
    piece_index_assigned,
    base_changed_then_used,
    base_changed_then_grad_fn_read,
    changed_under_no_grad_then_used,
    changed_through_detach_then_backward,
    view_of_piece_used_after_base_changed,
    made_under_no_grad_changed_outside,
    made_in_inference_mode_changed_outside,
    plain_base_grad_operand,
    plain_base_given_grad_then_used,
    unbind_bad_dim,
    unbind_zero_dim,
    unbind_float_dim,
    split_zero,
    split_negative,
    split_bad_dim,
    split_zero_dim_tensor,
    split_sizes_wrong_sum,
    split_sizes_negative,
    split_sizes_empty,
    split_float,
    split_float_sizes,
    split_with_sizes_int,
    split_with_sizes_function_float,
    split_sizes_tensor,
    chunk_zero,
    chunk_negative,
    chunk_zero_dim_tensor,
    chunk_bad_dim,
    chunk_float,
]


def _error(L, program, array):
    x = _leaf(L, array)
    with pytest.raises(Exception) as info:
        program(L, x)
    return type(info.value).__name__, str(info.value)


@pytest.mark.parametrize("program", REFUSED, ids=lambda f: f.__name__)
def test_refused_as_torch_refuses(torch, rng, program):
    array = rng.standard_normal((3, 4))
    assert _error(at, program, array) == _error(torch, program, array)


def test_nothing_requires_grad_allows_in_place(torch, rng):
    """With nothing to record, a view may be changed in place (torch checks nothing)."""
    array = rng.standard_normal((3, 4))
    seen = {}
    for L in (torch, at):
        z = L.tensor(array)
        a, b = z.split([1, 2])
        a.add_(1)
        b[0].mul_(3)
        seen[L] = z.numpy().copy(), a._version, (b * 1).requires_grad
    np.testing.assert_array_equal(seen[at][0], seen[torch][0])
    assert seen[at][1:] == seen[torch][1:]
