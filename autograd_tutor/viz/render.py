"""Turning DOT text into SVG or PNG, with fallbacks when Graphviz is missing.

The ``graphviz`` Python package only writes DOT; the drawing is done by Graphviz's
``dot`` program. This module finds a renderer, in this order:

1. Graphviz's ``dot`` (the one ``graphviz.backend.dot_command.DOT_BINARY`` names, else
   ``dot`` on PATH);
2. ``graphviz-pure`` (``pip install graphviz-pure``): a pip-installable, dot-compatible
   program, used only as a fallback;
3. none: ``find_renderer()`` returns None and pictures show their DOT source with the
   one-line ``INSTALL_HINT`` instead of a traceback.

SVG is made by one long-lived ``dot -Tsvg`` process fed graph after graph (starting
``dot`` costs ~15 ms, a small graph ~1 ms), and cached by source text.
"""

import atexit
import os
import re
import select
import shutil
import subprocess
import sys
import threading
from collections import OrderedDict
from pathlib import Path

INSTALL_HINT = (
    "Graphviz's `dot` program was not found, so here is the DOT source instead. "
    "Install Graphviz: `sudo apt install graphviz` (Debian/Ubuntu), `brew install "
    "graphviz` (macOS), `conda install -c conda-forge graphviz`, or on Binder add "
    "`graphviz` to binder/apt.txt; `pip install graphviz-pure` also works."
)


class GraphvizNotFound(RuntimeError):
    """No program that can draw DOT is installed (the message says how to get one)."""


def _configured_dot():
    """The ``dot`` the graphviz package would run (tests may point it elsewhere)."""
    try:
        from graphviz.backend import dot_command
    except ImportError:
        return "dot"
    return os.fspath(dot_command.DOT_BINARY)


def _fallback_programs():
    """Pip-installable dot-compatible programs, on PATH or next to this Python."""
    found = []
    for name in ("graphviz-pure",):
        path = shutil.which(name) or shutil.which(
            name, path=str(Path(sys.executable).parent)
        )
        if path:
            found.append(path)
    return found


def find_renderer():
    """The path of the program that will draw pictures, or None if there is none."""
    dot = shutil.which(_configured_dot())
    if dot:
        return dot
    fallbacks = _fallback_programs()
    return fallbacks[0] if fallbacks else None


# ------------------------------------------------------------- one long-lived dot process

_SERVER_MAX_NODES = 400  # bigger graphs go to a one-shot process (no timeout needed)
_SERVER_TIMEOUT = 10.0  # seconds without a finished SVG before giving up on the server


class _DotServer:
    """A ``dot -Tsvg`` process reading one graph after another from stdin."""

    def __init__(self, program):
        self.program = program
        self.proc = subprocess.Popen(
            [program, "-Kdot", "-Tsvg"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )

    def render(self, source):
        """The SVG bytes of ``source``, or None if the process did not deliver one."""
        try:
            self.proc.stdin.write(source.encode("utf-8") + b"\n")
            self.proc.stdin.flush()
        except OSError:
            return None
        fd = self.proc.stdout.fileno()
        chunks = []
        tail = b""
        while True:
            ready, _, _ = select.select([fd], [], [], _SERVER_TIMEOUT)
            if not ready:
                return None
            chunk = os.read(fd, 65536)
            if not chunk:  # the process died
                return None
            chunks.append(chunk)
            tail = (tail + chunk)[-16:]
            if tail.rstrip().endswith(b"</svg>"):
                return b"".join(chunks)

    def close(self):
        try:
            self.proc.stdin.close()
            self.proc.wait(timeout=2)
        except (OSError, subprocess.TimeoutExpired):
            self.proc.kill()


_PAGE_PREFIX = re.compile(rb'id="page\d+,\d+_')
_servers = {}
_lock = threading.Lock()
_cache = OrderedDict()
_CACHE_SIZE = 256


@atexit.register
def _close_servers():
    for (pid, _), server in list(_servers.items()):
        if pid == os.getpid():
            server.close()
    _servers.clear()


def _one_shot(program, source, fmt):
    result = subprocess.run(
        [program, "-Kdot", f"-T{fmt}"],
        input=source.encode("utf-8"),
        capture_output=True,
    )
    if result.returncode != 0:
        msg = result.stderr.decode("utf-8", "replace").strip().splitlines()
        raise RuntimeError(
            f"{Path(program).name} failed: {msg[0] if msg else 'no output'}"
        )
    return result.stdout


def render(source, fmt="svg"):
    """Draw DOT ``source`` as ``fmt`` (``"svg"`` or ``"png"``) and return the bytes.

    Raises:
        GraphvizNotFound: no renderer is installed (the message is ``INSTALL_HINT``).
    """
    program = find_renderer()
    if program is None:
        raise GraphvizNotFound(INSTALL_HINT)
    key = (program, fmt, source)
    # an anonymous graph's SVG title is a counter (%3, %11...) that grows inside one
    # dot process: give it a fixed name so the same source always gives the same SVG
    if source.startswith("digraph {"):
        source = "digraph autograd {" + source[len("digraph {") :]
    with _lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
        out = None
        small = source.count("\n") < 2 * _SERVER_MAX_NODES
        if fmt == "svg" and small and os.name == "posix":
            where = (os.getpid(), program)  # a forked child starts its own dot
            server = _servers.get(where)
            if server is None or server.proc.poll() is not None:
                server = _servers[where] = _DotServer(program)
            out = server.render(source)
            if out is not None:  # later graphs of one dot process get "page0,1_" ids
                out = _PAGE_PREFIX.sub(b'id="', out)
            if out is None:  # something went wrong: drop the server, draw once
                server.proc.kill()
                del _servers[where]
        if out is None:
            out = _one_shot(program, source, fmt)
        _cache[key] = out
        if len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
        return out


def placeholder_svg(message):
    """A small SVG that shows ``message``: what ``.svg()`` returns without Graphviz."""
    from html import escape

    words, lines, line = message.split(), [], ""
    for w in words:
        if len(line) + len(w) > 70:
            lines.append(line)
            line = ""
        line = f"{line} {w}".strip()
    lines.append(line)
    rows = "".join(
        f'<text x="8" y="{20 + 16 * i}">{escape(text)}</text>'
        for i, text in enumerate(lines)
    )
    height = 16 * len(lines) + 16
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="560" height="{height}" '
        f'font-family="monospace" font-size="11">{rows}</svg>'
    )
