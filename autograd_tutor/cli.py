"""``autograd-tutor``: the command line for people who installed the package with pip.

``autograd-tutor lessons [DIR]`` copies the lesson notebooks into ``DIR/lessons`` and the
pages they link to (the cheat sheet...) into ``DIR/docs`` (default DIR:
``./autograd-tutor-lessons``), the layout of the JupyterLite site, so a lesson's link
``../docs/cheatsheet.md`` works in every copy; then it opens JupyterLab there, on
127.0.0.1 with a token. Copying never overwrites a file you edited: the copies' checksums
are remembered in ``DIR/.autograd-tutor.json``, so an untouched copy can be refreshed
when the package brings a newer version of a lesson, and an edited one is kept.
"""

import argparse
import hashlib
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
from importlib import resources
from pathlib import Path

from . import __version__

DEFAULT_DIR = "autograd-tutor-lessons"
MANIFEST = ".autograd-tutor.json"
FIRST_LESSON = "01_from_scratch.ipynb"
LESSONS_DIR = "lessons"  # DIR/lessons: the notebooks
DOCS_DIR = "docs"  # DIR/docs: the pages the notebooks link to as ../docs/NAME
DOC_LINK = re.compile(r"\]\(\.\./docs/([\w.-]+)[)#]")

DESCRIPTION = """\
autograd_tutor teaches how PyTorch computes gradients, with a small NumPy engine that
speaks PyTorch's API, graph pictures, step-by-step widgets and Jupyter lessons."""

LESSONS_HELP = """\
Copy the lesson notebooks into DIR/lessons (default DIR: ./autograd-tutor-lessons), the
pages they link to (the cheat sheet...) into DIR/docs, and open JupyterLab there. Lessons you already have are never overwritten if you edited them;
unedited copies are updated to the installed version. JupyterLab listens on 127.0.0.1
only and requires a token; the URL with the token is printed when it starts.

JupyterLab must be installed:  pip install "autograd_tutor[lessons]"

examples:
  autograd-tutor lessons                 copy to ./autograd-tutor-lessons and open
  autograd-tutor lessons ~/autograd      choose the folder
  autograd-tutor lessons --no-browser    print the URL instead of opening a browser
  autograd-tutor lessons --dry-run       copy, show the JupyterLab command, start nothing
"""


class CliError(Exception):
    """A problem the user can fix; printed as one line, exit code 1."""


def lessons_source():
    """The folder holding the lesson notebooks of this installation.

    In a wheel they are package data (``autograd_tutor/lessons``); in an editable
    install (a git checkout) they are the repository's ``notebooks/`` folder.
    """
    packaged = Path(str(resources.files("autograd_tutor") / "lessons"))
    checkout = Path(__file__).resolve().parent.parent / "notebooks"
    for folder in (packaged, checkout):
        if folder.is_dir() and any(folder.glob("*.ipynb")):
            return folder
    raise CliError(
        "the lesson notebooks are missing from this installation; reinstall with "
        "pip install --force-reinstall 'autograd_tutor[lessons]'"
    )


def docs_source():
    """The folder holding the pages the lessons link to (``../docs/NAME``).

    In a wheel they are package data (``autograd_tutor/lesson_docs``); in a git
    checkout, the repository's ``docs/`` folder.
    """
    packaged = Path(str(resources.files("autograd_tutor") / "lesson_docs"))
    checkout = Path(__file__).resolve().parent.parent / "docs"
    return packaged if packaged.is_dir() else checkout


def linked_docs(notebooks):
    """The names of the pages that ``notebooks`` link to as ``../docs/NAME``, sorted."""
    found = set()
    for path in notebooks:
        found.update(DOC_LINK.findall(Path(path).read_text(encoding="utf-8")))
    return sorted(found)


def lesson_files(source):
    """``(path in the copy, file to copy)`` for every notebook of ``source`` and every
    page they link to: the whole course as the learner's folder holds it."""
    notebooks = sorted(source.glob("*.ipynb"))
    files = [(f"{LESSONS_DIR}/{p.name}", p) for p in notebooks]
    docs = docs_source()
    for name in linked_docs(notebooks):
        page = docs / name
        if not page.is_file():
            raise CliError(
                f"the lessons link to {DOCS_DIR}/{name}, which is missing from this "
                "installation; reinstall with "
                "pip install --force-reinstall 'autograd_tutor[lessons]'"
            )
        files.append((f"{DOCS_DIR}/{name}", page))
    return files


