"""The explorers driven through real ipywidgets objects: click, slide, read the HTML."""

import json
import re

import numpy as np
import pytest

import autograd_tutor as at

pytest.importorskip("ipywidgets")
W = at.widgets


def _text(html):
    return re.sub(r"<[^>]+>", " ", html)


@pytest.fixture(scope="module")
def forward():
    return W.ForwardExplorer()


@pytest.fixture(scope="module")
def backward():
    return W.BackwardExplorer()


def _bundle(ex):
    data = ex._repr_mimebundle_()
    return data[0] if isinstance(data, tuple) else data


def _json(ex):
    return json.dumps(ex.data, allow_nan=False)  # what the browser receives


def test_forward_sends_the_whole_run_once(forward):
    d = forward.data
    assert d["kind"] == "forward" and len(d["frames"]) == 8
    assert [f["op"] for f in d["frames"]] == [f.op for f in forward.frames]
    f0 = d["frames"][0]
    assert d["code"][slice(*f0["span"])] == ".mm(w1)"
    assert f0["show"] == ["f0", "t0", "t1"]  # the op and its inputs x, w1
    labels = {n["id"]: n["label"] for n in d["graph"]["nodes"]}
    assert labels["t0"] == "x\n100x3" and labels["f2"] == "[3] clamp(min=0)\n100x32"
    assert ("f0", "f1") in [tuple(e) for e in d["graph"]["edges"]]
    svg = d["graph"]["svg"]
    assert svg.startswith("<svg") and "viewBox" in svg and 'width="' not in svg[:80]
    assert all(f"<title>{i}</title>" in svg for i in labels)  # laid out once, all ops
    assert len(_json(forward)) < 40_000


def test_forward_heatmaps_are_real_numbers_on_one_scale(forward):
    out = forward.data["frames"][2]["out"]  # clamp(min=0)
    assert out["s"] == [100, 32] and len(out["v"]) == 6 and len(out["v"][0]) == 8
    assert out["v"][0][:3] == pytest.approx(forward.frames[2].output[0, :3], rel=1e-3)
    assert all(v >= 0 for row in out["v"] for v in row)
    scale = forward.data["scales"]["value"]
    assert scale["label"] == "values" and scale["clipped"]  # the loss saturates
    assert 0 < scale["max"] < forward.loss.item()


def test_timeline_and_index_move_together(forward):
    forward.timeline.reset()
    forward.timeline.next()
    assert forward.index == 1
    forward.index = 7  # what the browser's step/slider sends
    assert forward.timeline.index == 7 and forward.timeline.frame.op == "Sum"
    assert "step 8/8: Sum" in repr(forward)
    forward.index = 0


def test_backward_frames_for_the_browser(backward):
    d = backward.data
    assert [f["node"] for f in d["frames"]] == [f.node for f in backward.frames]
    f3 = d["frames"][3]  # AddBackward0 #5 sends to MmBackward0 #4 and b2
    assert f3["node"] == "AddBackward0 #5" and isinstance(f3["seq"], int)
    assert {s["to"] for s in f3["slots"]} == {"MmBackward0 #4", "AccumulateGrad(b2)"}
    edges = {tuple(e) for e in d["graph"]["edges"]}
    assert all((s["toId"], f3["id"]) in edges for s in f3["slots"])  # against them
    leaf = d["frames"][4]
    assert leaf["leaf"] == "b2" and leaf["seq"] is None and leaf["leafGrad"]
    assert d["leaves"] == ["b1", "b2", "w1", "w2"]
    assert "grad" in d["scales"]
    _json(backward)


def test_static_fallback_highlights_the_current_frame(backward):
    backward.index = 3
    bundle = _bundle(backward)
    svg = bundle["image/svg+xml"]
    assert "#ffd23f" in svg and "#b35806" in svg  # current node, gradient edges
    assert bundle["text/plain"].splitlines()[1].startswith("step 4/12")
    backward.index = 0


def test_backward_leaf_grads_match_backward():
    ex = W.BackwardExplorer()
    twin = at.widgets.recorders.blog_network()
    twin.loss_fn().backward()
    got = {f.leaf: f.leaf_grads[f.leaf] for f in ex.frames if f.leaf}
    for k, p in twin.params.items():
        np.testing.assert_allclose(got[k], p.grad._data, rtol=1e-6)


def test_update_explorer_proves_no_grad():
    ex = W.UpdateExplorer()
    d = ex.data
    assert d["kind"] == "update" and d["lr"] == 1e-4
    sub = d["frames"][1]
    assert sub["stage"] == "sub_" and sub["gradFn"] == "None" and sub["isLeaf"]
    assert (
        sub["before"] and sub["step"] and set(d["scales"]) == {"value", "grad", "step"}
    )
    assert d["frames"][-1]["code"] == "b2.grad.zero_()"
    assert ex.static_svg() is None  # no picture; text/plain only
    _json(ex)


