"""The JupyterLite site, built with no network and run in headless Chromium.

The site is built by ``scripts/lite.py build`` under ``unshare -n`` (a network namespace
with no interfaces up: a build that tried to download anything would fail), once as
published (Pyodide from its CDN) and once with ``--offline`` (a local Pyodide: npm's core
plus the kernel's pure-Python boot packages from PyPI). The offline site is served on
127.0.0.1 and opened in Chromium: the Pyodide kernel starts, our wheel is offered to
piplite and installs from the site, an ipywidgets slider and an anywidget widget render
and follow the kernel, and the bundled viz.js draws a graph through
``autograd_tutor/viz/wasm.py`` loaded on its own. numpy and matplotlib have no browser
build on PyPI, so only the published site can run the lessons themselves
(.github/workflows/lite.yml does, in a browser). Lesson 4's explorers are shown in the
offline site from runs recorded by CPython (``explorer_notebook.py`` says why and how)
and pass the browser checks of ``tests/browser`` there: labels >= 12 px, no horizontal
overflow at 1000 px, the scale unchanged across steps, playback, reset, keyboard.

Needs ``unshare -n`` (root, or user namespaces for ``unshare -rn``): where neither is
permitted the test FAILS and says so; AUTOGRAD_TUTOR_LITE_TEST=skip skips it knowingly.
"""

import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from autograd_tutor import __version__, cli
from tests.browser import test_widgets_browser as browser_checks
from tests.lite import explorer_notebook
from tests.lite.run_lessons import ARGS, KERNEL_IDLE, serve

ROOT = Path(__file__).resolve().parents[2]
LITE = ROOT / "scripts" / "lite.py"
CHROMIUM = "/usr/bin/chromium"
SHOTS = Path(
    os.environ.get("AUTOGRAD_TUTOR_SCREENSHOTS") or tempfile.mkdtemp(prefix="at-lite-")
)
DOT = (
    'digraph { node [shape=box fontname="Courier"]; '
    'm [label="MulBackward0" fillcolor=lightgrey style=filled]; '
    'a [label="AccumulateGrad"]; a -> m }'
)
# The check notebook: each cell prints one marker line the test looks for.
CELLS = [
    # 1. our wheel, offered to piplite by the site (numpy is not here: no dependencies)
    "import piplite, micropip\n"
    "print('PIPLITE_URLS', piplite.piplite._PIPLITE_URLS)\n"
    "await piplite.install('autograd_tutor', deps=False)\n"
    "pkg = micropip.list()['autograd-tutor']\n"
    "print('INSTALLED', pkg.version, pkg.source)\n"
    "import importlib.metadata\n"
    "dist = importlib.metadata.distribution('autograd_tutor')\n"
    "print('WHEEL_URL', dist.read_text('PYODIDE_URL'), dist.read_text('PYODIDE_SOURCE'))",
    # 2. an ipywidgets slider
    "await piplite.install('ipywidgets')\n"
    "import ipywidgets\n"
    "slider = ipywidgets.IntSlider(value=7, min=0, max=10, description='steps')\n"
    "display(slider)\n"
    "print('SLIDER', ipywidgets.__version__)",
    # 3. the kernel changes the slider: the page must follow
    "slider.value = 3\nprint('SLIDER_SET', slider.value)",
    # 4. an anywidget widget (the explorers' front end)
    "await piplite.install('anywidget')\n"
    "import anywidget, traitlets\n"
    "class Probe(anywidget.AnyWidget):\n"
    "    _esm = '''export default { render({ model, el }) {\n"
    "        const b = document.createElement('b'); b.className = 'at-anywidget';\n"
    "        b.textContent = 'anywidget ' + model.get('n'); el.appendChild(b); } }'''\n"
    "    n = traitlets.Int(5).tag(sync=True)\n"
    "display(Probe())\n"
    "print('ANYWIDGET', anywidget.__version__)",
    # 5. the bundled viz.js, through our wasm module loaded alone (no numpy import)
    "import importlib.metadata, importlib.util, sys\n"
    "path = importlib.metadata.distribution('autograd_tutor')"
    ".locate_file('autograd_tutor/viz/wasm.py')\n"
    "spec = importlib.util.spec_from_file_location('at_wasm', path)\n"
    "wasm = importlib.util.module_from_spec(spec)\n"
    "spec.loader.exec_module(wasm)\n"
    f"svg = wasm.render_svg({DOT!r})\n"
    "from IPython.display import SVG\n"
    "display(SVG(svg))\n"
    "print('VIZ', wasm.graphviz_version(), 'numpy' in sys.modules, wasm.VIZ_JS)",
]


