"""Conformance: in-place changes to views, against PyTorch 2.13 (issue 12, item 3).

An in-place op on a view rewrites the base's history (``CopySlices``); the view and
every other view of the base are then derived again from the base
(``AsStridedBackward0``); base and views share one version counter. torch refuses the
ambiguous cases: a view made under ``no_grad()`` (or a view of one) changed in place, or
used after its base was, and a view of a leaf that requires grad.

Each program takes the library ``L`` and float64 leaves made from the same random
numbers; it returns the tensors to compare. The test compares values, ``requires_grad``
/ ``is_leaf``, versions, the whole backward graph of each returned tensor (node names
along every edge), the gradients of a random weighting of the first one, and, for the
programs torch refuses, the exception type and message.
"""

import numpy as np
import pytest

import autograd_tutor as at

from .graph_signature import signature


def mul_on_slice(L, x, w):
    y = x * 2
    v = y[1:3]
    v.mul_(w)
    return y, v


def add_on_row_then_use_other_views(L, x, w):
    y = x.exp() * 1  # (exp saves its output: change a copy)
    row, flat, t = y[0], y.view(-1), y.t()
    row.add_(w[0])
    return flat, t, row, y


def sub_on_view_of_view(L, x, w):
    y = x + 0
    a = y[1]
    b = a[::2]
    b.sub_(w[0, :2])
    return y, a, b


def div_on_transposed_view(L, x, w):
    y = x * x
    t = y.t()
    t.div_(2)
    return y, t


def inplace_on_base_then_view(L, x, w):
    y = x * 3
    v = y[:, 1:]
    y.mul_(w)
    return v, y


def inplace_twice_on_two_views(L, x, w):
    y = x.tanh() - 1
    a, b = y[0], y[1]
    a.mul_(w[1])
    b.add_(a)
    return y, a, b


def clamp_and_zero_on_views(L, x, w):
    y = x * w
    y[0].clamp_(min=0.0)
    y[1, :2].zero_()
    return (y,)


def view_then_reshape_changed(L, x, w):
    y = x * 2
    r = y.reshape(-1)
    s = r[2:]
    s.add_(w.reshape(-1)[:4])
    return y, r, s


def setitem_on_held_view(L, x, w):
    y = x * 1
    v = y[1]
    v[1:] = w[0, 1:] * 4
    return y, v


def view_of_plain_base_with_grad_operand(L, x, w):
    base = L.zeros(2, 3, dtype=L.float64)
    v = base[:, 0]
    v.add_(x[:, 0] * w[:, 0])
    return base, v


def retained_view_grad(L, x, w):
    y = x * 2
    v = y[0]
    v.retain_grad()
    v.mul_(w[0])
    return (v * 3).sum(), v


def expanded_view_derived_again(L, x, w):
    b = x[0] * 1.0
    e = b.expand(2, 3)  # (stride 0: its gradient is summed, then scattered)
    b.mul_(w[1])
    return e * w, b


def view_of_transposed_product(L, x, w):
    y = x.t() * 2  # (a base whose memory is not in C order)
    v = y[1:, 0]
    v.mul_(w[0, 1:])
    return y, v


def size_one_view_derived_again(L, x, w):
    y = x * 1
    u = y.unsqueeze(1)[:, :, 1:]  # (size-1 dimensions: squeezed away first)
    y.mul_(x)
    return u * w[:, None, 1:], y


def index_put_into_view(L, x, w):
    y = x * 1.0
    row = y[1]
    row[[0, 2]] = w[0, :2] * x[0, :2]
    return y * y, row


PROGRAMS = [
    mul_on_slice,
    add_on_row_then_use_other_views,
    sub_on_view_of_view,
    div_on_transposed_view,
    inplace_on_base_then_view,
    inplace_twice_on_two_views,
    clamp_and_zero_on_views,
    view_then_reshape_changed,
    setitem_on_held_view,
    view_of_plain_base_with_grad_operand,
    retained_view_grad,
    expanded_view_derived_again,
    view_of_transposed_product,
    size_one_view_derived_again,
    index_put_into_view,
]

