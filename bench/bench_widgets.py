"""Time per explorer step for the blog network: model + view update + picture.

A "step" is what the learner's click does: ``timeline.next()`` -> the observer writes
the details HTML and the picture into the widgets. "cold" steps render the picture for
the first time (Graphviz / matplotlib run), "warm" steps revisit a cached frame.
Target: at most 50 ms per cold step.

    .venv/bin/python bench/bench_widgets.py
"""

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import autograd_tutor as at  # noqa: E402

TARGET_MS = 50.0


def _walk(view, clear_cache):
    """Step from the first to the last frame; milliseconds per step."""
    times = []
    view.timeline.reset()
    if clear_cache:
        view._cache.clear()
    for _ in range(len(view.timeline) - 1):
        t0 = time.perf_counter()
        view.next_button.click()
        times.append((time.perf_counter() - t0) * 1e3)
    return times


def main():
    W = at.widgets
    explorers = {
        "ForwardExplorer": W.ForwardExplorer(),
        "BackwardExplorer": W.BackwardExplorer(),
        "UpdateExplorer": W.UpdateExplorer(),
        "TrainingExplorer": W.TrainingExplorer(),
    }
    rows = []
    for name, ex in explorers.items():
        cold = _walk(ex.view, clear_cache=True)
        warm = _walk(ex.view, clear_cache=False)
        rows.append(
            (
                name,
                len(cold),
                statistics.median(cold),
                max(cold),
                statistics.median(warm),
            )
        )
    t0 = time.perf_counter()
    explorers["TrainingExplorer"].lr.value = 2e-4  # re-runs 200 iterations
    rerun = (time.perf_counter() - t0) * 1e3
    print(
        f"{'explorer':<18}{'steps':>6}{'cold median':>13}{'cold max':>10}"
        f"{'warm median':>13}  (ms/step, target <= {TARGET_MS:.0f})"
    )
    for name, n, med, mx, warm in rows:
        flag = "ok" if med <= TARGET_MS else "SLOW"
        print(f"{name:<18}{n:>6}{med:>13.1f}{mx:>10.1f}{warm:>13.1f}  {flag}")
    print(
        f"TrainingExplorer: changing the learning rate re-runs 200 iterations in "
        f"{rerun:.0f} ms"
    )


if __name__ == "__main__":
    main()
