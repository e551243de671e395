"""A recorded graph is cheap for Python's cyclic garbage collector: few objects per
op that it must track, and none it must keep scanning that could be shared. (Counts of
objects, not timings: bench/bench_engine.py measures the time.)"""

import gc

import autograd_tutor as at


def _chain(y, n):
    for _ in range(n):
        y = y * 1.0001
    return y


def test_a_recorded_op_allocates_three_tracked_objects():
    # the node, its tuple of next nodes and its saved values; its flag tuples
    # (needs_input_grad, _next_nrs) are shared with every node of the same flags
    y = _chain(at.ones(4, requires_grad=True), 10)
    gc.collect()
    gc.disable()
    try:
        start = gc.get_count()[0]
        y = _chain(y, 1000)
        per_op = (gc.get_count()[0] - start) / 1000
    finally:
        gc.enable()
    assert per_op <= 3.05, per_op


def test_a_long_graph_keeps_two_tracked_objects_per_op():
    y = _chain(at.ones(4, requires_grad=True), 10)
    gc.collect()
    before = len(gc.get_objects())
    y = _chain(y, 1000)
    gc.collect()
    per_op = (len(gc.get_objects()) - before) / 1000
    assert per_op <= 2.01, per_op
    y.sum().backward()  # (and the graph still works)


def test_nodes_share_their_flag_tuples():
    x = at.ones(2, requires_grad=True)
    a, b = (x * 2).grad_fn, (x * 3).grad_fn
    assert a.needs_input_grad is b.needs_input_grad
    assert a._next_nrs is b._next_nrs


def test_shared_output_numbers_stay_numbers():
    # (1,) == (True,) in Python: output numbers and flags are shared apart
    x = at.ones(2, requires_grad=True)
    needs = x.sum().grad_fn.needs_input_grad  # (True,)
    nrs = x.unbind()[1].sum().grad_fn._next_nrs  # (1,): output 1 of unbind
    assert [type(n) for n in nrs] == [int] and [type(n) for n in needs] == [bool]
    assert x.exp().grad_fn.needs_input_grad[0] is True
