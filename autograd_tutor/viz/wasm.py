"""Graph pictures in the browser (Pyodide, JupyterLite), where no ``dot`` process can run.

DOT is drawn by the bundled @viz-js/viz (Graphviz 16.1.0 compiled to WebAssembly, the
same layout as the default ``graphviz-pure`` renderer) through ``pyodide.ffi``. Loading
it is asynchronous; ``render_svg`` loads it on first use with ``run_sync`` where the
browser has JSPI (Chromium 137+). Elsewhere run ``await at.viz.wasm.load()`` (after
``import autograd_tutor as at``) once in a cell first; every later picture is then drawn
synchronously.

This file needs only the standard library (and Pyodide's ``pyodide`` and ``js``
modules, imported when called), so it can also be loaded on its own, without NumPy.
"""

import sys
from pathlib import Path

#: The bundled @viz-js/viz ES module (``autograd_tutor/assets/viz-js/viz.js``).
VIZ_JS = Path(__file__).resolve().parent.parent / "assets" / "viz-js" / "viz.js"
GRAPHVIZ = "16.1.0"  # the Graphviz inside it (assets/viz-js/README.md)

AWAIT_HINT = (
    "This browser cannot load the WebAssembly Graphviz synchronously (it lacks "
    "JavaScript Promise Integration): run `await at.viz.wasm.load()` once in a cell "
    "(after `import autograd_tutor as at`), then draw the picture again."
)

# imports viz.js from its text (a Blob URL works in pages and in workers alike) and
# starts one Graphviz instance
_IMPORT_JS = """(src) => {
    const url = URL.createObjectURL(new Blob([src], {type: "text/javascript"}));
    return import(url).then((m) => m.instance()).finally(() => URL.revokeObjectURL(url));
}"""

_viz = None  # the @viz-js/viz instance, once loaded


class WasmGraphvizNotLoaded(RuntimeError):
    """viz.js is not loaded and cannot be loaded synchronously here (see AWAIT_HINT)."""


def in_browser():
    """True under Pyodide (``sys.platform == "emscripten"``), where this module is used."""
    return sys.platform == "emscripten"


def is_loaded():
    """True once ``load()`` or ``load_sync()`` has started Graphviz."""
    return _viz is not None


def can_run_sync():
    """True where ``pyodide.ffi.run_sync`` can wait for a promise (JSPI is available)."""
    try:
        from pyodide.ffi import can_run_sync as check
    except ImportError:
        return False
    return bool(check())


def _start(path, source):
    """The JS promise of a viz.js instance, from ``source`` or the file at ``path``."""
    from pyodide.code import run_js

    if source is None:
        source = Path(path or VIZ_JS).read_text(encoding="utf-8")
    return run_js(_IMPORT_JS)(source)


async def load(path=None, *, source=None):
    """Load viz.js and start Graphviz; works in every browser. Idempotent.

    Args:
        path: the viz.js file (default: the bundled ``VIZ_JS``).
        source: the text of viz.js instead of a file.

    Returns:
        The @viz-js/viz instance (a JS object).
    """
    global _viz
    if _viz is None:
        _viz = await _start(path, source)
    return _viz


def load_sync(path=None, *, source=None):
    """``load()`` without ``await``, by ``pyodide.ffi.run_sync`` (needs JSPI).

    Raises:
        WasmGraphvizNotLoaded: where the browser cannot wait synchronously.
    """
    global _viz
    if _viz is None:
        if not can_run_sync():
            raise WasmGraphvizNotLoaded(AWAIT_HINT)
        from pyodide.ffi import run_sync

        _viz = run_sync(_start(path, source))
    return _viz


def graphviz_version():
    """The Graphviz version inside viz.js (``"16.1.0"``), loading it if needed."""
    return str(load_sync().graphvizVersion)


def render_svg(source, engine="dot"):
    """Draw DOT ``source`` as SVG text, loading viz.js first if needed.

    Raises:
        WasmGraphvizNotLoaded: not loaded yet and the browser lacks JSPI.
        RuntimeError: Graphviz rejected the DOT text (its error message).
    """
    return _render(load_sync(), source, engine)


async def render_svg_async(source, engine="dot"):
    """``render_svg`` for browsers without JSPI: ``svg = await render_svg_async(dot)``."""
    return _render(await load(), source, engine)


def _render(viz, source, engine):
    from js import Object
    from pyodide.ffi import JsException, to_js

    options = to_js(
        {"format": "svg", "engine": engine}, dict_converter=Object.fromEntries
    )
    try:
        return str(viz.renderString(source, options))
    except JsException as err:
        raise RuntimeError(f"viz.js (Graphviz {GRAPHVIZ}) failed: {err}") from None
