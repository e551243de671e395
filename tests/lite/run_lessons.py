"""Run every lesson of a built JupyterLite site in headless Chromium.

    python tests/lite/run_lessons.py build/lite [--lesson 03_digging_deeper.ipynb]

Serves the site on 127.0.0.1, opens each lesson (``files/lessons/*.ipynb``), runs all its
cells in the Pyodide kernel and fails unless every code cell ran and none raised (apart
from cells tagged ``raises-exception``, as under nbval). It needs the published site's
network: Pyodide, numpy and matplotlib come from Pyodide's CDN, so .github/workflows/lite.yml
runs it on GitHub; no machine of ours reaches that CDN (tests/lite/test_lite_site.py is the
offline test). CHROMIUM= names the browser (default /usr/bin/chromium when it exists, else
Playwright's own).
"""

import argparse
import contextlib
import http.server
import os
import sys
import tempfile
import threading
import time
from functools import partial
from pathlib import Path

ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
KERNEL_IDLE = """() => {
  const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  if (!w || !w.context || !w.context.isReady || !w.sessionContext) return false;
  const s = w.sessionContext.session;
  const k = s && s.kernel;
  return !!k && k.connectionStatus === 'connected' && k.status === 'idle';
}"""
# the notebook as the page holds it (with outputs), once the kernel is idle again
NOTEBOOK_JSON = """() => {
  const w = window.jupyterapp.shell.currentWidget;
  const k = w.sessionContext.session && w.sessionContext.session.kernel;
  const running = [...w.content.widgets].some((c) => c.model.type === 'code' &&
      (c.model.executionState === 'running' ||
       (c.promptNode && c.promptNode.textContent.includes('*'))));
  return {idle: !!k && k.status === 'idle', running, nb: w.context.model.toJSON()};
}"""


class Handler(http.server.SimpleHTTPRequestHandler):
    """Static files with the types a JupyterLite site needs, without a log line each."""

    extensions_map = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".wasm": "application/wasm",
        ".mjs": "text/javascript",
        ".js": "text/javascript",
        ".json": "application/json",
    }

    def log_message(self, *args):
        pass


@contextlib.contextmanager
def serve(site):
    """Serve the folder ``site`` on 127.0.0.1 (a free port); yields the base URL."""
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), partial(Handler, directory=str(site))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def problems(nb):
    """What went wrong in an executed notebook: cells not run, unexpected errors."""
    found = []
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] != "code":
            continue
        tags = cell.get("metadata", {}).get("tags", [])
        errors = [o for o in cell.get("outputs", []) if o["output_type"] == "error"]
        if errors and "raises-exception" not in tags:
            e = errors[0]
            found.append(f"cell {i}: {e['ename']}: {e['evalue']}")
        elif cell.get("execution_count") is None:
            found.append(f"cell {i}: did not run")
    return found


def run_lesson(context, base, name, timeout):
    page = context.new_page()
    try:
        start = time.perf_counter()
        page.goto(f"{base}/lab/index.html?path=lessons/{name}")
        page.wait_for_function(KERNEL_IDLE, timeout=180_000, polling=500)
        page.evaluate(
            "() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); }"
        )
        time.sleep(2)
        while True:
            state = page.evaluate(NOTEBOOK_JSON)
            found = problems(state["nb"])
            done = state["idle"] and not state["running"]
            if done or time.perf_counter() - start > timeout:
                break
            time.sleep(1)
        if not done:
            found.append(f"still running after {timeout} s")
        return found, time.perf_counter() - start
    finally:
        page.close()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("site", type=Path)
    parser.add_argument(
        "--lesson", action="append", help="only this lesson (repeatable)"
    )
    parser.add_argument("--timeout", type=float, default=600, help="seconds per lesson")
    args = parser.parse_args(argv)
    lessons = args.lesson or sorted(
        p.name for p in (args.site / "files" / "lessons").glob("*.ipynb")
    )
    if not lessons:
        raise SystemExit(f"no lessons in {args.site}/files/lessons")

    from playwright.sync_api import sync_playwright

    chromium = os.environ.get("CHROMIUM") or (
        "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None
    )
    failed = 0
    with serve(args.site) as base:
        with sync_playwright() as p, tempfile.TemporaryDirectory() as profile:
            context = p.chromium.launch_persistent_context(
                user_data_dir=profile,
                executable_path=chromium,
                headless=True,
                args=ARGS,
            )
            try:
                for name in lessons:
                    found, seconds = run_lesson(context, base, name, args.timeout)
                    status = "ok" if not found else "FAILED"
                    print(f"{name}: {status} ({seconds:.0f} s)", flush=True)
                    for line in found:
                        print(f"  {line}", flush=True)
                    failed += bool(found)
            finally:
                context.close()
    print(f"{len(lessons) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
