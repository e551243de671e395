"""The ``autograd-tutor`` launcher: copying lessons safely, help, bad arguments, launch.

Most tests call ``cli.main`` in-process with ``--dry-run`` or a stubbed subprocess; one
starts the real JupyterLab on a free port and always stops it.
"""

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from autograd_tutor import cli
from tests.chromium import free_port

LESSONS = sorted(p.name for p in cli.lessons_source().glob("*.ipynb"))
DOCS = cli.linked_docs(cli.lessons_source().glob("*.ipynb"))


def test_lessons_source_has_every_lesson_of_the_course():
    readme = (Path(cli.__file__).resolve().parents[1] / "README.md").read_text()
    listed = re.findall(r"^\| \d+ \| \[`(\w+)`\]", readme, re.M)
    assert LESSONS == [f"{name}.ipynb" for name in listed] and len(LESSONS) >= 7
    assert LESSONS[0] == "01_from_scratch.ipynb"


def test_dry_run_copies_every_lesson_and_the_pages_they_link_to(tmp_path, capsys):
    target = tmp_path / "course"
    assert cli.main(["lessons", str(target), "--dry-run"]) == 0
    assert sorted(p.name for p in (target / "lessons").glob("*.ipynb")) == LESSONS
    src = cli.lessons_source()
    for name in LESSONS:
        assert (target / "lessons" / name).read_bytes() == (src / name).read_bytes()
    assert "cheatsheet.md" in DOCS and "reading-the-engine.md" in DOCS
    assert sorted(p.name for p in (target / "docs").iterdir()) == DOCS
    for name in DOCS:  # each lesson's ../docs/NAME link finds its page
        page = (target / "lessons" / ".." / "docs" / name).resolve()
        assert page.read_bytes() == (cli.docs_source() / name).read_bytes()
    out = capsys.readouterr().out
    assert f"{len(LESSONS) + len(DOCS)} copied" in out
    assert "--ServerApp.ip=127.0.0.1" in out
    assert f"--ServerApp.root_dir={target.resolve()}" in out


def test_edited_lessons_are_kept(tmp_path, capsys):
    target = tmp_path / "course"
    cli.main(["lessons", str(target), "--dry-run"])
    edited = target / "lessons" / LESSONS[2]
    edited.write_text('{"my": "edits"}')
    capsys.readouterr()
    assert cli.main(["lessons", str(target), "--dry-run"]) == 0
    assert edited.read_text() == '{"my": "edits"}'
    out = capsys.readouterr().out
    assert f"kept your edited lessons/{LESSONS[2]}" in out
    assert f"{len(LESSONS) + len(DOCS) - 1} unchanged" in out
    # ...and it stays the learner's on every later run
    cli.main(["lessons", str(target), "--dry-run"])
    assert edited.read_text() == '{"my": "edits"}'


def test_foreign_files_are_kept(tmp_path):
    """A file that this command never wrote is not ours to replace."""
    target = tmp_path / "course"
    (target / "docs").mkdir(parents=True)
    (target / "docs" / DOCS[0]).write_text("mine")
    (target / "notes.txt").write_text("notes")
    cli.main(["lessons", str(target), "--dry-run"])
    assert (target / "docs" / DOCS[0]).read_text() == "mine"
    assert (target / "notes.txt").read_text() == "notes"


def test_untouched_old_copies_are_updated(tmp_path, capsys):
    """A copy the learner never changed follows the installed version of the lesson."""
    target = tmp_path / "course"
    cli.main(["lessons", str(target), "--dry-run"])
    old = target / "lessons" / LESSONS[0]
    old.write_text("an older version of the lesson")
    manifest = target / cli.MANIFEST
    data = json.loads(manifest.read_text())
    data[f"lessons/{LESSONS[0]}"] = cli._digest(old)  # as an older package copied it
    manifest.write_text(json.dumps(data))
    capsys.readouterr()
    cli.main(["lessons", str(target), "--dry-run"])
    assert old.read_bytes() == (cli.lessons_source() / LESSONS[0]).read_bytes()
    assert f"updated lessons/{LESSONS[0]}" in capsys.readouterr().out


def test_a_linked_page_missing_from_the_installation_is_a_clear_error(
    tmp_path, monkeypatch, capsys
):
    monkeypatch.setattr(cli, "docs_source", lambda: tmp_path / "no-docs")
    assert cli.main(["lessons", str(tmp_path / "course"), "--dry-run"]) == 1
    err = capsys.readouterr().err
    assert "the lessons link to docs/cheatsheet.md, which is missing" in err
    assert "pip install --force-reinstall" in err


