"""The explorers in a real browser: JupyterLab + headless Chromium via Playwright.

Starts JupyterLab on 127.0.0.1 (random token, free port) serving a temporary copy of
``explorers.ipynb``, runs all cells in a 1000 px wide window and drives every control
of every explorer (buttons, slider, speed, keyboard, zoom, inspect, what-ifs), with
measurements taken in the DOM: the smallest graph label is at least 12 px and has
4.5:1 contrast on its box (faint nodes too), nothing overflows horizontally, the
picture's scale does not change across steps, playback reaches the end and reset
stops it. The server is always stopped in teardown.
Screenshots go to a temporary folder, or to ``AUTOGRAD_TUTOR_SCREENSHOTS``.
"""

import contextlib
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

from tests.chromium import ARGS, CHROMIUM, free_port

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = Path(__file__).with_name("explorers.ipynb")
LESSON_4 = ROOT / "notebooks" / "04_network_with_autograd.ipynb"
# Screenshots land in a temporary folder; to refresh the README's pictures run
# AUTOGRAD_TUTOR_SCREENSHOTS=docs/images .venv/bin/python -m pytest tests/browser
IMAGES = Path(
    os.environ.get("AUTOGRAD_TUTOR_SCREENSHOTS") or tempfile.mkdtemp(prefix="at-shots-")
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(),
        reason=f"{CHROMIUM} is missing: apt-get install chromium (make test does)",
    ),
]


