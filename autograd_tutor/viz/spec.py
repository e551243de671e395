"""``GraphSpec``: a graph picture as plain data (nodes, edges, labels, kinds).

Mirrors what torchviz's ``make_dot`` draws, but stops one step before Graphviz: walking
``out.grad_fn`` and its ``next_functions`` (or a recorded forward pass) produces a
``GraphSpec``; ``viz.dot`` turns it into DOT text. Node ids (``n0``, ``n1``...) follow
the walk's order, never ``id()``, so the same graph gives the same DOT in every process.

>>> import autograd_tutor as at
>>> x = at.ones(2, requires_grad=True)
>>> out = (x * 2).sum()
>>> spec = backward_spec(out, names={"x": x, "out": out}, show_values=False)
>>> [(n.id, n.kind, n.label[0]) for n in spec.nodes]
[('n0', 'output', 'out'), ('n1', 'function', 'SumBackward0'), ('n2', 'function', \
'MulBackward0'), ('n3', 'accumulate', 'AccumulateGrad'), ('n4', 'none', 'None'), \
('n5', 'leaf', 'x')]
"""

from collections import deque
from dataclasses import dataclass, field

import numpy as np

from ..autograd.graph import retained_tensors

SAVED_PREFIX = "_saved_"

#: What each node kind means (``viz.dot`` gives each kind its colour and shape).
NODE_KINDS = {
    "output": "the tensor the picture starts from (torchviz: green)",
    "tensor": "an intermediate tensor you named or retained (its grad_fn points at it)",
    "leaf": "a leaf tensor (requires_grad=True, made by you): its gradient lands here",
    "function": "a backward node (grad_fn), e.g. MulBackward0",
    "accumulate": "AccumulateGrad: the node that adds a gradient into leaf.grad",
    "saved": "a tensor a backward node saved for later (show_saved=True)",
    "freed": "a saved tensor that backward() has already freed",
    "none": "None in next_functions: an input that needs no gradient",
    "op": "an operation of the forward pass (forward view)",
    "data": "an input that needs no gradient (forward view)",
    "const": "a plain Python number used by an operation (forward view)",
}


@dataclass
class NodeSpec:
    """One box of the picture.

    Attributes:
        id: ``"n0"``, ``"n1"``... in the order the walk met the node.
        kind: one of ``NODE_KINDS``.
        label: the text lines shown in the box.
        highlight: drawn emphasised (``highlight=`` argument).
        ref: the object drawn (a backward node or a tensor); not part of equality.
    """

    id: str
    kind: str
    label: tuple
    highlight: bool = False
    ref: object = field(default=None, repr=False, compare=False)


@dataclass
class EdgeSpec:
    """One arrow. Arrows point the way data flowed forward (torchviz's convention):
    from an input's node to the node that used it. Gradients travel against them.

    ``kind`` is ``"next"`` (a ``next_functions`` entry; ``label`` is its slot),
    ``"none"`` (a ``(None, 0)`` slot), ``"variable"`` (leaf -> AccumulateGrad),
    ``"output"`` (grad_fn -> the output tensor), ``"made"`` (grad_fn -> a named or
    retained intermediate tensor, dashed), ``"saved"`` (node -- saved tensor),
    ``"input"`` / ``"result"`` in the forward view.
    """

    src: str
    dst: str
    kind: str
    label: str = ""
    highlight: bool = False


