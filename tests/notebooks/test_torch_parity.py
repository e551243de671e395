"""Every lesson's PyTorch claims, checked by running its cells under real PyTorch.

Each lesson runs in a fresh kernel with ``import autograd_tutor as at`` replaced by
``import torch as at``. Cells tagged ``autograd-tutor-only`` use this package's own
additions (the explorers and exercise widgets, ``at.viz``, the teaching core
``at.teaching``, ``iter_backward_for``, ``record_forward``) and are skipped; every other cell must run, raise where the lesson
teaches an error, and print what the committed notebook shows (numbers to the precision
printed, ``torch.`` read as ``at.``, memory addresses masked).

The one substitution: torch's ``manual_seed``/``randn``/``rand`` draw from this
package's generator (NumPy's), so that the lessons' random data and starting weights are
the same numbers in both runs and the printed losses can be compared. Everything else is
torch's own arithmetic, autograd, node names and messages.
"""

import ast
import math
import re
from pathlib import Path

import nbformat
import pytest

from tests.notebooks.test_hygiene import NOTEBOOKS

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.torch

ONLY_TAG = "autograd-tutor-only"
IMPORT_LINE = "import autograd_tutor as at"
# What a cell must use to be tagged ONLY_TAG: the package's additions to torch's API
# (the answer checkers are at.widgets.check and at.widgets.PredictReveal).
ADDITIONS = (
    "at.widgets",
    "at.viz",
    "at.teaching",
    "iter_backward_for",
    "record_forward",
)

SAME_RANDOM_NUMBERS = """
import torch as _torch
import autograd_tutor as _agt

_DTYPES = {None: None, _torch.float32: _agt.float32, _torch.float64: _agt.float64}


def _drawn_by_agt(draw):
    def factory(*size, dtype=None, requires_grad=False):
        values = draw(*size, dtype=_DTYPES[dtype]).numpy()
        return _torch.tensor(values, dtype=dtype, requires_grad=requires_grad)

    return factory


_torch_manual_seed = _torch.manual_seed


def _manual_seed(seed):
    _agt.manual_seed(seed)
    return _torch_manual_seed(seed)


_torch.manual_seed = _manual_seed
_torch.randn = _drawn_by_agt(_agt.randn)
_torch.rand = _drawn_by_agt(_agt.rand)
"""

ADDRESS = re.compile(r"\b0x[0-9a-fA-F]{6,16}\b")
NUMBER = re.compile(r"-?\d+\.\d*(?:e[+-]?\d+)?|-?\d+(?:e[+-]?\d+)?|nan|inf")
TRIGGERED = re.compile(r" ?\(Triggered internally at [^)]*\)")


def _tags(cell):
    return cell.metadata.get("tags", [])


def _text(outputs):
    """What a cell shows, as one string (streams, results, error name and message)."""
    parts, last_stream = [], None
    for out in outputs:
        if out.output_type == "stream" and out.name == last_stream:
            parts[-1] += out.text  # a stream may arrive in several pieces
        elif out.output_type == "stream":
            parts.append(f"[{out.name}] {out.text}")
        elif out.output_type == "error":
            parts.append(f"[error] {out.ename}: {out.evalue}")
        else:
            parts.append(
                f"[{out.output_type}] {out.get('data', {}).get('text/plain', '')}"
            )
        last_stream = out.name if out.output_type == "stream" else None
    text = "\n".join(parts).replace("torch.", "at.")
    return TRIGGERED.sub("", ADDRESS.sub("0xADDRESS", text))


def _decimals(token):
    return len(token.split(".")[1].split("e")[0]) if "." in token else 0


def same_printout(stored, computed):
    """Equal text, with numbers equal to the precision they are printed at."""
    if NUMBER.split(stored) != NUMBER.split(computed):
        return False
    ours, theirs = NUMBER.findall(stored), NUMBER.findall(computed)
    if len(ours) != len(theirs):
        return False
    for a, b in zip(ours, theirs):
        if a == b:
            continue
        if "nan" in (a, b) or "inf" in (a, b):
            return False
        places = max(_decimals(a), _decimals(b))
        if places == 0:  # integers, digits in names: exactly
            return False
        # float32 sums may round differently: allow 3 units of the last printed digit
        if not math.isclose(float(a), float(b), rel_tol=1e-6, abs_tol=3 * 10**-places):
            return False
    return True


