"""Frames to the compact JSON the browser view plays, and the graph laid out once.

PyTorch has no counterpart. The explorers send one dictionary per recorded run: the
graph (laid out once by Graphviz into an SVG whose nodes the browser only restyles),
every frame, and one colour scale per kind of tensor (values, gradients, update
steps), so the same colour means the same number on every step. Arrays are cut to
their top-left ``MAX_ROWS x MAX_COLS`` corner and rounded to 4 significant digits;
``nan``/``inf`` travel as strings (JSON has no such numbers). No ipywidgets here.

>>> arr(np.array([[1.23456, np.nan]]))
{'s': [1, 2], 'v': [[1.235, 'nan']]}
"""

import math
import re

import numpy as np

from autograd_tutor.viz import render as R
from autograd_tutor.viz.spec import to_numpy

MAX_ROWS = 6
MAX_COLS = 8
FONT_SIZE = 14  # graph labels in pt; the view never draws them below 12 px

# ----------------------------------------------------------------------------------------
# numbers and arrays


def num(v):
    """A JSON-safe number with 4 significant digits (``"nan"``, ``"inf"`` as text)."""
    v = float(v)
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return float(f"{v:.4g}")


def arr(a):
    """``{"s": shape, "v": rows}``: the top-left corner of ``a`` as nested lists."""
    if a is None:
        return None
    a = np.asarray(a, dtype=float)
    m = a.reshape(1, -1) if a.ndim < 2 else a.reshape(-1, a.shape[-1])
    rows = m[:MAX_ROWS, :MAX_COLS]
    return {"s": list(a.shape), "v": [[num(v) for v in row] for row in rows]}


class Scales:
    """One symmetric colour scale per tensor kind, shared by every frame of a run.

    The scale ends at the 98th percentile of the magnitudes seen (every element of
    every array of that kind), so one huge number (the loss) does not wash the rest
    out; the few larger numbers get the end colour (the legend says so).
    """

    LABELS = {
        "value": "values",
        "grad": "gradients",
        "step": "learning_rate * grad",
    }

    def __init__(self):
        self.samples = {}

    def see(self, kind, a):
        if a is None:
            return
        a = np.abs(np.asarray(a, dtype=float).reshape(-1))
        self.samples.setdefault(kind, []).append(a[np.isfinite(a)])

    def arr(self, kind, a):
        """``arr(a)`` after noting ``a`` in the scale of ``kind``."""
        self.see(kind, a)
        return arr(a)

    def json(self):
        out = {}
        for k, parts in self.samples.items():
            a = np.concatenate(parts) if parts else np.zeros(0)
            top = float(a.max()) if a.size else 0.0
            end = float(np.percentile(a, 98)) if a.size else 0.0
            end = end if end > 0 else top
            out[k] = {
                "max": num(end),
                "clipped": bool(top > end * 1.0001),
                "label": self.LABELS.get(k, k),
            }
        return out


# ----------------------------------------------------------------------------------------
# The graph: DOT from nodes and edges, laid out once


_NODE_STYLE = {
    "op": 'fillcolor="#ffffff" color="#4d4d4d"',
    "leaf": 'fillcolor="#deebf7" color="#2166ac"',
    "tensor": 'fillcolor="#f0f0f0" color="#737373" style="filled"',
}


