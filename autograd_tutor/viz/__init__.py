"""``at.viz``: pictures of the autograd graph, in torchviz's style.

``make_dot(var, params=None, show_attrs=False, show_saved=False)`` has torchviz's
signature and draws the backward graph (``var.grad_fn`` and its ``next_functions``)
with PyTorch's node names; our extra keyword options add values, gradients, names and
highlights. ``forward_graph(records_or_tensor)`` draws the forward (data-flow) view of
the same computation. Both take our tensors and real ``torch`` tensors, and return a
``GraphPicture`` with ``.svg()``, ``.source``, ``.save(path)`` and ``.spec``. The
widgets call exactly ``make_dot(loss, names=..., highlight=[node]).svg()`` and
``forward_graph(records, names=..., highlight=[...]).svg()``.

Layers: ``spec`` (graph -> plain-data ``GraphSpec``), ``dot`` (``GraphSpec`` -> DOT
text or ``graphviz.Digraph``), ``render`` (DOT -> SVG/PNG by the pinned graphviz-pure,
a system ``dot`` on request, or ``wasm``: viz.js in the browser), ``picture`` (the
object you display).
"""

from .picture import GraphPicture
from .render import INSTALL_HINT, GraphvizNotFound, find_renderer, use_renderer
from .spec import GraphSpec, backward_spec, forward_spec

__all__ = [
    "INSTALL_HINT",
    "GraphPicture",
    "GraphSpec",
    "GraphvizNotFound",
    "backward_spec",
    "find_renderer",
    "forward_graph",
    "forward_spec",
    "make_dot",
    "use_renderer",
]


def make_dot(
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
    """Draw the backward graph that ``var.backward()`` would walk.

    The picture has torchviz's conventions: grey boxes are backward nodes
    (``y.grad_fn``, named as in PyTorch: ``MulBackward0``...), arrows point from each
    node's ``next_functions`` towards the output (gradients flow against them), the
    output tensor is green, leaf tensors are light blue and reach the graph through
    their ``AccumulateGrad`` node, saved tensors are orange.

    Args:
        var: the output tensor (or a tuple of them).
        params: torchviz's ``{name: tensor}`` dict naming tensors (e.g.
            ``dict(model.named_parameters())``).
        show_attrs: list each node's saved attributes (``exponent``, ``alpha``,
            ``min``...) under its name; freed saved tensors show ``[freed]``.
        show_saved: draw each saved tensor as its own orange box (dashed once
            ``backward()`` has freed it), named ``self = x1`` when it is a tensor you
            named: it never merges into that tensor's box.
        max_attr_chars: longest attribute value shown by ``show_attrs``.
        names: more names, e.g. ``locals()``; named intermediate tensors get a box
            (dashed arrow from the node that made them), as do retained ones.
        show_values: print tensor values in their boxes (small tensors in full,
            bigger ones as ``all 0.25`` or min/max/mean).
        show_grads: print ``.grad`` of leaves and retained tensors, when set.
        show_none: draw ``None`` for inputs that need no gradient ((None, 0) slots).
            The default (None) draws them unless the graph has more than 300
            backward nodes: thousands of side boxes make Graphviz's layout very slow.
        show_slots: label arrows with their ``next_functions`` slot when a node has
            several inputs.
        rankdir: ``"TB"`` puts the output at the bottom (torchviz), ``"BT"`` at the
            top (the order backward walks), ``"LR"``/``"RL"`` sideways.
        highlight: nodes (grad_fn objects, AccumulateGrad), tensors and
            ``(node_a, node_b)`` edge pairs to draw in red.

    Returns:
        A ``GraphPicture``: displays as SVG in Jupyter; ``.svg()``, ``.source``,
        ``.save("graph.png")``, ``.spec``.

    >>> import autograd_tutor as at
    >>> x = at.tensor(2.0, requires_grad=True)
    >>> y = x * 3
    >>> y.backward()
    >>> print(make_dot(y, names={"x": x, "y": y}))
    <backward graph of y: 5 nodes, 4 edges>
       n0 output     y | () float32 | value 6
       n1 function   MulBackward0  -> n0
       n2 accumulate AccumulateGrad  -> n1[0]
       n3 none       None  -> n1[1]
       n4 leaf       x | () float32 | value 2 | grad 3  -> n2
    """
    spec = backward_spec(
        var,
        params,
        show_attrs,
        show_saved,
        max_attr_chars,
        names=names,
        show_values=show_values,
        show_grads=show_grads,
        show_none=show_none,
        show_slots=show_slots,
        rankdir=rankdir,
        highlight=highlight,
    )
    return GraphPicture(spec)


def forward_graph(
    source,
    *,
    names=None,
    show_values=True,
    show_grads=True,
    rankdir="TB",
    highlight=None,
):
    """Draw the forward pass: tensors (boxes) and operations (ellipses) in run order.

    Each operation is numbered in the order it ran and names the backward node it
    recorded (``#3 Mul -> MulBackward0``), so it can be matched with ``make_dot``'s
    picture of the same computation; ``(not recorded)`` marks ops on tensors that
    need no gradient. Plain numbers used by an op are shown as text.

    Args:
        source: the list from ``with at.autograd.graph.record_forward() as recs:``,
            or an output tensor (ours or torch's; ops are then read back from its
            backward graph, so inputs that need no grad appear as one box each).
        names: ``{name: tensor}``, e.g. ``locals()``.
        show_values, show_grads: print values / gradients in tensor boxes.
        rankdir: ``"TB"`` (inputs on top) or ``"LR"``...
        highlight: tensors, backward nodes (their op is highlighted) or edge pairs.

    Returns:
        A ``GraphPicture``.

    >>> import autograd_tutor as at
    >>> x = at.tensor(2.0, requires_grad=True)
    >>> with at.autograd.graph.record_forward() as recs:
    ...     y = x * 3
    >>> print(forward_graph(recs, names={"x": x, "y": y}, show_values=False))
    <forward graph, 1 operation: 4 nodes, 3 edges>
       n0 leaf       x | () float32  -> n2[0]
       n1 const      3  -> n2[1]
       n2 op         #1 Mul | -> MulBackward0  -> n3
       n3 output     y | () float32
    """
    spec = forward_spec(
        source,
        names=names,
        show_values=show_values,
        show_grads=show_grads,
        rankdir=rankdir,
        highlight=highlight,
    )
    return GraphPicture(spec)
