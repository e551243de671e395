"""The release: the sdist and wheel that .github/workflows/release.yml builds and publishes.

Built as the workflow builds them (``python -m build``: the sdist, then the wheel from the
sdist), without build isolation so that no network is needed (hatchling is installed by
scripts/setup.sh from scripts/requirements-dist.txt). The wheel must carry the lessons,
the JavaScript assets and the licence files, pass ``twine check --strict``, and install
into a clean virtual environment where ``autograd-tutor lessons --dry-run`` works. That
environment gets our wheel (``--no-deps``, ``--no-index``) and, as its only other package,
this machine's numpy (linked in): nothing from the checkout can leak in.
"""

import hashlib
import importlib.metadata
import json
import os
import subprocess
import sys
import tarfile
import venv
import zipfile
from pathlib import Path

import pytest

from autograd_tutor import __version__, cli

ROOT = Path(__file__).resolve().parents[2]
WHEEL_NAME = f"autograd_tutor-{__version__}-py3-none-any.whl"
SDIST_NAME = f"autograd_tutor-{__version__}.tar.gz"


def _files(folder):
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    }


def _lessons(folder):
    """The lesson notebooks (notebooks/ also holds their paired jupytext .py files)."""
    return {n: b for n, b in _files(folder).items() if n.endswith(".ipynb")}


@pytest.fixture(scope="module")
def dists(tmp_path_factory):
    for tool in ("build", "hatchling", "twine"):
        try:
            importlib.metadata.version(tool)
        except importlib.metadata.PackageNotFoundError:
            pytest.fail(f"{tool} is not installed: run `bash scripts/setup.sh test`")
    out = tmp_path_factory.mktemp("dist")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "build",
            "--no-isolation",
            "--outdir",
            str(out),
            str(ROOT),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert sorted(p.name for p in out.iterdir()) == [WHEEL_NAME, SDIST_NAME]
    return out


def test_twine_check_passes(dists):
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "twine",
            "check",
            "--strict",
            *map(str, dists.iterdir()),
        ],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.count("PASSED") == 2, proc.stdout


def test_wheel_has_lessons_assets_and_licences(dists):
    with zipfile.ZipFile(dists / WHEEL_NAME) as whl:
        names = set(whl.namelist())
        lessons = {
            n: whl.read(n) for n in names if n.startswith("autograd_tutor/lessons/")
        }
        assets = {
            n: whl.read(n) for n in names if n.startswith("autograd_tutor/assets/")
        }
        info = f"autograd_tutor-{__version__}.dist-info"
        metadata = whl.read(f"{info}/METADATA").decode()
        entry_points = whl.read(f"{info}/entry_points.txt").decode()
        licences = {n for n in names if n.startswith(f"{info}/licenses/")}
    notebooks = _files(ROOT / "notebooks")
    assert lessons == {f"autograd_tutor/lessons/{n}": b for n, b in notebooks.items()}
    assert len(lessons) >= 6
    # every page a lesson links to (../docs/NAME), and only those (pyproject.toml lists them)
    linked = cli.linked_docs((ROOT / "notebooks").glob("*.ipynb"))
    pages = {n for n in names if n.startswith("autograd_tutor/lesson_docs/")}
    assert pages == {f"autograd_tutor/lesson_docs/{n}" for n in linked}
    assert "autograd_tutor/lesson_docs/cheatsheet.md" in pages
    shipped = _files(ROOT / "autograd_tutor" / "assets")
    assert assets == {f"autograd_tutor/assets/{n}": b for n, b in shipped.items()}
    assert "autograd_tutor/assets/viz-js/viz.js" in assets
    assert {
        f"{info}/licenses/LICENSE",
        f"{info}/licenses/autograd_tutor/assets/viz-js/LICENSE-viz-js-MIT.txt",
        f"{info}/licenses/autograd_tutor/assets/viz-js/LICENSE-Graphviz-EPL-2.0.txt",
        f"{info}/licenses/autograd_tutor/assets/viz-js/LICENSE-Expat-MIT.txt",
    } <= licences
    assert "License-Expression: MIT" in metadata
    assert "autograd-tutor = autograd_tutor.cli:main" in entry_points
    assert not any(n.startswith(("tests/", "notebooks/", ".cache/")) for n in names)


def _tracked_package_files():
    """The package's files in git (all of them on disk where there is no git)."""
    proc = subprocess.run(
        ["git", "-C", str(ROOT), "ls-files", "-z", "autograd_tutor"],
        capture_output=True,
        text=True,
    )
    if proc.returncode == 0 and proc.stdout:
        return {n for n in proc.stdout.split("\0") if n}
    package = ROOT / "autograd_tutor"
    return {f"autograd_tutor/{n}" for n in _files(package)}


