"""From ``GraphSpec`` to Graphviz: DOT text, or a ``graphviz.Digraph``.

Uses torchviz's look (grey boxes for backward nodes, light blue leaves, a green output,
orange saved tensors, small fixed-width text), so the pictures match what learners will
meet with PyTorch. The font is ``Courier``, not torchviz's ``monospace``: Graphviz 16
has no metrics for ``monospace`` without system fonts and sizes its boxes for Times, so
labels spilled out; it has Courier's. ``to_dot`` needs nothing but Python;
``to_digraph`` needs the ``graphviz`` package and gives exactly the same ``.source``.
"""

import re

from .spec import GraphSpec

# torchviz's node defaults, verbatim
NODE_ATTR = {
    "align": "left",
    "fontname": "Courier",
    "fontsize": "10",
    "height": "0.2",
    "ranksep": "0.1",
    "shape": "box",
    "style": "filled",
}
EDGE_ATTR = {"fontname": "Courier", "fontsize": "9"}

#: Extra Graphviz attributes per node kind (see ``spec.NODE_KINDS``).
NODE_STYLE = {
    "output": {"fillcolor": "darkolivegreen1"},
    "tensor": {"fillcolor": "darkseagreen1", "style": "filled,rounded"},
    "leaf": {"fillcolor": "lightblue"},
    "function": {},
    "accumulate": {"fillcolor": "gainsboro", "style": "filled,rounded"},
    "saved": {"fillcolor": "orange"},
    "freed": {"fillcolor": "bisque", "fontcolor": "gray40", "style": "filled,dashed"},
    "none": {"fontcolor": "gray50", "shape": "plaintext", "style": "solid"},
    "op": {"fillcolor": "lightyellow", "shape": "ellipse"},
    "data": {"fillcolor": "white"},
    "const": {"fontcolor": "gray30", "shape": "plaintext", "style": "solid"},
}
EDGE_STYLE = {
    "next": {},
    "none": {"color": "gray60", "fontcolor": "gray50", "style": "dashed"},
    "variable": {},
    "output": {},
    "made": {"style": "dashed"},
    "saved": {"dir": "none", "style": "dotted"},
    "input": {},
    "result": {},
}
HIGHLIGHT = {"color": "red", "penwidth": "3"}

_ID = re.compile(r"([a-zA-Z_][a-zA-Z0-9_]*|-?(\.[0-9]+|[0-9]+(\.[0-9]*)?))$")
_KEYWORDS = {"node", "edge", "graph", "digraph", "subgraph", "strict"}


def quote(s):
    """Quote a DOT identifier or attribute value the way the ``graphviz`` package does."""
    s = str(s)
    if _ID.match(s) and s.lower() not in _KEYWORDS:
        return s
    return '"' + s.replace('"', '\\"') + '"'


def label_text(lines):
    """Join label lines with DOT's ``\\n``; backslashes and quotes are kept literal."""
    return "\\n".join(line.replace("\\", "\\\\").replace('"', "'") for line in lines)


def _attrs(d):
    return " ".join(f"{quote(k)}={quote(v)}" for k, v in sorted(d.items()))


def graph_attr(spec):
    """Graph attributes: direction, and torchviz's size rule (grow with the graph)."""
    rows = len(spec.nodes) + len(spec.edges)
    size = max(12.0, rows * 0.15)
    return {"rankdir": spec.rankdir, "size": f"{size:g},{size:g}"}


def node_attrs(n):
    attrs = dict(NODE_STYLE.get(n.kind, {}))
    if n.highlight:
        attrs.update(HIGHLIGHT)
    return attrs


def edge_attrs(e):
    attrs = dict(EDGE_STYLE.get(e.kind, {}))
    if e.highlight:
        attrs.update(HIGHLIGHT)
    return attrs


def to_dot(spec: GraphSpec) -> str:
    """The DOT text of a picture: nodes in walk order, then edges. Deterministic."""
    out = [
        "digraph {",
        f"\tgraph [{_attrs(graph_attr(spec))}]",
        f"\tnode [{_attrs(NODE_ATTR)}]",
        f"\tedge [{_attrs(EDGE_ATTR)}]",
    ]
    for n in spec.nodes:
        extra = node_attrs(n)
        tail = f" {_attrs(extra)}" if extra else ""
        out.append(f"\t{n.id} [label={quote(label_text(n.label))}{tail}]")
    for e in spec.edges:
        parts = [f"label={quote(e.label)}"] if e.label else []
        extra = edge_attrs(e)
        if extra:
            parts.append(_attrs(extra))
        tail = f" [{' '.join(parts)}]" if parts else ""
        out.append(f"\t{e.src} -> {e.dst}{tail}")
    out.append("}")
    return "\n".join(out) + "\n"


def to_digraph(spec: GraphSpec):
    """A ``graphviz.Digraph`` of the picture (what torchviz's ``make_dot`` returns).

    Raises:
        ImportError: with the pip command, if the ``graphviz`` package is missing.
    """
    try:
        import graphviz
    except ImportError:
        raise ImportError(
            "the graphviz Python package is needed for a Digraph: pip install graphviz"
        ) from None
    g = graphviz.Digraph(
        graph_attr=graph_attr(spec),
        node_attr=dict(NODE_ATTR),
        edge_attr=dict(EDGE_ATTR),
    )
    for n in spec.nodes:
        g.node(n.id, label_text(n.label), **node_attrs(n))
    for e in spec.edges:
        g.edge(e.src, e.dst, e.label or None, **edge_attrs(e))
    return g
