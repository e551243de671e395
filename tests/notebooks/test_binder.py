"""binder/ installs what the package declares, and everything the lessons import.

Binder (repo2docker) ignores pyproject.toml when a binder/ folder exists, so the two
can drift apart silently; these tests keep them in step.
"""

import ast
import re
import sys
from importlib.metadata import packages_distributions
from pathlib import Path

import nbformat
import tomllib
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]
BINDER = ROOT / "binder"
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
PACKAGE = PYPROJECT["project"]["name"]


def _declared():
    """Requirements of the package itself plus its `lessons` extra."""
    project = PYPROJECT["project"]
    reqs = project["dependencies"] + project["optional-dependencies"]["lessons"]
    return [Requirement(r) for r in reqs]


def _binder_lines():
    lines = (BINDER / "requirements.txt").read_text().splitlines()
    return [s for s in (line.split("#")[0].strip() for line in lines) if s]


def _pinned():
    """{canonical name: pinned Version} from binder/requirements.txt."""
    pins = {}
    for line in _binder_lines():
        if line.startswith("-e"):
            continue
        req = Requirement(line)
        specs = list(req.specifier)
        assert len(specs) == 1 and specs[0].operator == "==", f"pin exactly: {line}"
        pins[canonicalize_name(req.name)] = Version(specs[0].version)
    return pins


def test_binder_installs_the_package_itself():
    assert "-e ." in _binder_lines()


def test_every_declared_dependency_is_pinned_compatibly():
    pins = _pinned()
    for req in _declared():
        name = canonicalize_name(req.name)
        assert name in pins, f"binder/requirements.txt lacks {req.name} ({req})"
        assert req.specifier.contains(pins[name]), f"{name}=={pins[name]} breaks {req}"


def test_binder_pins_nothing_undeclared():
    declared = {canonicalize_name(r.name) for r in _declared()}
    extra = set(_pinned()) - declared
    assert not extra, f"pinned in binder/ but not declared in pyproject.toml: {extra}"


def test_apt_and_runtime():
    apt = (BINDER / "apt.txt").read_text().split()
    assert "graphviz" in apt  # the `dot` binary behind the graph pictures
    runtime = (BINDER / "runtime.txt").read_text().strip()
    match = re.fullmatch(r"python-(3\.\d+)", runtime)
    assert match, runtime
    requires = PYPROJECT["project"]["requires-python"]
    assert Requirement(f"python{requires}").specifier.contains(f"{match.group(1)}.0")


def _notebook_imports(path):
    """Top-level module names imported by a notebook's code cells."""
    nb = nbformat.read(path, as_version=4)
    names = set()
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        # IPython magics and shell escapes are not Python
        source = "\n".join(
            line
            for line in cell.source.splitlines()
            if not line.lstrip().startswith(("%", "!"))
        )
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names.add(node.module.split(".")[0])
    return names


def test_every_notebook_import_is_satisfied():
    provided = set(_pinned()) | {canonicalize_name(PACKAGE)}
    import_to_dists = packages_distributions()
    notebooks = sorted((ROOT / "notebooks").glob("*.ipynb"))
    assert notebooks
    for path in notebooks:
        for module in sorted(_notebook_imports(path)):
            if module in sys.stdlib_module_names or module == PACKAGE:
                continue
            dists = {canonicalize_name(d) for d in import_to_dists.get(module, [])}
            assert dists & provided, (
                f"{path.name} imports {module!r}, provided by {sorted(dists) or '?'}, "
                "which binder/requirements.txt does not install"
            )


def test_import_scan_sees_imports():
    """Guard against a scan that silently finds nothing."""
    found = set().union(
        *(_notebook_imports(p) for p in (ROOT / "notebooks").glob("*.ipynb"))
    )
    assert {"autograd_tutor", "numpy"} <= found
