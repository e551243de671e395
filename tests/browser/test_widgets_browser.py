"""The explorers in a real browser: JupyterLab + headless Chromium via Playwright.

Starts JupyterLab on 127.0.0.1 (random token, free port) serving a temporary copy of
``explorers.ipynb``, runs all cells, clicks through the forward, backward and update
explorers and checks that the page shows the new step. Screenshots go to
``docs/images/explorer_*.png``. The server is always stopped in teardown.
"""

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = Path(__file__).with_name("explorers.ipynb")
# Screenshots land in a temporary folder; to refresh the README's pictures run
# AUTOGRAD_TUTOR_SCREENSHOTS=docs/images .venv/bin/python -m pytest tests/browser
IMAGES = Path(
    os.environ.get("AUTOGRAD_TUTOR_SCREENSHOTS") or tempfile.mkdtemp(prefix="at-shots-")
)
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

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(),
        reason=f"{CHROMIUM} is missing: apt-get install chromium (make test does)",
    ),
]


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A JupyterLab server on a temp copy of the notebook; yields (url, token)."""
    tmp = tmp_path_factory.mktemp("lab")
    served = tmp / "served"
    served.mkdir()
    shutil.copy(NOTEBOOK, served / NOTEBOOK.name)
    port, token = _free_port(), secrets.token_hex(16)
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
        "jupyterlab",
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={served}",
        "--LabApp.expose_app_in_browser=True",
        "--LabApp.news_url=None",
    ]
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


KERNEL_IDLE = """() => {
  const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  if (!w || !w.context || !w.context.isReady || !w.sessionContext) return false;
  const s = w.sessionContext.session;
  const k = s && s.kernel;
  return !!k && k.connectionStatus === 'connected' && k.status === 'idle';
}"""


def _output(page, cell):
    """The output area of code cell ``cell`` (0-based among all cells)."""
    out = page.locator(".jp-Notebook .jp-Cell").nth(cell).locator(".jp-OutputArea")
    out.scroll_into_view_if_needed()
    return out


def _click(area, label):
    area.locator("button", has_text=label).first.click()


def test_explorers_step_in_the_browser(lab, tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api")
    url, token = lab
    IMAGES.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as p:
        ctx = p.chromium.launch_persistent_context(
            user_data_dir=str(tmp_path / "chromium"),
            executable_path=CHROMIUM,
            headless=True,
            args=ARGS,
            viewport={"width": 1400, "height": 1000},
        )
        try:
            page = ctx.new_page()
            page.set_default_timeout(30_000)
            page.goto(f"{url}/lab/tree/{NOTEBOOK.name}?token={token}")
            page.wait_for_function(KERNEL_IDLE, timeout=45_000)
            page.evaluate(
                "() => { window.jupyterapp.commands.execute("
                "'notebook:run-all-cells'); }"
            )

            # forward: step 1 -> step 3, the code highlight moves to .clamp(min=0)
            fwd = _output(page, 2)
            fwd.get_by_text("Forward step 1/8").wait_for()
            svg_before = fwd.locator("svg").first.inner_html()
            _click(fwd, "step")
            fwd.get_by_text("Forward step 2/8").wait_for()
            _click(fwd, "step")
            fwd.get_by_text("Forward step 3/8").wait_for()
            assert fwd.locator(".agt-hl").inner_text() == ".clamp(min=0)"
            assert fwd.locator("svg").first.inner_html() != svg_before  # graph grew
            fwd.screenshot(path=str(IMAGES / "explorer_forward.png"))

            # backward: the engine's order, a leaf's .grad filling up
            bwd = _output(page, 3)
            bwd.get_by_text("Backward step 1/12").wait_for()
            assert "SumBackward0" in bwd.inner_text()
            for _ in range(4):
                _click(bwd, "step")
            bwd.get_by_text("Backward step 5/12").wait_for()
            assert "AccumulateGrad(b2)" in bwd.inner_text()
            assert "b2.grad now holds" in bwd.inner_text()
            _click(bwd, "back")
            bwd.get_by_text("Backward step 4/12").wait_for()
            assert "AddBackward0 #5" in bwd.inner_text()
            bwd.screenshot(path=str(IMAGES / "explorer_backward.png"))

            # update: after sub_ under no_grad, w1 is still a leaf
            upd = _output(page, 4)
            upd.get_by_text("Update step 1/12").wait_for()
            _click(upd, "step")
            upd.get_by_text("Update step 2/12").wait_for()
            assert "is_leaf = True" in upd.inner_text()
            upd.screenshot(path=str(IMAGES / "explorer_update.png"))
            _click(upd, "reset")
            upd.get_by_text("Update step 1/12").wait_for()

            # training: play runs through the iterations; forget no_grad shows the error
            train = _output(page, 5)
            train.get_by_text("Iteration 1/60").wait_for()
            train.locator(".widget-play button").first.click()
            train.get_by_text("Iteration 60/60").wait_for(timeout=20_000)
            train.screenshot(path=str(IMAGES / "explorer_training.png"))
            train.get_by_text("forget no_grad").click()
            train.get_by_text("a leaf Variable that requires grad").wait_for()

            # predict then reveal
            pr = _output(page, 6)
            pr.locator("input").fill("18.6")
            _click(pr, "check")
            pr.get_by_text("Right!").wait_for()
            pr.screenshot(path=str(IMAGES / "explorer_predict.png"))
        except Exception:
            page.screenshot(path=str(tmp_path / "failure.png"))
            raise
        finally:
            ctx.close()
