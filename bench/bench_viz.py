"""Benchmark graph pictures: build (walk -> GraphSpec -> DOT) and render (DOT -> SVG).

    .venv/bin/python bench/bench_viz.py           # the table
    .venv/bin/python bench/bench_viz.py --quick   # fewer repeats

Cases: the blog network's loss graph (with names, values and gradients, and with a
different highlighted node each time, as the widgets draw it), and chains of 100, 1,000
and 5,000 ops (None slots left out above 300 nodes, like torchviz). Every render is a
new picture (cache miss). "pure" is the default renderer, graphviz-pure (one process
per graph); "dot" is a system Graphviz ``dot`` (``AUTOGRAD_TUTOR_DOT=dot``) on its
long-lived process, "dot 1-shot" a fresh ``dot`` per graph as graphviz's ``.pipe()``
does. torchviz (if installed: ``pip install torchviz``; never a dependency) draws the
same graph from PyTorch with ``.pipe()``. Medians in milliseconds. Not used as a timed
assertion anywhere.
"""

import argparse
import shutil
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import autograd_tutor as at  # noqa: E402
from autograd_tutor.viz import render  # noqa: E402
from tests.viz.graphs import blog_net  # noqa: E402

try:
    import torch
    import torchviz
except ImportError:
    torch = torchviz = None


def median_ms(fn, repeats):
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def chain(lib, n):
    x = lib.ones(1, requires_grad=True)
    y = x
    for _ in range(n):
        y = y * 1.0
    return y


def ours(var, repeats, **kw):
    """(build ms, graphviz-pure ms, long-lived dot ms, one-shot dot ms), new pictures."""
    build = median_ms(lambda: at.viz.make_dot(var, **kw).source, repeats)
    source = at.viz.make_dot(var, **kw).source
    return (build, *renders(source, repeats))


def renders(source, repeats):
    """Render ms of ``source`` (a cache miss each time) with each renderer there is."""
    pure, dot = render._pure_program(), shutil.which("dot")
    out = []
    for program in (pure, dot):
        if program is None:
            out.append(None)
            continue
        render.use_renderer(program)

        def rendered():
            render._cache.clear()
            render.render(source, "svg")

        rendered()  # start the long-lived dot
        out.append(median_ms(rendered, repeats))
    render.use_renderer(None)
    one = (
        median_ms(lambda: render._one_shot(dot, source, "svg"), max(1, repeats // 2))
        if dot
        else None
    )
    return (*out, one)


def theirs(var, repeats):
    if torchviz is None:
        return None, None
    try:
        build = median_ms(lambda: torchviz.make_dot(var).source, repeats)
    except RecursionError:  # torchviz recurses once per node
        return "RecErr", "RecErr"
    g = torchviz.make_dot(var)
    return build, median_ms(lambda: g.pipe(format="svg"), repeats)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    k = 1 if args.quick else 3
    rows = []

    g = blog_net(at)
    times = ours(g["loss"], 10 * k, names=g)
    tg = blog_net(torch) if torch is not None else None
    tb, tr = theirs(tg["loss"], 10 * k) if tg else (None, None)
    rows.append(("blog net (names, values)", *times, tb, tr))

    steps = [s.node for s in at.autograd.iter_backward_for(blog_net(at, False)["loss"])]
    g2 = blog_net(at, backward=False)
    loss = g2["loss"]
    nodes = [s.node for s in at.autograd.iter_backward_for(loss, retain_graph=True)]
    assert len(nodes) == len(steps)
    step = []
    for program in (render._pure_program(), shutil.which("dot")):
        if program is None:
            step.append(None)
            continue
        render.use_renderer(program)
        times = []
        for _ in range(k):
            for node in nodes:
                render._cache.clear()  # a new picture each time, not a cache hit
                t = time.perf_counter()
                at.viz.make_dot(loss, names=g2, highlight=[node]).svg()
                times.append((time.perf_counter() - t) * 1000)
        step.append(statistics.median(times))
    render.use_renderer(None)
    rows.append(("blog net, widget step (make_dot+svg)", None, *step, None, None, None))

    for n, reps in ((100, 5 * k), (1000, k), (5000, 1)):
        times = ours(chain(at, n), reps, show_values=False)
        tb, tr = theirs(chain(torch, n), reps) if torch is not None else (None, None)
        rows.append((f"chain of {n:,} ops", *times, tb, tr))

    def cell(v):
        if isinstance(v, str):
            return f"{v:>10}"
        return f"{v:10.1f}" if v is not None else f"{'-':>10}"

    head = ["case", "build", "pure", "dot", "dot 1-shot", "tv build", "tv render"]
    print(f"{head[0]:<38}" + "".join(f"{h:>11}" for h in head[1:]))
    for name, *vals in rows:
        print(f"{name:<38}" + "".join(" " + cell(v) for v in vals))
    pure = render.renderer()
    print(f"default renderer: {pure.version if pure else 'none'}")
    dot = shutil.which("dot")
    print(f"system dot: {render._probe(dot).version if dot else 'none (- columns)'}")
    print(
        "ms, medians; tv = torchviz"
        + ("" if torchviz else " (not installed)")
        + f"; RecErr = RecursionError at the default limit ({sys.getrecursionlimit()})"
    )


if __name__ == "__main__":
    main()