@dataclass
class GraphSpec:
    """A whole picture as plain data: ``nodes`` and ``edges`` in walk order.

    Attributes:
        nodes: list of ``NodeSpec``.
        edges: list of ``EdgeSpec``.
        title: what the picture shows, e.g. ``"backward graph of out"``.
        rankdir: Graphviz direction: ``"TB"`` puts the output at the bottom (torchviz),
            ``"BT"`` at the top, ``"LR"``/``"RL"`` sideways.
    """

    nodes: list = field(default_factory=list)
    edges: list = field(default_factory=list)
    title: str = ""
    rankdir: str = "TB"
    _index: dict = field(default_factory=dict, repr=False, compare=False)

    def add_node(self, kind, label, ref=None):
        """Append a node with the next id and return the id."""
        nid = f"n{len(self.nodes)}"
        self.nodes.append(NodeSpec(nid, kind, tuple(label), ref=ref))
        if ref is not None:
            # id() is only a lookup key while building; it never reaches the output
            self._index.setdefault(id(ref), nid)
        return nid

    def add_edge(self, src, dst, kind, label=""):
        self.edges.append(EdgeSpec(src, dst, kind, str(label)))

    def node(self, nid):
        """The ``NodeSpec`` with id ``nid``."""
        return self.nodes[int(nid[1:])]

    def find(self, obj):
        """The id of the node drawing ``obj`` (a backward node or a tensor), or None."""
        nid = self._index.get(id(obj))
        if nid is None and _is_tensor(obj):
            # a tensor without its own box is represented by the node that made it
            fn = getattr(obj, "grad_fn", None)
            if fn is not None:
                nid = self._index.get(id(fn))
        return nid

    def apply_highlight(self, items):
        """Mark nodes and edges to emphasise.

        ``items`` holds backward nodes, tensors and ``(a, b)`` pairs naming an edge by
        its two ends (in either order). Items not in the picture are ignored.
        """
        for item in items or ():
            if isinstance(item, tuple) and len(item) == 2:
                a, b = self.find(item[0]), self.find(item[1])
                for e in self.edges:
                    if {e.src, e.dst} == {a, b}:
                        e.highlight = True
                continue
            nid = self.find(item)
            if nid is not None:
                self.node(nid).highlight = True

    def summary(self, max_nodes=60):
        """A deterministic text version of the picture (Jupyter's ``text/plain``).

        One line per node: id, kind, label, then where its arrows go. ``*`` marks
        highlighted nodes and edges.
        """
        out = {}
        for e in self.edges:
            star = "*" if e.highlight else ""
            slot = f"[{e.label}]" if e.label else ""
            out.setdefault(e.src, []).append(f"{star}{e.dst}{slot}")
        lines = [f"<{self.title}: {len(self.nodes)} nodes, {len(self.edges)} edges>"]
        for n in self.nodes[:max_nodes]:
            star = "*" if n.highlight else " "
            text = " | ".join(n.label)
            arrows = f"  -> {', '.join(out[n.id])}" if n.id in out else ""
            lines.append(f"{star}{n.id:>4} {n.kind:<10} {text}{arrows}")
        if len(self.nodes) > max_nodes:
            lines.append(f"  ... {len(self.nodes) - max_nodes} more nodes")
        return "\n".join(lines)


# ---------------------------------------------------------------- tensors, duck-typed


def _is_tensor(obj):
    """Anything with a shape that can carry a grad_fn: our Tensor or a torch.Tensor."""
    if isinstance(obj, type):  # the Tensor class itself, e.g. found in locals()
        return False
    return hasattr(obj, "grad_fn") and hasattr(obj, "shape") and hasattr(obj, "dtype")


def to_numpy(value):
    """The numbers of an ``at.Tensor`` or a ``torch.Tensor`` as a NumPy array, through
    the API both share (``detach().numpy()``: no copy, no autograd); an array, a number
    or a list as ``np.asarray`` gives it."""
    if isinstance(value, np.ndarray):
        return value
    if hasattr(value, "detach") and hasattr(value, "numpy"):
        d = value.detach()
        if hasattr(d, "cpu"):  # torch: a tensor on another device comes to the CPU
            d = d.cpu()
        return np.asarray(d.numpy())
    return np.asarray(value)


def fmt_number(v):
    """Fixed, short float formatting: 5 significant digits (14.415, 28.83, 0.25)."""
    if isinstance(v, (bool, np.bool_)):
        return str(bool(v))
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    return f"{float(v):.5g}"


