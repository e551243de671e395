"""GraphSpec structure, golden DOT for the lesson's graphs, determinism, options."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

import autograd_tutor as at
from autograd_tutor.viz.dot import to_digraph, to_dot
from autograd_tutor.viz.spec import backward_spec, fmt_values, name_table

from .graphs import blog_net, seed_graph

GOLDEN = Path(__file__).parent / "golden"
ROOT = Path(__file__).resolve().parents[2]


def kinds(spec):
    return [n.kind for n in spec.nodes]


def labels(spec, kind):
    return [n.label for n in spec.nodes if n.kind == kind]


def edge_set(spec):
    lab = {n.id: n.label[0] for n in spec.nodes}
    return {(lab[e.src], lab[e.dst], e.kind, e.label) for e in spec.edges}


# ------------------------------------------------------------------ golden DOT


def test_seed_graph_golden_dot():
    g = seed_graph(at)
    assert (
        at.viz.make_dot(g["out"], names=g).source
        == (GOLDEN / "seed_graph.dot").read_text()
    )


def test_blog_net_golden_dot():
    g = blog_net(at)
    src = at.viz.make_dot(g["loss"], names=g).source
    assert src == (GOLDEN / "blog_loss.dot").read_text()


def test_seed_graph_shows_the_lessons_names_and_numbers():
    g = seed_graph(at)
    spec = at.viz.make_dot(g["out"], names=g).spec
    fns = sorted(lab[0] for lab in labels(spec, "function"))
    assert fns == [
        "AddBackward0",
        "MeanBackward0",
        "MulBackward0",
        "MulBackward0",
        "PowBackward0",
    ]
    assert labels(spec, "accumulate") == [("AccumulateGrad",), ("AccumulateGrad",)]
    leaves = {lab[0]: lab for lab in labels(spec, "leaf")}
    assert leaves["x1"][-1] == "grad [[14.415, 14.415], [14.415, 14.415]]"
    assert leaves["x2"][1:] == ("() float32", "value 1.1", "grad 18.6")
    tensors = {lab[0]: lab for lab in labels(spec, "tensor")}
    assert tensors["y"][-1] == "grad [[4.65, 4.65], [4.65, 4.65]]"  # retained
    assert tensors["z"][-1] == "grad [[0.25, 0.25], [0.25, 0.25]]"
    assert labels(spec, "output") == [("out", "() float32", "value 28.83")]
    assert len(labels(spec, "none")) == 2  # the constants 3 and 2 need no grad


def test_seed_graph_edges_follow_next_functions():
    g = seed_graph(at)
    spec = backward_spec(g["out"], names=g)
    edges = edge_set(spec)
    assert ("MeanBackward0", "out", "output", "") in edges
    assert ("PowBackward0", "MulBackward0", "next", "0") in edges
    assert ("None", "MulBackward0", "none", "1") in edges
    assert ("AccumulateGrad", "MulBackward0", "next", "0") in edges
    assert ("AddBackward0", "MulBackward0", "next", "1") in edges
    assert ("x1", "AccumulateGrad", "variable", "") in edges
    assert ("x2", "AccumulateGrad", "variable", "") in edges
    assert ("MulBackward0", "y", "made", "") in edges
    # walk order: breadth first from the output, ids n0, n1, ... in list order
    assert [n.id for n in spec.nodes] == [f"n{i}" for i in range(len(spec.nodes))]
    assert spec.nodes[0].kind == "output" and spec.nodes[1].label[0] == "MeanBackward0"


def test_retained_tensor_without_a_name_still_gets_a_box():
    g = seed_graph(at)
    spec = backward_spec(g["out"], names={"out": g["out"]})
    assert sorted(lab[0] for lab in labels(spec, "tensor")) == [
        "(retained)",
        "(retained)",
    ]


def test_dot_text_equals_graphviz_digraph_source():
    g = blog_net(at)
    spec = backward_spec(g["loss"], names=g, show_attrs=True, highlight=[g["w1"]])
    assert to_digraph(spec).source == to_dot(spec)


def test_dot_is_identical_across_processes():
    code = (
        "import autograd_tutor as at\n"
        "from tests.viz.graphs import seed_graph\n"
        "g = seed_graph(at)\n"
        "print(at.viz.make_dot(g['out'], names=g, show_saved=True).source, end='')\n"
    )
    outs = set()
    for seed in ("1", "2"):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        res = subprocess.run(
            [sys.executable, "-c", code],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        outs.add(res.stdout)
    assert len(outs) == 1
    assert "0x" not in outs.pop()  # no memory addresses anywhere


def test_import_does_not_load_graphviz():
    code = (
        "import sys, autograd_tutor as at\n"
        "assert 'graphviz' not in sys.modules and 'autograd_tutor.viz' not in sys.modules\n"
        "x = at.ones(2, requires_grad=True)\n"
        "src = at.viz.make_dot((x * 2).sum()).source\n"
        "assert 'graphviz' not in sys.modules, 'DOT text needs no graphviz package'\n"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)


# ------------------------------------------------------------------ options


def attr_rows(label):
    """torchviz's attribute table (``name: value`` rows under a dashed line) as a dict."""
    rows = label[2:] if len(label) > 2 else ()
    return {k.strip(): v.strip() for k, v in (r.split(":", 1) for r in rows)}


