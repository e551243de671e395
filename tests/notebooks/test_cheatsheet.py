"""The cheat sheet's table of errors says what autograd_tutor and PyTorch 2.13 really say.

Every row of docs/cheatsheet.md's error table quotes the last line of an error (or
warning); each is produced here by a small program, under ``import autograd_tutor as at``
and under ``import torch as at``, and must match what the row quotes.
"""

import re
import warnings
from pathlib import Path

import pytest

SHEET = Path(__file__).resolve().parents[2] / "docs" / "cheatsheet.md"

# one program per row of the error table, in the table's order
PROGRAMS = [
    "x = at.ones(2, requires_grad=True)\n(x * 2).backward()",
    "w = at.ones(2, requires_grad=True)\nw.grad.zero_()",
    "(at.ones(2) * 2).sum().backward()",
    "at.ones(2, requires_grad=True).numpy()",
    "s = at.ones(2, requires_grad=True) * 2\ns.sum().backward()\ns.grad",
    "at.ones(2, requires_grad=True).sub_(1)",
    "w = at.ones(2, requires_grad=True)\nwith at.inference_mode():\n"
    "    x = at.ones(2) * 2\n(x * w).sum().backward()",
    "x = at.ones(2, requires_grad=True)\nloss = (x * x).sum()\nloss.backward()\n"
    "loss.backward()",
    "a = at.tensor([1.0, 2.0], requires_grad=True)\nb = a.exp()\nb.add_(1)\n"
    "b.sum().backward()",
    "class Sq(at.autograd.Function):\n"
    "    @staticmethod\n"
    "    def forward(ctx, x):\n"
    "        ctx.save_for_backward(x)\n"
    "        return x * x\n"
    "    @staticmethod\n"
    "    def backward(ctx, g):\n"
    "        (x,) = ctx.saved_tensors\n"
    "        return g * x\n"
    "x = at.tensor([0.5, -1.0], dtype=at.float64, requires_grad=True)\n"
    "at.autograd.gradcheck(Sq.apply, (x,))",
    "x = at.ones(3, requires_grad=True)\n(x * x).backward(at.ones(2))",
    "u = at.ones(2, requires_grad=True)\nv = at.ones(2, requires_grad=True)\n"
    "at.autograd.grad((u * 3).sum(), [u, v])",
    "w = at.ones(3, requires_grad=True)\nw[0:2].mul_(2)",
    "x = at.tensor([0.0, 4.0], requires_grad=True)\nmask = at.tensor([0.0, 1.0])\n"
    "with at.autograd.detect_anomaly():\n    (x.sqrt() * mask).sum().backward()",
]


def quoted_errors():
    """The first column of the error table: the quoted last lines."""
    text = SHEET.read_text()
    table = text.split("## The errors, and what to do", 1)[1]
    rows = [line for line in table.splitlines() if line.startswith("| `")]
    return [re.match(r"\| `([^`]*)`", row).group(1) for row in rows]


def last_line(module, program):
    """``ErrorType: message`` of the error (or warning) the program ends with."""
    namespace = {"at": module}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            exec(program, namespace)
        except Exception as error:  # noqa: BLE001 - any error is the point
            return f"{type(error).__name__}: {error}"
    assert caught, f"no error and no warning from:\n{program}"
    return f"{caught[-1].category.__name__}: {caught[-1].message}"


def matches(quoted, actual):
    """The quote is the message, with '...' standing for any text."""
    pattern = ".*?".join(re.escape(part) for part in quoted.split("..."))
    return re.match(pattern, actual.replace("torch.", "at."), re.S) is not None


def test_every_error_row_has_a_program():
    assert len(quoted_errors()) == len(PROGRAMS)


@pytest.mark.parametrize("row", range(len(PROGRAMS)))
def test_autograd_tutor_says_what_the_sheet_quotes(row):
    import autograd_tutor

    quoted = quoted_errors()[row]
    actual = last_line(autograd_tutor, PROGRAMS[row])
    assert matches(quoted, actual), (quoted, actual)


@pytest.mark.torch
@pytest.mark.parametrize("row", range(len(PROGRAMS)))
def test_pytorch_says_what_the_sheet_quotes(row):
    torch = pytest.importorskip("torch")
    quoted = quoted_errors()[row]
    actual = last_line(torch, PROGRAMS[row])
    assert matches(quoted, actual), (quoted, actual)


def test_matches_is_strict():
    assert matches("RuntimeError: a ... b.", "RuntimeError: a long b.")
    assert not matches("RuntimeError: a ... b.", "ValueError: a long b.")
    assert not matches("RuntimeError: expected version 0", "RuntimeError: version 1")