def fmt_values(a):
    """Compact text for a tensor's numbers.

    Scalars and tensors of up to 4 elements in full; bigger tensors whose elements are
    all equal as ``all 0.25``; other tensors as ``min .. max, mean``.
    """
    a = np.asarray(a)
    if a.size == 1:
        return fmt_number(a.reshape(()).item())
    if a.size == 0:
        return "[]"
    if a.size <= 4:
        return _nested(a.tolist())
    flat = a.reshape(-1)
    if a.dtype == np.bool_:
        return f"{int(flat.sum())} of {a.size} True"
    if np.all(flat == flat[0]):
        return f"all {fmt_number(flat[0].item())}"
    return (
        f"min {fmt_number(flat.min().item())} max {fmt_number(flat.max().item())} "
        f"mean {fmt_number(flat.astype(np.float64).mean())}"
    )


def _nested(x):
    if isinstance(x, list):
        return "[" + ", ".join(_nested(v) for v in x) + "]"
    return fmt_number(x)


def fmt_shape(t):
    """``(2, 2) float32``: the shape as torchviz writes it, then the dtype."""
    dims = ", ".join(str(int(d)) for d in tuple(t.shape))
    dtype = str(t.dtype).rsplit(".", 1)[-1]
    return f"({dims}) {dtype}"


def _grad_of(t):
    """``t.grad`` where torch keeps one (leaves, retained tensors), without warnings."""
    if getattr(t, "is_leaf", False) or getattr(t, "retains_grad", False):
        return getattr(t, "grad", None)
    return None


def tensor_label(t, name, show_values, show_grads):
    """Label lines of a tensor's box: name, shape and dtype, value, grad."""
    lines = [name] if name else []
    lines.append(fmt_shape(t))
    if show_values:
        lines.append(f"value {fmt_values(to_numpy(t))}")
    if show_grads:
        g = _grad_of(t)
        if g is not None:
            lines.append(f"grad {fmt_values(to_numpy(g))}")
    return lines


def name_table(params=None, names=None):
    """``{id(tensor): name}`` from torchviz's ``params`` dict and a ``names`` mapping.

    ``names`` may be ``locals()``: entries that are not tensors, and names starting
    with ``_`` (IPython's ``_``, ``_1``...), are skipped; the first name of a tensor wins.
    """
    table = {}
    for source, skip_private in ((params, False), (names, True)):
        if not source:
            continue
        items = source.items() if hasattr(source, "items") else source
        for name, obj in items:
            if skip_private and str(name).startswith("_"):
                continue
            if _is_tensor(obj):
                table.setdefault(id(obj), (str(name), obj))
    return table


# ---------------------------------------------------------------- the backward view


def _saved_values(fn):
    """``[(name, value_or_FREED)]`` for every ``_saved_*`` attribute, as torch lists them."""
    found = []
    for attr in dir(fn):
        if not attr.startswith(SAVED_PREFIX):
            continue
        try:
            val = getattr(fn, attr)
        except RuntimeError:  # torch: saved tensors are freed by backward()
            val = FREED
        found.append((attr[len(SAVED_PREFIX) :], val))
    return found


class _Freed:
    def __repr__(self):
        return "[freed]"


FREED = _Freed()


def _fn_label(fn, show_attrs, max_attr_chars):
    """``MulBackward0``, plus torchviz's attribute table when ``show_attrs``."""
    name = type(fn).__name__
    if not show_attrs:
        return [name]
    attrs = {}
    for key, val in _saved_values(fn):
        if _is_tensor(val):
            attrs[key] = "[saved tensor]"
        elif isinstance(val, tuple) and any(_is_tensor(v) for v in val):
            attrs[key] = "[saved tensors]"
        else:
            attrs[key] = str(val)
    if not attrs:
        return [name]
    width = max(max_attr_chars, 3)
    col1 = max(len(k) for k in attrs)
    col2 = min(max(len(v) for v in attrs.values()), width)
    rows = []
    for k, v in attrs.items():
        v = v[: col2 - 3] + "..." if len(v) > col2 else v
        rows.append(f"{k:<{col1}}: {v:>{col2}}")
    return [name, "-" * max(col1 + col2 + 2, len(name)), *rows]


