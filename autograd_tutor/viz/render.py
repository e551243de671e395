"""Turning DOT text into SVG or PNG: one pinned default renderer, the same bytes everywhere.

The ``graphviz`` Python package only writes DOT; a layout program draws it. The default
is ``graphviz-pure`` (installed by the ``viz``/``widgets``/``lessons`` extras, pinned
to 0.2.2: Graphviz 16.1.0's layout as one static program), so a picture's SVG does not
depend on what else the machine has. In the browser (Pyodide) the bundled viz.js draws
it (``wasm.py``: the same Graphviz 16.1.0). The order:

1. ``AUTOGRAD_TUTOR_DOT`` (environment) or ``use_renderer(...)``, if set: ``"dot"``
   (Graphviz's ``dot``, as the ``graphviz`` package finds it), ``"graphviz-pure"`` or a
   program's path;
2. ``graphviz-pure``, next to this Python or on PATH;
3. Graphviz's ``dot`` (``graphviz.backend.dot_command.DOT_BINARY``, else ``dot``);
4. none: pictures show their DOT source with the one-line ``INSTALL_HINT``.

Each program is talked to the way it works. ``dot`` reads graph after graph from one
open stdin and answers each at once, so one long-lived ``dot -Tsvg`` serves them all
(starting ``dot`` costs ~15 ms, a small graph ~1 ms). ``graphviz-pure`` answers only
once its stdin is closed, so it runs once per graph (~4 ms for the lesson network).
SVG is cached by DOT text (``bench/bench_viz.py`` measures each renderer).
"""

import atexit
import os
import re
import select
import shutil
import subprocess
import sys
import sysconfig
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

INSTALL_HINT = (
    "No Graphviz layout program was found, so here is the DOT source instead. "
    "`pip install graphviz-pure==0.2.2` (what `pip install autograd_tutor[viz]` "
    "brings), or install Graphviz: `sudo apt install graphviz` (Debian/Ubuntu), "
    "`brew install graphviz` (macOS), `conda install -c conda-forge graphviz`, or on "
    "Binder add `graphviz` to binder/apt.txt."
)

#: The environment variable that picks the renderer: "dot", "graphviz-pure" or a path.
RENDERER_ENV = "AUTOGRAD_TUTOR_DOT"
#: The default renderer and the version the extras pin (its SVG is the golden one).
PURE = "graphviz-pure"
PURE_VERSION = "0.2.2"


class GraphvizNotFound(RuntimeError):
    """No program that can draw DOT is installed (the message says how to get one)."""


@dataclass(frozen=True)
class Renderer:
    """The program that draws pictures.

    Attributes:
        kind: ``"graphviz-pure"``, ``"dot"`` (a streaming Graphviz ``dot``) or
            ``"viz.js"`` (WebAssembly, in the browser).
        path: the program's path (None for viz.js).
        version: what ``-V`` says, e.g. ``"graphviz-pure version 0.2.2 (...)"``.
        streams: True if one process can draw graph after graph from one stdin.
    """

    kind: str
    path: str | None
    version: str
    streams: bool


_chosen = None  # set by use_renderer()
_probed = {}  # path -> Renderer


def use_renderer(program=None):
    """Pick the renderer for this process: ``"dot"``, ``"graphviz-pure"``, a path, or
    None for the default (``AUTOGRAD_TUTOR_DOT``, else graphviz-pure, else dot).

    Returns:
        The ``Renderer`` now in use, or None if there is none.

    Raises:
        GraphvizNotFound: ``program`` names nothing that can be run.
    """
    global _chosen
    _chosen = None if program is None else str(program)
    found = renderer()
    if program is not None and found is None:
        _chosen = None
        raise GraphvizNotFound(f"{program!r} was not found. {INSTALL_HINT}")
    _cache.clear()
    return found


def _configured_dot():
    """The ``dot`` the graphviz package would run (tests may point it elsewhere)."""
    try:
        from graphviz.backend import dot_command
    except ImportError:
        return "dot"
    return os.fspath(dot_command.DOT_BINARY)


