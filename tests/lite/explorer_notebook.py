"""Lesson 4's explorers as a notebook for the offline JupyterLite site.

The offline site has no numpy: Pyodide builds it, and neither npm's ``pyodide`` package
(the interpreter core) nor PyPI has that build (PyPI offers numpy 2.4.6, the version
Pyodide 314.0.6 pins, for no ``pyemscripten_2026_0_wasm32`` platform). So the lesson's
own cells cannot record a run in the site's kernel. What does run there is everything
after the recording: this notebook's cells install our wheel (without its dependencies)
and anywidget into the Pyodide kernel, take ``explorer.js`` and ``explorer.css`` from
the installed wheel, and show lesson 4's explorers from the runs that CPython recorded
(``ex.data`` of each of the lesson's explorer cells, embedded in the notebook). As in
a site whose kernel has no Graphviz, the runs carry the graphs' DOT only and the
browser lays them out with the bundled WebAssembly Graphviz (``_viz_js``), once.
The training what-ifs need the kernel to re-record a run, so they are not here.
"""

import copy
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LESSON_4 = ROOT / "notebooks" / "04_network_with_autograd.ipynb"
FIRST_EXPLORER_CELL = 2  # install + widget class, then the payloads, then explorers

SETUP = '''\
import piplite
await piplite.install("autograd_tutor", deps=False)  # numpy: no browser build here
await piplite.install("anywidget")
import importlib.metadata, sys
import anywidget, traitlets

wheel = importlib.metadata.distribution("autograd_tutor")
static = wheel.locate_file("autograd_tutor/widgets/static")


class Explorer(anywidget.AnyWidget):
    """The explorers' front end from our wheel, playing a run recorded elsewhere."""

    _esm = (static / "explorer.js").read_text()
    _css = (static / "explorer.css").read_text()
    data = traitlets.Dict().tag(sync=True)
    index = traitlets.Int(0).tag(sync=True)
    settings = traitlets.Dict().tag(sync=True)
    _viz_js = traitlets.Unicode("").tag(sync=True)


viz_js = wheel.locate_file("autograd_tutor/assets/viz-js/viz.js").read_text()
print("FRONT_END", len(Explorer._esm), "numpy" in sys.modules)
'''


def lesson_explorer_cells():
    """The sources of lesson 4's explorer cells (each one expression)."""
    cells = json.loads(LESSON_4.read_text(encoding="utf-8"))["cells"]
    return [
        "".join(c["source"]).strip()
        for c in cells
        if c["cell_type"] == "code" and "Explorer(" in "".join(c["source"])
    ]


def record(sources):
    """Each cell's explorer, recorded by the real engine here; its payload as the
    Pyodide kernel would send it (no SVG: the browser lays the graph out)."""
    import autograd_tutor as at

    payloads = []
    for src in sources:
        ex = eval(compile(src, "<lesson 4>", "eval"), {"at": at})
        data = copy.deepcopy(ex.data)
        if data.get("graph"):
            data["graph"]["svg"] = None
        payloads.append(data)
    return payloads


def write(path):
    """Write the notebook; returns [(kind, frames)] of its explorers, in order."""
    payloads = record(lesson_explorer_cells())
    text = json.dumps(payloads, allow_nan=False, separators=(",", ":"))
    sources = [
        SETUP,
        f"import json\nRUNS = json.loads({text!r})\nprint('RUNS', len(RUNS))",
    ]
    for k, data in enumerate(payloads):
        viz = ", _viz_js=viz_js" if data.get("graph") else ""
        sources.append(f"Explorer(data=RUNS[{k}]{viz})  # {data['kind']}")
    write_pyodide_notebook(path, sources, "explorer")
    return [(d["kind"], len(d["frames"])) for d in payloads]


def write_pyodide_notebook(path, sources, id_prefix):
    """Write the code cells ``sources`` (unexecuted, ids ``<id_prefix>-0``, ...) as a
    notebook for the site's Pyodide kernel."""
    cells = [
        {
            "cell_type": "code",
            "execution_count": None,
            "id": f"{id_prefix}-{i}",
            "metadata": {},
            "outputs": [],
            "source": src,
        }
        for i, src in enumerate(sources)
    ]
    nb = {
        "cells": cells,
        "metadata": {
            "kernelspec": {"display_name": "Python (Pyodide)", "name": "python"}
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path.write_text(json.dumps(nb, indent=1))