def _same_tensor(a, b):
    """True if ``a`` is ``b``, or (our engine) wraps the very same NumPy array."""
    if a is b:
        return True
    return to_numpy(a) is to_numpy(b)  # (torch makes a new array each time: False)


def backward_spec(
    var,
    params=None,
    show_attrs=False,
    show_saved=False,
    max_attr_chars=50,
    *,
    names=None,
    show_values=True,
    show_grads=True,
    show_none=None,
    show_slots=True,
    rankdir="TB",
    highlight=None,
):
    """Walk the backward graph of ``var`` (breadth first, no recursion) into a GraphSpec.

    The arguments are ``make_dot``'s; see there. The walk visits ``var.grad_fn``, then
    each node's ``next_functions`` in slot order; each node is drawn once.
    """
    roots = list(var) if isinstance(var, (tuple, list)) else [var]
    if show_none is None:  # auto: thousands of side boxes make Graphviz very slow
        show_none = _count_nodes(roots, AUTO_NONE_LIMIT + 1) <= AUTO_NONE_LIMIT
    table = name_table(params, names)
    by_fn = {}  # named tensors grouped by the node that made them
    for name, t in table.values():
        fn = getattr(t, "grad_fn", None)
        if fn is not None:
            by_fn.setdefault(id(fn), []).append((name, t))
    title_names = [table.get(id(r), ("",))[0] for r in roots]
    spec = GraphSpec(
        title="backward graph"
        + (f" of {', '.join(title_names)}" if all(title_names) else ""),
        rankdir=rankdir,
    )
    drawn_tensors = set()

    def name_of(t):
        return table.get(id(t), ("",))[0]

    def add_tensor(t, kind, name):
        drawn_tensors.add(id(t))
        return spec.add_node(
            kind, tensor_label(t, name, show_values, show_grads), ref=t
        )

    queue = deque()
    ids = {}  # id(fn) -> node id, for the nodes met so far

    def meet(fn):
        nid = ids.get(id(fn))
        if nid is None:
            kind = "accumulate" if hasattr(fn, "variable") else "function"
            nid = spec.add_node(kind, _fn_label(fn, show_attrs, max_attr_chars), ref=fn)
            ids[id(fn)] = nid
            queue.append(fn)
        return nid

    for root in roots:
        if id(root) in drawn_tensors:
            continue
        rid = add_tensor(
            root, "leaf" if root.grad_fn is None else "output", name_of(root)
        )
        if root.grad_fn is not None:
            spec.add_edge(meet(root.grad_fn), rid, "output")

    while queue:
        fn = queue.popleft()
        nid = ids[id(fn)]
        if hasattr(fn, "variable"):  # AccumulateGrad: draw the leaf it feeds
            leaf = fn.variable
            lid = spec.find(leaf) if id(leaf) in drawn_tensors else None
            if lid is None:
                lid = add_tensor(leaf, "leaf", name_of(leaf))
            spec.add_edge(lid, nid, "variable")
        _attach_tensors(spec, fn, nid, by_fn, drawn_tensors, add_tensor)
        if show_saved:
            _attach_saved(spec, fn, nid, table, show_values)
        nexts = tuple(getattr(fn, "next_functions", ()) or ())
        many = show_slots and len(nexts) > 1
        for slot, (child, output_nr) in enumerate(nexts):
            label = (f"{slot}" if many else "") + (f":{output_nr}" if output_nr else "")
            if child is None:
                if show_none:
                    spec.add_edge(spec.add_node("none", ["None"]), nid, "none", label)
                continue
            spec.add_edge(meet(child), nid, "next", label)
    spec.apply_highlight(highlight)
    return spec


AUTO_NONE_LIMIT = 300  # show_none=None draws None slots up to this many backward nodes


def _count_nodes(roots, cap):
    """How many backward nodes the roots reach (counting stops at ``cap``)."""
    seen = set()
    stack = [r.grad_fn for r in roots if getattr(r, "grad_fn", None) is not None]
    while stack and len(seen) < cap:
        fn = stack.pop()
        if id(fn) in seen:
            continue
        seen.add(id(fn))
        stack.extend(
            c for c, _ in getattr(fn, "next_functions", ()) or () if c is not None
        )
    return len(seen)


