"""Lesson 8 and the teaching core tell the same story: the schedule's five numbered
steps appear in the same order in the reference solution and in the engine the learner
writes, and the lesson points at the reference solution."""

import inspect
import re
from pathlib import Path

import nbformat

from autograd_tutor.teaching import engine

LESSON = (
    Path(__file__).resolve().parents[2] / "notebooks/08_build_your_own_autograd.ipynb"
)
STEP = re.compile(r"#\s*([1-9])\.")


def _cell_defining(nb, name):
    (cell,) = [c for c in nb.cells if f"def {name}(" in c.source]
    return cell.source


def test_the_schedule_steps_are_numbered_alike():
    nb = nbformat.read(LESSON, as_version=4)
    reference = STEP.findall(inspect.getsource(engine.iter_backward))
    learners = STEP.findall(_cell_defining(nb, "my_iter_backward"))
    assert reference == learners == ["1", "2", "3", "4", "5"]
    # the lesson's explanation lists the same five steps before the code
    text = next(c.source for c in nb.cells if "## Part 3. The schedule" in c.source)
    assert re.findall(r"^(\d)\. ", text, re.M) == ["1", "2", "3", "4", "5"]


def test_the_parts_named_in_the_teaching_core_exist_in_the_lesson():
    nb = nbformat.read(LESSON, as_version=4)
    headings = [
        line
        for c in nb.cells
        if c.cell_type == "markdown"
        for line in c.source.splitlines()
        if line.startswith("## Part ")
    ]
    numbers = [int(re.match(r"## Part (\d+)\.", h).group(1)) for h in headings]
    assert numbers == list(range(1, len(numbers) + 1))
    for path in Path(engine.__file__).parent.glob("*.py"):
        for n in re.findall(r"\bPart (\d+)", path.read_text()):
            assert int(n) in numbers, (path.name, n)


def test_the_lesson_points_at_the_reference_solution():
    nb = nbformat.read(LESSON, as_version=4)
    text = "\n".join(c.source for c in nb.cells)
    assert "autograd_tutor.teaching" in text
    assert "from autograd_tutor import teaching" in text