def _digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _read_manifest(target):
    try:
        data = json.loads((target / MANIFEST).read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def copy_lessons(source, target):
    """Copy the lessons of ``source`` (and the pages they link to) into ``target``
    without losing the learner's edits.

    Returns ``{"copied": [...], "updated": [...], "unchanged": [...], "kept": [...]}``
    (paths in ``target``, e.g. ``lessons/01_from_scratch.ipynb``). A file is *kept*
    when it differs from the packaged one and from the copy this command last made,
    i.e. when the learner changed it.
    """
    target.mkdir(parents=True, exist_ok=True)
    manifest = _read_manifest(target)
    report = {"copied": [], "updated": [], "unchanged": [], "kept": []}
    for name, src in lesson_files(source):
        dest = target / name
        new = _digest(src)
        if not dest.exists():
            dest.parent.mkdir(exist_ok=True)
            shutil.copyfile(src, dest)
            report["copied"].append(name)
        else:
            old = _digest(dest)
            if old == new:
                report["unchanged"].append(name)
            elif manifest.get(name) == old:  # our own copy, untouched: refresh it
                shutil.copyfile(src, dest)
                report["updated"].append(name)
            else:
                report["kept"].append(name)
                continue  # the learner's version stays, and stays "theirs"
        manifest[name] = new
    (target / MANIFEST).write_text(
        json.dumps(manifest, indent=1, sort_keys=True) + "\n"
    )
    return report


def jupyterlab_command(target, port=None, no_browser=False):
    """The command that serves ``target`` in JupyterLab on localhost."""
    cmd = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.root_dir={target}",
    ]
    if port is not None:
        cmd += [f"--ServerApp.port={port}", "--ServerApp.port_retries=0"]
    if no_browser:
        cmd.append("--no-browser")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")  # JupyterLab refuses to start as root otherwise
    return cmd


def _free_port(first=8888, tries=100):
    """The first port from ``first`` on that nothing listens on (as Jupyter picks)."""
    for port in range(first, first + tries):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise CliError(f"no free port in {first}-{first + tries - 1}; pass --port")


def _port(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 1 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"port must be 1-65535, not {value}")
    return value


def build_parser():
    parser = argparse.ArgumentParser(
        prog="autograd-tutor",
        description=DESCRIPTION,
        epilog="Run 'autograd-tutor lessons --help' for the lessons command.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--version", action="version", version=f"autograd_tutor {__version__}"
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    lessons = commands.add_parser(
        "lessons",
        help="copy the lesson notebooks into a folder and open them in JupyterLab",
        description=LESSONS_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    lessons.add_argument(
        "dir",
        nargs="?",
        default=DEFAULT_DIR,
        metavar="DIR",
        help=f"folder for your copy of the lessons (default: ./{DEFAULT_DIR})",
    )
    lessons.add_argument(
        "--no-browser",
        action="store_true",
        help="start JupyterLab without opening a browser; open the printed URL yourself",
    )
    lessons.add_argument(
        "--port",
        type=_port,
        help="port for JupyterLab (default: 8888 or the next free)",
    )
    lessons.add_argument(
        "--dry-run",
        action="store_true",
        help="copy the lessons and print the JupyterLab command without running it",
    )
    return parser


def _say(report, target):
    counts = []
    for key in ("copied", "updated", "unchanged"):
        if report[key]:
            counts.append(f"{len(report[key])} {key}")
    print(f"lessons in {target}: {', '.join(counts) or 'nothing to copy'}")
    for name in report["updated"]:
        print(f"  updated {name} (you had not changed it)")
    for name in report["kept"]:
        print(f"  kept your edited {name} (delete it to get the fresh lesson)")


def run_lessons(args):
    target = Path(args.dir).expanduser()
    if target.exists() and not target.is_dir():
        raise CliError(f"{target} exists and is not a folder; choose another DIR")
    target = target.resolve()
    report = copy_lessons(lessons_source(), target)
    _say(report, target)
    cmd = jupyterlab_command(target, args.port, args.no_browser)
    if args.dry_run:
        print("dry run: would start JupyterLab (on 127.0.0.1, with a token) with:")
        print("  " + " ".join(cmd))
        return 0
    try:
        import jupyterlab  # noqa: F401
    except ImportError:
        raise CliError(
            "JupyterLab is not installed: pip install 'autograd_tutor[lessons]'"
        ) from None
    port = args.port or _free_port()
    cmd = jupyterlab_command(target, port, args.no_browser)
    env = dict(os.environ)
    # a fresh token even if the user's Jupyter config disabled it; the environment,
    # unlike the command line, is not visible to other users of the machine
    token = secrets.token_hex(24)
    env["JUPYTER_TOKEN"] = token
    print("starting JupyterLab; stop it with Ctrl+C. Your lessons are at")
    print(
        f"  http://127.0.0.1:{port}/lab/tree/{LESSONS_DIR}/{FIRST_LESSON}?token={token}",
        flush=True,
    )
    try:
        return subprocess.call(cmd, cwd=target, env=env)
    except KeyboardInterrupt:
        return 0


def main(argv=None):
    """Entry point of the ``autograd-tutor`` command; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        parser.exit(2, "\nautograd-tutor: error: choose a command, e.g. 'lessons'\n")
    try:
        return run_lessons(args)
    except CliError as e:
        print(f"autograd-tutor: error: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
