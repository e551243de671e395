"""The explorers in the browser: time from a click to the visible change, data sent.

Each explorer sends its whole recorded run once (``ex.data``, JSON); a step is then
handled in the browser. This starts JupyterLab (as the browser test does), opens a
notebook of the lesson's explorers in headless Chromium at 1000 px and clicks "step"
through every frame of each (``--rounds`` times), measuring per click, from the click
to the DOM updated and laid out (the browser's work for one step; goal: under 16 ms,
one animation frame):

* CPU: the page's main thread busy on it (Chrome's trace: the click's event dispatch,
  then style and layout, by their thread time) -- what the step costs, also on a
  loaded machine where the wall clock includes waiting for a core;
* wall: the same span on the wall clock (``performance.now``);
* next frame: wall clock from the click to the next ``requestAnimationFrame``
  callback (when the change is painted; includes waiting for that frame).

Also printed: the size of the JSON each explorer sends, and how long a training
what-if takes in the kernel (the only control that needs it).

    .venv/bin/python bench/bench_widgets.py [--rounds N] [--profile]

``--profile`` also records a CPU profile of the clicks (Chrome DevTools protocol) and
prints, per explorer, the JavaScript functions where the time went (self time).
"""

import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import nbformat  # noqa: E402

import autograd_tutor as at  # noqa: E402
from tests.browser import test_widgets_browser as B  # noqa: E402

TARGET_MS = 16.0
CELLS = {
    "ForwardExplorer": "at.widgets.ForwardExplorer()",
    "BackwardExplorer": "at.widgets.BackwardExplorer()",
    "UpdateExplorer": "at.widgets.UpdateExplorer()",
    "TrainingExplorer": "at.widgets.TrainingExplorer()",
}

CLICKS = """async (root, rounds) => {
  const step = [...root.querySelectorAll('button')].find(b => b.textContent.includes('step'));
  const reset = [...root.querySelectorAll('button')].find(b => b.textContent.includes('reset'));
  const wall = [], frame = [];
  for (let r = 0; r < rounds; r++) {
    reset.click();
    await new Promise(r => setTimeout(r, 50));
    while (!step.disabled) {
      const k = wall.length;
      const before = root.querySelector('.agt-readout').textContent;
      performance.mark('agt-click-' + k);
      const t0 = performance.now();
      step.click();
      void root.offsetHeight;  // style + layout of the new step
      wall.push(performance.now() - t0);
      performance.mark('agt-shown-' + k);
      if (root.querySelector('.agt-readout').textContent === before) throw new Error('no change');
      await new Promise(r => requestAnimationFrame(() => { frame.push(performance.now() - t0); r(); }));
      await new Promise(r => setTimeout(r, 5));
    }
  }
  return {wall, frame};
}"""
# the trace events that make up a step's work on the page's main thread
WORK = {"EventDispatch", "UpdateLayoutTree", "Layout"}


def cpu_per_click(events, clicks):
    """[(total, handler, style, layout)] in ms of thread time, one per click."""
    marks = {e["name"]: e for e in events if e.get("name", "").startswith("agt-")}
    out = []
    for k in range(clicks):
        a, b = marks[f"agt-click-{k}"], marks[f"agt-shown-{k}"]
        parts = {"EventDispatch": 0.0, "UpdateLayoutTree": 0.0, "Layout": 0.0}
        end = a["ts"]
        for e in events:  # sorted by time: count each outermost piece of work once
            if e.get("ph") != "X" or e["tid"] != a["tid"] or e["name"] not in WORK:
                continue
            if not a["ts"] <= e["ts"] < b["ts"] or e["ts"] < end:
                continue
            parts[e["name"]] += e.get("tdur", e["dur"]) / 1000
            end = e["ts"] + e["dur"]
        handler, style, layout = parts.values()
        out.append((handler + style + layout, handler, style, layout))
    return out


def sizes():
    rows = []
    for name, expr in CELLS.items():
        ex = eval(expr, {"at": at})
        text = json.dumps(ex.data, allow_nan=False, separators=(",", ":"))
        svg = len((ex.data.get("graph") or {}).get("svg") or "")
        rows.append((name, len(ex.data["frames"]), len(text), svg))
    t0 = time.perf_counter()
    ex.what_if(lr=2e-4)  # the TrainingExplorer: re-runs 200 iterations
    return rows, (time.perf_counter() - t0) * 1e3