SHAPES = {mul_on_slice: ((4,), (2,))}


def _observe(L, program, arrays):
    x, w = (L.tensor(a, dtype=L.float64, requires_grad=True) for a in arrays)
    outs = program(L, x, w)
    seen = [
        (
            tuple(t.shape),
            t.detach().numpy().copy(),
            t.requires_grad,
            t.is_leaf,
            t._version,
            signature(t.grad_fn, (x, w)),
        )
        for t in outs
    ]
    return x, w, outs, seen


def _weights(rng, shape):
    return rng.standard_normal(shape)


@pytest.mark.parametrize("program", PROGRAMS, ids=lambda f: f.__name__)
def test_inplace_on_views_matches_torch(torch, rng, program):
    shapes = SHAPES.get(program, ((2, 3), (2, 3)))
    arrays = [rng.standard_normal(s) for s in shapes]
    tx, tw, t_outs, t_seen = _observe(torch, program, arrays)
    ax, aw, a_outs, a_seen = _observe(at, program, arrays)
    for i, (got, expected) in enumerate(zip(a_seen, t_seen)):
        shape, values, *flags = got
        t_shape, t_values, *t_flags = expected
        assert shape == t_shape, f"output {i}"
        np.testing.assert_allclose(values, t_values, rtol=1e-12, err_msg=f"output {i}")
        assert flags == t_flags, f"output {i}"
    weights = _weights(rng, tuple(t_outs[0].shape))
    (t_outs[0] * torch.tensor(weights)).sum().backward()
    (a_outs[0] * at.tensor(weights)).sum().backward()
    for name, a, t in (("x", ax, tx), ("w", aw, tw)):
        if t.grad is None:
            assert a.grad is None, name
        else:
            np.testing.assert_allclose(
                a.grad.numpy(), t.grad.numpy(), rtol=1e-10, atol=1e-12, err_msg=name
            )
    if program is retained_view_grad:
        np.testing.assert_allclose(a_outs[1].grad.numpy(), t_outs[1].grad.numpy())


# ----------------------------------------------------------------------------------------
# create_graph=True through the same programs: CopySlices and AsStridedBackward0 record
# their own backward (torch's steps: CopyBackwards, AsStridedBackward0, CloneBackward0,
# a CopySlices of the gradient itself), so it can be differentiated again


def _np(t):
    return None if t is None else t.detach().numpy().copy()


def _three_orders(L, program, arrays, seed, weights):
    """The gradients of the program's first output (grad_output v = seed, which
    requires grad), recorded; the gradient of their weighted sum, recorded; and the
    gradient of that one's square: the graphs of the first two, the values of all."""
    x, w = (L.tensor(a, dtype=L.float64, requires_grad=True) for a in arrays)
    out = program(L, x, w)[0]
    v = L.tensor(seed, dtype=L.float64, requires_grad=True)
    leaves = [x, w, v]
    grads = L.autograd.grad(out, (x, w), v, create_graph=True, allow_unused=True)
    terms = [(g * L.tensor(k)).sum() for g, k in zip(grads, weights) if g is not None]
    second = L.autograd.grad(sum(terms), leaves, create_graph=True, allow_unused=True)
    terms = [(h * h).sum() for h in second if h is not None and h.requires_grad]
    third = L.autograd.grad(sum(terms), leaves, allow_unused=True) if terms else ()
    graphs = [
        [None if g is None else signature(g.grad_fn, leaves) for g in gs]
        for gs in (grads, second)
    ]
    return graphs, [[_np(g) for g in gs] for gs in (grads, second, third)]