def torch_notebook(nb):
    """The lesson as PyTorch runs it: a setup cell, then every cell not tagged ONLY_TAG."""
    kept = []
    for cell in nb.cells:
        if cell.cell_type != "code" or ONLY_TAG in _tags(cell):
            continue
        copy = nbformat.v4.new_code_cell(
            cell.source.replace(IMPORT_LINE, "import torch as at"),
            metadata={"tags": _tags(cell)},
        )
        kept.append((cell, copy))
    run = nbformat.v4.new_notebook(metadata=nb.metadata)
    run.cells = [nbformat.v4.new_code_cell(SAME_RANDOM_NUMBERS)] + [c for _, c in kept]
    return run, kept


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_lesson_runs_the_same_under_torch(path):
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    assert any(IMPORT_LINE in c.source for c in nb.cells), (
        f"{path.name}: no {IMPORT_LINE}"
    )
    run, kept = torch_notebook(nb)
    NotebookClient(
        run, timeout=300, kernel_name="python3", resources={"metadata": {"path": "."}}
    ).execute()
    differences = []
    for original, copy in kept:
        stored, computed = _text(original.outputs), _text(copy.outputs)
        if not same_printout(stored, computed):
            differences.append(
                f"--- cell {original.source.splitlines()[0]!r}\n"
                f"autograd_tutor:\n{stored}\ntorch:\n{computed}"
            )
    assert not differences, "\n".join(differences)


def _python(source):
    """A cell's source without IPython magics, parsed."""
    lines = [line for line in source.splitlines() if not line.lstrip().startswith("%")]
    return ast.parse("\n".join(lines))


def _bound(tree):
    """Names a cell binds (assignments, defs, ``with ... as``, loop targets)."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
    return names


def unjustified_skips(nb):
    """Cells tagged ONLY_TAG that use no addition, nor a name only such cells define."""
    code = [c for c in nb.cells if c.cell_type == "code"]
    tagged = [c for c in code if ONLY_TAG in _tags(c)]
    everywhere = set().union(
        *(_bound(_python(c.source)) for c in code if c not in tagged)
    )
    only_ours = set().union(*(_bound(_python(c.source)) for c in tagged)) - everywhere
    problems = []
    for cell in tagged:
        used = {
            n.id
            for n in ast.walk(_python(cell.source))
            if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)
        }
        if not any(a in cell.source for a in ADDITIONS) and not used & only_ours:
            problems.append(cell.source[:120])
    return problems


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_only_cells_using_the_additions_are_skipped(path):
    nb = nbformat.read(path, as_version=4)
    assert unjustified_skips(nb) == [], f"tagged {ONLY_TAG} without using {ADDITIONS}"


# The comparison itself must catch what it promises to catch.


@pytest.mark.parametrize(
    "stored, computed, same",
    [
        ("loss 7149.34", "loss 7149.34", True),
        ("loss 7149.34", "loss 7149.35", True),  # the last printed digit
        ("loss 7149.34", "loss 7150.34", False),
        ("tensor([0.2500])", "tensor([0.2600])", False),
        ("at.Size([2])", "at.Size([2, 1])", False),
        ("MulBackward0", "MulBackward1", False),
        ("True", "False", False),
        ("loss nan", "loss 3.0", False),
    ],
)
def test_same_printout(stored, computed, same):
    assert same_printout(stored, computed) is same


def test_torch_names_and_addresses_are_normalised():
    out = nbformat.v4.new_output(
        "execute_result",
        {"text/plain": "(torch.Size([2]), <MulBackward0 object at 0x7f00deadbeef>)"},
    )
    assert (
        _text([out])
        == "[execute_result] (at.Size([2]), <MulBackward0 object at 0xADDRESS>)"
    )


def test_torch_notebook_skips_tagged_cells_and_swaps_the_import():
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell(IMPORT_LINE),
        nbformat.v4.new_code_cell(
            "at.widgets.PredictReveal()", metadata={"tags": [ONLY_TAG]}
        ),
        nbformat.v4.new_markdown_cell("text"),
        nbformat.v4.new_code_cell("x = at.ones(2)"),
    ]
    run, kept = torch_notebook(nb)
    assert [c.source for c in run.cells[1:]] == ["import torch as at", "x = at.ones(2)"]
    assert len(kept) == 2


def test_a_skip_needs_a_reason():
    nb = nbformat.v4.new_notebook()
    tag = {"tags": [ONLY_TAG]}
    nb.cells = [
        nbformat.v4.new_code_cell("x = at.ones(2)"),
        nbformat.v4.new_code_cell(
            "with at.viz.thing() as rec:\n    pass", metadata=tag
        ),
        nbformat.v4.new_code_cell("print(rec)", metadata=tag),  # uses a skipped name
        nbformat.v4.new_code_cell("print(x.sum())", metadata=tag),  # plain torch
    ]
    assert unjustified_skips(nb) == ["print(x.sum())"]


def test_notebooks_are_found():
    assert len(NOTEBOOKS) >= 7
    assert Path(NOTEBOOKS[0]).name.startswith("01_")
