"""Autograd behaviour: accumulation, retain_grad, hooks, grad modes, in-place rules,
freeing, autograd.grad, backward(inputs=...), stepping and very long graphs."""

import gc
import sys
import tracemalloc
import warnings

import numpy as np
import pytest

import autograd_tutor as at


def test_gradients_accumulate_until_zeroed():
    w = at.ones(3, requires_grad=True)
    (w * 2).sum().backward()
    grad = w.grad
    (w * 2).sum().backward()
    assert w.grad is grad  # accumulated in place, like torch
    assert w.grad.tolist() == [4.0, 4.0, 4.0]
    w.grad.zero_()
    assert w.grad.tolist() == [0.0, 0.0, 0.0]


def test_grad_is_none_before_backward():
    w = at.ones(2, requires_grad=True)
    assert w.grad is None
    with pytest.raises(AttributeError):
        w.grad.zero_()


def test_non_leaf_grad_warns_and_retain_grad_keeps_it():
    x = at.ones(2, requires_grad=True)
    y = x * 3
    with pytest.warns(UserWarning, match="not a leaf Tensor"):
        assert y.grad is None
    y.retain_grad()
    assert y.retains_grad and not x.retains_grad
    (y * y).sum().backward()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert y.grad.tolist() == [6.0, 6.0]


def test_retain_grad_on_leaf_is_a_no_op():
    x = at.ones(2, requires_grad=True)
    x.retain_grad()
    assert not x.retains_grad


def test_intermediates_never_accumulate_without_retain_grad():
    x = at.ones(2, requires_grad=True)
    y = x * 2
    y.sum().backward(retain_graph=True)
    y.sum().backward()
    assert y._grad is None  # the bug some teaching engines have
    assert x.grad.tolist() == [4.0, 4.0]


def test_hooks_see_and_replace_gradients():
    x = at.ones(2, requires_grad=True)
    y = x * 2
    seen = []
    y.register_hook(lambda g: seen.append(g.tolist()))
    handle = x.register_hook(lambda g: g * 10)
    y.sum().backward()
    assert seen == [[1.0, 1.0]]
    assert x.grad.tolist() == [20.0, 20.0]
    handle.remove()
    x.grad.zero_()
    (x * 2).sum().backward()
    assert x.grad.tolist() == [2.0, 2.0]


def test_no_grad_enable_grad_set_grad_enabled():
    w = at.ones(2, requires_grad=True)
    with at.no_grad():
        assert not at.is_grad_enabled()
        assert (w * 2).requires_grad is False
        with at.enable_grad():
            assert (w * 2).requires_grad is True
    assert at.is_grad_enabled()

    @at.no_grad()
    def update():
        return w * 2

    assert update().grad_fn is None and at.is_grad_enabled()

    @at.set_grad_enabled(False)
    def frozen():
        return w * 2

    assert at.is_grad_enabled()  # decorating does not switch the mode
    assert frozen().grad_fn is None and at.is_grad_enabled()
    at.set_grad_enabled(False)
    assert (w * 2).grad_fn is None
    at.set_grad_enabled(True)
    with at.set_grad_enabled(False):
        assert not at.is_grad_enabled()
    assert at.is_grad_enabled()


def test_update_under_no_grad_keeps_leaf_a_leaf():
    w = at.ones(2, requires_grad=True)
    (w * w).sum().backward()
    with at.no_grad():
        w.sub_(0.1 * w.grad)
    assert w.is_leaf and w.grad_fn is None and w.requires_grad
    assert w._version == 1
    np.testing.assert_allclose(
        w.numpy() if not w.requires_grad else w.detach().numpy(), [0.8, 0.8]
    )


def test_inplace_rewrites_grad_fn_like_torch():
    x = at.ones(2, 2, requires_grad=True)
    y = x * 1
    old = y.grad_fn
    y.add_(1)
    assert y.grad_fn.name() == "AddBackward0"
    assert y.grad_fn.next_functions[0][0] is old
    assert y._version == 1
    y.mul_(2)
    y.clamp_(min=0)
    assert y.grad_fn.name() == "ClampBackward1"
    y.sum().backward()
    assert x.grad.tolist() == [[2.0, 2.0], [2.0, 2.0]]


def test_inplace_on_tensor_without_grad_makes_it_require_grad():
    x = at.ones(2, requires_grad=True)
    z = at.zeros(2)
    z.add_(x)
    assert z.requires_grad and not z.is_leaf and z.grad_fn.name() == "AddBackward0"
    assert z.grad_fn.next_functions[0] == (None, 0)


def test_views_share_the_version_counter():
    x = at.ones(3, 2)
    row = x[0]
    with at.no_grad():
        row.add_(1)
    assert x._version == 1 and row._version == 1
    assert x.tolist()[0] == [2.0, 2.0]


