"""The explorers in the browser: time from a click to the visible change, data sent.

Each explorer sends its whole recorded run once (``ex.data``, JSON); a step is then
handled in the browser. This starts JupyterLab (as the browser test does), opens a
notebook of the lesson's explorers in headless Chromium at 1000 px and clicks "step"
through every frame of each, measuring per click:

* handler + layout: from the click to the DOM updated and laid out (the browser's own
  work for the step; goal: under 16 ms, one animation frame);
* to next frame: from the click to the next ``requestAnimationFrame`` callback (when
  the change is painted; includes waiting for that frame).

Also printed: the size of the JSON each explorer sends, and how long a training
what-if takes in the kernel (the only control that needs it).

    .venv/bin/python bench/bench_widgets.py [--profile]

``--profile`` also records a CPU profile of the clicks (Chrome DevTools protocol) and
prints, per explorer, the functions where the time went (self time, top 12).
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

CLICKS = """async (root) => {
  const step = [...root.querySelectorAll('button')].find(b => b.textContent.includes('step'));
  const reset = [...root.querySelectorAll('button')].find(b => b.textContent.includes('reset'));
  reset.click();
  const sync = [], frame = [];
  while (!step.disabled) {
    const before = root.querySelector('.agt-readout').textContent;
    const t0 = performance.now();
    step.click();
    void root.offsetHeight;  // style + layout of the new step
    if (root.querySelector('.agt-readout').textContent === before) throw new Error('no change');
    sync.push(performance.now() - t0);
    await new Promise(r => requestAnimationFrame(() => { frame.push(performance.now() - t0); r(); }));
    await new Promise(r => setTimeout(r, 5));
  }
  return {sync, frame};
}"""


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


def browser_timings(profile=False):
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
                    cdp = ctx.new_cdp_session(page) if profile else None
                    if cdp:
                        cdp.send("Profiler.enable")
                        cdp.send("Profiler.setSamplingInterval", {"interval": 100})
                    for k, name in enumerate(CELLS, start=1):
                        root = B._explorer(page, k)
                        if cdp:
                            cdp.send("Profiler.start")
                        out[name] = root.evaluate(CLICKS)
                        if cdp:
                            prof = cdp.send("Profiler.stop")["profile"]
                            out[name]["profile"] = profile_summary(prof)
                    return out
                finally:
                    ctx.close()


def main(argv=None):
    profile = "--profile" in (sys.argv[1:] if argv is None else argv)
    rows, rerun = sizes()
    print(f"{'explorer':<18}{'frames':>7}{'JSON sent':>11}{'of it SVG':>11}")
    for name, n, size, svg in rows:
        print(f"{name:<18}{n:>7}{size / 1024:>9.1f} kB{svg / 1024:>8.1f} kB")
    print(f"TrainingExplorer what-if (new learning rate): {rerun:.0f} ms in the kernel")
    if not Path(B.CHROMIUM).exists():
        print(f"no {B.CHROMIUM}: browser timings skipped")
        return
    timings = browser_timings(profile)
    print(
        f"\n{'explorer':<18}{'clicks':>7}{'handler+layout':>16}{'max':>8}"
        f"{'to next frame':>15}  (ms per step, median; goal < {TARGET_MS:.0f})"
    )
    for name, t in timings.items():
        med = statistics.median(t["sync"])
        flag = "ok" if med < TARGET_MS else "SLOW"
        print(
            f"{name:<18}{len(t['sync']):>7}{med:>16.2f}{max(t['sync']):>8.2f}"
            f"{statistics.median(t['frame']):>15.2f}  {flag}"
        )
    for name, t in timings.items():
        if "profile" in t:
            print(f"\n{name}: self time of the clicks (ms)")
            for fn, ms in t["profile"]:
                print(f"  {ms:8.1f}  {fn}")


if __name__ == "__main__":
    main()
