"""``repr`` of tensors, ported from PyTorch's ``torch/_tensor_str.py`` so that printed
tensors look exactly as they do in torch: 4 decimals, aligned columns, scientific notation
when values span many orders of magnitude, and ``...`` summaries past 1,000 elements."""

import math

import numpy as np

PRECISION = 4
THRESHOLD = 1000
EDGEITEMS = 3
LINEWIDTH = 80


class _Formatter:
    """Decides one width and one style (int-like, fixed or scientific) for all elements."""

    def __init__(self, values, floating):
        self.floating = floating
        self.int_mode = True
        self.sci_mode = False
        self.max_width = 1
        flat = values.reshape(-1)
        if not floating:
            for v in flat.tolist():
                self.max_width = max(self.max_width, len(_int_str(v)))
            return
        finite = flat[np.isfinite(flat) & (flat != 0)].astype(np.float64)
        if finite.size == 0:
            return
        absv = np.abs(finite)
        # Python floats, so that hi / lo cannot overflow with a warning
        lo, hi = float(absv.min()), float(absv.max())
        vals = finite.tolist()
        self.int_mode = bool(np.all(finite == np.ceil(finite)))
        if self.int_mode:
            if hi / lo > 1000.0 or hi > 1.0e8:
                self.sci_mode = True
                widths = [len(f"{v:.{PRECISION}e}") for v in vals]
            else:
                widths = [len(f"{v:.0f}") + 1 for v in vals]
        else:
            if hi / lo > 1000.0 or hi > 1.0e8 or lo < 1.0e-4:
                self.sci_mode = True
                widths = [len(f"{v:.{PRECISION}e}") for v in vals]
            else:
                widths = [len(f"{v:.{PRECISION}f}") for v in vals]
        self.max_width = max(self.max_width, max(widths))

    def format(self, value):
        if self.floating:
            if self.sci_mode:
                ret = f"{value:{self.max_width}.{PRECISION}e}"
            elif self.int_mode:
                ret = f"{value:.0f}"
                if not (math.isinf(value) or math.isnan(value)):
                    ret += "."
            else:
                ret = f"{value:.{PRECISION}f}"
        else:
            ret = _int_str(value)
        return (self.max_width - len(ret)) * " " + ret


def _int_str(v):
    return str(v)  # bools print as True/False, as in torch


def _summarized(a):
    """The elements the printout shows (edges only, for big tensors)."""
    if a.ndim == 0:
        return a
    if a.shape[0] > 2 * EDGEITEMS:
        parts = [a[:EDGEITEMS], a[-EDGEITEMS:]]
    else:
        parts = [a]
    return np.concatenate([_summarized_rest(p) for p in parts])


def _summarized_rest(a):
    if a.ndim == 1:
        return a
    return np.stack([_summarized(row) for row in a]).reshape(-1)


def _vector_str(a, indent, summarize, fmt):
    element_length = fmt.max_width + 2
    per_line = max(1, int(math.floor((LINEWIDTH - indent) / element_length)))
    vals = a.tolist()
    if summarize and len(vals) > 2 * EDGEITEMS:
        data = (
            [fmt.format(v) for v in vals[:EDGEITEMS]]
            + [" ..."]
            + [fmt.format(v) for v in vals[-EDGEITEMS:]]
        )
    else:
        data = [fmt.format(v) for v in vals]
    lines = [", ".join(data[i : i + per_line]) for i in range(0, len(data), per_line)]
    return "[" + ("," + "\n" + " " * (indent + 1)).join(lines) + "]"


def _tensor_str(a, indent, summarize, fmt):
    if a.ndim == 0:
        return fmt.format(a.item())
    if a.ndim == 1:
        return _vector_str(a, indent, summarize, fmt)
    n = a.shape[0]
    if summarize and n > 2 * EDGEITEMS:
        rows = (
            [_tensor_str(a[i], indent + 1, summarize, fmt) for i in range(EDGEITEMS)]
            + ["..."]
            + [
                _tensor_str(a[i], indent + 1, summarize, fmt)
                for i in range(n - EDGEITEMS, n)
            ]
        )
    else:
        rows = [_tensor_str(a[i], indent + 1, summarize, fmt) for i in range(n)]
    return "[" + ("," + "\n" * (a.ndim - 1) + " " * (indent + 1)).join(rows) + "]"


def format_array(a, indent):
    """The bracketed body of a tensor's repr, e.g. ``[[1., 1.],\\n        [1., 1.]]``."""
    if a.size == 0:
        return "[]"
    summarize = a.size > THRESHOLD
    floating = a.dtype.kind == "f"
    fmt = _Formatter(_summarized(a) if summarize else a, floating)
    return _tensor_str(a, indent, summarize, fmt)


def tensor_repr(t, prefix="tensor(", tangent=None):
    """``tensor([...], dtype=..., grad_fn=<...>)`` exactly as torch lays it out; a
    dual tensor's ``tangent`` (forward-mode AD) comes last, as ``tangent=...``."""
    a = t._data
    indent = len(prefix)
    suffixes = []
    if a.size == 0 and a.ndim != 1:
        suffixes.append("size=" + str(tuple(a.shape)))
    body = format_array(a, indent)
    # an empty tensor has no elements to show its dtype: torch names all but float32
    if a.dtype not in (
        (np.float32,) if a.size == 0 else (np.float32, np.int64, np.bool_)
    ):
        suffixes.append("dtype=" + repr(t.dtype))
    try:
        grad_fn = t.grad_fn  # (a view changed in place is derived again first)
        name = None if grad_fn is None else type(grad_fn).__name__
        if name == "CppFunction":  # a C++ node without a Python class: torch prints
            name = grad_fn.name().rsplit("::", 1)[-1]  # the last part of its name()
    except RuntimeError:  # a view made under no_grad() whose base changed: as torch
        name = "Invalid"
    if name is not None:
        suffixes.append(f"grad_fn=<{name}>")
    elif t.requires_grad:
        suffixes.append("requires_grad=True")
    if tangent is not None:
        suffixes.append(f"tangent={tangent}")  # (format: a 0-d tangent as its number)
    parts = [prefix + body]
    last_line_len = len(parts[0]) - parts[0].rfind("\n") + 1
    for s in suffixes:
        # wrap where torch wraps: its "dtype=torch.float64" is 3 characters longer
        n = len(s) + 3 * s.count("dtype=at.")
        if last_line_len + n + 2 > LINEWIDTH:
            parts.append(",\n" + " " * indent + s)
            last_line_len = indent + n
        else:
            parts.append(", " + s)
            last_line_len += n + 2
    parts.append(")")
    return "".join(parts)
