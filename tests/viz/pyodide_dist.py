"""npm's ``pyodide`` package (the interpreter core), fetched once into a cache folder.

The version jupyterlite-pyodide-kernel 0.8.6 loads. ``npm pack`` downloads it into
``.cache/`` of the repository (git ignores it) or ``$AUTOGRAD_TUTOR_CACHE``; tests that
run Python in a browser serve that folder on 127.0.0.1.
"""

import os
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PYODIDE_VERSION = "314.0.6"


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
        try:
            os.replace(Path(tmp) / "package", dist)
        except OSError:  # another process unpacked it first
            if not (dist / "pyodide.mjs").exists():
                raise
    return dist
