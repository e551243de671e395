"""Rendering: SVG/PNG with Graphviz's dot, the pip-installable fallback, and no renderer."""

import shutil
from pathlib import Path
from xml.etree import ElementTree

import pytest

import autograd_tutor as at
from autograd_tutor.viz import render

from .graphs import seed_graph

DOT = shutil.which("dot")
needs_dot = pytest.mark.skipif(DOT is None, reason="Graphviz's dot is not installed")


@pytest.fixture
def no_renderer(monkeypatch, tmp_path):
    """A machine without Graphviz: the configured dot does not exist, no fallback."""
    graphviz = pytest.importorskip("graphviz")
    monkeypatch.setattr(
        graphviz.backend.dot_command, "DOT_BINARY", Path(tmp_path / "no-dot")
    )
    monkeypatch.setattr(render, "_fallback_programs", lambda: [])
    assert render.find_renderer() is None


def test_missing_dot_shows_source_and_install_hint(no_renderer, tmp_path):
    g = seed_graph(at)
    pic = at.viz.make_dot(g["out"], names=g)
    bundle = pic._repr_mimebundle_()
    assert "image/svg+xml" not in bundle
    html = bundle["text/html"]
    for word in ("apt", "brew", "conda", "binder/apt.txt", "MeanBackward0"):
        assert word in html
    assert bundle["text/plain"].startswith("<backward graph of out")
    svg = pic.svg()  # a small placeholder picture, no exception
    assert svg.startswith("<svg") and "apt install graphviz" in svg
    ElementTree.fromstring(svg)  # well-formed
    assert pic.save(tmp_path / "g.dot").read_text() == pic.source
    with pytest.raises(render.GraphvizNotFound, match="apt install graphviz"):
        pic.save(tmp_path / "g.png")


def test_install_hint_is_one_line():
    assert "\n" not in render.INSTALL_HINT


@needs_dot
def test_pip_fallback_renderer_is_used_when_dot_is_missing(monkeypatch, tmp_path):
    graphviz = pytest.importorskip("graphviz")
    # stand-in for `pip install graphviz-pure`: a dot-compatible program of that name
    fake = tmp_path / "bin" / "graphviz-pure"
    fake.parent.mkdir()
    fake.symlink_to(DOT)
    monkeypatch.setattr(
        graphviz.backend.dot_command, "DOT_BINARY", Path(tmp_path / "no-dot")
    )
    monkeypatch.setenv("PATH", str(fake.parent))
    assert render.find_renderer() == str(fake)
    g = seed_graph(at)
    svg = at.viz.make_dot(g["out"], names=g, rankdir="LR").svg()
    assert "<svg" in svg and "MeanBackward0" in svg


@needs_dot
def test_svg_png_and_dot_files(tmp_path):
    g = seed_graph(at)
    pic = at.viz.make_dot(g["out"], names=g)
    svg = pic.svg()
    assert svg.lstrip().startswith("<?xml") and "</svg>" in svg
    for text in ("MeanBackward0", "AccumulateGrad", "grad 18.6", "x1"):
        assert text in svg
    assert pic._repr_mimebundle_()["image/svg+xml"] == svg
    assert (tmp_path / "a.svg") == pic.save(tmp_path / "a.svg")
    assert (tmp_path / "a.svg").read_text() == svg
    assert pic.save(tmp_path / "a.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(ValueError, match="use .svg, .png or .dot"):
        pic.save(tmp_path / "a.jpg")


@needs_dot
def test_long_lived_dot_gives_the_same_svg_as_one_shot_dot():
    g = seed_graph(at)
    source = at.viz.make_dot(g["out"], names=g, highlight=[g["x2"]]).source
    named = source.replace("digraph {", "digraph autograd {", 1)  # what render() sends
    once = render._one_shot(DOT, named, "svg")
    assert render.render(source, "svg") == once
    assert render.render(source + " ", "svg") == once  # not cached: the same dot again
    assert render.render(source + "  ", "svg") == once


@needs_dot
def test_a_dead_dot_process_is_replaced():
    g = seed_graph(at)
    source = at.viz.make_dot(g["out"], names=g).source
    first = render.render(source)
    for server in render._servers.values():
        server.proc.kill()
        server.proc.wait()
    render._cache.clear()
    assert render.render(source) == first


@needs_dot
def test_digraph_methods_pass_through():
    g = seed_graph(at)
    pic = at.viz.make_dot(g["out"])
    assert pic.digraph.source == pic.source
    assert callable(pic.render) and pic.format == "pdf"  # a graphviz.Digraph's


@needs_dot
def test_5000_node_chain_renders():
    x = at.ones(1, requires_grad=True)
    y = x
    for _ in range(5000):
        y = y * 1.0
    svg = at.viz.make_dot(y, show_values=False).svg()
    assert svg.count("MulBackward0") == 5000
