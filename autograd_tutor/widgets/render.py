"""Frames to HTML: heat maps, highlighted code, the graph picture. No ipywidgets here.

PyTorch has no counterpart; this is what a learner sees of a frame. Everything returns
plain strings (HTML or SVG), so views only assign them to ``HTML.value`` and tests can
read them directly.

>>> import numpy as np
>>> "background" in heatmap(np.array([[1.0, -1.0]]))
True
"""

import html
import math
import re

import numpy as np

MAX_ROWS = 6  # a 100 x 32 activation shows its first rows: enough to see the pattern
MAX_COLS = 12

_STYLE = (
    "<style>.agt td,.agt th{padding:1px 4px;font:11px monospace;text-align:right;"
    "border:1px solid #ddd}.agt{border-collapse:collapse;margin:2px 0}"
    ".agt-code{font:13px monospace;white-space:pre;background:#f6f8fa;padding:6px}"
    ".agt-hl{background:#ffd54f;font-weight:bold}.agt-box{font:13px sans-serif}"
    ".agt-ok{color:#1b5e20}.agt-bad{color:#b71c1c}</style>"
)


def fmt(v):
    """Fixed formatting (4 significant digits) so pages and tests are deterministic."""
    v = float(v)
    if math.isnan(v) or math.isinf(v):
        return str(v)
    return f"{v:.4g}"


def _colour(v, scale):
    """Blue for negative, red for positive, white for zero (a diverging heat map)."""
    if not np.isfinite(v) or scale == 0:
        return "#ffffff"
    t = max(-1.0, min(1.0, v / scale))
    fade = int(255 * (1 - abs(t)))
    return f"#ff{fade:02x}{fade:02x}" if t > 0 else f"#{fade:02x}{fade:02x}ff"


def heatmap(a, max_rows=MAX_ROWS, max_cols=MAX_COLS):
    """An HTML table of ``a`` with coloured cells; large arrays show their top-left.

    Scalars and vectors are shown as one row. The caption gives the shape and, when
    cut, how much is shown.
    """
    if a is None:
        return "<i>None</i>"
    a = np.asarray(a)
    shape = list(a.shape)
    m = a.reshape(1, -1) if a.ndim < 2 else a.reshape(-1, a.shape[-1])
    finite = m[np.isfinite(m)]
    scale = float(np.abs(finite).max()) if finite.size else 0.0
    rows, cols = m[:max_rows, :max_cols], m.shape
    cut = "" if rows.shape == cols else f", showing {rows.shape[0]}x{rows.shape[1]}"
    out = [
        f'<div style="font:11px sans-serif">shape {shape}{cut}</div>'
        # wide tables scroll inside their pane instead of being cut off
        '<div style="overflow-x:auto;max-width:100%"><table class="agt">'
    ]
    for row in rows:
        out.append("<tr>")
        for v in row:
            out.append(f'<td style="background:{_colour(v, scale)}">{fmt(v)}</td>')
        out.append("</tr>")
    out.append("</table></div>")
    return "".join(out)


def short(a):
    """One line about an array: a scalar's value, else its shape and a few numbers."""
    if a is None:
        return "None"
    a = np.asarray(a)
    if a.size == 1:
        return fmt(a.reshape(()))
    head = ", ".join(fmt(v) for v in a.reshape(-1)[:3])
    return f"shape {list(a.shape)}: [{head}{', ...' if a.size > 3 else ''}]"


def code_html(code, span=None):
    """The source with ``code[span[0]:span[1]]`` highlighted."""
    if span is None:
        return f'<div class="agt-code">{html.escape(code)}</div>'
    s, e = span
    return (
        f'<div class="agt-code">{html.escape(code[:s])}<span class="agt-hl">'
        f"{html.escape(code[s:e])}</span>{html.escape(code[e:])}</div>"
    )


def forward_html(frame, code, total):
    """What one forward frame shows: the code, the op, its result."""
    rec = (
        f"autograd recorded <b>{html.escape(frame.node)}</b>"
        if frame.node
        else "nothing recorded (no input requires grad)"
    )
    params = f", {html.escape(frame.params)}" if frame.params else ""
    return (
        f'{_STYLE}<div class="agt-box"><b>Forward step {frame.index + 1}/{total}: '
        f"{frame.op}</b>({html.escape(', '.join(frame.inputs))}{params}) &rarr; "
        f"[{frame.index + 1}]; {rec}</div>"
        f"{code_html(code, frame.code_span) if code else ''}"
        f"<div class='agt-box'>result [{frame.index + 1}]:</div>{heatmap(frame.output)}"
    )