def _attach_tensors(spec, fn, nid, by_fn, drawn, add_tensor):
    """Boxes for the intermediate tensors this node made that you named or retained."""
    found = list(by_fn.get(id(fn), ()))
    for t in retained_tensors(fn).values():
        if not any(t is u for _, u in found):
            found.append(("(retained)", t))
    for name, t in found:
        if id(t) in drawn:
            continue
        spec.add_edge(nid, add_tensor(t, "tensor", name), "made")


def _attach_saved(spec, fn, nid, table, show_values):
    """Orange boxes for saved tensors (``_saved_self``...), dashed once freed.

    A saved tensor gets its own box even when it is a leaf drawn elsewhere: it says
    ``self = x1`` instead of merging into ``x1``'s box.
    """
    for key, val in _saved_values(fn):
        if val is FREED:
            sid = spec.add_node("freed", [key, "(freed by backward)"])
            spec.add_edge(nid, sid, "saved")
            continue
        items = [(key, val)] if _is_tensor(val) else []
        if isinstance(val, tuple):
            items = [(f"{key}[{i}]", v) for i, v in enumerate(val) if _is_tensor(v)]
        for label, t in items:
            alias = next((n for n, u in table.values() if _same_tensor(t, u)), "")
            head = f"{label} = {alias}" if alias else label
            lines = [head, fmt_shape(t)]
            if show_values:
                lines.append(f"value {fmt_values(to_numpy(t))}")
            spec.add_edge(nid, spec.add_node("saved", lines), "saved")


# ---------------------------------------------------------------- the forward view


def _strip_backward(name):
    i = name.find("Backward")
    return name[:i] if i > 0 else name


def forward_spec(
    source,
    *,
    names=None,
    show_values=True,
    show_grads=True,
    rankdir="TB",
    highlight=None,
):
    """The data-flow (forward) picture: tensors and operations in the order they ran.

    ``source`` is the list from ``at.autograd.graph.record_forward()`` (every op, even
    those on data that needs no gradient, with their constants), or a tensor (ours or
    torch's), in which case the operations are read back from its backward graph.
    """
    table = name_table(None, names)
    if _is_tensor(source):
        spec = _forward_from_tensor(source, table, show_values, show_grads)
    else:
        spec = _forward_from_records(list(source), table, show_values, show_grads)
    spec.rankdir = rankdir
    spec.apply_highlight(highlight)
    return spec


def _forward_from_records(records, table, show_values, show_grads):
    spec = GraphSpec(title=f"forward graph, {_count(len(records), 'operation')}")
    tensor_ids = {}
    used = set()
    for rec in records:
        for x in rec.inputs:
            if _is_tensor(x):
                used.add(id(x))

    def tensor_node(t, kind):
        nid = tensor_ids.get(id(t))
        if nid is None:
            name = table.get(id(t), ("",))[0]
            label = tensor_label(t, name, show_values, show_grads)
            nid = spec.add_node(kind, label, ref=t)
            tensor_ids[id(t)] = nid
        return nid

    for step, rec in enumerate(records, 1):
        # several outputs (unbind, split, a custom Function's tuple): one node for all
        outs = rec.output if isinstance(rec.output, tuple) else (rec.output,)
        fn = next((o.grad_fn for o in outs if getattr(o, "grad_fn", None)), None)
        label = [f"#{step} {rec.name}"]
        params = [f"{k}={v}" for k, v in rec.params.items() if v is not None]
        if params:
            label.append(", ".join(params))
        label.append(f"-> {fn.name()}" if fn is not None else "(not recorded)")
        inputs = []  # the inputs' boxes first: they existed before the op ran
        for x in rec.inputs:
            if _is_tensor(x):
                if getattr(x, "grad_fn", None) is None:
                    kind = "leaf" if getattr(x, "requires_grad", False) else "data"
                else:
                    kind = "tensor"
                inputs.append(tensor_node(x, kind))
            else:
                text = fmt_number(x) if _numberish(x) else repr(x)
                inputs.append(spec.add_node("const", [text]))
        oid = spec.add_node("op", label, ref=rec)
        if fn is not None:
            spec._index.setdefault(id(fn), oid)  # highlight=[grad_fn] finds its op
        many = len(inputs) > 1
        for slot, xid in enumerate(inputs):
            spec.add_edge(xid, oid, "input", slot if many else "")
        for nr, out in enumerate(outs):
            if _is_tensor(out):
                kind = "tensor" if id(out) in used else "output"
                label = nr if len(outs) > 1 else ""  # (the output_nr of each)
                spec.add_edge(oid, tensor_node(out, kind), "result", label)
    return spec


