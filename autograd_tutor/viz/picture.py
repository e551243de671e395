"""``GraphPicture``: what ``make_dot`` and ``forward_graph`` return.

In Jupyter it displays as SVG (the same bytes on every machine: see ``render``) with a
text summary as ``text/plain``; in JupyterLite the SVG comes from viz.js (``wasm``).
Anything else a ``graphviz.Digraph`` can do (``render``, ``view``, ``format``...) is
passed on to one, as torchviz returns a Digraph.
"""

from html import escape
from pathlib import Path

from . import render as _render
from .dot import to_digraph, to_dot
from .wasm import WasmGraphvizNotLoaded


class GraphPicture:
    """A graph picture: ``.spec`` (data), ``.source`` (DOT), ``.svg()``, ``.save()``.

    Attributes:
        spec: the ``GraphSpec`` it draws.
    """

    def __init__(self, spec):
        self.spec = spec
        self._source = None
        self._digraph = None

    @property
    def source(self):
        """The DOT text (the same in every process for the same graph)."""
        if self._source is None:
            self._source = to_dot(self.spec)
        return self._source

    @property
    def digraph(self):
        """The picture as a ``graphviz.Digraph`` (needs the graphviz package)."""
        if self._digraph is None:
            self._digraph = to_digraph(self.spec)
        return self._digraph

    def svg(self):
        """The SVG text. Without Graphviz, a small SVG that says how to install it
        (in a browser without JSPI, how to load the WebAssembly Graphviz first)."""
        try:
            return _render.render(self.source, "svg").decode("utf-8")
        except (_render.GraphvizNotFound, WasmGraphvizNotLoaded) as err:
            return _render.placeholder_svg(str(err))

    def save(self, path):
        """Write the picture to ``path``: ``.svg``, ``.png`` or ``.dot``/``.gv`` (DOT text).

        Returns:
            The path written, as a ``pathlib.Path``.

        Raises:
            ValueError: for another file extension.
            GraphvizNotFound: for ``.svg``/``.png`` when Graphviz is not installed.
        """
        path = Path(path)
        suffix = path.suffix.lower()
        if suffix in (".dot", ".gv"):
            path.write_text(self.source, encoding="utf-8")
        elif suffix in (".svg", ".png"):
            path.write_bytes(_render.render(self.source, suffix[1:]))
        else:
            raise ValueError(
                f"cannot save a graph picture as {suffix or 'a file without extension'}:"
                " use .svg, .png or .dot"
            )
        return path

    def _repr_mimebundle_(self, include=None, exclude=None):
        """Jupyter display: SVG, or the DOT source and an install hint without Graphviz."""
        bundle = {"text/plain": self.spec.summary()}
        try:
            bundle["image/svg+xml"] = _render.render(self.source, "svg").decode("utf-8")
        except _render.GraphvizNotFound as err:
            bundle["text/html"] = (
                f"<p><b>{escape(str(err))}</b></p><pre>{escape(self.source)}</pre>"
            )
        except RuntimeError as err:  # dot itself failed: say so, still show the source
            bundle["text/html"] = (
                f"<p><b>{escape(str(err))}</b></p><pre>{escape(self.source)}</pre>"
            )
        return bundle

    def __repr__(self):
        return self.spec.summary()

    def __getattr__(self, name):
        # torchviz returns a graphviz.Digraph: keep its methods (render, view...) working
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.digraph, name)