def test_wheel_has_every_file_of_the_package(dists):
    """Package data (JavaScript of the explorers and of viz.js, licences...) included."""
    with zipfile.ZipFile(dists / WHEEL_NAME) as whl:
        shipped = {
            n: whl.read(n)
            for n in whl.namelist()
            if n.startswith("autograd_tutor/")
            and not n.startswith(
                ("autograd_tutor/lessons/", "autograd_tutor/lesson_docs/")
            )
        }
    tracked = _tracked_package_files()
    assert set(shipped) == tracked, (
        f"in the wheel, not in git (git add them?): {sorted(set(shipped) - tracked)}; "
        f"in git, not in the wheel: {sorted(tracked - set(shipped))}"
    )
    for name in tracked:
        assert shipped[name] == (ROOT / name).read_bytes(), name


def test_sdist_is_the_source_without_caches(dists):
    with tarfile.open(dists / SDIST_NAME) as sdist:
        names = {n.split("/", 1)[1] for n in sdist.getnames() if "/" in n}
    assert {"pyproject.toml", "README.md", "LICENSE"} <= names
    assert {f"notebooks/{n}" for n in _files(ROOT / "notebooks")} <= names
    linked = cli.linked_docs((ROOT / "notebooks").glob("*.ipynb"))
    assert {f"docs/{n}" for n in linked} <= names  # a wheel built from it ships them
    assert "autograd_tutor/assets/viz-js/viz.js" in names
    leaked = [
        n for n in names if n.split("/")[0] in {".cache", ".venv", "build", "dist"}
    ]
    assert leaked == []
    assert (dists / SDIST_NAME).stat().st_size < 5_000_000


def _link_numpy(target):
    """Make this environment's numpy (only it) importable from ``target``."""
    import numpy

    site = Path(numpy.__file__).resolve().parent.parent
    target.mkdir()
    for entry in site.iterdir():
        if entry.name in ("numpy", "numpy.libs") or (
            entry.name.startswith("numpy-") and entry.name.endswith(".dist-info")
        ):
            (target / entry.name).symlink_to(entry)


def test_wheel_installs_into_a_clean_venv_and_lessons_dry_run_works(dists, tmp_path):
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    install = [sys.executable, "-m", "pip", "--python", str(python), "install", "-q"]
    install += ["--no-deps", "--no-index", str(dists / WHEEL_NAME)]
    proc = subprocess.run(install, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    site = next((env_dir / "lib").glob("python3*/site-packages"))
    _link_numpy(tmp_path / "deps")
    (site / "deps.pth").write_text(str(tmp_path / "deps") + "\n")

    env = {
        k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")
    }
    env["PATH"] = f"{env_dir / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    probe = subprocess.run(
        [
            str(python),
            "-c",
            "import autograd_tutor as at, autograd_tutor.assets as a, sys;"
            "print(at.__file__); print(a.VIZ_JS.is_file()); print(at.__version__);"
            "print(sorted(p.split('/')[-1] for p in sys.path if 'site-packages' in p))",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
    )
    assert probe.returncode == 0, probe.stderr
    module, viz_js, version, _ = probe.stdout.splitlines()
    assert Path(module).is_relative_to(site)
    assert viz_js == "True" and version == __version__

    target = tmp_path / "my lessons"
    command = env_dir / "bin" / "autograd-tutor"
    run = subprocess.run(
        [str(command), "lessons", "--dry-run", str(target)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    # the course as the learner's folder holds it: lessons/ and the pages they link to
    expected = {f"lessons/{n}": b for n, b in _lessons(ROOT / "notebooks").items()}
    for name in cli.linked_docs((ROOT / "notebooks").glob("*.ipynb")):
        expected[f"docs/{name}"] = (ROOT / "docs" / name).read_bytes()
    assert f"lessons in {target}: {len(expected)} copied" in run.stdout
    assert "dry run: would start JupyterLab" in run.stdout
    assert f"{python} -m jupyterlab --ServerApp.ip=127.0.0.1" in run.stdout
    copied = {n: b for n, b in _files(target).items() if n != ".autograd-tutor.json"}
    assert copied == expected
    manifest = json.loads((target / ".autograd-tutor.json").read_text())
    assert manifest == {n: hashlib.sha256(b).hexdigest() for n, b in expected.items()}
