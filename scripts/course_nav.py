"""Write the course navigation into every lesson: "Lesson N of M" and previous/next links.

Each lesson's first markdown cell starts with ``# Lesson N of M: Title`` followed by a
line ``<!-- course-nav -->`` and the navigation line; its last markdown cell (the recap)
ends with the same marker and navigation line. N, M and the links follow from the
notebooks in ``notebooks/`` (``NN_topic.ipynb``, in order), so adding a lesson is:
write it with that title line and the two markers, then run

    .venv/bin/python scripts/course_nav.py          # rewrite the navigation
    .venv/bin/python scripts/course_nav.py --check  # exit 1 if any lesson is out of date

Only markdown changes, so no notebook needs re-executing. The paired jupytext file
(``NN_topic.py``) is rewritten too. ``tests/notebooks/test_course.py`` fails until
the navigation is current. The convention is described in docs/lessons.md.
"""

import re
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
MARK = "<!-- course-nav -->"
TITLE = re.compile(r"^# Lesson (\d+) of (\d+): (.+)$")
CHEAT_SHEET = "[Cheat sheet](../docs/cheatsheet.md)"


def lessons(folder=NOTEBOOKS):
    return sorted(folder.glob("[0-9][0-9]_*.ipynb"))


def _markdown(nb):
    return [c for c in nb.cells if c.cell_type == "markdown"]


def title(nb):
    """The lesson's title (the text after ``Lesson N of M:``), or None."""
    cells = _markdown(nb)
    first = cells[0].source.splitlines()[0] if cells and cells[0].source else ""
    match = TITLE.match(first)
    return match.group(3) if match else None


def nav_line(index, titles, names):
    """The navigation line of lesson ``index`` (0-based)."""
    parts = []
    if index > 0:
        parts.append(f"[← Lesson {index}: {titles[index - 1]}]({names[index - 1]})")
    if index < len(names) - 1:
        parts.append(f"[Lesson {index + 2}: {titles[index + 1]} →]({names[index + 1]})")
    parts.append(CHEAT_SHEET)
    return " · ".join(parts)


def with_nav(source, index, count, line):
    """``source`` with its title line and every line after MARK made current."""
    lines = source.split("\n")  # keeps a trailing newline as it is
    if lines and TITLE.match(lines[0]):
        lines[0] = f"# Lesson {index + 1} of {count}: {TITLE.match(lines[0]).group(3)}"
    for i in range(len(lines) - 1):
        if lines[i].strip() == MARK:
            lines[i + 1] = line
    return "\n".join(lines)


def problems(nb, name):
    """What keeps lesson ``name`` from carrying the navigation."""
    found = []
    cells = _markdown(nb)
    if title(nb) is None:
        found.append(
            f"{name}: the first markdown cell must start '# Lesson N of M: Title'"
        )
    if not cells or MARK not in cells[0].source:
        found.append(f"{name}: the first markdown cell needs a {MARK} line")
    if len(cells) < 2 or MARK not in cells[-1].source:
        found.append(f"{name}: the last markdown cell (the recap) needs a {MARK} line")
    return found


def update(paths, write=True):
    """Make every lesson's navigation current; return the names of lessons changed."""
    books = [nbformat.read(p, as_version=4) for p in paths]
    errors = [e for nb, p in zip(books, paths) for e in problems(nb, p.name)]
    if errors:
        raise SystemExit("\n".join(errors))
    titles = [title(nb) for nb in books]
    names = [p.name for p in paths]
    changed = []
    for index, (nb, path) in enumerate(zip(books, paths)):
        line = nav_line(index, titles, names)
        dirty = False
        for cell in _markdown(nb):
            new = with_nav(cell.source, index, len(paths), line)
            if new != cell.source:
                cell.source, dirty = new, True
        if dirty:
            changed.append(path.name)
            if write:
                nbformat.write(nb, path)
                _write_paired(nb, path)
    return changed


def _write_paired(nb, path):
    paired = path.with_suffix(".py")
    if paired.exists():
        import jupytext  # the test extra; only needed when rewriting

        jupytext.write(nb, paired, fmt="py:percent")


def main(argv):
    check = "--check" in argv
    changed = update(lessons(), write=not check)
    for name in changed:
        print(f"{'out of date' if check else 'updated'}: {name}")
    return 1 if check and changed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
