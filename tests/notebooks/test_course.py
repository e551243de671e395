"""The lessons form one course: numbering, navigation, objectives, recaps, the README's
table, the paired text files and hidden answers (the conventions of docs/lessons.md)."""

import importlib.util
import re
from pathlib import Path

import nbformat
import pytest

from tests.notebooks.test_hygiene import NOTEBOOK_DIR, NOTEBOOKS

ROOT = NOTEBOOK_DIR.parent
_spec = importlib.util.spec_from_file_location(
    "course_nav", ROOT / "scripts/course_nav.py"
)
course_nav = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(course_nav)

jupytext = pytest.importorskip("jupytext")

REVEALS = "reveals-answer"
# "**In this lesson you will**" or "**Learning objectives.** ...", then a list
OBJECTIVES = re.compile(
    r"\*\*(In this lesson you will|Learning objectives\.)\*\*[^\n]*\n\n?(- |\* |1\. )"
)


def _read(path):
    return nbformat.read(path, as_version=4)


def _markdown(nb):
    return [c.source for c in nb.cells if c.cell_type == "markdown"]


def test_navigation_is_current():
    """'Lesson N of M' and the previous/next links match the notebooks on disk."""
    out_of_date = course_nav.update(NOTEBOOKS, write=False)
    assert out_of_date == [], (
        f"navigation out of date in {out_of_date}: "
        "run .venv/bin/python scripts/course_nav.py (see docs/lessons.md)"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_lesson_shape(path):
    """Title, navigation and objectives first; 'Moving to real PyTorch'; a recap last."""
    nb = _read(path)
    assert course_nav.problems(nb, path.name) == []
    markdown = _markdown(nb)
    number = int(path.name[:2])
    assert markdown[0].startswith(f"# Lesson {number} of {len(NOTEBOOKS)}: ")
    assert OBJECTIVES.search(markdown[0]), "learning objectives at the top, as a list"
    assert "## Recap" in markdown[-1], "the lesson ends with a recap, not syntax notes"
    assert any("Moving to real PyTorch" in s for s in markdown[-3:])


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_links_resolve(path):
    """Every relative link in a lesson's markdown points at a file of the repository."""
    for source in _markdown(_read(path)):
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", source):
            if "://" in target:
                continue
            assert (NOTEBOOK_DIR / target).resolve().exists(), f"{path.name}: {target}"


def test_readme_table_lists_every_lesson_in_order():
    readme = (ROOT / "README.md").read_text()
    rows = re.findall(
        r"^\| (\d+) \| \[`(\w+)`\]\(notebooks/(\w+)\.ipynb\)", readme, re.M
    )
    assert [(int(n), a) for n, a, _ in rows] == [
        (i + 1, p.stem) for i, p in enumerate(NOTEBOOKS)
    ]
    assert all(a == b for _, a, b in rows)


def test_the_cheat_sheet_is_linked_from_the_readme_and_the_last_lesson():
    assert (ROOT / "docs/cheatsheet.md").exists()
    assert "docs/cheatsheet.md" in (ROOT / "README.md").read_text()
    assert "../docs/cheatsheet.md" in _markdown(_read(NOTEBOOKS[-1]))[-1]


# Lessons are reviewable as text: each notebook is paired with a py:percent file.


def _cells(nb):
    return [
        (
            c.cell_type,
            c.source.strip(),
            sorted(c.metadata.get("tags", [])),
            c.metadata.get("jupyter", {}).get("outputs_hidden", False),
        )
        for c in nb.cells
    ]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_paired_text_file_is_in_sync(path):
    paired = path.with_suffix(".py")
    assert paired.exists(), (
        f"no {paired.name}: run jupytext --set-formats ipynb,py:percent"
    )
    nb = _read(path)
    assert nb.metadata.get("jupytext", {}).get("formats") == "ipynb,py:percent"
    text = jupytext.read(paired, fmt="py:percent")
    assert _cells(text) == _cells(nb), (
        f"{paired.name} and {path.name} differ: edit one, then "
        f"`jupytext --sync {path.relative_to(ROOT)}` and re-execute the notebook"
    )


def test_no_stray_text_files():
    for paired in NOTEBOOK_DIR.glob("*.py"):
        assert paired.with_suffix(".ipynb").exists(), f"{paired.name} has no notebook"


# No answer visible before the learner answers.


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_answer_cells_are_folded(path):
    """A cell tagged reveals-answer prints an exercise's answer: its stored output is
    folded (JupyterLab's outputs_hidden) and an exercise comes before it."""
    nb = _read(path)
    seen_exercise = False
    for cell in nb.cells:
        if cell.cell_type == "markdown" and "**Exercise" in cell.source:
            seen_exercise = True
        if REVEALS in cell.metadata.get("tags", []):
            assert cell.metadata.get("jupyter", {}).get("outputs_hidden") is True
            assert seen_exercise, f"{path.name}: an answer before any exercise"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_worked_answers_in_markdown_are_collapsed(path):
    """Markdown answers sit in <details> blocks, opened by the learner."""
    for source in _markdown(_read(path)):
        opened, closed = source.count("<details>"), source.count("</details>")
        assert opened == closed, f"{path.name}: unbalanced <details>"
        for block in re.findall(r"<details>(.*?)</details>", source, re.S):
            assert "<summary>" in block


# The navigation writer itself.


def _lesson(n, count, title, body="text"):
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell(
            f"# Lesson {n} of {count}: {title}\n{course_nav.MARK}\nold links\n\n{body}"
        ),
        nbformat.v4.new_markdown_cell(f"## Recap\n\n- a\n\n{course_nav.MARK}\nold"),
    ]
    return nb


def test_course_nav_numbers_and_links(tmp_path):
    for i, name in enumerate(["01_a.ipynb", "02_b.ipynb", "03_c.ipynb"]):
        nbformat.write(_lesson(i + 1, 2, name[3]), tmp_path / name)
    paths = course_nav.lessons(tmp_path)
    assert course_nav.update(paths, write=True) == [p.name for p in paths]
    first, middle, last = (_read(p).cells for p in paths)
    assert first[0].source.splitlines()[:3] == [
        "# Lesson 1 of 3: a",
        course_nav.MARK,
        "[Lesson 2: b →](02_b.ipynb) · [Cheat sheet](../docs/cheatsheet.md)",
    ]
    assert middle[1].source.splitlines()[-1] == (
        "[← Lesson 1: a](01_a.ipynb) · [Lesson 3: c →](03_c.ipynb) · "
        "[Cheat sheet](../docs/cheatsheet.md)"
    )
    assert last[0].source.splitlines()[2] == (
        "[← Lesson 2: b](02_b.ipynb) · [Cheat sheet](../docs/cheatsheet.md)"
    )
    assert course_nav.update(paths, write=False) == []  # now current


def test_course_nav_refuses_a_lesson_without_markers(tmp_path):
    nb = _lesson(1, 1, "a")
    nb.cells[1].source = "## Recap"
    nbformat.write(nb, tmp_path / "01_a.ipynb")
    with pytest.raises(SystemExit, match="needs a"):
        course_nav.update(course_nav.lessons(tmp_path))


def test_lessons_are_found():
    assert len(NOTEBOOKS) >= 7 and Path(NOTEBOOKS[0]).name == "01_from_scratch.ipynb"