def test_show_saved_before_and_after_backward():
    g = seed_graph(at, backward=False)
    spec = backward_spec(g["out"], names=g, show_saved=True)
    saved = [lab[0] for lab in labels(spec, "saved")]
    assert "self = x1" in saved  # aliases the leaf, but is its own box
    assert "self = y" in saved  # PowBackward0 saved its input y
    assert len(labels(spec, "leaf")) == 2  # ...and x1 keeps its own box
    assert not labels(spec, "freed")
    g["out"].backward()
    spec = backward_spec(g["out"], names=g, show_saved=True)
    assert not labels(spec, "saved")
    assert ("self", "(freed by backward)") in labels(spec, "freed")
    assert {e.kind for e in spec.edges if spec.node(e.dst).kind == "freed"} == {"saved"}


def test_show_attrs_lists_saved_attributes_and_freed_state():
    g = blog_net(at, backward=False)
    spec = backward_spec(g["loss"], show_attrs=True)
    by_name = {lab[0]: attr_rows(lab) for lab in labels(spec, "function")}
    assert by_name["ClampBackward1"]["min"] == "0"
    assert by_name["ClampBackward1"]["max"] == "None"
    assert by_name["PowBackward0"] == {"exponent": "2", "self": "[saved tensor]"}
    g["loss"].backward()
    spec = backward_spec(g["loss"], show_attrs=True)
    pow_label = next(
        lab for lab in labels(spec, "function") if lab[0] == "PowBackward0"
    )
    # saved tensors are freed by backward, saved numbers survive (as in torch)
    assert attr_rows(pow_label) == {"exponent": "2", "self": "[freed]"}
    assert not any("meta" in r for lab in labels(spec, "function") for r in lab)


def test_values_and_grads_can_be_hidden_and_none_and_slots_dropped():
    g = seed_graph(at)
    spec = backward_spec(
        g["out"],
        names=g,
        show_values=False,
        show_grads=False,
        show_none=False,
        show_slots=False,
    )
    assert all(len(lab) == 2 for lab in labels(spec, "leaf"))
    assert "none" not in kinds(spec)
    assert all(e.label == "" for e in spec.edges)


def test_rankdir_puts_output_on_top():
    g = seed_graph(at)
    assert "rankdir=BT" in at.viz.make_dot(g["out"], rankdir="BT").source


