"""The lessons' answer checker: forms, tolerance, hints, retry, reveal, text/plain."""

import numpy as np
import pytest

import autograd_tutor as at
from autograd_tutor.widgets import answers
from autograd_tutor.widgets.answers import Question, check


@pytest.mark.parametrize(
    "text",
    [
        "(100, 32)",
        "100x32",
        "100 x 32",
        "[100, 32]",
        "100, 32",
        "torch.Size([100, 32])",
    ],
)
def test_shape_forms_lessons_teach(text):
    assert Question((100, 32)).attempt(text).ok
    assert Question(at.Size([100, 32])).attempt(text).ok
    assert Question([100, 32]).attempt(text).ok  # list(t.shape) from a lesson


def test_shape_feedback_without_the_answer():
    q = Question((100, 32))
    v = q.attempt("32x100")
    assert not v.ok and "wrong order" in v.message and "(100, 32)" not in v.message
    assert "2 dimension" in q.judge("100")[1]
    assert q.attempt((100, 32)).ok  # a Python tuple works too


@pytest.mark.parametrize(
    "text, ok",
    [
        ("18.6", True),
        (" 18.60 ", True),
        ("18.61", True),  # within rtol=1e-3
        ("18", False),
        ("-18.6", False),
    ],
)
def test_numbers_with_tolerance(text, ok):
    assert Question(np.float32(18.6)).attempt(text).ok is ok


def test_one_number_for_a_uniform_tensor_or_one_per_entry():
    truth = at.full((2, 2), 14.415)
    assert Question(truth).attempt("14.415").ok
    assert Question(truth).attempt("[14.415, 14.415, 14.415, 14.415]").ok
    ok, msg = Question(truth).judge("1, 2")
    assert ok is None and "Expected 1 or 4 numbers" in msg
    assert Question(0.25).attempt("1/4").ok


def test_torch_tensor_truth():
    torch = pytest.importorskip("torch")
    x = torch.ones(2, 2, requires_grad=True)
    assert Question(x * 2).attempt("2").ok
    assert Question(x.shape).attempt("2x2").ok


def test_words_case_insensitive_and_alternatives():
    assert Question("AddBackward0").attempt("addbackward0").ok
    assert Question("AddBackward0").attempt("'AddBackward0'").ok
    assert Question("below", accept=["lower"]).attempt("Lower").ok
    assert not Question("below").attempt("above").ok


def test_hints_retry_then_reveal_with_explanation():
    q = Question(
        18.6, hints=["first hint", "second hint"], explain="Because.", what="x2.grad"
    )
    v1 = q.attempt("1")
    assert not v1.revealed and "first hint" in v1.message and "18.6" not in v1.message
    v2 = q.attempt("2")
    assert v2.revealed and "second hint" in v2.message
    assert "x2.grad is 18.6. Because." in v2.message


def test_unreadable_answer_costs_no_try():
    q = Question(1.5)
    v = q.attempt("abc")
    assert not v.ok and "Could not read abc" in v.message and q.wrong == 0
    assert "Type an answer first" in q.attempt("  ").message


def test_mistakes_get_their_own_feedback():
    q = Question(18.6, mistakes={"6.2": "You forgot the factor 3 from z = 3 y**2."})
    assert "factor 3" in q.attempt("6.2").message


def test_placeholder_is_the_format_never_the_answer():
    assert Question((2, 3)).placeholder == "a shape, e.g. (4, 5)"
    assert Question(0.5).placeholder == "a number, e.g. 2.5"
    assert Question("MulBackward0").placeholder == "a node name, e.g. AddBackward0"
    assert Question(1.0, placeholder="x.grad, e.g. 3").placeholder == "x.grad, e.g. 3"


def test_compute_runs_lazily_once():
    calls = []
    q = Question(compute=lambda: calls.append(1) or 3.0, question="q?")
    assert calls == []
    assert q.attempt("3").ok and q.attempt("3").ok and calls == [1]


def test_check_prints_and_counts_retries(capsys):
    answers._WRONG.clear()
    check(None, 0.75, "the fraction", tol=0.1)
    assert "No prediction yet for the fraction" in capsys.readouterr().out
    check(0.8, 0.75, "the fraction", tol=0.1)  # absolute tolerance as before
    assert capsys.readouterr().out.startswith("Right! the fraction is 0.75.")
    check(0.1, 0.75, "the fraction", tol=0.1, hints=["count the zeros"])
    out = capsys.readouterr().out
    assert "Hint: count the zeros" in out and "0.75" not in out
    check(0.2, 0.75, "the fraction", tol=0.1, explain="ReLU zeroes half.")
    assert (
        "The answer: the fraction is 0.75. ReLU zeroes half." in capsys.readouterr().out
    )
    check(0.2, 0.75, "the fraction", tol=0.1)  # a new round after the reveal
    assert "0.75" not in capsys.readouterr().out


def test_check_keeps_the_lessons_call_forms(capsys):
    answers._WRONG.clear()
    check((100, 32), (100, 32), "the shape of h")
    check("AddBackward0", "AddBackward0", "the node after PowBackward0")
    check("error", "error", "c.sum().backward()")
    out = capsys.readouterr().out.splitlines()
    assert all(line.startswith("Right!") for line in out), out