def test_retain_graph_allows_a_second_backward():
    x = at.ones(2, requires_grad=True)
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    assert x.grad.tolist() == [4.0, 4.0]


def test_saved_values_are_freed_after_backward():
    x = at.ones(2, requires_grad=True)
    y = x.exp()
    node = y.grad_fn
    assert node._saved_result.tolist() == pytest.approx([np.e, np.e])
    y.sum().backward()
    assert node._freed
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        node._saved_result  # noqa: B018  (reading it is the error)


def test_autograd_grad_leaves_dot_grad_alone():
    x = at.tensor([1.0, 2.0], requires_grad=True)
    y = at.tensor([3.0], requires_grad=True)
    gx, gy = at.autograd.grad((x * x).sum() * y.sum(), [x, y])
    assert gx.tolist() == [6.0, 12.0] and gy.tolist() == [5.0]
    assert x.grad is None and y.grad is None


def test_autograd_grad_of_intermediate_and_allow_unused():
    x = at.tensor([1.0, 2.0], requires_grad=True)
    unused = at.ones(1, requires_grad=True)
    h = x * 3
    out = (h * h).sum()
    gh, gu = at.autograd.grad(out, [h, unused], allow_unused=True)
    assert gh.tolist() == [6.0, 12.0] and gu is None
    (gm,) = at.autograd.grad(
        (x * 2).sum(), [unused], allow_unused=True, materialize_grads=True
    )
    assert gm.tolist() == [0.0]


def test_backward_inputs_restricts_accumulation():
    a = at.ones(2, requires_grad=True)
    b = at.ones(2, requires_grad=True)
    (a * b).sum().backward(inputs=[a])
    assert a.grad.tolist() == [1.0, 1.0] and b.grad is None


def test_backward_with_explicit_gradient():
    x = at.ones(2, 2, requires_grad=True)
    (x * 2).backward(at.full((2, 2), 0.5))
    assert x.grad.tolist() == [[1.0, 1.0], [1.0, 1.0]]


def test_broadcast_bias_gradient_is_summed_over_the_batch():
    x = at.ones(5, 3)
    b = at.zeros(1, 3, requires_grad=True)
    (x + b).sum().backward()
    assert b.grad.shape == (1, 3) and b.grad.tolist() == [[5.0, 5.0, 5.0]]


def test_repeated_indices_accumulate():
    x = at.zeros(4, requires_grad=True)
    x[at.tensor([0, 0, 3, 0])].sum().backward()
    assert x.grad.tolist() == [3.0, 0.0, 0.0, 1.0]


def test_mixed_dtypes_promote_like_torch():
    assert (at.arange(3) * 2.5).dtype == at.float32
    assert (at.ones(2) + at.ones(2, dtype=at.float64)).dtype == at.float64
    assert (at.arange(3) / 2).dtype == at.float32
    x = at.ones(2, requires_grad=True)
    (x * at.ones(2, dtype=at.float64)).sum().backward()
    assert x.grad.dtype == at.float32


def test_iter_backward_steps_report_what_flows():
    x = at.tensor([1.0, 2.0], requires_grad=True)
    y = x * 3
    out = (y + y).sum()
    steps = list(at.autograd.iter_backward_for(out))
    names = [s.node.name() for s in steps]
    assert names == [
        "SumBackward0",
        "AddBackward0",
        "MulBackward0",
        "torch::autograd::AccumulateGrad",
    ]
    mul = steps[2]
    assert mul.grads_in[0].tolist() == [2.0, 2.0]  # two edges met here: 1 + 1
    assert mul.grads_out[0].tolist() == [6.0, 6.0] and mul.grads_out[1] is None
    assert x.grad.tolist() == [6.0, 6.0]


def test_execution_order_matches_torch(torch):
    """Our engine runs nodes in exactly the order PyTorch's engine does."""

    def order(L):
        rng = np.random.default_rng(0)
        arrays = [
            rng.standard_normal(s).astype(np.float32)
            for s in [(6, 3), (3, 4), (1, 4), (4, 1), (1, 1), (6, 1)]
        ]
        x, w1, b1, w2, b2, y = [L.tensor(a) for a in arrays]
        for w in (w1, b1, w2, b2):
            w.requires_grad_()
        loss = (x.mm(w1).add(b1).clamp(min=0).mm(w2).add(b2) - y).pow(2).sum()
        loss = loss + (w1 * w1).sum() * 0.1  # a second path into w1: fan-in
        seen, stack, ran = set(), [loss.grad_fn], []
        while stack:
            n = stack.pop()
            if n is None or n in seen:
                continue
            seen.add(n)
            stack.extend(c for c, _ in n.next_functions)
        names = {w1: "w1", b1: "b1", w2: "w2", b2: "b2"}
        for n in seen:
            label = (
                names[n.variable]
                if type(n).__name__ == "AccumulateGrad"
                else type(n).__name__
            )
            if L is at:
                continue
            n.register_prehook(lambda g, label=label: ran.append(label))
        if L is at:
            for step in at.autograd.iter_backward_for(loss):
                n = step.node
                ran.append(
                    names[n.variable]
                    if type(n).__name__ == "AccumulateGrad"
                    else type(n).__name__
                )
        else:
            loss.backward()
        return ran

    ours = order(at)
    assert len(ours) == 16 and ours == order(torch)


