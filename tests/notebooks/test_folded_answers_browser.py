"""Folded answers in a real JupyterLab: hidden when a lesson opens, shown once run.

Cells tagged ``reveals-answer`` are stored with ``jupyter.outputs_hidden`` (see
docs/lessons.md); this checks that JupyterLab honours it, on lesson 2, in headless
Chromium: exactly those cells open with their output folded, and running the lesson
unfolds them. The server runs on 127.0.0.1 with a random token and is always stopped.
"""

import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest

from tests.chromium import ARGS, CHROMIUM, free_port
from tests.notebooks.test_hygiene import NOTEBOOK_DIR

LESSON = NOTEBOOK_DIR / "02_autograd_basics.ipynb"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is missing"),
]


@pytest.fixture(scope="module")
def lesson_page(tmp_path_factory):
    """Lesson 2 open in JupyterLab in headless Chromium; yields the Playwright page."""
    sync_playwright = pytest.importorskip("playwright.sync_api").sync_playwright
    tmp = tmp_path_factory.mktemp("folded")
    (tmp / "served").mkdir()
    shutil.copy(LESSON, tmp / "served" / LESSON.name)
    env = dict(os.environ)
    for var in ("JUPYTER_CONFIG_DIR", "JUPYTERLAB_SETTINGS_DIR", "JUPYTER_RUNTIME_DIR"):
        (tmp / var).mkdir()
        env[var] = str(tmp / var)
    port, token = free_port(), secrets.token_hex(16)
    cmd = [sys.executable, "-m", "jupyterlab", "--no-browser"]
    cmd += ["--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}"]
    cmd += ["--ServerApp.port_retries=0", f"--IdentityProvider.token={token}"]
    cmd += [f"--ServerApp.root_dir={tmp / 'served'}", "--LabApp.news_url=None"]
    cmd += ["--LabApp.expose_app_in_browser=True"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")
    with open(tmp / "lab.log", "wb") as log:
        proc = subprocess.Popen(
            cmd, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2)
                break
            except OSError:
                assert proc.poll() is None and time.monotonic() < deadline, (
                    tmp / "lab.log"
                ).read_text(errors="replace")[-2000:]
                time.sleep(0.2)
        with sync_playwright() as p:
            browser = p.chromium.launch_persistent_context(
                user_data_dir=str(tmp / "chromium"),
                executable_path=CHROMIUM,
                headless=True,
                args=ARGS,
            )
            try:
                page = browser.new_page()
                page.goto(f"{url}/lab/tree/{LESSON.name}?token={token}")
                page.wait_for_function(
                    """() => { const w = window.jupyterapp?.shell?.currentWidget;
                    return w?.context?.isReady && w.content?.widgets?.length > 10; }""",
                    timeout=60000,
                )
                yield page
            finally:
                browser.close()
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=20)


FOLDED = """() => window.jupyterapp.shell.currentWidget.content.widgets
    .filter(c => c.model.type === 'code').map(c => c.outputHidden)"""


def test_answers_are_folded_on_open_and_unfold_when_run(lesson_page):
    nb = nbformat.read(LESSON, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    expected = ["reveals-answer" in c.metadata.get("tags", []) for c in code]
    assert any(expected)
    assert lesson_page.evaluate(FOLDED) == expected

    lesson_page.wait_for_function(
        """() => { const k = window.jupyterapp.shell.currentWidget
            .sessionContext?.session?.kernel;
            return k?.connectionStatus === 'connected' && k.status === 'idle'; }""",
        timeout=60000,
    )
    # run-all stops at the first error a lesson teaches; lesson 2's answers come before
    lesson_page.evaluate(
        "() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); }"
    )
    lesson_page.wait_for_function(
        f"() => ({FOLDED})().every(hidden => !hidden)", timeout=60000
    )