def _unshare_prefix():
    """The command prefix that runs a command with no network, or fail saying why."""
    if os.environ.get("AUTOGRAD_TUTOR_LITE_TEST") == "skip":
        pytest.skip("AUTOGRAD_TUTOR_LITE_TEST=skip: offline JupyterLite test skipped")
    candidates = [["unshare", "-n"]] if os.geteuid() == 0 else []
    candidates.append(["unshare", "-rn"])
    errors = []
    for prefix in candidates:
        try:
            probe = subprocess.run(
                [
                    *prefix,
                    sys.executable,
                    "-c",
                    "import socket; print(' '.join(n for _, n in socket.if_nameindex()))",
                ],
                capture_output=True,
                text=True,
                timeout=30,
            )
        except OSError as err:
            errors.append(f"{' '.join(prefix)}: {err}")
            continue
        if probe.returncode == 0:
            # a new network namespace: loopback only (and down), nothing to reach
            assert probe.stdout.split() == ["lo"], probe.stdout
            return prefix
        errors.append(f"{' '.join(prefix)}: {probe.stderr.strip()}")
    pytest.fail(
        "cannot build the JupyterLite site without network on this machine: "
        "`unshare -n` (as root) and `unshare -rn` are not permitted here "
        f"({'; '.join(errors)}). This test proves the site builds offline, so it does "
        "not run in another way; set AUTOGRAD_TUTOR_LITE_TEST=skip to skip it."
    )


def _build(prefix, output, *extra):
    start = time.perf_counter()
    proc = subprocess.run(
        [*prefix, sys.executable, str(LITE), "build", "--output", str(output), *extra],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return time.perf_counter() - start


@pytest.fixture(scope="module")
def sites(tmp_path_factory):
    """(published site, offline site), both built with no network."""
    missing = [
        p
        for p in ("pyodide-314.0.6.tgz", "pyodide-boot-wheels", "piplite-wheels")
        if not (ROOT / ".cache" / "lite" / p).exists()
    ]
    if missing and "AUTOGRAD_TUTOR_LITE_CACHE" not in os.environ:
        pytest.fail(
            f".cache/lite/ lacks {missing}: run `bash scripts/setup.sh test` "
            "(or `.venv/bin/python scripts/lite.py fetch`)"
        )
    prefix = _unshare_prefix()
    tmp = tmp_path_factory.mktemp("lite")
    explorer_notebook.write_pyodide_notebook(tmp / "lite_check.ipynb", CELLS, "check")
    EXPLORERS.extend(explorer_notebook.write(tmp / "lite_explorers.ipynb"))
    published, offline = tmp / "published", tmp / "offline"
    _build(prefix, published)
    extra = [str(tmp / "lite_check.ipynb"), str(tmp / "lite_explorers.ipynb")]
    _build(prefix, offline, "--offline", "--contents", *extra)
    return published, offline


EXPLORERS = []  # [(kind, frames)] of lite_explorers.ipynb, filled by ``sites``


def lite_sha256(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _config(site):
    return json.loads((site / "jupyter-lite.json").read_text())["jupyter-config-data"]


def _kernel_settings(site):
    settings = _config(site).get("litePluginSettings", {})
    return settings.get("@jupyterlite/pyodide-kernel-extension:kernel", {})


def test_published_site_uses_pyodide_cdn_untouched(sites):
    published, offline = sites
    assert not (published / "static" / "pyodide").exists()
    assert "pyodideUrl" not in _kernel_settings(published)  # the kernel's CDN default
    assert _kernel_settings(offline)["pyodideUrl"] == "./static/pyodide/pyodide.mjs"


def test_site_has_lessons_wheels_and_widget_front_ends(sites):
    for site in sites:
        lessons = sorted(p.name for p in (site / "files" / "lessons").glob("*.ipynb"))
        assert lessons == sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))
        first = json.loads((site / "files" / "lessons" / lessons[0]).read_text())
        assert "%pip install" in "".join(first["cells"][0]["source"])
        # each lesson's ../docs/NAME link finds its page beside the lessons' folder
        linked = cli.linked_docs((ROOT / "notebooks").glob("*.ipynb"))
        assert "cheatsheet.md" in linked
        for name in linked:
            page = site / "files" / "docs" / name
            assert page.read_bytes() == (ROOT / "docs" / name).read_bytes()
        index = json.loads((site / "pypi" / "all.json").read_text())
        for name in ("autograd-tutor", "ipywidgets", "anywidget", "jupyterlab-widgets"):
            assert name in index, sorted(index)
        extensions = {e["name"] for e in _config(site)["federated_extensions"]}
        assert {"@jupyter-widgets/jupyterlab-manager", "anywidget"} <= extensions
        assert "@jupyterlite/pyodide-kernel-extension" in extensions