def test_training_explorer_what_ifs_rerun_in_the_kernel():
    ex = W.TrainingExplorer(iterations=40)
    d = ex.data
    assert len(d["frames"]) == 40 and d["baseline"] == [f["loss"] for f in d["frames"]]
    good = ex.frames[-1].loss
    ex.index = 39
    ex.what_if(zero_grad=False)  # what the browser's checkbox sends
    assert ex.timeline.index == 39 and not ex.data["settings"]["zero_grad"]
    assert ex.frames[-1].grad_norms["b1"] > 1.5 * ex.frames[0].grad_norms["b1"]
    assert ex.data["baseline"] == d["baseline"]  # the normal run stays underneath
    ex.what_if(zero_grad=True, no_grad=False)
    assert len(ex.timeline) == 1
    assert "a leaf Variable that requires grad" in ex.data["frames"][0]["error"]
    ex.what_if(no_grad=True, lr=1e-2)
    losses = [f["loss"] for f in ex.data["frames"]]
    assert "inf" in losses or "nan" in losses  # diverges; JSON-safe
    _json(ex)
    ex.what_if(lr=1e-5)
    assert ex.frames[-1].loss > good  # a smaller step learns more slowly
    assert "<polyline" in ex.static_svg()


def test_predict_reveal_checks_against_the_engine():
    ex = W.PredictReveal()
    assert ex.reveal_button.disabled  # one try first
    assert ex.answer.placeholder == "a number, e.g. 0.5"
    ex.answer.value = "18"
    ex.check_button.click()  # Enter then click: one attempt, not two
    assert "Not quite" in ex.feedback.value and "Hint" in ex.feedback.value
    assert "18.6" not in _text(ex.feedback.value) and ex.quiz.wrong == 1
    assert not ex.reveal_button.disabled
    ex.answer.value = "18.6"
    ex.check_button.click()
    assert "Right!" in ex.feedback.value
    ex.reveal_button.click()
    assert "18.6" in _text(ex.feedback.value)
    custom = W.PredictReveal(compute=lambda: at.tensor([2.0, 4.0]), question="2 * x?")
    custom.answer.value = "2, 4"
    assert custom.check()


def test_predict_reveal_reveals_after_the_retry_with_explanation():
    ex = W.PredictReveal(
        expected=(100, 32),
        question="What is h.shape?",
        hints=["x is 100x3, w1 is 3x32."],
        explain="mm keeps the rows of x and the columns of w1.",
    )
    ex.answer.value = "3x32"
    assert "x is 100x3" in ex.feedback.value and "(100, 32)" not in ex.feedback.value
    ex.answer.value = "32x3"
    text = _text(ex.feedback.value)
    assert "(100, 32)" in text and "mm keeps the rows" in text
    assert "(100, 32)" not in repr(ex) and "a shape, e.g. (2, 3)" in repr(ex)


@pytest.mark.parametrize(
    "make, start",
    [
        (lambda: W.ForwardExplorer(), "ForwardExplorer: 8 ops: Mm -> Add -> Clamp"),
        (lambda: W.BackwardExplorer(), "BackwardExplorer: 12 steps: SumBackward0"),
        (lambda: W.UpdateExplorer(), "UpdateExplorer: learning_rate = 0.0001"),
        (lambda: W.TrainingExplorer(iterations=20), "TrainingExplorer: 20 iterations"),
        (lambda: W.PredictReveal(), "PredictReveal: In the code above"),
    ],
)
def test_plain_text_is_deterministic_and_has_widget_mime(make, start):
    a, b = make(), make()
    bundle, other = _bundle(a), _bundle(b)
    assert bundle["text/plain"].startswith(start)
    assert bundle["text/plain"] == other["text/plain"]
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert "0x" not in bundle["text/plain"]


def test_user_supplied_closure():
    x1 = at.ones(2, 2, requires_grad=True)
    x2 = at.tensor(1.1, requires_grad=True)
    code = "y = x1 * (x2 + 2)\nout = y.pow(2).mean()"

    def loss_fn():
        return (x1 * (x2 + 2)).pow(2).mean()

    fwd = W.ForwardExplorer(loss_fn, names={"x1": x1, "x2": x2}, code=code)
    assert [f.op for f in fwd.frames] == ["Add", "Mul", "Pow", "Mean"]
    bwd = W.BackwardExplorer(loss_fn(), names=locals())
    np.testing.assert_allclose(bwd.frames[-1].leaf_grads["x2"], x2.grad._data)
    tr = W.TrainingExplorer(
        loss_fn, params={"x1": x1, "x2": x2}, lr=0.01, iterations=10
    )
    assert tr.frames[-1].loss < tr.frames[0].loss


def test_without_graphviz_the_browser_lays_the_graph_out(monkeypatch):
    from autograd_tutor.widgets import payload

    assert W.ForwardExplorer()._viz_js == ""  # not sent when the kernel can lay out
    monkeypatch.setattr(payload, "layout_svg", lambda dot: None)
    ex = W.BackwardExplorer()
    assert ex.data["graph"]["svg"] is None
    assert ex.data["graph"]["dot"].startswith("digraph explorer {")
    assert "Viz.js" in ex._viz_js[:200]  # the bundled WebAssembly Graphviz, sent once
    assert ex.static_svg() is None and repr(ex).startswith("BackwardExplorer: 12 steps")