def graph_dot(nodes, edges, attrs=None):
    """DOT for ``nodes`` (``[{"id", "label", "kind"}]``) and ``edges`` (``[(a, b)]``).

    ``attrs`` maps a node id (or an ``"a->b"`` edge) to extra DOT attributes, which is
    how the static picture of one frame is highlighted.
    """
    attrs = attrs or {}
    lines = [
        "digraph explorer {",
        '  graph [rankdir=TB nodesep=0.3 ranksep=0.35 bgcolor="transparent" pad="0.1"]',
        f'  node [shape=box style="rounded,filled" fontname="Courier" '
        f'fontsize={FONT_SIZE} height=0.4 margin="0.14,0.06" penwidth=1.3]',
        '  edge [color="#4d4d4d" arrowsize=0.7 penwidth=1.3]',
    ]
    for n in nodes:
        label = n["label"].replace("\\", "\\\\").replace('"', '\\"')
        label = label.replace("\n", "\\n")
        extra = attrs.get(n["id"], "")
        style = _NODE_STYLE.get(n.get("kind", "op"), _NODE_STYLE["op"])
        lines.append(f'  {n["id"]} [label="{label}" {style} {extra}]')
    for a, b in edges:
        extra = attrs.get(f"{a}->{b}", "")
        lines.append(f"  {a} -> {b} [{extra}]" if extra else f"  {a} -> {b}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def layout_svg(dot):
    """Graphviz's SVG of ``dot`` (no prologue, no fixed size), or None without it."""
    try:
        svg = R.render(dot, "svg").decode("utf-8")
    except (R.GraphvizNotFound, RuntimeError, OSError):
        return None
    svg = svg[svg.find("<svg") :]
    svg = re.sub(r"<!--.*?-->\s*", "", svg, flags=re.S)
    return re.sub(r'<svg width="[^"]*" height="[^"]*"', "<svg", svg, count=1)


# ----------------------------------------------------------------------------------------
# Static pictures of one frame (where no widget front end runs)

_CUR = 'fillcolor="#ffd23f" color="#000000" penwidth=3'
_FAINT = 'color="#bdbdbd" fontcolor="#9e9e9e" fillcolor="#fafafa"'
_GRAD = 'color="#b35806" penwidth=2.6 dir=back arrowtail=normal'


def frame_attrs(data, index):
    """DOT attributes that draw frame ``index`` of a graph explorer statically."""
    frames, graph = data["frames"], data["graph"]
    f = frames[index]
    attrs = {}
    if data["kind"] == "forward":
        seen = {i for fr in frames[: index + 1] for i in fr["show"]}
    else:
        seen = {fr["id"] for fr in frames[: index + 1]}
        for s in f["slots"]:
            if s.get("toId"):
                attrs[f"{s['toId']}->{f['id']}"] = _GRAD
    for n in graph["nodes"]:
        if n["id"] not in seen and data["kind"] == "forward":
            attrs[n["id"]] = _FAINT
    attrs[f["id"]] = _CUR
    return attrs


def static_svg(data, index):
    """The SVG of frame ``index``: the same layout, the current node highlighted."""
    graph = data.get("graph")
    if not graph:
        return None
    return layout_svg(
        graph_dot(graph["nodes"], graph["edges"], frame_attrs(data, index))
    )


def loss_svg(losses, baseline=None, index=None, width=480, height=240):
    """A small static loss curve (log axis when all losses are positive)."""
    ys = np.asarray(losses, dtype=float)
    base = np.asarray(baseline if baseline is not None else [], dtype=float)
    allv = np.concatenate([ys, base])
    good = allv[np.isfinite(allv)]
    log = good.size and (good > 0).all()
    f = np.log10 if log else (lambda v: v)
    with np.errstate(all="ignore"):
        lo, hi = (f(good.min()), f(good.max())) if good.size else (0.0, 1.0)
    hi = hi if hi > lo else lo + 1
    n = max(len(ys), len(base), 2)
    x0, y0, x1, y1 = 56, 12, width - 12, height - 34

    def pts(v):
        out = []
        for i, y in enumerate(v):
            if np.isfinite(y) and (not log or y > 0):
                px = x0 + (x1 - x0) * i / (n - 1)
                py = y1 - (y1 - y0) * (f(y) - lo) / (hi - lo)
                out.append(f"{px:.1f},{py:.1f}")
        return " ".join(out)

    upto = ys if index is None else ys[: index + 1]
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'font-family="sans-serif" font-size="13">'
        f'<rect x="{x0}" y="{y0}" width="{x1 - x0}" height="{y1 - y0}" fill="none" '
        f'stroke="#737373"/>'
        f'<polyline points="{pts(base)}" fill="none" stroke="#9e9e9e" '
        f'stroke-width="2"/>'
        f'<polyline points="{pts(upto)}" fill="none" stroke="#2166ac" '
        f'stroke-width="2.4"/>'
        f'<text x="{(x0 + x1) / 2}" y="{height - 8}" text-anchor="middle">'
        f"iteration (1 to {len(ys)})</text>"
        f'<text x="14" y="{(y0 + y1) / 2}" transform="rotate(-90 14 {(y0 + y1) / 2})" '
        f'text-anchor="middle">loss{" (log scale)" if log else ""}</text></svg>'
    )


# ----------------------------------------------------------------------------------------
# One payload per explorer


def _is_tensor(v):
    return hasattr(v, "shape") and hasattr(v, "grad_fn")


def _shape_text(shape):
    return "x".join(str(int(d)) for d in shape) if len(shape) else "scalar"


def _dtype(t):
    return str(getattr(t, "dtype", "")).replace("torch.", "").replace("at.", "")


def _values(t):
    return to_numpy(t)


