"""The forward (data-flow) view."""

import autograd_tutor as at
from autograd_tutor.viz.spec import forward_spec

from .graphs import seed_graph


def record_seed():
    x1 = at.ones(2, 2, requires_grad=True)
    x2 = at.tensor(1.1, requires_grad=True)
    with at.autograd.graph.record_forward() as recs:
        y = x1 * (x2 + 2)
        z = y.pow(2) * 3
        out = z.mean()
    return recs, dict(x1=x1, x2=x2, y=y, z=z, out=out)


def test_forward_view_lists_ops_in_run_order_with_their_backward_nodes():
    recs, names = record_seed()
    spec = forward_spec(recs, names=names, show_values=False)
    ops = [n.label for n in spec.nodes if n.kind == "op"]
    assert [lab[0] for lab in ops] == [
        "#1 Add",
        "#2 Mul",
        "#3 Pow",
        "#4 Mul",
        "#5 Mean",
    ]
    assert [lab[-1] for lab in ops] == [
        "-> AddBackward0",
        "-> MulBackward0",
        "-> PowBackward0",
        "-> MulBackward0",
        "-> MeanBackward0",
    ]
    assert ops[2][1] == "exponent=2"
    consts = [n.label[0] for n in spec.nodes if n.kind == "const"]
    assert consts == ["2", "3"]
    # inputs come before the op that used them; each tensor is drawn once
    first = {n.label[0]: i for i, n in enumerate(spec.nodes)}
    assert first["x2"] < first["#1 Add"] < first["#2 Mul"]
    assert [n.label[0] for n in spec.nodes if n.kind == "output"] == ["out"]
    assert sum(1 for n in spec.nodes if n.label[0] == "y") == 1


def test_forward_view_draws_every_output_of_a_multiple_output_op():
    x = at.ones(3, 2, requires_grad=True)
    with at.autograd.graph.record_forward() as recs:
        a, b, c = x.unbind()
        loss = (a * b).sum()
    spec = forward_spec(recs, names=dict(x=x, a=a, b=b, c=c, loss=loss))
    unbind = next(n for n in spec.nodes if n.kind == "op")
    assert unbind.label[-1] == "-> UnbindBackward0"
    results = [e for e in spec.edges if e.src == spec.find(a.grad_fn)]
    drawn = [
        (spec.node(e.dst).label[0], e.label) for e in results if e.kind == "result"
    ]
    assert drawn == [("a", "0"), ("b", "1"), ("c", "2")]
    assert spec.node(spec.find(c)).kind == "output"  # unused: an end of the graph


def test_forward_view_marks_unrecorded_ops_and_data():
    x = at.ones(3)
    w = at.ones(3, requires_grad=True)
    with at.autograd.graph.record_forward() as recs:
        d = x * 2  # data only: nothing recorded for backward
        loss = (d * w).sum()
    spec = forward_spec(recs, names=dict(x=x, w=w, d=d, loss=loss))
    assert spec.nodes[0].kind == "data" and spec.nodes[0].label[0] == "x"
    op1 = next(n for n in spec.nodes if n.kind == "op")
    assert op1.label[-1] == "(not recorded)"


def test_forward_highlight_by_backward_node_or_tensor():
    recs, names = record_seed()
    pic = at.viz.forward_graph(
        recs, names=names, highlight=[names["z"].grad_fn, names["x1"]]
    )
    marked = sorted(n.label[0] for n in pic.spec.nodes if n.highlight)
    assert marked == ["#4 Mul", "x1"]


def test_forward_view_from_a_tensor_matches_the_recorded_ops():
    recs, names = record_seed()
    from_recs = [n.label[-1] for n in forward_spec(recs).nodes if n.kind == "op"]
    g = seed_graph(at)
    spec = forward_spec(g["out"], names=g)
    from_graph = [n.label[-1] for n in spec.nodes if n.kind == "op"]
    assert from_graph == from_recs
    # x2 + 2 ran first, so x2 appears first
    assert [n.label[0] for n in spec.nodes if n.kind == "leaf"] == ["x2", "x1"]
    assert [n.label[0] for n in spec.nodes if n.kind == "output"] == ["out"]


def _multi_output_program(L):
    x = L.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
    a, b = (x * 2).unbind(0)
    p, q = x.split([1, 2], dim=1)
    loss = (a * b).sum() + p.sum() * q.sum()
    return dict(x=x, a=a, b=b, p=p, q=q, loss=loss)


def _flow(spec):
    """Each arrow as (source's first label line, destination's, label)."""
    first = {n.id: n.label[0] for n in spec.nodes}
    return sorted((first[e.src], first[e.dst], str(e.label)) for e in spec.edges)


def test_forward_view_from_a_tensor_tells_the_outputs_of_one_op_apart(torch):
    """unbind and split make several tensors with one backward node: each is drawn,
    and each use reads the output its next_functions entry names (a * b multiplies
    unbind's output 0 by its output 1, not b by itself)."""
    names = _multi_output_program(at)
    flow = _flow(forward_spec(names["loss"], names=names))
    assert ("#2 Unbind", "a", "0") in flow and ("#2 Unbind", "b", "1") in flow
    assert ("a", "#4 Mul", "0") in flow and ("b", "#4 Mul", "1") in flow
    assert ("#3 SplitWithSizes", "p", "0") in flow
    assert ("p", "#6 Sum", "") in flow and ("q", "#7 Sum", "") in flow
    # an output nobody named comes straight from its op, labelled with its number
    only_b = forward_spec(names["loss"], names=dict(x=names["x"], b=names["b"]))
    flow_b = _flow(only_b)
    assert ("#2 Unbind", "#4 Mul", "0") in flow_b and ("b", "#4 Mul", "1") in flow_b
    assert ("#3 SplitWithSizes", "#7 Sum", "1:") in flow_b
    # torch's tensors give the same picture
    theirs = _multi_output_program(torch)
    assert _flow(forward_spec(theirs["loss"], names=theirs)) == flow