@contextlib.contextmanager
def running_lab(tmp, notebooks, app="jupyterlab"):
    """A JupyterLab server (or Notebook 7's, ``app="notebook"``) on a temp copy of
    ``notebooks``; yields (url, token)."""
    tmp = Path(tmp)
    served = tmp / "served"
    served.mkdir(parents=True)
    for nb in notebooks:
        shutil.copy(nb, served / Path(nb).name)
    port, token = free_port(), secrets.token_hex(16)
    env = dict(os.environ)
    for var in (
        "JUPYTER_CONFIG_DIR",
        "JUPYTERLAB_SETTINGS_DIR",
        "JUPYTERLAB_WORKSPACES_DIR",
        "JUPYTER_RUNTIME_DIR",
    ):
        (tmp / var).mkdir()
        env[var] = str(tmp / var)
    # no "get notified about Jupyter news?" toast over the widgets
    news = tmp / "JUPYTERLAB_SETTINGS_DIR" / "@jupyterlab" / "apputils-extension"
    news.mkdir(parents=True)
    (news / "notification.jupyterlab-settings").write_text('{"fetchNews": "false"}')
    env["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(ROOT), env.get("PYTHONPATH")])
    )
    cmd = [
        sys.executable,
        "-m",
        app,
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={served}",
    ]
    if app == "jupyterlab":
        cmd += ["--LabApp.expose_app_in_browser=True", "--LabApp.news_url=None"]
    else:  # Notebook 7: window.jupyterapp too, for the kernel-idle wait
        cmd += ["--JupyterNotebookApp.expose_app_in_browser=True"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")
    log = open(tmp / "lab.log", "wb")  # noqa: SIM115 - closed in teardown
    proc = subprocess.Popen(
        cmd, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(
                    f"{url}/api/status?token={token}", timeout=2
                ):
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        "JupyterLab did not start:\n"
                        + (tmp / "lab.log").read_text(errors="replace")[-3000:]
                    ) from None
                time.sleep(0.2)
        yield url, token
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(5)
        log.close()


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    with running_lab(tmp_path_factory.mktemp("lab"), [NOTEBOOK, LESSON_4]) as server:
        yield server


# the cells of the notebook on show (a restored workspace may keep other tabs open)
CELLS = ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-Cell"

KERNEL_IDLE = """() => {
  const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  if (!w || !w.context || !w.context.isReady || !w.sessionContext) return false;
  const s = w.sessionContext.session;
  const k = s && s.kernel;
  return !!k && k.connectionStatus === 'connected' && k.status === 'idle';
}"""

# measured in the page, for one explorer's root element
METRICS = r"""(root) => {
  const svg = root.querySelector('.agt-graph svg');
  let minLabel = null, scale = null;
  if (svg) {
    scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
    for (const t of svg.querySelectorAll('g.node text')) {
      const px = parseFloat(t.getAttribute('font-size')) * scale;
      minLabel = minLabel === null ? px : Math.min(minLabel, px);
    }
  }
  // WCAG contrast of every heat-map cell's text on its background
  const rgb = (c) => c.match(/[\d.]+/g).slice(0, 3).map(Number);
  const lum = (c) => {
    const v = rgb(c).map((x) => {
      x /= 255;
      return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2];
  };
  let minContrast = null;
  for (const td of root.querySelectorAll('.agt-hm td')) {
    const st = getComputedStyle(td);
    const [a, b] = [lum(st.color), lum(st.backgroundColor)].sort((x, y) => y - x);
    const c = (a + 0.05) / (b + 0.05);
    minContrast = minContrast === null ? c : Math.min(minContrast, c);
  }
  // every graph label against its node's fill (the fill at full strength: the worst
  // case while a faint box fades), with the label's own opacity
  let minLabelContrast = null;
  const opacity = (e) => {
    let a = 1;
    for (; e && e !== svg; e = e.parentElement) a *= parseFloat(getComputedStyle(e).opacity);
    return a;
  };
  const blend = (c, a, bg) => c.map((x, i) => a * x + (1 - a) * bg[i]);
  const lumRgb = (v) => lum(`rgb(${v.join(',')})`);
  for (const n of svg ? svg.querySelectorAll('g.node') : []) {
    const shape = n.querySelector('path, polygon');
    const fill = shape && getComputedStyle(shape).fill;
    const bg = fill && fill.startsWith('rgb') ? rgb(fill) : [255, 255, 255];
    for (const t of n.querySelectorAll('text')) {
      const fg = blend(rgb(getComputedStyle(t).fill), opacity(t), bg);
      const [a, b] = [lumRgb(fg), lumRgb(bg)].sort((x, y) => y - x);
      const c = (a + 0.05) / (b + 0.05);
      minLabelContrast = minLabelContrast === null ? c : Math.min(minLabelContrast, c);
    }
  }
  const out = root.closest('.jp-OutputArea-output');
  return {
    minLabel, scale, minContrast, minLabelContrast,
    overflow: root.scrollWidth - root.clientWidth,
    outputOverflow: out ? out.scrollWidth - out.clientWidth : 0,
    width: root.getBoundingClientRect().width,
    readout: root.querySelector('.agt-readout').textContent,
    playing: root.dataset.playing || '',
  };
}"""


def _explorer(page, cell):
    """The explorer root of code cell ``cell`` (0-based among all cells)."""
    node = page.locator(CELLS).nth(cell)
    node.scroll_into_view_if_needed()  # long notebooks are virtualised
    root = node.locator(".jp-OutputArea .agt-x").first
    root.wait_for(timeout=90_000)  # run-all may still be on its way to this cell
    root.scroll_into_view_if_needed()
    # laid out and fitted to the page's width (explorer.js sets it): clicking earlier
    # would measure a scale that the first fit then changes
    node.locator(".jp-OutputArea .agt-x[data-ready='1']").first.wait_for(timeout=60_000)
    return root


def _click(area, label):
    area.locator("button", has_text=label).first.click()


def _metrics(root):
    return root.evaluate(METRICS)


def _readout(root, text, timeout=10_000):
    root.locator(".agt-readout", has_text=text).wait_for(timeout=timeout)


def _check_layout(root, name):
    m = _metrics(root)
    assert m["overflow"] <= 0 and m["outputOverflow"] <= 0, (name, m)
    if m["minLabel"] is not None:
        assert m["minLabel"] >= 12 - 1e-6, (name, m)
    if m["minContrast"] is not None:
        assert m["minContrast"] >= 4.5, (name, m)  # WCAG AA for text
    if m["minLabelContrast"] is not None:
        assert m["minLabelContrast"] >= 4.5, (name, m)  # faint nodes too
    return m


def _common_controls(page, root, n, name):
    """reset / back / step / slider / play / pause / speed / keyboard on one explorer."""
    _readout(root, f"1 / {n}")
    m0 = _check_layout(root, name)
    _click(root, "step")
    _readout(root, f"2 / {n}")
    _click(root, "step")
    _readout(root, f"3 / {n}")
    assert _metrics(root)["scale"] == m0["scale"]  # laid out once, never re-zoomed
    _click(root, "back")
    _readout(root, f"2 / {n}")
    slider = root.locator(".agt-slider")
    slider.evaluate(
        "(s, v) => { s.value = v; s.dispatchEvent(new Event('input')); }", str(n)
    )
    _readout(root, f"{n} / {n}")
    assert root.locator("button", has_text="step").first.is_disabled()
    _check_layout(root, name)
    assert _metrics(root)["scale"] == m0["scale"]
    _click(root, "reset")
    _readout(root, f"1 / {n}")
    assert root.locator("button", has_text="back").first.is_disabled()
    # keyboard: focus the explorer, arrows step, Home resets, space plays
    root.focus()
    page.keyboard.press("ArrowRight")
    _readout(root, f"2 / {n}")
    page.keyboard.press("ArrowLeft")
    _readout(root, f"1 / {n}")
    page.keyboard.press("End")
    _readout(root, f"{n} / {n}")
    page.keyboard.press("Home")
    _readout(root, f"1 / {n}")
    focus = root.evaluate("r => getComputedStyle(r).outlineStyle")
    assert focus != "none", "no visible focus"
    # play at 4x reaches the end and stops by itself
    root.locator(".agt-speed select").select_option("4")
    page.keyboard.press(" ")
    root.locator("[data-playing='1']").or_(
        root.locator(".agt-readout", has_text=f"{n} / {n}")
    ).first.wait_for()
    _readout(root, f"{n} / {n}", timeout=20_000)
    page.wait_for_function(
        "r => !r.dataset.playing", arg=root.element_handle(), timeout=5_000
    )
    # reset while playing stops playback
    _click(root, "play")
    page.wait_for_function("r => r.dataset.playing === '1'", arg=root.element_handle())
    _click(root, "reset")
    _readout(root, f"1 / {n}")
    page.wait_for_timeout(400)
    m = _metrics(root)
    assert m["playing"] == "" and m["readout"].endswith(f"1 / {n}"), m
    root.locator(".agt-speed select").select_option("1")


def _zoom_and_inspect(page, root, node_text, expect):
    scale = _metrics(root)["scale"]
    _click(root, "+")
    assert _metrics(root)["scale"] > scale
    for _ in range(6):
        _click(root, "−")
    assert _metrics(root)["minLabel"] >= 12 - 1e-6  # zooming out stops at 12 px
    _click(root, "fit")
    assert abs(_metrics(root)["scale"] - scale) < 1e-6
    node = root.locator("g.node", has_text=node_text).first
    node.hover()
    root.locator(".agt-inspect", has_text=expect).wait_for()
    node.click()
    root.locator(".agt-inspect", has_text="pinned").wait_for()
    node.click()


def _launch(p, tmp_path):
    return p.chromium.launch_persistent_context(
        user_data_dir=str(tmp_path / "chromium"),
        executable_path=CHROMIUM,
        headless=True,
        args=ARGS,
        viewport={"width": 1000, "height": 1300},
    )


def _open(page, url, token, name=NOTEBOOK.name, app="jupyterlab"):
    page.set_default_timeout(30_000)
    if app == "jupyterlab":
        page.goto(f"{url}/lab/tree/{name}?reset&token={token}")  # no restored tabs
    else:
        page.goto(f"{url}/notebooks/{name}?token={token}")
    page.wait_for_function(KERNEL_IDLE, timeout=45_000)
    # a 1000 px wide notebook: no file browser beside it
    page.evaluate(
        "() => { const s = window.jupyterapp.shell; if (s.leftCollapsed === false) "
        "s.collapseLeft(); window.jupyterapp.commands.execute("
        "'notebook:run-all-cells'); }"
    )


@contextlib.contextmanager
def _notebook_page(lab, tmp_path, name=NOTEBOOK.name, app="jupyterlab"):
    """A 1000 px wide Chromium page with notebook ``name`` open and running all cells;
    a screenshot of the whole page is kept when the test fails."""
    sync_api = pytest.importorskip("playwright.sync_api")
    url, token = lab
    IMAGES.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as p:
        ctx = _launch(p, tmp_path)
        page = ctx.new_page()
        try:
            _open(page, url, token, name=name, app=app)
            yield page
        except Exception:
            page.screenshot(path=str(tmp_path / "failure.png"), full_page=True)
            shutil.copy(tmp_path / "failure.png", IMAGES / "failure.png")
            raise
        finally:
            ctx.close()


def test_explorers_in_the_browser(lab, tmp_path):
    with _notebook_page(lab, tmp_path) as page:
        # forward: the code highlight moves, future ops are faint
        fwd = _explorer(page, 2)
        _common_controls(page, fwd, 8, "forward")
        assert fwd.locator("g.node.agt-future").count() > 0
        _click(fwd, "step")
        _click(fwd, "step")
        _readout(fwd, "3 / 8")
        assert fwd.locator(".agt-hl").inner_text() == ".clamp(min=0)"
        assert fwd.locator("g.node.agt-cur").count() == 1
        _zoom_and_inspect(page, fwd, "w1", "input tensor: shape [3, 32]")
        fwd.screenshot(path=str(IMAGES / "explorer_forward.png"))

        # backward: the engine's order, gradients drawn against the arrows
        bwd = _explorer(page, 3)
        _common_controls(page, bwd, 12, "backward")
        assert "SumBackward0" in bwd.locator(".agt-details").inner_text()
        assert "sequence number" in bwd.locator(".agt-details").inner_text()
        for _ in range(3):
            _click(bwd, "step")
        _readout(bwd, "4 / 12")
        assert bwd.locator(".agt-gradpath").count() == 2  # to Mm and to b2
        _click(bwd, "step")
        _readout(bwd, "5 / 12")
        text = bwd.locator(".agt-details").inner_text()
        assert "AccumulateGrad(b2)" in text and "b2.grad now holds" in text
        _click(bwd, "back")
        _zoom_and_inspect(page, bwd, "(w1)", "runs at step 12")
        bwd.screenshot(path=str(IMAGES / "explorer_backward.png"))

        # update: after sub_ under no_grad, w1 is still a leaf
        upd = _explorer(page, 4)
        _common_controls(page, upd, 12, "update")
        _click(upd, "step")
        _readout(upd, "2 / 12")
        assert "is_leaf = True" in upd.inner_text()
        upd.screenshot(path=str(IMAGES / "explorer_update.png"))

        # training: playback, the baseline, what-ifs re-run in the kernel
        train = _explorer(page, 5)
        _common_controls(page, train, 60, "training")
        assert train.locator(".agt-base").get_attribute("points")
        _click(train, "play")
        _readout(train, "60 / 60", timeout=20_000)
        train.screenshot(path=str(IMAGES / "explorer_training.png"))
        train.get_by_text("forget no_grad").click()
        train.get_by_text("PyTorch's error stopped the run").wait_for()
        assert "a leaf Variable that requires grad" in train.inner_text()
        train.get_by_text("forget no_grad").click()
        _readout(train, "/ 60")
        lr = train.locator(".agt-lr")
        lr.evaluate(
            "(s) => { s.value = '-2'; s.dispatchEvent(new Event('input'));"
            " s.dispatchEvent(new Event('change')); }"
        )
        train.locator(".agt-details", has_text="learning_rate = 1.0e-2").wait_for()
        train.locator(".agt-slider").evaluate(
            "(s) => { s.value = s.max; s.dispatchEvent(new Event('input')); }"
        )
        train.get_by_text("diverged at iteration").wait_for()
        train.screenshot(path=str(IMAGES / "explorer_training_diverged.png"))
        train.get_by_text("forget to zero the gradients").click()
        train.locator(
            ".agt-details", has_text="forgetting to zero the gradients"
        ).wait_for()
        _check_layout(train, "training")

        # predict, retry with a hint, then the answer
        pr = page.locator(CELLS).nth(6).locator(".jp-OutputArea")
        pr.scroll_into_view_if_needed()
        box = pr.locator("input")
        assert box.get_attribute("placeholder") == "a number, e.g. 0.5"
        assert pr.locator("button", has_text="reveal").is_disabled()
        box.fill("18")
        _click(pr, "check")
        pr.get_by_text("Hint").wait_for()
        box.fill("18.6")
        _click(pr, "check")
        pr.get_by_text("Right!").wait_for()
        pr.screenshot(path=str(IMAGES / "explorer_predict.png"))

        # real PyTorch graphs: torch's own order and gradients
        tb = _explorer(page, 7)
        _common_controls(page, tb, 7, "torch backward")
        assert "MeanBackward0" in tb.locator(".agt-details").inner_text()
        tb.locator(".agt-slider").evaluate(
            "(s) => { s.value = s.max; s.dispatchEvent(new Event('input')); }"
        )
        assert "18.6" in tb.locator(".agt-details").inner_text()
        tb.screenshot(path=str(IMAGES / "explorer_torch.png"))
        tf = _explorer(page, 8)
        _common_controls(page, tf, 5, "torch forward")

        # no Graphviz in the kernel: the bundled WebAssembly Graphviz lays it out
        lite = _explorer(page, 9)
        lite.locator(".agt-graph svg g.node").first.wait_for()
        _common_controls(page, lite, 12, "browser layout")
        for _ in range(3):
            _click(lite, "step")
        assert lite.locator(".agt-gradpath").count() == 2


def test_lesson_4_explorers_in_the_browser(lab, tmp_path):
    """The lesson's own explorers pass the same checks (and give the README pictures)."""
    _lesson_4_checks(lab, tmp_path, "jupyterlab")


@pytest.fixture(scope="module")
def notebook7(tmp_path_factory):
    pytest.importorskip("notebook", reason="Notebook 7 is in the test extras")
    with running_lab(
        tmp_path_factory.mktemp("nb7"), [LESSON_4], app="notebook"
    ) as server:
        yield server


def test_lesson_4_explorers_in_notebook_7(notebook7, tmp_path):
    """The same checks in Notebook 7 (its own shell around the same output areas)."""
    _lesson_4_checks(notebook7, tmp_path, "notebook")


def _lesson_4_checks(server, tmp_path, app):
    shots = app == "jupyterlab"
    with _notebook_page(server, tmp_path, LESSON_4.name, app=app) as page:
        cells = json.loads(LESSON_4.read_text())["cells"]
        at_cells = [
            k
            for k, c in enumerate(cells)
            if "Explorer(" in "".join(c["source"]) and c["cell_type"] == "code"
        ]
        expected = [("forward", 8), ("backward", 12), ("update", 12)]
        expected.append(("training", 200))
        assert len(at_cells) == len(expected)
        for k, (kind, n) in zip(at_cells, expected):
            root = _explorer(page, k)
            assert root.get_attribute("data-kind") == kind
            _common_controls(page, root, n, f"lesson 4 {kind}")
            if kind == "backward":
                for _ in range(3):
                    _click(root, "step")
                if shots:
                    root.screenshot(
                        path=str(IMAGES / "lesson_04_backward_explorer.png")
                    )
            if kind == "training":
                _click(root, "play")
                _readout(root, "200 / 200", timeout=30_000)
                if shots:
                    root.screenshot(
                        path=str(IMAGES / "lesson_04_training_explorer.png")
                    )
