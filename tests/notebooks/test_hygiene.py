"""Hygiene of the committed lesson notebooks.

nbval (``make test``) re-runs every lesson and compares outputs; these checks catch what
it cannot: cells committed without running, outputs from an out-of-order run, errors
that were not meant to be taught, saved widget state and paths of the author's machine.
"""

import json
import re
from pathlib import Path

import nbformat
import pytest

NOTEBOOK_DIR = Path(__file__).resolve().parents[2] / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
MACHINE_PATH = re.compile(r"(/work/|/root/|/tmp/|/home/|/Users/|[A-Za-z]:\\Users\\)")
ERROR_TAG = "raises-exception"


def _output_texts(output):
    """Every piece of text an output carries (streams, mime bundles, errors)."""
    if output.output_type == "stream":
        yield output.text
    elif output.output_type == "error":
        yield output.ename
        yield output.evalue
        yield from output.traceback
    else:
        for mime, value in output.get("data", {}).items():
            if mime.startswith("image/") and mime != "image/svg+xml":
                continue  # base64 bytes
            yield value if isinstance(value, str) else json.dumps(value)


def hygiene_problems(nb):
    """Everything wrong with a committed lesson notebook, as a list of messages."""
    problems = []
    if nb.metadata.get("kernelspec", {}).get("name") != "python3":
        problems.append("kernelspec name is not python3")
    if "widgets" in nb.metadata:
        problems.append("saved widget state in metadata.widgets")
    if MACHINE_PATH.search(json.dumps(nb.metadata)):
        problems.append("machine path in notebook metadata")

    counts = []
    for i, cell in enumerate(nb.cells):
        where = f"cell {i}"
        if cell.cell_type != "code":
            continue
        if "widgets" in cell.metadata:
            problems.append(f"{where}: saved widget state in cell metadata")
        if "sys.path" in cell.source:
            problems.append(f"{where}: sys.path tricks (use the installed package)")
        if not cell.source.strip():
            if cell.outputs:
                problems.append(f"{where}: an empty cell has outputs")
            continue
        if cell.execution_count is None:
            problems.append(f"{where}: not executed")
        counts.append(cell.execution_count)
        tagged = ERROR_TAG in cell.metadata.get("tags", [])
        errors = [o for o in cell.outputs if o.output_type == "error"]
        if tagged and not errors:
            problems.append(f"{where}: tagged {ERROR_TAG} but raised nothing")
        if errors and not tagged:
            problems.append(f"{where}: error output not tagged {ERROR_TAG}")
        for output in cell.outputs:
            if (
                output.output_type == "execute_result"
                and output.execution_count != cell.execution_count
            ):
                problems.append(
                    f"{where}: stale output from run {output.execution_count}"
                )
            if output.output_type == "stream" and output.name == "stderr":
                problems.append(f"{where}: stderr output (a warning?)")
            for text in _output_texts(output):
                match = MACHINE_PATH.search(text)
                if match:
                    problems.append(
                        f"{where}: machine path {match.group()!r} in output"
                    )
    if counts != list(range(1, len(counts) + 1)):
        problems.append(f"execution counts are not 1..n in order: {counts}")
    return problems


def test_lessons_exist():
    names = [p.name for p in NOTEBOOKS]
    assert names, f"no notebooks in {NOTEBOOK_DIR}"
    for name in names:
        assert re.fullmatch(r"\d\d_[a-z0-9_]+\.ipynb", name), (
            f"{name}: use NN_topic.ipynb"
        )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_hygiene(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    assert hygiene_problems(nb) == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_lesson_ends_with_moving_to_pytorch(path):
    nb = nbformat.read(path, as_version=4)
    markdown = [c.source for c in nb.cells if c.cell_type == "markdown"]
    assert any("Moving to real PyTorch" in s for s in markdown[-2:])


# The checks themselves must catch what they promise to catch.


def _good():
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    nb.cells = [
        nbformat.v4.new_markdown_cell("# title"),
        nbformat.v4.new_code_cell("1 + 1", execution_count=1),
        nbformat.v4.new_code_cell("print('hi')", execution_count=2),
    ]
    nb.cells[1].outputs = [
        nbformat.v4.new_output("execute_result", {"text/plain": "2"}, execution_count=1)
    ]
    nb.cells[2].outputs = [nbformat.v4.new_output("stream", name="stdout", text="hi\n")]
    return nb


def _error_output(path="x"):
    return nbformat.v4.new_output(
        "error", ename="RuntimeError", evalue="boom", traceback=[f"File {path}"]
    )


def test_a_clean_notebook_passes():
    assert hygiene_problems(_good()) == []


@pytest.mark.parametrize(
    "spoil, expected",
    [
        (lambda nb: nb.cells[2].update(execution_count=None), "not executed"),
        (lambda nb: nb.cells[2].update(execution_count=5), "not 1..n"),
        (lambda nb: nb.cells[1].outputs[0].update(execution_count=7), "stale output"),
        (lambda nb: nb.cells[2].outputs.append(_error_output()), "not tagged"),
        (
            lambda nb: nb.cells[1].metadata.update(tags=["raises-exception"]),
            "raised nothing",
        ),
        (lambda nb: nb.metadata.update(widgets={"state": {}}), "widget state"),
        (lambda nb: nb.metadata["kernelspec"].update(name="venv"), "kernelspec"),
        (
            lambda nb: nb.cells[2].outputs[0].update(text="/work/main/x.py\n"),
            "machine path",
        ),
        (
            lambda nb: nb.cells[2].outputs.append(
                nbformat.v4.new_output("stream", name="stderr", text="warn\n")
            ),
            "stderr",
        ),
        (
            lambda nb: nb.cells[2].update(source="import sys\nsys.path.append('.')"),
            "sys.path",
        ),
    ],
)
def test_the_checks_catch_problems(spoil, expected):
    nb = _good()
    spoil(nb)
    problems = hygiene_problems(nb)
    assert any(expected in p for p in problems), problems


def test_tagged_error_is_allowed():
    nb = _good()
    nb.cells[2].metadata["tags"] = ["raises-exception"]
    nb.cells[2].outputs.append(_error_output())
    assert hygiene_problems(nb) == []
