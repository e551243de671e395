"""npm's ``pyodide`` package (the interpreter core), unpacked once into a cache folder.

The version jupyterlite-pyodide-kernel 0.8.6 loads. The tarball is the one
``scripts/lite.py`` fetches for the JupyterLite site (pinned by its npm checksum, in
``.cache/lite/``; ``make test``'s setup fetches it); it is unpacked into ``.cache/`` of
the repository (git ignores it) or ``$AUTOGRAD_TUTOR_CACHE``. Tests that run Python in
a browser serve that folder on 127.0.0.1.
"""

import importlib.util
import os
import shutil
import tarfile
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _lite_script():
    spec = importlib.util.spec_from_file_location("lite", ROOT / "scripts" / "lite.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


lite = _lite_script()
PYODIDE_VERSION = lite.PYODIDE_VERSION


def pyodide_dist():
    """The folder of npm's pyodide package (pyodide.mjs...), unpacked once."""
    cache = Path(os.environ.get("AUTOGRAD_TUTOR_CACHE", ROOT / ".cache"))
    dist = cache / f"pyodide-{PYODIDE_VERSION}"
    if (dist / "pyodide.mjs").exists():
        return dist
    if shutil.which("npm") is None and not lite.PYODIDE_TGZ.exists():
        pytest.skip("npm is missing (apt-get install npm; make test does)")
    lite.fetch_pyodide()  # no download when the checked tarball is in the cache
    cache.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=cache) as tmp:
        with tarfile.open(lite.PYODIDE_TGZ) as tar:
            tar.extractall(tmp, filter="data")
        try:
            os.replace(Path(tmp) / "package", dist)
        except OSError:  # another process unpacked it first
            if not (dist / "pyodide.mjs").exists():
                raise
    return dist