def test_highlight_nodes_tensors_and_edges():
    g = seed_graph(at)
    out, x1, y = g["out"], g["x1"], g["y"]
    mul = y.grad_fn
    acc = mul.next_functions[0][0]
    spec = backward_spec(out, names=g, highlight=[mul, x1, (mul, acc), ("nope", 1)])
    marked = {spec.node(n.id).label[0] for n in spec.nodes if n.highlight}
    assert marked == {"MulBackward0", "x1"}
    hi = [e for e in spec.edges if e.highlight]
    assert len(hi) == 1 and spec.node(hi[0].src).label[0] == "AccumulateGrad"
    src = to_dot(spec)
    assert src.count("penwidth=3") == 3 and src.count("color=red") == 3
    # the same pair, given gradient-flow order or data-flow order, is the same edge
    spec2 = backward_spec(out, names=g, highlight=[(acc, mul)])
    assert [e.highlight for e in spec2.edges] == [e.highlight for e in spec.edges]


def test_text_summary_is_deterministic_and_readable():
    g = seed_graph(at)
    pic = at.viz.make_dot(g["out"], names=g, highlight=[g["y"].grad_fn])
    text = pic._repr_mimebundle_()["text/plain"]
    assert text == repr(pic) == pic.spec.summary()
    assert text.splitlines()[0] == "<backward graph of out: 14 nodes, 13 edges>"
    assert "x2 | () float32 | value 1.1 | grad 18.6" in text
    assert "*" in text  # the highlighted node is marked
    g2 = seed_graph(at)
    assert (
        repr(at.viz.make_dot(g2["out"], names=g2, highlight=[g2["y"].grad_fn])) == text
    )


def test_names_from_locals_skip_private_and_non_tensors():
    x = at.ones(1, requires_grad=True)
    table = name_table({"w": x}, {"_": x, "_1": x, "n": 3, "x": x, "x_again": x})
    assert list(table.values())[0][0] == "w"  # params win, first name wins
    assert name_table(None, {"_": x, "x_again": x, "x": x})[id(x)][0] == "x_again"
    # modules and classes found in locals() are not tensors
    assert name_table(None, {"at": at, "Tensor": at.Tensor, "np": pytest}) == {}


def test_value_formatting():
    import numpy as np

    assert fmt_values(np.float32(14.415)) == "14.415"
    assert fmt_values(np.ones((2, 2))) == "[[1, 1], [1, 1]]"
    assert fmt_values(np.full((3, 3), 0.25)) == "all 0.25"
    assert fmt_values(np.arange(6.0)) == "min 0 max 5 mean 2.5"
    assert fmt_values(np.array([True, False, True, True, True])) == "4 of 5 True"
    assert fmt_values(np.array(7)) == "7"


def test_multiple_outputs_and_a_leaf_output():
    a = at.ones(2, requires_grad=True)
    b = a * 2
    c = a + 1
    spec = backward_spec((b, c), names={"a": a, "b": b, "c": c})
    assert [lab[0] for lab in labels(spec, "output")] == ["b", "c"]
    assert len(labels(spec, "leaf")) == 1 and len(labels(spec, "accumulate")) == 1
    only = backward_spec(a, names={"a": a})
    assert kinds(only) == ["leaf"] and only.edges == []


def test_none_slots_are_dropped_automatically_for_big_graphs():
    x = at.ones(1, requires_grad=True)
    y = x
    for _ in range(299):
        y = y * 1.0
    # 299 MulBackward0 + 1 AccumulateGrad = 300 backward nodes: None slots drawn
    assert sum(n.kind == "none" for n in backward_spec(y).nodes) == 299
    y = y * 1.0  # 301 backward nodes: left out, unless asked for
    assert not any(n.kind == "none" for n in backward_spec(y).nodes)
    assert sum(n.kind == "none" for n in backward_spec(y, show_none=True).nodes) == 300


def test_5000_node_chain_at_default_recursion_limit():
    limit = sys.getrecursionlimit()
    x = at.ones(1, requires_grad=True)
    y = x
    for _ in range(5000):
        y = y * 1.0
    pic = at.viz.make_dot(y, show_values=False)  # None slots are left out automatically
    assert sys.getrecursionlimit() == limit
    assert len(pic.spec.nodes) == 5003 and len(pic.spec.edges) == 5002
    assert pic.source.count("MulBackward0") == 5000
    fwd = at.viz.forward_graph(y, show_values=False)
    assert sum(1 for n in fwd.spec.nodes if n.kind == "op") == 5000