def _count(n, word):
    return f"{n} {word}" + ("" if n == 1 else "s")


def _numberish(x):
    return isinstance(x, (int, float, bool, np.number))


def _forward_from_tensor(var, table, show_values, show_grads):
    """Forward view rebuilt from a backward graph (works for torch tensors too)."""
    fns, seen, queue = (
        [],
        set(),
        deque([var.grad_fn] if var.grad_fn is not None else []),
    )
    while queue:
        fn = queue.popleft()
        if id(fn) in seen:
            continue
        seen.add(id(fn))
        fns.append(fn)
        for child, _ in getattr(fn, "next_functions", ()) or ():
            if child is not None:
                queue.append(child)

    def order(fn):
        nr = getattr(fn, "_sequence_nr", 0)
        return nr() if callable(nr) else nr

    ops = sorted((f for f in fns if not hasattr(f, "variable")), key=order)
    spec = GraphSpec(title=f"forward graph, {_count(len(ops), 'operation')}")
    # A tensor is the output ``output_nr`` of its ``grad_fn``: one op (unbind,
    # split...) can make several, and next_functions says which one each input is.
    outputs = {}  # id(fn) -> {output_nr: (name, tensor)}, the tensors we can show
    for name, t in table.values():
        if t.grad_fn is not None:
            outputs.setdefault(id(t.grad_fn), {})[t.output_nr] = (name, t)
    if var.grad_fn is not None:
        name = table.get(id(var), ("",))[0]
        outputs.setdefault(id(var.grad_fn), {})[var.output_nr] = (name, var)
    made = {}  # (id(fn), output_nr) -> the node standing for that tensor
    op_node = {}  # id(fn) -> its op node (for outputs that have no box)
    for step, fn in enumerate(ops, 1):
        bname = type(fn).__name__
        oid = spec.add_node(
            "op", [f"#{step} {_strip_backward(bname)}", f"-> {bname}"], ref=fn
        )
        nexts = tuple(fn.next_functions)
        many = len(nexts) > 1
        for slot, (child, nr) in enumerate(nexts):
            label = slot if many else ""
            if child is None:
                src = spec.add_node("data", ["(needs no grad)"])
            elif hasattr(child, "variable"):
                leaf = child.variable
                src = spec.find(leaf)
                if src is None:
                    name = table.get(id(leaf), ("",))[0]
                    src = spec.add_node(
                        "leaf",
                        tensor_label(leaf, name, show_values, show_grads),
                        ref=leaf,
                    )
            elif (id(child), nr) in made:
                src = made[(id(child), nr)]
            else:  # an output without a box: from its op, saying which output
                src = op_node[id(child)]
                if nr:
                    label = f"{nr}:{slot}" if many else f"{nr}:"
            spec.add_edge(src, oid, "input", label)
        op_node[id(fn)] = oid
        mine = outputs.get(id(fn), {})
        several = len(mine) > 1 or any(mine)  # (an output_nr other than 0)
        for nr in sorted(mine):
            name, t = mine[nr]
            kind = "output" if t is var else "tensor"
            tid = spec.add_node(
                kind, tensor_label(t, name, show_values, show_grads), ref=t
            )
            spec.add_edge(oid, tid, "result", nr if several else "")
            made[(id(fn), nr)] = tid
    return spec