def forward_data(frames, records, names, code=""):
    """The forward explorer's run: the data-flow graph of every op, one frame per op.

    Nodes: one per op (``f0, f1, ...``, labelled ``[1] mm`` and the result's shape) and
    one per input tensor that no op made (``t0, t1, ...``: ``x``, ``w1``...). A frame
    lists the nodes it reveals; the view draws the rest faint.
    """
    scales = Scales()
    by_identity = {id(t): k for k, t in (names or {}).items()}
    made_by = {}  # id(output tensor) -> op node id
    inputs_seen = {}  # id(input tensor) -> tensor node id
    nodes, edges, out = [], [], []
    for i, (frame, rec) in enumerate(zip(frames, records)):
        fid = f"f{i}"
        show = [fid]
        numbers = [repr(v) for v in rec.inputs if not _is_tensor(v)]
        args = ", ".join(numbers + ([frame.params] if frame.params else []))
        label = f"[{i + 1}] {frame.op.lower()}({args})" if args else None
        label = label or f"[{i + 1}] {frame.op.lower()}"
        for v in rec.inputs:
            if not _is_tensor(v):
                continue
            src = made_by.get(id(v))
            if src is None:
                src = inputs_seen.get(id(v))
                if src is None:
                    src = inputs_seen[id(v)] = f"t{len(inputs_seen)}"
                    name = by_identity.get(id(v), "tensor")
                    leaf = bool(getattr(v, "requires_grad", False))
                    nodes.append(
                        {
                            "id": src,
                            "label": f"{name}\n{_shape_text(v.shape)}",
                            "kind": "leaf" if leaf else "tensor",
                            "info": {
                                "title": name,
                                "shape": list(v.shape),
                                "dtype": _dtype(v),
                                "requires_grad": leaf,
                                "value": scales.arr("value", _values(v)),
                            },
                        }
                    )
                show.append(src)
            edges.append((src, fid))
        made_by[id(rec.output)] = fid
        nodes.append(
            {
                "id": fid,
                "label": f"{label}\n{_shape_text(frame.output.shape)}",
                "kind": "op",
            }
        )
        out.append(
            {
                "id": fid,
                "show": show,
                "op": frame.op,
                "node": frame.node,
                "inputs": list(frame.inputs),
                "params": frame.params,
                "span": list(frame.code_span) if frame.code_span else None,
                "shape": list(frame.output.shape),
                "dtype": str(frame.output.dtype),
                "out": scales.arr("value", frame.output),
            }
        )
    data = {
        "kind": "forward",
        "code": code,
        "frames": out,
        "graph": {"nodes": nodes, "edges": edges},
        "scales": scales.json(),
    }
    dot = graph_dot(nodes, edges)
    data["graph"].update(dot=dot, svg=layout_svg(dot))
    return data


def backward_data(frames, graph_names, nodes_run):
    """The backward explorer's run: the backward graph and one frame per node run.

    Edges point the way data flowed in the forward pass (from ``next_functions``
    targets to the node); the view draws each step's gradients against them.
    """
    scales = Scales()
    nodes, edges = [], []
    for node, nid in graph_names.ids.items():
        leaf = node in graph_names.leaves
        label = graph_names.label(node)
        if leaf:  # two short lines keep the picture narrow: AccumulateGrad / (w1)
            label = label.replace("(", "\n(", 1)
        nodes.append({"id": nid, "label": label, "kind": "leaf" if leaf else "op"})
        for nxt, _ in node.next_functions:
            if nxt is not None and nxt in graph_names.ids:
                edges.append((graph_names.ids[nxt], nid))
    out = []
    for f in frames:
        seq = f.sequence_nr
        out.append(
            {
                "id": f.node_id,
                "node": f.node,
                "seq": None if math.isinf(seq) or seq > 2**62 else int(seq),
                "rule": f.rule,
                "arrived": [
                    {"src": c.source, "g": scales.arr("grad", c.grad)}
                    for c in f.arrived
                ],
                "gin": [scales.arr("grad", g) for g in f.grads_in],
                "slots": [
                    {
                        "i": s.index,
                        "to": s.target,
                        "toId": _slot_id(graph_names, nodes_run[f.index], s.index),
                        "g": scales.arr("grad", s.grad),
                    }
                    for s in f.slots
                ],
                "leaf": f.leaf,
                "leafGrad": scales.arr("grad", f.leaf_grads.get(f.leaf))
                if f.leaf
                else None,
            }
        )
    data = {
        "kind": "backward",
        "frames": out,
        "leaves": sorted(set(graph_names.leaves.values())),
        "graph": {"nodes": nodes, "edges": edges},
        "scales": scales.json(),
    }
    dot = graph_dot(nodes, edges)
    data["graph"].update(dot=dot, svg=layout_svg(dot))
    return data


def _slot_id(graph_names, node, k):
    nxt = node.next_functions[k][0]
    return graph_names.ids.get(nxt) if nxt is not None else None


def update_data(frames, lr):
    """The update explorer's run: per parameter before / after ``sub_`` / after zero."""
    scales = Scales()
    out = [
        {
            "param": f.param,
            "stage": f.stage,
            "code": f.code,
            "value": scales.arr("value", f.value),
            "before": scales.arr("value", f.before),
            "grad": scales.arr("grad", f.grad),
            "step": scales.arr("step", f.step) if f.stage != "zero_" else None,
            "gradFn": f.grad_fn,
            "isLeaf": f.is_leaf,
            "version": f.version,
            "recorded": list(f.recorded),
        }
        for f in frames
    ]
    return {"kind": "update", "lr": num(lr), "frames": out, "scales": scales.json()}


def _losses(frames):
    return [num(f.loss) for f in frames]


def training_data(frames, baseline, settings, base_settings):
    """The training explorer's run, with the normal run as a baseline to compare."""
    out = [
        {
            "loss": num(f.loss),
            "norms": {k: num(v) for k, v in f.grad_norms.items()},
            "error": f.error,
        }
        for f in frames
    ]
    return {
        "kind": "training",
        "frames": out,
        "baseline": _losses(baseline),
        "settings": settings,
        "base": base_settings,
    }
