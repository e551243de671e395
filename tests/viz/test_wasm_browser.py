"""Pictures in the browser: Pyodide in headless Chromium draws with the bundled viz.js.

Pyodide comes from npm's ``pyodide`` package (the version jupyterlite-pyodide-kernel
0.8.6 pins), fetched once with ``npm pack`` into a cache folder (``.cache/`` of the
repository, or ``AUTOGRAD_TUTOR_CACHE``) and served on 127.0.0.1. Pyodide has no NumPy
offline, so the page loads ``viz/render.py`` and ``viz/wasm.py`` on their own (as a
package ``agt_viz`` beside ``assets/viz-js/viz.js``) and draws the DOT of the lesson
network's graph, which this process made with the real engine.
"""

import functools
import http.server
import json
import os
import re
import shutil
import subprocess
import tarfile
import tempfile
import threading
from pathlib import Path

import pytest

import autograd_tutor as at
from autograd_tutor.assets import VIZ_JS
from autograd_tutor.viz import render

from .graphs import blog_net, seed_graph

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
PYODIDE_VERSION = "314.0.6"  # what jupyterlite-pyodide-kernel 0.8.6 loads
VIZ = ROOT / "autograd_tutor" / "viz"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pyodide_dist():
    """The folder of npm's pyodide package (pyodide.mjs...), fetched once into the cache."""
    cache = Path(os.environ.get("AUTOGRAD_TUTOR_CACHE", ROOT / ".cache"))
    dist = cache / f"pyodide-{PYODIDE_VERSION}"
    if (dist / "pyodide.mjs").exists():
        return dist
    npm = shutil.which("npm")
    if npm is None:
        pytest.skip("npm is missing (apt-get install npm; make test does)")
    cache.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=cache) as tmp:
        subprocess.run(
            [npm, "pack", f"pyodide@{PYODIDE_VERSION}", "--pack-destination", tmp],
            check=True,
            capture_output=True,
            timeout=300,
        )
        (tgz,) = Path(tmp).glob("pyodide-*.tgz")
        with tarfile.open(tgz) as tar:
            tar.extractall(tmp, filter="data")
        os.replace(Path(tmp) / "package", dist)
    return dist


PAGE = """<!doctype html><meta charset="utf-8"><title>viz</title><script type="module">
import { loadPyodide } from "./pyodide/pyodide.mjs";
window.boot = (async () => {
  const t = performance.now();
  const py = await loadPyodide({ indexURL: "./pyodide/" });
  for (const [url, path] of Object.entries(FILES)) {
    py.FS.mkdirTree(path.slice(0, path.lastIndexOf("/")));
    py.FS.writeFile(path, new Uint8Array(await (await fetch(url)).arrayBuffer()));
  }
  window.py = py;
  return performance.now() - t;
})();
</script>"""

