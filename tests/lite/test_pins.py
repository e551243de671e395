"""The site's pinned wheels agree with what the package declares and with each other."""

import sys
from pathlib import Path

import pytest
import tomllib
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
try:
    import lite
finally:
    sys.path.pop(0)

# Pyodide's environment, for the extras' markers (graphviz-pure has no browser build)
PYODIDE_ENV = {
    "sys_platform": "emscripten",
    "platform_system": "Emscripten",
    "platform_machine": "wasm32",
    "python_version": "3.14",
    "python_full_version": "3.14.2",
    "implementation_name": "cpython",
    "os_name": "posix",
    "extra": "",
}
# JupyterLite itself is the front end and the kernel
NOT_IN_THE_BROWSER = {"jupyterlab", "ipykernel"}


def _pins(name):
    pins = {}
    for pin in lite.read_pins(lite.WHEEL_SETS[name][0]):
        project, version = pin.split("==")
        pins[project.lower().replace("_", "-")] = version
    return pins


@pytest.fixture(scope="module")
def pyodide_lock():
    if not lite.PYODIDE_TGZ.exists():
        pytest.fail(f"{lite.PYODIDE_TGZ} is missing: run `bash scripts/setup.sh test`")
    return lite.read_pyodide_lock()


def test_every_lessons_requirement_is_in_the_site(pyodide_lock):
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    core = [Requirement(r) for r in project["dependencies"]]
    lessons = [Requirement(r) for r in project["optional-dependencies"]["lessons"]]
    piplite = _pins("piplite")
    locked = pyodide_lock["packages"]
    for req in [*core, *lessons]:
        name = req.name.lower().replace("_", "-")
        if name in NOT_IN_THE_BROWSER or (
            req.marker is not None and not req.marker.evaluate(PYODIDE_ENV)
        ):
            continue
        if name in piplite:
            version = piplite[name]
        else:
            assert name in locked, f"{req} is neither pinned for piplite nor in Pyodide"
            version = locked[name]["version"]
        assert req.specifier.contains(version), f"{req}: the site has {version}"
        if req in lessons:  # the site's first cell installs them (core ones come along)
            assert name.replace("-", "_") in lite.INSTALL_CELL.replace("-", "_"), name


def test_front_ends_match_the_python_packages():
    piplite, extensions = _pins("piplite"), _pins("extensions")
    for name in ("anywidget", "jupyterlab-widgets"):
        assert extensions[name] == piplite[name], name
    dist = dict(p.split("==") for p in lite.read_pins(lite.DIST_PINS))
    assert (
        extensions["jupyterlite-pyodide-kernel"] == dist["jupyterlite-pyodide-kernel"]
    )
    assert dist["jupyterlite-core"] == dist["jupyterlite-pyodide-kernel"] == "0.8.6"


def test_pyodide_is_the_one_the_kernel_loads():
    from jupyterlite_pyodide_kernel import constants

    assert constants.PYODIDE_VERSION == lite.PYODIDE_VERSION