def _pure_program():
    """graphviz-pure's path: in this Python's scripts folder, else on PATH."""
    for folder in (sysconfig.get_path("scripts"), str(Path(sys.executable).parent)):
        path = shutil.which(PURE, path=folder)
        if path:
            return path
    return shutil.which(PURE)


def _probe(path):
    """What the program at ``path`` is: its ``-V`` line tells graphviz-pure from dot."""
    if path not in _probed:
        try:
            done = subprocess.run(
                [path, "-V"], capture_output=True, timeout=10, stdin=subprocess.DEVNULL
            )
            said = (done.stderr or done.stdout).decode("utf-8", "replace").strip()
        except (OSError, subprocess.TimeoutExpired):
            said = ""
        pure = PURE in said or Path(path).stem == PURE
        kind = PURE if pure else "dot"
        _probed[path] = Renderer(kind, path, said, streams=not pure)
    return _probed[path]


def renderer():
    """The ``Renderer`` that will draw pictures here, or None if there is none.

    >>> r = renderer()
    >>> r is None or r.kind in ("graphviz-pure", "dot", "viz.js")
    True
    """
    if sys.platform == "emscripten":
        from . import wasm

        return Renderer("viz.js", None, f"viz.js (Graphviz {wasm.GRAPHVIZ})", False)
    wanted = _chosen or os.environ.get(RENDERER_ENV, "").strip()
    if wanted:
        if wanted == PURE:
            path = _pure_program()
        elif wanted == "dot":
            path = shutil.which(_configured_dot())
        else:
            path = shutil.which(wanted)
        return _probe(path) if path else None
    path = _pure_program() or shutil.which(_configured_dot())
    return _probe(path) if path else None


def find_renderer():
    """The path of the program that will draw pictures, or None if there is none."""
    found = renderer()
    return None if found is None else (found.path or found.kind)


# ------------------------------------------------ one long-lived process for a streaming dot

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
    """Run ``program`` once for one graph: stdin closed, then the whole answer."""
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


def _served(program, source):
    """SVG from the long-lived ``dot`` of this process, or None if it failed."""
    where = (os.getpid(), program)  # a forked child starts its own dot
    server = _servers.get(where)
    if server is None or server.proc.poll() is not None:
        server = _servers[where] = _DotServer(program)
    out = server.render(source)
    if out is None:  # something went wrong: drop the server (the caller draws once)
        server.proc.kill()
        del _servers[where]
        return None
    return _PAGE_PREFIX.sub(b'id="', out)  # later graphs of one dot get "page0,1_" ids


def _draw(found, source, fmt):
    if found.kind == "viz.js":
        if fmt != "svg":
            raise RuntimeError(
                f"in the browser pictures are drawn as SVG only, not {fmt}: save as .svg"
            )
        from . import wasm

        return wasm.render_svg(source).encode("utf-8")
    small = source.count("\n") < 2 * _SERVER_MAX_NODES
    if found.streams and fmt == "svg" and small and os.name == "posix":
        out = _served(found.path, source)
        if out is not None:
            return out
    return _one_shot(found.path, source, fmt)


def render(source, fmt="svg"):
    """Draw DOT ``source`` as ``fmt`` (``"svg"`` or ``"png"``) and return the bytes.

    Raises:
        GraphvizNotFound: no renderer is installed (the message is ``INSTALL_HINT``).
        RuntimeError: the renderer failed (its first line of error).
    """
    found = renderer()
    if found is None:
        wanted = _chosen or os.environ.get(RENDERER_ENV, "").strip()
        if wanted:
            raise GraphvizNotFound(f"{RENDERER_ENV}={wanted!r} was not found")
        raise GraphvizNotFound(INSTALL_HINT)
    key = (found.path, found.kind, fmt, source)
    # an anonymous graph's SVG title is a counter (%3, %11...) that grows inside one
    # dot process: give it a fixed name so the same source always gives the same SVG
    if source.startswith("digraph {"):
        source = "digraph autograd {" + source[len("digraph {") :]
    with _lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
        out = _draw(found, source, fmt)
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
        f'font-family="Courier,monospace" font-size="11">{rows}</svg>'
    )
