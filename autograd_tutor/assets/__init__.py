"""Files shipped inside the package for front ends (no build step for users).

``viz-js/viz.js`` is the WebAssembly Graphviz (@viz-js/viz) used where no ``dot``
process can run: in JupyterLite (Pyodide) and in the explorers' browser views.
"""

from pathlib import Path

ASSETS_DIR = Path(__file__).parent
VIZ_JS = ASSETS_DIR / "viz-js" / "viz.js"
VIZ_JS_VERSION = "3.31.0"
GRAPHVIZ_VERSION = "16.1.0"


def viz_js_source() -> str:
    """Return the text of the bundled @viz-js/viz ES module (about 1.2 MB)."""
    return VIZ_JS.read_text(encoding="utf-8")
