"""Recorders replay the real engine: frames must agree with backward() itself."""

import numpy as np
import pytest

import autograd_tutor as at
from autograd_tutor.autograd.function import AccumulateGrad
from autograd_tutor.widgets import recorders as R


def _reachable(root):
    seen, stack = {root}, [root]
    while stack:
        for nxt, _ in stack.pop().next_functions:
            if nxt is not None and nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return seen


def test_forward_frames_one_per_op_with_code_spans():
    p = R.blog_network(seed=3)
    frames, records, loss, _ = R.record_forward_frames(p)
    assert len(frames) == len(records) == 8
    assert [p.code[slice(*f.code_span)] for f in frames] == [
        ".mm(w1)",
        ".add(b1)",
        ".clamp(min=0)",
        ".mm(w2)",
        ".add(b2)",
        " - ",
        ".pow(2)",
        ".sum()",
    ]
    assert frames[2].node == "ClampBackward1" and frames[2].params == "min=0"
    assert frames[0].inputs == ("x [100, 3]", "w1 [3, 32]")
    np.testing.assert_array_equal(frames[-1].output, loss._data)
    # the op nodes of the graph are exactly the recorded ops
    ops = [n for n in _reachable(loss.grad_fn) if not isinstance(n, AccumulateGrad)]
    assert len(ops) == len(frames)


@pytest.mark.parametrize("seed", [0, 1, 7])
def test_last_backward_frame_equals_backward_on_an_identical_copy(seed):
    p = R.blog_network(seed=seed)
    loss = p.loss_fn()
    frames, names, nodes = R.record_backward_frames(loss, p.names)
    twin = R.blog_network(seed=seed)
    twin.loss_fn().backward()
    last = frames[-1].leaf_grads
    assert sorted(last) == sorted(twin.params)
    for name, t in twin.params.items():
        np.testing.assert_array_equal(last[name], t.grad._data)
        np.testing.assert_array_equal(p.params[name].grad._data, t.grad._data)
    # one frame per node the engine ran, every reachable node exactly once
    assert len(frames) == len(_reachable(loss.grad_fn)) == 12
    assert len(set(nodes)) == len(nodes)
    assert [f.sequence_nr for f in frames if f.leaf is None] == sorted(
        (f.sequence_nr for f in frames if f.leaf is None), reverse=True
    )


def test_backward_frames_show_slots_rules_and_accumulation():
    p = R.blog_network()
    frames, _, nodes = R.record_backward_frames(p.loss_fn(), p.names)
    first = frames[0]
    assert first.node == "SumBackward0" and "dy/dx_i = 1" in first.rule
    assert first.arrived[0].source.startswith("seed")
    sub = frames[2]
    assert sub.node == "SubBackward0"
    assert [s.target for s in sub.slots] == ["AddBackward0 #5", None]
    assert sub.slots[1].grad is None  # y needs no gradient
    for f, node in zip(frames, nodes, strict=True):
        for s, (nxt, _) in zip(f.slots, node.next_functions, strict=True):
            assert (s.target is None) == (nxt is None)
    # leaves fill one at a time, in the engine's order
    filled = [sum(v is not None for v in f.leaf_grads.values()) for f in frames]
    assert filled == sorted(filled) and filled[-1] == 4
    b2 = next(f for f in frames if f.leaf == "b2")
    np.testing.assert_allclose(b2.grads_in[0], b2.arrived[0].grad)


def test_fan_in_gradients_add_up():
    a = at.tensor([1.0, 2.0], requires_grad=True)
    h = a * 3
    loss = (h * h).sum()  # two edges from MulBackward0 #2 reach MulBackward0 #1
    frames, _, _ = R.record_backward_frames(loss, {"a": a})
    mul = next(f for f in frames if f.node == "MulBackward0 #1")
    assert len(mul.arrived) == 2
    total = sum(c.grad for c in mul.arrived)
    np.testing.assert_allclose(mul.grads_in[0], total)
    np.testing.assert_allclose(frames[-1].leaf_grads["a"], 18 * a._data)


def test_seed_example_frames_match_the_lesson():
    p = R.seed_example()
    frames, _, _ = R.record_backward_frames(p.loss_fn(), p.names)
    assert [f.node for f in frames] == [
        "MeanBackward0",
        "MulBackward0 #4",
        "PowBackward0",
        "MulBackward0 #2",
        "AccumulateGrad(x1)",
        "AddBackward0",
        "AccumulateGrad(x2)",
    ]
    np.testing.assert_allclose(frames[-1].leaf_grads["x2"], 18.6, rtol=1e-5)
    np.testing.assert_allclose(frames[-1].leaf_grads["x1"], 14.415, rtol=1e-5)


def test_update_frames_are_not_recorded_and_zero_the_grads():
    p = R.blog_network()
    p.loss_fn().backward()
    w1_before, g = p.params["w1"]._data.copy(), p.params["w1"].grad._data.copy()
    frames = R.record_update_frames(p.params, 1e-4)
    assert len(frames) == 3 * len(p.params)
    sub = frames[1]
    assert (sub.param, sub.stage) == ("w1", "sub_")
    np.testing.assert_allclose(sub.value, w1_before - 1e-4 * g, rtol=1e-6)
    np.testing.assert_array_equal(sub.before, w1_before)
    assert sub.grad_fn == "None" and sub.is_leaf and sub.version == 1
    assert sub.recorded == ("Mul: grad_fn=None",)
    assert all(not f.grad.any() for f in frames if f.stage == "zero_")
    assert all(p.params[k].grad._data.sum() == 0 for k in p.params)


def test_update_before_backward_says_what_to_do():
    p = R.blog_network()
    with pytest.raises(RuntimeError, match="run loss.backward"):
        R.record_update_frames(p.params, 1e-4)


def test_training_frames_and_what_ifs():
    p = R.blog_network()
    start = p.params["w1"]._data.copy()
    good = R.record_training_frames(p, 1e-4, iterations=30)
    assert len(good) == 30 and good[-1].loss < good[0].loss / 5
    np.testing.assert_array_equal(p.params["w1"]._data, start)  # restored
    assert R.record_training_frames(p, 1e-4, iterations=30) == good  # deterministic
    piled = R.record_training_frames(p, 1e-4, iterations=30, zero_grad=False)
    assert piled[0] == good[0]
    assert piled[-1].grad_norms["b1"] > good[-1].grad_norms["b1"]
    err = R.record_training_frames(p, 1e-4, iterations=30, no_grad=False)
    assert len(err) == 1 and err[0].error == (
        "RuntimeError: a leaf Variable that requires grad is being used in an in-place "
        "operation."
    )
    np.testing.assert_array_equal(p.params["w1"]._data, start)


def test_code_spans_follow_nested_expressions():
    code = R.SEED_CODE
    spans = R.code_spans(code, ["Add", "Mul", "Pow", "Mul", "Mean"])
    assert [code[s:e] for s, e in spans] == ["+", "*", ".pow(2)", "*", ".mean()"]
    assert spans[1][0] < spans[0][0]  # the * of line 1, not of line 2
    assert R.code_spans("a.exp()", ["Log"]) == [None]
