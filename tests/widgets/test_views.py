"""The explorers driven through real ipywidgets objects: click, slide, read the HTML."""

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


def test_forward_buttons_slider_and_html(forward):
    v = forward.view
    v.timeline.reset()
    assert "Forward step 1/8" in v.details_html.value
    assert '<span class="agt-hl">.mm(w1)</span>' in v.details_html.value
    assert v.prev_button.disabled and not v.next_button.disabled
    first_picture = v.picture_html.value
    assert "<svg" in first_picture
    v.next_button.click()
    assert v.slider.value == 1 and v.position.value == "2 / 8"
    assert '<span class="agt-hl">.add(b1)</span>' in v.details_html.value
    assert v.picture_html.value != first_picture  # the graph grew
    v.slider.value = 7
    assert "Forward step 8/8: Sum" in _text(v.details_html.value)
    assert v.next_button.disabled
    v.next_button.click()  # at the end: stays
    assert v.timeline.index == 7
    v.reset_button.click()
    assert v.slider.value == 0 and "Forward step 1/8" in v.details_html.value


def test_forward_heatmap_shows_the_real_numbers(forward):
    v = forward.view
    v.slider.value = 2  # clamp(min=0): no negative numbers left
    row = forward.frames[2].output[0, :3]
    cells = re.findall(
        r"<td style=\"background:[^\"]+\">([^<]+)</td>", v.details_html.value
    )
    assert [float(c) for c in cells[:3]] == pytest.approx(row, rel=1e-3)
    assert all(float(c) >= 0 for c in cells)
    assert "showing 6x12" in v.details_html.value


def test_backward_steps_through_engine_order(backward):
    v = backward.view
    v.timeline.reset()
    assert "SumBackward0" in v.details_html.value
    assert "dy/dx_i = 1" in _text(v.details_html.value)
    pics = {v.picture_html.value}
    for i in range(1, len(backward.frames)):
        v.next_button.click()
        assert f"Backward step {i + 1}/12" in v.details_html.value
        pics.add(v.picture_html.value)
    assert len(pics) == 12  # a different node highlighted at every step
    assert "w1.grad</b> now holds" in v.details_html.value
    v.slider.value = 2
    assert "None (needs no grad)" in v.details_html.value  # y's slot in SubBackward0


def test_backward_leaf_grads_match_backward():
    ex = W.BackwardExplorer()
    twin = at.widgets.recorders.blog_network()
    twin.loss_fn().backward()
    ex.view.slider.value = len(ex.frames) - 1
    shown = ex.view.details_html.value
    expected = at.widgets.render.short(twin.params["b2"].grad._data)
    assert f"<td>b2.grad</td><td>{expected}</td>" in shown


def test_update_explorer_proves_no_grad():
    ex = W.UpdateExplorer()
    v = ex.view
    assert "w1 (before)" in v.details_html.value
    v.next_button.click()
    text = _text(v.details_html.value)
    assert "w1.grad_fn = None, is_leaf = True, _version = 1" in text
    v.slider.value = len(ex.frames) - 1
    assert "b2.grad.zero_()" in v.details_html.value


def test_training_explorer_controls():
    ex = W.TrainingExplorer(iterations=40)
    v = ex.view
    assert v.picture_html.value.startswith("<div")
    assert "loss curve" in v.picture_html.value
    v.slider.value = 39
    good_loss = ex.frames[-1].loss
    assert f"loss = <b>{at.widgets.render.fmt(good_loss)}</b>" in v.details_html.value
    ex.forget_zero.value = True
    assert v.timeline.index == 39 and "they pile up" in v.details_html.value
    assert ex.frames[-1].grad_norms["b1"] > 1.5 * ex.frames[0].grad_norms["b1"]
    ex.forget_zero.value = False
    ex.forget_no_grad.value = True
    assert len(v.timeline) == 1 and v.slider.max == 0
    assert (
        "a leaf Variable that requires grad is being used in an in-place operation."
        in (v.details_html.value)
    )
    ex.forget_no_grad.value = False
    ex.lr.value = 1e-5
    assert len(v.timeline) == 40
    assert ex.frames[-1].loss > good_loss  # a smaller step learns more slowly


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
        (lambda: W.PredictReveal(), "PredictReveal: Seed example"),
    ],
)
def test_plain_text_is_deterministic_and_has_widget_mime(make, start):
    a, b = make(), make()
    bundle = a._repr_mimebundle_()
    bundle = bundle[0] if isinstance(bundle, tuple) else bundle
    assert bundle["text/plain"].startswith(start)
    assert bundle["text/plain"] == b._repr_mimebundle_()["text/plain"]
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