def test_offline_lock_differs_only_in_boot_checksums(sites):
    sys.path.insert(0, str(LITE.parent))
    try:
        import lite
    finally:
        sys.path.pop(0)
    _, offline = sites
    ours = json.loads(
        (offline / "static" / "pyodide" / "pyodide-lock.json").read_text()
    )
    pyodides = lite.read_pyodide_lock()
    boot = lite.boot_packages(pyodides)
    assert set(boot) >= {"micropip", "ipython", "jedi", "traitlets"}
    for name, pkg in pyodides["packages"].items():
        mine = ours["packages"][name]
        if name in boot:
            wheel = offline / "static" / "pyodide" / pkg["file_name"]
            assert mine["sha256"] == lite_sha256(wheel)
            mine = {**mine, "sha256": pkg["sha256"]}
        assert mine == pkg, name
    assert ours["info"] == pyodides["info"]


@pytest.fixture(scope="module")
def served(sites):
    with serve(sites[1]) as base:
        yield base


@pytest.fixture(scope="module")
def browser(served, tmp_path_factory):
    """One Chromium for the module's pages; yields (context, URLs it requested)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (make test does)")
    from playwright.sync_api import sync_playwright

    requests = []
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            user_data_dir=str(tmp_path_factory.mktemp("chromium")),
            executable_path=CHROMIUM,
            headless=True,
            args=ARGS,
            viewport={"width": 1280, "height": 1000},
        )
        context.on("request", lambda r: requests.append(r.url))
        try:
            yield context, requests
        finally:
            context.close()


@pytest.fixture(scope="module")
def page(browser, served):
    context, requests = browser
    page = context.pages[0] if context.pages else context.new_page()
    try:
        start = time.perf_counter()
        page.goto(f"{served}/lab/index.html?path=lite_check.ipynb")
        page.wait_for_function(KERNEL_IDLE, timeout=90_000, polling=250)
        page.kernel_seconds = time.perf_counter() - start
        page.requests = requests
        page.evaluate(
            "() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); }"
        )
        yield page
    finally:
        try:
            page.screenshot(path=str(SHOTS / "lite_check.png"))
        except Exception:  # noqa: BLE001 - a screenshot is only a help
            pass


def _wait_for_text(page, marker, timeout=60_000):
    """The stdout line of a cell that starts with ``marker``, or fail with the errors."""
    try:
        page.wait_for_function(
            """(m) => [...document.querySelectorAll('.jp-OutputArea-output')]
                .some((e) => e.innerText.includes(m + ' '))""",
            arg=marker,
            timeout=timeout,
            polling=250,
        )
    except Exception:
        errors = page.evaluate(
            """() => [...document.querySelectorAll(
                '.jp-RenderedText[data-mime-type="application/vnd.jupyter.stderr"]')]
                .map((e) => e.innerText).join('\\n')"""
        )
        pytest.fail(f"no {marker!r} output; errors shown:\n{errors[-3000:]}")
    for line in page.locator(".jp-OutputArea-output").all_inner_texts():
        for text in line.splitlines():
            if text.startswith(marker + " "):
                return text[len(marker) + 1 :]
    raise AssertionError(marker)


def test_kernel_starts_from_the_local_pyodide(page, served):
    assert page.kernel_seconds < 90
    assert f"{served}/static/pyodide/pyodide.asm.wasm" in page.requests
    outside = [
        u
        for u in page.requests
        if not u.startswith(("http://127.0.0.1", "blob:", "data:"))
    ]
    assert outside == []


def test_our_wheel_is_offered_to_piplite(page, served, sites):
    urls = _wait_for_text(page, "PIPLITE_URLS")
    assert f"{served}/pypi/all.json" in urls
    version, index = _wait_for_text(page, "INSTALLED").split()
    assert version == __version__ and index == "pypi"
    # micropip records where the wheel came from: this site's piplite index
    url, source = _wait_for_text(page, "WHEEL_URL").split()
    (wheel,) = (sites[1] / "pypi").glob("autograd_tutor-*.whl")
    assert source == "pypi"
    assert url.startswith(f"{served}/pypi/") and wheel.name in url
    assert url.endswith(f"?sha256={lite_sha256(wheel)}")


def test_ipywidgets_slider_renders_and_follows_the_kernel(page):
    assert _wait_for_text(page, "SLIDER") == "8.1.9"
    assert _wait_for_text(page, "SLIDER_SET") == "3"
    readout = page.locator(".widget-slider .widget-readout").first
    readout.wait_for(timeout=30_000)
    page.wait_for_function(
        "() => document.querySelector('.widget-slider .widget-readout')"
        ".innerText.trim() === '3'",
        timeout=30_000,
    )
    assert "steps" in page.locator(".widget-slider").first.inner_text()


def test_anywidget_renders(page):
    assert _wait_for_text(page, "ANYWIDGET") == "0.11.0"
    probe = page.locator(".at-anywidget").first
    probe.wait_for(timeout=30_000)
    assert probe.inner_text() == "anywidget 5"


def test_bundled_viz_js_draws_a_graph_without_numpy(page):
    graphviz, numpy_loaded, viz_js = _wait_for_text(page, "VIZ", timeout=90_000).split()
    assert graphviz == "16.1.0"
    assert numpy_loaded == "False"
    assert viz_js.endswith("autograd_tutor/assets/viz-js/viz.js")
    # JupyterLab shows image/svg+xml as an <img> of the SVG text
    img = page.locator(".jp-RenderedSVG img").first
    img.wait_for(timeout=30_000)
    shown = img.evaluate(
        """async (e) => { await e.decode();
            return [e.naturalWidth, await (await fetch(e.src)).text()]; }"""
    )
    width, svg_text = shown
    assert width > 50
    assert svg_text.startswith("<svg") or "<svg" in svg_text[:300]
    assert ">MulBackward0</text>" in svg_text and ">AccumulateGrad</text>" in svg_text
    page.screenshot(path=str(SHOTS / "lite_check.png"))


@pytest.fixture(scope="module")
def explorer_page(browser, served):
    """lite_explorers.ipynb open at 1000 px in the offline site, all cells running."""
    page = browser[0].new_page()
    page.set_viewport_size({"width": 1000, "height": 1300})
    page.set_default_timeout(30_000)
    try:
        page.goto(f"{served}/lab/index.html?path=lite_explorers.ipynb")
        page.wait_for_function(KERNEL_IDLE, timeout=90_000, polling=250)
        page.evaluate(
            "() => { const s = window.jupyterapp.shell; if (s.leftCollapsed === "
            "false) s.collapseLeft(); window.jupyterapp.commands.execute("
            "'notebook:run-all-cells'); }"
        )
        yield page
    except Exception:
        page.screenshot(path=str(SHOTS / "lite_explorers_failure.png"), full_page=True)
        raise
    finally:
        page.close()


def test_lesson_4_explorers_in_the_lite_site(explorer_page):
    """The front end from our wheel, in the site's kernel, passes tests/browser's checks
    on lesson 4's four explorers (graphs laid out by the bundled viz.js in the page)."""
    page = explorer_page
    size, numpy_loaded = _wait_for_text(page, "FRONT_END", timeout=120_000).split()
    assert int(size) > 10_000 and numpy_loaded == "False"
    assert _wait_for_text(page, "RUNS") == str(len(EXPLORERS))
    assert [kind for kind, _ in EXPLORERS] == [
        "forward",
        "backward",
        "update",
        "training",
    ]
    for k, (kind, n) in enumerate(
        EXPLORERS, start=explorer_notebook.FIRST_EXPLORER_CELL
    ):
        root = browser_checks._explorer(page, k)
        assert root.get_attribute("data-kind") == kind
        if kind in ("forward", "backward"):  # laid out here, not in the kernel
            assert root.locator(".agt-graph svg g.node").count() > 5
        browser_checks._common_controls(page, root, n, f"lite lesson 4 {kind}")
        root.screenshot(path=str(SHOTS / f"lite_explorer_{kind}.png"))