def backward_html(frame, total):
    """What one backward frame shows: arriving gradient(s), rule, slots, leaf grads."""
    parts = [
        f'{_STYLE}<div class="agt-box"><b>Backward step {frame.index + 1}/{total}: '
        f"{html.escape(frame.node)}</b> (sequence_nr {fmt(frame.sequence_nr)})<br>"
        f"local rule: <code>{html.escape(frame.rule)}</code></div>"
    ]
    arrived = frame.arrived
    if len(arrived) > 1:
        terms = " + ".join(short(c.grad) for c in arrived)
        parts.append(
            f"<div class='agt-box'><b>fan-in:</b> {len(arrived)} gradients arrive and add"
            f" up: {html.escape(terms)}</div>"
        )
    src = ", ".join(html.escape(c.source) for c in arrived) or "?"
    parts.append(f"<div class='agt-box'>gradient arriving (from {src}):</div>")
    parts.extend(heatmap(g) for g in frame.grads_in)
    if frame.leaf is not None:
        parts.append(
            f"<div class='agt-box'><b>{html.escape(frame.leaf)}.grad</b> now holds:</div>"
            f"{heatmap(frame.leaf_grads.get(frame.leaf))}"
        )
    else:
        parts.append(
            "<table class='agt'><tr><th>next_functions slot</th><th>goes to</th>"
            "<th>gradient sent</th></tr>"
        )
        for s in frame.slots:
            target = html.escape(s.target) if s.target else "None (needs no grad)"
            parts.append(
                f"<tr><td>{s.index}</td><td>{target}</td>"
                f"<td>{html.escape(short(s.grad))}</td></tr>"
            )
        parts.append("</table>")
    cells = "".join(
        f"<tr><td>{html.escape(k)}.grad</td><td>{html.escape(short(v))}</td></tr>"
        for k, v in frame.leaf_grads.items()
    )
    parts.append(
        f"<table class='agt'><tr><th>leaf</th><th>.grad so far</th></tr>{cells}</table>"
    )
    return "".join(parts)


def update_html(frame, total, lr):
    """What one update frame shows: code, values, grad, lr * grad, leaf proof."""
    parts = [
        f'{_STYLE}<div class="agt-box"><b>Update step {frame.index + 1}/{total}: '
        f"{html.escape(frame.param)} ({frame.stage})</b>, learning_rate = {fmt(lr)}</div>",
        code_html(frame.code),
        f"<div class='agt-box'>{html.escape(frame.param)}"
        f"{' after' if frame.before is not None else ''}:</div>{heatmap(frame.value)}",
        f"<div class='agt-box'>{html.escape(frame.param)}.grad:</div>"
        f"{heatmap(frame.grad)}",
    ]
    if frame.stage != "zero_":
        parts.append(
            f"<div class='agt-box'>learning_rate * {html.escape(frame.param)}"
            f".grad (subtracted):</div>{heatmap(frame.step)}"
        )
    if frame.before is not None:
        parts.insert(
            2,
            f"<div class='agt-box'>{html.escape(frame.param)} before:</div>"
            f"{heatmap(frame.before)}",
        )
    if frame.stage == "sub_":
        ops = "; ".join(frame.recorded) or "none"
        parts.append(
            f"<div class='agt-box agt-ok'>not recorded: {html.escape(frame.param)}.grad_fn"
            f" = {html.escape(frame.grad_fn)}, is_leaf = {frame.is_leaf}, _version = "
            f"{frame.version} (changed in place). Ops run under no_grad: "
            f"{html.escape(ops)}</div>"
        )
    return "".join(parts)


def training_html(frame, total, lr, zero_grad, no_grad):
    """What one training frame shows: loss, gradient norms, or the error."""
    flags = []
    if not zero_grad:
        flags.append("forgetting to zero the gradients: they pile up")
    if not no_grad:
        flags.append("updating outside no_grad")
    head = (
        f'{_STYLE}<div class="agt-box"><b>Iteration {frame.index + 1}/{total}</b>, '
        f"learning_rate = {fmt(lr)}{'; ' if flags else ''}{'; '.join(flags)}</div>"
    )
    if frame.error:
        return (
            f"{head}<div class='agt-box agt-bad'><b>{html.escape(frame.error)}</b>"
            "<br>PyTorch refuses to change a leaf in place while recording; wrap the "
            "update in <code>with at.no_grad():</code>.</div>"
        )
    cells = "".join(
        f"<tr><td>{html.escape(k)}</td><td>{fmt(v)}</td></tr>"
        for k, v in frame.grad_norms.items()
    )
    return (
        f"{head}<div class='agt-box'>loss = <b>{fmt(frame.loss)}</b></div>"
        f"<table class='agt'><tr><th>param</th><th>|grad|</th></tr>{cells}</table>"
    )


