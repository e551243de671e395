"""docs/reading-the-engine.md: its example runs, every file and function it names
exists, and the README and the lessons link to it."""

import ast
import doctest
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "reading-the-engine.md"
LINKED_FROM = [
    ROOT / "README.md",
    ROOT / "notebooks" / "06_under_the_hood.ipynb",
    ROOT / "notebooks" / "08_build_your_own_autograd.ipynb",
]


def _where():
    """``(file, [names])`` of each step's ``**Where:**`` paragraph."""
    steps = []
    for para in PAGE.read_text().split("\n\n"):
        if para.startswith("**Where:**"):
            path, *names = re.findall(r"`([^`]+)`", para)
            steps.append((path, names))
    return steps


def _defined(path):
    """Every function and class of a file, methods as ``Class.method``."""
    names = set()
    for node in ast.parse((ROOT / path).read_text()).body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        if isinstance(node, ast.ClassDef):
            names.update(
                f"{node.name}.{item.name}"
                for item in node.body
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef))
            )
    return names


def test_the_example_runs():
    failures, tried = doctest.testfile(str(PAGE), module_relative=False)
    assert tried and not failures


def test_the_path_has_its_steps_in_order():
    steps = _where()
    assert len(steps) >= 5
    named = [n for _, names in steps for n in names]
    order = ["Mul", "Op.apply", "iter_backward", "AccumulateGrad", "unbroadcast"]
    assert all(n in named for n in order)
    assert [named.index(n) for n in order] == sorted(named.index(n) for n in order)


@pytest.mark.parametrize("step", range(len(_where())))
def test_every_file_and_function_named_exists(step):
    path, names = _where()[step]
    assert (ROOT / path).is_file(), path
    missing = [n for n in names if n not in _defined(path)]
    assert not missing, f"{path} has no {missing}"


def test_every_file_mentioned_exists():
    for path in re.findall(r"autograd_tutor/[\w/]+\.py", PAGE.read_text()):
        assert (ROOT / path).is_file(), path


@pytest.mark.parametrize("source", LINKED_FROM, ids=lambda p: p.name)
def test_linked_from(source):
    assert "reading-the-engine.md" in source.read_text()
