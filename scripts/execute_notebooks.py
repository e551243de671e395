"""Execute lesson notebooks top to bottom in a fresh kernel and store them the way the
tests expect: outputs kept, execution counts 1..n, no timing metadata, no saved widget
state, and error tracebacks (in cells tagged ``raises-exception``) cut to their last
line, so no machine paths end up in the repository.

    .venv/bin/python scripts/execute_notebooks.py notebooks/06_under_the_hood.ipynb
    .venv/bin/python scripts/execute_notebooks.py          # every lesson
"""

import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient


def execute(path):
    nb = nbformat.read(path, as_version=4)
    NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": "."}}
    ).execute()
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                out["traceback"] = out["traceback"][-1:]
    nbformat.write(nb, path)


def main(argv):
    root = Path(__file__).resolve().parent.parent / "notebooks"
    paths = [Path(p) for p in argv] or sorted(root.glob("[0-9][0-9]_*.ipynb"))
    for path in paths:
        print(f"executing {path}")
        execute(path)


if __name__ == "__main__":
    main(sys.argv[1:])