@pytest.mark.parametrize("program", PROGRAMS, ids=lambda f: f.__name__)
def test_create_graph_through_inplace_on_views_matches_torch(torch, rng, program):
    shapes = SHAPES.get(program, ((2, 3), (2, 3)))
    arrays = [rng.standard_normal(s) for s in shapes]
    probe = program(torch, *[torch.tensor(a, requires_grad=True) for a in arrays])[0]
    seed = rng.standard_normal(tuple(probe.shape))
    weights = [rng.standard_normal(s) for s in shapes]
    t_graphs, t_values = _three_orders(torch, program, arrays, seed, weights)
    a_graphs, a_values = _three_orders(at, program, arrays, seed, weights)
    assert a_graphs == t_graphs
    for order, (got, expected) in enumerate(zip(a_values, t_values), 1):
        assert len(got) == len(expected), f"order {order}"
        for i, (a, t) in enumerate(zip(got, expected)):
            assert (a is None) == (t is None), f"order {order}, gradient {i}"
            if t is not None:
                np.testing.assert_allclose(
                    a, t, rtol=1e-10, atol=1e-12, err_msg=f"order {order}, gradient {i}"
                )


def test_derived_view_shows_torchs_geometry(torch):
    """AsStridedBackward0 shows the view's size, strides and start in the base."""
    seen = {}
    for L in (torch, at):
        y = L.ones(3, 4, requires_grad=True) * 1
        views = [y[1:, 2], y.t()[1], y[:, 1:3], y.unsqueeze(0)[:, 1], y[0].expand(2, 4)]
        y.add_(1)
        seen[L] = [
            (
                v.grad_fn._saved_size,
                v.grad_fn._saved_stride,
                v.grad_fn._saved_storage_offset,
            )
            for v in views
        ]
    assert seen[at] == seen[torch]


# ----------------------------------------------------------------------------------------
# What torch refuses, with its messages


def no_grad_view_changed(L, x):
    y = x * 2
    with L.no_grad():
        v = y[0]
    v.mul_(2)


def view_of_no_grad_view_changed(L, x):
    y = x * 2
    with L.no_grad():
        v = y[0]
    v.unsqueeze(0).mul_(2)


def no_grad_view_used_after_base_changed(L, x):
    y = x * 2
    with L.no_grad():
        v = y[:, 0]
    y.add_(1)
    v * 2


def view_of_no_grad_view_used_after_base_changed(L, x):
    y = x * 2
    with L.no_grad():
        v = y[:, 0]
    u = v[None]
    y[0].add_(1)  # another view of the base
    u.sum()


def no_grad_view_changed_in_no_grad_then_used(L, x):
    with L.no_grad():
        v = x[0]
        x.mul_(0.5)  # an optimizer step, say
    v.exp()


def no_grad_view_of_plain_base_after_base_gets_grad(L, x):
    base = L.zeros(3, dtype=L.float64)
    with L.no_grad():
        v = base[1:]
    base.add_(x[0])
    v * 1


def view_of_leaf_changed(L, x):
    x[0].add_(1)


def saved_base_changed_through_view(L, x):
    y = x * 1
    z = y * y  # saves y
    y[1].mul_(2)
    z.sum().backward()


def saved_view_changed_through_base(L, x):
    y = x * 1
    v = y.t()
    z = v.exp() * v  # saves v
    y.add_(1)
    z.sum().backward()


REFUSED = [
    no_grad_view_changed,
    view_of_no_grad_view_changed,
    no_grad_view_used_after_base_changed,
    view_of_no_grad_view_used_after_base_changed,
    no_grad_view_changed_in_no_grad_then_used,
    no_grad_view_of_plain_base_after_base_gets_grad,
    view_of_leaf_changed,
    saved_base_changed_through_view,
    saved_view_changed_through_base,
]


def _error(L, program, array):
    x = L.tensor(array, dtype=L.float64, requires_grad=True)
    with pytest.raises(Exception) as info:
        program(L, x)
    return type(info.value).__name__, str(info.value).replace("torch.", "at.")


@pytest.mark.parametrize("program", REFUSED, ids=lambda f: f.__name__)
def test_refused_as_torch_refuses(torch, rng, program):
    array = rng.standard_normal((2, 3))
    assert _error(at, program, array) == _error(torch, program, array)