# ----------------------------------------------------------------------------------------
# The graph picture (one function, so the viz package plugs in with one line)


def fit_svg(svg, max_height=640):
    """Make a Graphviz SVG scale to its pane: no XML prologue, width 100%, scroll."""
    if "<svg" not in svg:
        return svg
    svg = svg[svg.find("<svg") :]
    svg = re.sub(
        r'<svg width="[^"]*" height="[^"]*"', '<svg width="100%"', svg, count=1
    )
    return f'<div style="max-height:{max_height}px;overflow:auto">{svg}</div>'


def graph_svg(root, names=None, highlight=()):
    """SVG of the backward graph of ``root`` (``at.viz.make_dot``), ``highlight`` red.

    Gradients are left out of the picture: it is drawn when a step is first shown,
    and the details pane shows ``.grad`` as it was at that step.
    """
    from autograd_tutor import viz

    pic = viz.make_dot(root, names=names, highlight=list(highlight), show_grads=False)
    return fit_svg(pic.svg())


def forward_svg(records, names=None, highlight=()):
    """SVG of the forward (data-flow) graph of ``records`` (``at.viz.forward_graph``)."""
    from autograd_tutor import viz

    pic = viz.forward_graph(
        list(records), names=names, highlight=list(highlight), show_grads=False
    )
    return fit_svg(pic.svg())


class LossCurve:
    """A matplotlib loss curve with the current iteration drawn on top, for training.

    Matplotlib draws the whole run once (a faint line, log axis) into a PNG; each step
    then only overlays an SVG polyline of the iterations so far and a dot at the current
    one, at the pixel positions matplotlib computed. A step costs well under a
    millisecond instead of a full redraw. One ``Figure`` without pyplot is used, so
    nothing pops up in the notebook.
    """

    def __init__(self, width=4.2, height=2.6, dpi=80):
        from matplotlib.figure import Figure

        self.fig = Figure(figsize=(width, height), dpi=dpi)
        self.ax = self.fig.add_subplot()
        self.size = (int(width * dpi), int(height * dpi))
        self.background, self.points = "", np.zeros((0, 2))

    def set_run(self, losses):
        """Draw a new run: the background PNG and the pixel position of each loss."""
        import base64
        import io

        ys = np.asarray(losses, dtype=float)
        xs = np.arange(len(ys))
        ax = self.ax
        ax.clear()
        ax.plot(xs, ys, color="#b0bec5", lw=1)
        ax.set_xlabel("iteration")
        ax.set_ylabel("loss")
        ax.set_xlim(-1, max(len(ys), 2))
        finite = ys[np.isfinite(ys) & (ys > 0)]
        if finite.size:
            ax.set_yscale("log")
            ax.set_ylim(finite.min() * 0.8, finite.max() * 1.25)
        self.fig.tight_layout()
        buf = io.BytesIO()
        self.fig.savefig(buf, format="png")
        self.background = base64.b64encode(buf.getvalue()).decode("ascii")
        with np.errstate(all="ignore"):
            ys_safe = np.where(np.isfinite(ys) & (ys > 0), ys, np.nan)
            px = ax.transData.transform(np.column_stack([xs, ys_safe]))
        px[:, 1] = self.size[1] - px[:, 1]  # SVG's y axis points down
        self.points = px

    def html(self, index):
        """The curve with iterations ``0..index`` highlighted."""
        w, h = self.size
        pts = self.points[: index + 1]
        pts = pts[np.isfinite(pts).all(axis=1)]
        line = " ".join(f"{x:.1f},{y:.1f}" for x, y in pts)
        dot = ""
        if len(pts):
            dot = (
                f'<circle cx="{pts[-1][0]:.1f}" cy="{pts[-1][1]:.1f}" r="4" '
                'fill="#e65100"/>'
            )
        return (
            f'<div style="position:relative;width:{w}px;height:{h}px">'
            f'<img alt="loss curve" width="{w}" height="{h}" '
            f'src="data:image/png;base64,{self.background}"/>'
            f'<svg width="{w}" height="{h}" style="position:absolute;left:0;top:0">'
            f'<polyline points="{line}" fill="none" stroke="#1565c0" '
            f'stroke-width="1.8"/>{dot}</svg></div>'
        )
