"""Small HTML helpers: heat maps, highlighted code, number formatting. No ipywidgets.

PyTorch has no counterpart. ``PredictReveal`` shows its answers with these, and the
explorers' ``text/plain`` summaries format numbers with ``fmt``/``short``; the
explorers' browser view draws its own (``static/explorer.js``).

>>> import numpy as np
>>> "background" in heatmap(np.array([[1.0, -1.0]]))
True
"""

import html
import math

import numpy as np

MAX_ROWS = 6  # a 100 x 32 activation shows its first rows: enough to see the pattern
MAX_COLS = 12

STYLE = (  # the tables' CSS (the explorers put it once in their pages)
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