PKG = "/home/pyodide/pkg"
FILES = {
    "files/render.py": f"{PKG}/agt_viz/render.py",
    "files/wasm.py": f"{PKG}/agt_viz/wasm.py",
    "files/__init__.py": f"{PKG}/agt_viz/__init__.py",
    "files/viz.js": f"{PKG}/assets/viz-js/viz.js",
}


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A static page serving Pyodide and our two files on 127.0.0.1 (stopped after)."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing: apt-get install chromium (make test does)")
    pytest.importorskip("playwright.sync_api")
    root = tmp_path_factory.mktemp("site")
    (root / "pyodide").symlink_to(pyodide_dist())
    files = root / "files"
    files.mkdir()
    shutil.copy(VIZ / "render.py", files / "render.py")
    shutil.copy(VIZ / "wasm.py", files / "wasm.py")
    (files / "__init__.py").write_text("")
    shutil.copy(VIZ_JS, files / "viz.js")
    page = PAGE.replace("FILES", json.dumps(FILES))
    (root / "index.html").write_text(page)
    handler = functools.partial(_Quiet, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/index.html"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def pyodide(site, tmp_path_factory):
    """A booted Pyodide in headless Chromium: call it with Python code (async or not)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        ctx = p.chromium.launch_persistent_context(
            user_data_dir=str(tmp_path_factory.mktemp("chromium")),
            executable_path=CHROMIUM,
            headless=True,
            args=ARGS,
        )
        try:
            page = ctx.new_page()
            page.goto(site)
            boot_ms = page.evaluate("window.boot")
            print(f"\nPyodide {PYODIDE_VERSION} booted in {boot_ms:.0f} ms")

            def run(code, sync=False):
                """The value of the code's last expression (a JSON text), or raise."""
                call = "runPython" if sync else "runPythonAsync"
                got = page.evaluate(
                    f"""async (code) => {{
                        try {{ return {{ok: String(await window.py.{call}(code))}}; }}
                        catch (e) {{ return {{err: String(e)}}; }}
                    }}""",
                    code,
                )
                if "err" in got:
                    raise AssertionError(got["err"][-2000:])
                return json.loads(got["ok"])

            run(f"import sys; sys.path.insert(0, {PKG!r}); 'null'")
            yield run
        finally:
            ctx.close()


def same_layout(svg):
    """SVG without the renderer's build tag (graphviz-pure / viz.js build date)."""
    return re.sub(r"(Generated by graphviz version 16\.1\.0) \([^)]*\)", r"\1", svg)


def lesson_dot():
    g = blog_net(at)
    return at.viz.make_dot(g["loss"], names=g).source


def test_wasm_draws_the_lesson_network_with_run_sync(pyodide):
    source = lesson_dot()
    got = pyodide(
        f"""
import json, sys, time
from agt_viz import wasm
assert sys.platform == "emscripten" and wasm.in_browser()
assert not wasm.is_loaded() and wasm.can_run_sync()
t = time.perf_counter()
first = wasm.render_svg({source!r})          # loads viz.js (run_sync), then draws
first_ms = (time.perf_counter() - t) * 1000
times = []
for i in range(5):                           # new pictures: viz.js does not cache
    t = time.perf_counter()
    again = wasm.render_svg({source!r} + " " * (i + 1))
    times.append((time.perf_counter() - t) * 1000)
assert again == first
json.dumps(dict(svg=first, first_ms=first_ms, ms=sorted(times)[2],
                version=wasm.graphviz_version()))
"""
    )
    print(
        f"viz.js: load + first picture {got['first_ms']:.0f} ms, next {got['ms']:.1f} ms"
    )
    assert got["version"] == "16.1.0"
    svg = got["svg"]
    assert svg.startswith("<?xml") and svg.rstrip().endswith("</svg>")
    for text in ("SumBackward0", "MmBackward0", "ClampBackward1", "w1"):
        assert text in svg
    # the same Graphviz 16.1.0 layout as graphviz-pure's on the desktop, byte for byte
    desktop = render._one_shot(render._pure_program(), source, "svg").decode()
    assert same_layout(svg) == same_layout(desktop)
    assert got["ms"] < 100


def test_render_uses_wasm_under_pyodide(pyodide):
    """``render.render`` (what make_dot's pictures call) picks viz.js in the browser."""
    g = seed_graph(at)
    source = at.viz.make_dot(g["out"], names=g).source
    got = pyodide(
        f"""
import json
from agt_viz import render
r = render.renderer()
svg = render.render({source!r}).decode()
try:
    render.render({source!r}, "png")
    png = "drawn"
except RuntimeError as err:
    png = str(err)
json.dumps(dict(kind=r.kind, path=r.path, svg=svg, png=png))
"""
    )
    assert got["kind"] == "viz.js" and got["path"] is None
    golden = (Path(__file__).parent / "golden" / "seed_graph.svg").read_text()
    assert same_layout(got["svg"]) == same_layout(golden)
    assert "SVG only" in got["png"]


def test_run_sync_works_inside_an_event_loop_task(pyodide):
    """A kernel runs cells as asyncio tasks on Pyodide's event loop: load from there."""
    source = lesson_dot()
    got = pyodide(
        f"""
import asyncio, json
from agt_viz import wasm
wasm._viz = None                      # as in a fresh kernel

async def cell():                     # a cell that just displays a picture
    return wasm.render_svg({source!r})

json.dumps(await asyncio.ensure_future(cell()))
"""
    )
    assert "MmBackward0" in got and got.rstrip().endswith("</svg>")


def test_without_jspi_one_await_loads_it(pyodide):
    """Where run_sync cannot wait, the error says what to await; after it, all is sync."""
    source = lesson_dot()
    code = f"""
import json
from agt_viz import wasm
wasm._viz = None                      # as in a fresh kernel
try:
    wasm.render_svg({source!r})
    said = "drawn"
except wasm.WasmGraphvizNotLoaded as err:
    said = str(err)
json.dumps(dict(can=wasm.can_run_sync(), said=said))
"""
    got = pyodide(code, sync=True)  # runPython: no promise to suspend, as without JSPI
    assert got["can"] is False
    assert "await autograd_tutor.viz.wasm.load()" in got["said"]
    # the documented line, then synchronous drawing again
    pyodide("from agt_viz import wasm\nawait wasm.load()\n'null'")
    drawn = pyodide(
        f"import json\nfrom agt_viz import wasm\njson.dumps(wasm.render_svg({source!r}))",
        sync=True,
    )
    assert "w1" in drawn and drawn.rstrip().endswith("</svg>")
    asynced = pyodide(
        "import json\nfrom agt_viz import wasm\n"
        f"json.dumps(await wasm.render_svg_async({source!r}))"
    )
    assert asynced == drawn


def test_a_dot_error_is_a_python_error(pyodide):
    got = pyodide(
        """
import json
from agt_viz import wasm
try:
    wasm.render_svg("digraph { a -> }")
    said = "drawn"
except RuntimeError as err:
    said = str(err)
json.dumps(said)
"""
    )
    assert "syntax error" in got and "viz.js" in got