def test_hundred_thousand_op_chain_at_default_recursion_limit():
    assert sys.getrecursionlimit() <= 10000
    x = at.ones(2, requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y * 1.0
    y.sum().backward()
    assert x.grad.tolist() == [1.0, 1.0]
    del y  # freeing a 100,000-node chain must not overflow the C stack either
    gc.collect()


def test_graphs_are_freed_memory_stays_flat():
    at.manual_seed(0)
    x, y = at.randn(100, 3), at.randn(100, 1)
    params = [
        at.randn(3, 32, requires_grad=True),
        at.zeros(1, 32, requires_grad=True),
        at.randn(32, 1, requires_grad=True),
        at.zeros(1, 1, requires_grad=True),
    ]
    w1, b1, w2, b2 = params

    def step():
        loss = (x.mm(w1).add(b1).clamp(min=0).mm(w2).add(b2) - y).pow(2).sum()
        loss.backward()
        with at.no_grad():
            for w in params:
                w.sub_(1e-6 * w.grad)
                w.grad.zero_()

    for _ in range(200):
        step()
    tracemalloc.start()
    for _ in range(1000):
        step()
    first, _ = tracemalloc.get_traced_memory()
    for _ in range(9000):
        step()
    last, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert last - first < 200_000, (
        f"memory grew by {last - first} bytes over 9,000 steps"
    )


def test_saved_attributes_mirror_torch(torch):
    """dir(grad_fn) lists torch's _saved_* names only, and values saved like torch."""
    for L in (at, torch):
        x = L.ones(2, requires_grad=True)
        y = x * 3
        names = [a for a in dir(y.grad_fn) if a.startswith("_saved")]
        assert names == ["_saved_other", "_saved_self"]
        assert y.grad_fn._saved_self is None  # not needed: the 3 needs no gradient


def test_mm_keeps_the_strides_of_factors_that_need_grad_only(torch):
    """torch keeps a factor's strides (which lay out that factor's own gradient) only
    when the factor needs a gradient: ``_saved_self_sym_strides`` is () otherwise."""

    def saved(L):
        out = []
        for needs in ((False, True), (True, False), (True, True)):
            a = L.ones(2, 3, requires_grad=needs[0])
            b = L.ones(3, 4, requires_grad=needs[1])
            fn = a.mm(b).grad_fn
            sizes = fn._saved_self_sym_sizes, fn._saved_mat2_sym_sizes
            strides = fn._saved_self_sym_strides, fn._saved_mat2_sym_strides
            out.append(tuple(tuple(s) for s in sizes + strides))
        fn = L.nn.Linear(3, 2)(L.ones(4, 3)).grad_fn  # addmm: x needs no gradient
        strides = fn._saved_mat1_sym_strides, fn._saved_mat2_sym_strides
        out.append(tuple(tuple(s) for s in strides))
        return out

    assert saved(at) == saved(torch)


def test_saved_tensors_read_back_like_torch(torch):
    def show(L):
        w = L.tensor([0.5, -1.0], requires_grad=True)
        u = w * 3
        loss = u.pow(2).sum()
        pow_node = loss.grad_fn.next_functions[0][0]
        return [
            repr(pow_node._saved_self),
            repr(u.exp().grad_fn._saved_result),
            repr((w * w).grad_fn._saved_self),
            repr(w.pow(3).grad_fn._saved_exponent),
        ]

    assert show(at) == [r.replace("torch.", "at.") for r in show(torch)]


def test_version_counters_match_torch(torch):
    """Views and detach() share the counter; .data does not (changes hide from autograd)."""

    def scenario(L):
        x = L.ones(3, 2, requires_grad=True)
        y = x * 2
        v = y[0]
        with L.no_grad():
            y.add_(1)
        d = y.detach()
        d.mul_(2)
        p = L.ones(2, requires_grad=True)
        p.data.add_(1)
        w = L.zeros(2)
        w.add_(1).sub_(1).mul_(2).div_(2).zero_().fill_(3).clamp_(min=0)
        return [y._version, v._version, d._version, p._version, w._version]

    assert scenario(at) == scenario(torch) == [2, 2, 2, 0, 7]
