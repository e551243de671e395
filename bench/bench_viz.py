"""Benchmark graph pictures: build (walk -> GraphSpec -> DOT) and render (DOT -> SVG).

    .venv/bin/python bench/bench_viz.py           # the table
    .venv/bin/python bench/bench_viz.py --quick   # fewer repeats

Cases: the blog network's loss graph (with names, values and gradients, and with a
different highlighted node each time, as the widgets draw it), and chains of 100, 1,000
and 5,000 ops (None slots left out above 300 nodes, like torchviz). "render" is a cache miss on the long-lived ``dot`` process; "1-shot" starts
a fresh ``dot`` as graphviz's ``.pipe()`` does. torchviz (if installed: ``pip install
torchviz``; never a dependency) draws the same graph from PyTorch with ``.pipe()``.
Medians in milliseconds. Not used as a timed assertion anywhere.
"""

import argparse
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
    """(build ms, render ms with the long-lived dot, one-shot render ms)."""
    build = median_ms(lambda: at.viz.make_dot(var, **kw).source, repeats)
    source = at.viz.make_dot(var, **kw).source
    dot = render.find_renderer()

    def rendered():
        render._cache.clear()
        render.render(source, "svg")

    rendered()  # start the long-lived dot
    return (
        build,
        median_ms(rendered, repeats),
        median_ms(lambda: render._one_shot(dot, source, "svg"), max(1, repeats // 2)),
    )


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
    b, r, one = ours(g["loss"], 10 * k, names=g)
    tg = blog_net(torch) if torch is not None else None
    tb, tr = theirs(tg["loss"], 10 * k) if tg else (None, None)
    rows.append(("blog net (names, values)", b, r, one, tb, tr))

    steps = [s.node for s in at.autograd.iter_backward_for(blog_net(at, False)["loss"])]
    g2 = blog_net(at, backward=False)
    loss = g2["loss"]
    nodes = [s.node for s in at.autograd.iter_backward_for(loss, retain_graph=True)]
    assert len(nodes) == len(steps)
    times = []
    for _ in range(k):
        for node in nodes:
            render._cache.clear()  # a new picture each time, not a cache hit
            t = time.perf_counter()
            at.viz.make_dot(loss, names=g2, highlight=[node]).svg()
            times.append((time.perf_counter() - t) * 1000)
    rows.append(
        (
            "blog net, widget step (make_dot+svg)",
            None,
            statistics.median(times),
            None,
            None,
            None,
        )
    )

    for n, reps in ((100, 5 * k), (1000, k), (5000, 1)):
        b, r, one = ours(chain(at, n), reps, show_values=False)
        tb, tr = theirs(chain(torch, n), reps) if torch is not None else (None, None)
        rows.append((f"chain of {n:,} ops", b, r, one, tb, tr))

    def cell(v):
        if isinstance(v, str):
            return f"{v:>9}"
        return f"{v:9.1f}" if v is not None else f"{'-':>9}"

    head = ["case", "build", "render", "1-shot", "tv build", "tv render"]
    print(f"{head[0]:<38}" + "".join(f"{h:>10}" for h in head[1:]))
    for name, *vals in rows:
        print(f"{name:<38}" + "".join(" " + cell(v) for v in vals))
    print(
        "ms, medians; tv = torchviz"
        + ("" if torchviz else " (not installed)")
        + f"; RecErr = RecursionError at the default limit ({sys.getrecursionlimit()})"
    )


if __name__ == "__main__":
    main()
