"""The same helpers on real PyTorch graphs (duck-typed): the oracle for names and shape."""

import pytest

import autograd_tutor as at
from autograd_tutor.viz.spec import backward_spec, forward_spec

from .graphs import blog_net, seed_graph

pytestmark = pytest.mark.torch


def test_seed_graph_picture_is_identical_to_torchs(torch):
    ours, theirs = seed_graph(at), seed_graph(torch)
    assert at.viz.make_dot(theirs["out"], names=theirs).source == (
        at.viz.make_dot(ours["out"], names=ours).source
    )


def test_blog_net_picture_has_torchs_structure(torch):
    ours, theirs = blog_net(at), blog_net(torch)
    opts = dict(show_values=False, show_grads=False)
    assert at.viz.make_dot(theirs["loss"], names=theirs, **opts).source == (
        at.viz.make_dot(ours["loss"], names=ours, **opts).source
    )


def test_torch_saved_tensors_and_attrs(torch):
    g = seed_graph(torch, backward=False)
    spec = backward_spec(g["out"], names=g, show_saved=True, show_attrs=True)
    saved = [n.label[0] for n in spec.nodes if n.kind == "saved"]
    assert "self = x1" in saved and "self = y" in saved
    g["out"].backward()
    spec = backward_spec(g["out"], names=g, show_saved=True, show_attrs=True)
    assert any(n.kind == "freed" for n in spec.nodes)
    assert not any(n.kind == "saved" for n in spec.nodes)


def test_torch_highlight_and_forward_view(torch):
    g = seed_graph(torch)
    mul = g["y"].grad_fn
    spec = backward_spec(
        g["out"], names=g, highlight=[mul, (mul, mul.next_functions[1][0])]
    )
    assert [n.label[0] for n in spec.nodes if n.highlight] == ["MulBackward0"]
    assert sum(e.highlight for e in spec.edges) == 1
    fwd = forward_spec(g["out"], names=g)
    ops = [n.label[0] for n in fwd.nodes if n.kind == "op"]
    assert ops == ["#1 Add", "#2 Mul", "#3 Pow", "#4 Mul", "#5 Mean"]
