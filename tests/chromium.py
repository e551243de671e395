"""Debian's Chromium for the real-browser tests: where it is, how it is started, a port.

Flags as in ../shared/jupyter-recipes.md: without the background-networking ones
Chromium keeps trying to reach hosts this machine's closed network refuses.
(``tests/lite/run_lessons.py`` runs on its own as a script and keeps its own copy.)
"""

import socket

CHROMIUM = "/usr/bin/chromium"
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


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