def profile_summary(profile, top=12):
    """Self time per function (ms) of a DevTools CPU profile, largest first."""
    nodes = {n["id"]: n for n in profile["nodes"]}
    self_ms = {}
    stamps = [0, *profile["timeDeltas"]]
    for sample, delta in zip(profile["samples"], stamps[1:] + [0]):
        frame = nodes[sample]["callFrame"]
        where = frame["url"].rsplit("/", 1)[-1][:24]
        name = f"{frame['functionName'] or '(anonymous)'} {where}:{frame['lineNumber'] + 1}"
        self_ms[name] = self_ms.get(name, 0) + delta / 1000
    return sorted(self_ms.items(), key=lambda kv: -kv[1])[:top]


def trace(cdp, page, run):
    """``run()`` under Chrome's tracing; returns (its result, the trace events)."""
    events, done = [], []
    cdp.on("Tracing.dataCollected", lambda e: events.extend(e["value"]))
    cdp.on("Tracing.tracingComplete", lambda e: done.append(True))
    categories = ["devtools.timeline", "blink.user_timing"]
    cdp.send(
        "Tracing.start",
        {
            "traceConfig": {"includedCategories": categories},
            "transferMode": "ReportEvents",
        },
    )
    result = run()
    cdp.send("Tracing.end")
    while not done:
        page.wait_for_timeout(100)
    events.sort(key=lambda e: e.get("ts", 0))
    return result, events


def browser_timings(rounds=3, profile=False):
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        nb = nbformat.v4.new_notebook()
        nb.cells = [nbformat.v4.new_code_cell("import autograd_tutor as at")] + [
            nbformat.v4.new_code_cell(expr) for expr in CELLS.values()
        ]
        nb.metadata["kernelspec"] = {
            "name": "python3",
            "display_name": "Python 3",
            "language": "python",
        }
        path = Path(tmp) / "bench.ipynb"
        nbformat.write(nb, path)
        with B.running_lab(Path(tmp) / "lab", [path]) as (url, token):
            with sync_playwright() as p:
                ctx = B._launch(p, Path(tmp))
                try:
                    page = ctx.new_page()
                    B._open(page, url, token, name=path.name)
                    out = {}
                    for k, name in enumerate(CELLS, start=1):
                        root = B._explorer(page, k)
                        cdp = ctx.new_cdp_session(page)
                        t, events = trace(
                            cdp, page, lambda r=root: r.evaluate(CLICKS, rounds)
                        )
                        t["cpu"] = cpu_per_click(events, len(t["wall"]))
                        if profile:
                            cdp.send("Profiler.enable")
                            cdp.send("Profiler.setSamplingInterval", {"interval": 100})
                            cdp.send("Profiler.start")
                            root.evaluate(CLICKS, rounds)
                            prof = cdp.send("Profiler.stop")["profile"]
                            t["profile"] = profile_summary(prof)
                        cdp.detach()
                        out[name] = t
                    return out
                finally:
                    ctx.close()


def main(argv=None):
    args = sys.argv[1:] if argv is None else argv
    profile = "--profile" in args
    rounds = int(args[args.index("--rounds") + 1]) if "--rounds" in args else 3
    rows, rerun = sizes()
    print(f"{'explorer':<18}{'frames':>7}{'JSON sent':>11}{'of it SVG':>11}")
    for name, n, size, svg in rows:
        print(f"{name:<18}{n:>7}{size / 1024:>9.1f} kB{svg / 1024:>8.1f} kB")
    print(f"TrainingExplorer what-if (new learning rate): {rerun:.0f} ms in the kernel")
    if not Path(B.CHROMIUM).exists():
        print(f"no {B.CHROMIUM}: browser timings skipped")
        return
    timings = browser_timings(rounds, profile)
    print(
        f"\nms per step, click to laid out ({rounds} rounds through every frame; "
        f"goal < {TARGET_MS:.0f} ms CPU)"
    )
    print(
        f"{'explorer':<18}{'clicks':>7}{'CPU median':>11}{'max':>7}"
        f"{'(handler/style/layout at max)':>31}{'wall median':>12}{'max':>7}"
        f"{'next frame':>11}"
    )
    for name, t in timings.items():
        cpu = [c[0] for c in t["cpu"]]
        worst = max(t["cpu"])
        flag = "ok" if max(cpu) < TARGET_MS else "SLOW"
        parts = "/".join(f"{x:.1f}" for x in worst[1:])
        print(
            f"{name:<18}{len(cpu):>7}{statistics.median(cpu):>11.2f}{max(cpu):>7.2f}"
            f"{parts:>31}{statistics.median(t['wall']):>12.2f}{max(t['wall']):>7.2f}"
            f"{statistics.median(t['frame']):>11.2f}  {flag}"
        )
    for name, t in timings.items():
        if "profile" in t:
            print(f"\n{name}: self time of the clicks (ms)")
            for fn, ms in t["profile"]:
                print(f"  {ms:8.1f}  {fn}")


if __name__ == "__main__":
    main()