def test_help_explains(capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(["--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert "lessons" in out and "JupyterLab" in out
    with pytest.raises(SystemExit) as exc:
        cli.main(["lessons", "--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    for words in (
        "DIR",
        "--no-browser",
        "--dry-run",
        "127.0.0.1",
        "token",
        "overwritten",
    ):
        assert words in out


@pytest.mark.parametrize(
    "argv, message",
    [
        ([], "choose a command"),
        (["lesons"], "invalid choice"),
        (["lessons", "--port", "abc"], "not a port number"),
        (["lessons", "--port", "70000"], "port must be"),
        (["lessons", "a", "b"], "unrecognized arguments"),
        (["lessons", "--colour"], "unrecognized arguments"),
    ],
)
def test_bad_arguments_exit_2_with_a_message(argv, message, capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(argv)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert message in err and "usage: autograd-tutor" in err


def test_dir_that_is_a_file_is_refused(tmp_path, capsys):
    target = tmp_path / "file.txt"
    target.write_text("x")
    assert cli.main(["lessons", str(target), "--dry-run"]) == 1
    assert "is not a folder" in capsys.readouterr().err


def test_launch_runs_jupyterlab_on_localhost_with_a_token(tmp_path, monkeypatch):
    calls = []

    def fake_call(cmd, cwd, env):
        calls.append((cmd, cwd, env))
        return 0

    monkeypatch.setattr(cli.subprocess, "call", fake_call)
    assert cli.main(["lessons", str(tmp_path), "--no-browser", "--port", "9999"]) == 0
    ((cmd, cwd, env),) = calls
    assert cmd[:3] == [sys.executable, "-m", "jupyterlab"]
    assert "--ServerApp.ip=127.0.0.1" in cmd and "--no-browser" in cmd
    assert "--ServerApp.port=9999" in cmd
    assert Path(cwd) == tmp_path.resolve()
    assert len(env["JUPYTER_TOKEN"]) >= 24


def test_real_launch_serves_the_lessons_behind_a_token(tmp_path):
    pytest.importorskip("jupyterlab")
    port = free_port()
    env = dict(os.environ)
    for var in ("JUPYTER_CONFIG_DIR", "JUPYTER_RUNTIME_DIR", "JUPYTER_DATA_DIR"):
        env[var] = str(tmp_path / var.lower())
    env["JUPYTERLAB_SETTINGS_DIR"] = str(tmp_path / "settings")
    env["JUPYTERLAB_WORKSPACES_DIR"] = str(tmp_path / "workspaces")
    target = tmp_path / "lessons"
    proc = subprocess.Popen(
        [sys.executable, "-m", "autograd_tutor.cli", "lessons", str(target)]
        + ["--no-browser", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
        start_new_session=True,
    )
    lines = []
    reader = threading.Thread(target=lambda: lines.extend(proc.stdout), daemon=True)
    reader.start()
    try:
        pattern = re.compile(rf"http://127\.0\.0\.1:{port}/lab/tree/(\S+)\?token=(\w+)")
        token, deadline = None, time.monotonic() + 60
        while token is None and time.monotonic() < deadline and proc.poll() is None:
            found = [m for m in map(pattern.search, list(lines)) if m]
            first, token = found[0].groups() if found else (None, None)
            time.sleep(0.2)
        assert first == f"lessons/{LESSONS[0]}", "".join(lines)
        assert token, "".join(lines)
        base = f"http://127.0.0.1:{port}"
        contents = None
        while contents is None and time.monotonic() < deadline:
            try:
                contents = urllib.request.urlopen(f"{base}/api/contents?token={token}")
            except OSError:
                time.sleep(0.2)  # printed before the server listens
        names = {item["name"] for item in json.load(contents)["content"]}
        assert {"lessons", "docs"} <= names
        listing = urllib.request.urlopen(f"{base}/api/contents/lessons?token={token}")
        assert set(LESSONS) <= {item["name"] for item in json.load(listing)["content"]}
        with pytest.raises(urllib.error.HTTPError) as exc:  # no token, no access
            urllib.request.urlopen(f"{base}/api/contents")
        assert exc.value.code == 403
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        reader.join(timeout=5)
        proc.stdout.close()
