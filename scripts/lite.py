"""Build the JupyterLite site of the lessons, and the offline copy of it that we test.

    python scripts/lite.py fetch             download every pinned input into .cache/lite/
    python scripts/lite.py build [--offline] [--output DIR]

``build`` needs no network once ``fetch`` has run (the test runs it under ``unshare -n``).
The published site (``make lite``, the Pages workflow) loads Pyodide, numpy and matplotlib
from Pyodide's CDN at run time, as every JupyterLite site does. ``--offline`` adds a local
Pyodide for a machine that cannot reach that CDN: npm's ``pyodide`` package (the
interpreter core only) plus, from PyPI at the versions Pyodide pins, the pure-Python
packages the kernel starts with; their files differ from Pyodide's own builds, so the
copied ``pyodide-lock.json`` gets their checksums (in the offline site only). Packages
with compiled code (numpy, matplotlib) have no browser build on PyPI and stay absent.
"""

import argparse
import base64
import hashlib
import importlib.metadata
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from autograd_tutor import cli  # which pages the lessons link to, and where they go

ROOT = Path(__file__).resolve().parent.parent
LITE_DIR = ROOT / "lite"
CACHE = Path(os.environ.get("AUTOGRAD_TUTOR_LITE_CACHE", ROOT / ".cache" / "lite"))
DEFAULT_OUTPUT = ROOT / "build" / "lite"

# The kernel 0.8.6 is built for this Pyodide (jupyterlite_pyodide_kernel.constants).
PYODIDE_VERSION = "314.0.6"
PYODIDE_NPM_INTEGRITY = "sha512-BKDTJyIqFxC4BExLqeRS3f5xvXZIjOt8C3zGLN/Cc7tFxSwvKVhVkchQQ2AGLOtR4YrVOIFxbV8poyDOOmWwxQ=="
PYODIDE_TGZ = CACHE / f"pyodide-{PYODIDE_VERSION}.tgz"
BOOT_WHEELS = CACHE / "pyodide-boot-wheels"
# name -> (pins, cache folder): wheels offered to piplite, wheels of front-end extensions
WHEEL_SETS = {
    "piplite": (LITE_DIR / "piplite-requirements.txt", CACHE / "piplite-wheels"),
    "extensions": (LITE_DIR / "extension-requirements.txt", CACHE / "extension-wheels"),
}
DIST_PINS = ROOT / "scripts" / "requirements-dist.txt"
# What the kernel loads from the Pyodide distribution while it starts: micropip by
# loadPackage, then ipython and jedi (with their dependencies) through piplite.
BOOT_ROOTS = ("micropip", "ipython", "jedi")
# Pure-Python packages of Pyodide's lock that the wheels we offer need (anywidget and
# psygnal import typing_extensions): the published site takes them from the CDN too.
LOCK_EXTRAS = ("typing-extensions",)
# Files of npm's pyodide package that a site serves (no types, consoles, source maps).
PYODIDE_CORE_FILES = (
    "pyodide.mjs",
    "pyodide.js",
    "pyodide.asm.mjs",
    "pyodide.asm.wasm",
    "python_stdlib.zip",
    "pyodide-lock.json",
    "package.json",
)
# A cell put first in each lesson of the site (the notebooks in the repository keep
# theirs): the browser's Python has nothing installed until piplite installs it.
INSTALL_CELL = (
    "# In the browser (JupyterLite): install the lessons' packages into this tab's Python.\n"
    "%pip install -q autograd_tutor ipywidgets anywidget matplotlib graphviz"
)


def log(message):
    print(f"lite: {message}", flush=True)


def run(cmd, **kwargs):
    log(" ".join(str(c) for c in cmd))
    subprocess.run([str(c) for c in cmd], check=True, **kwargs)


def sha256(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def pip_download(specs, dest):
    """Pure-Python wheels (py3-none-any), whatever this machine's platform is."""
    dest.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "pip", "download", "-q", "--no-deps"]
    cmd += ["--only-binary=:all:", "--platform", "any", "--implementation", "py"]
    cmd += ["--abi", "none", "--python-version", "3.14", "-d", dest, *specs]
    run(cmd)


def read_pins(path):
    pins = []
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            pins.append(line)
    return pins


def wheel_name(path):
    """Normalised project name of a wheel file."""
    return Path(path).name.split("-")[0].lower().replace("_", "-")


# ---------------------------------------------------------------------------- fetch
def fetch_pyodide():
    if PYODIDE_TGZ.exists() and _npm_integrity(PYODIDE_TGZ) == PYODIDE_NPM_INTEGRITY:
        return
    CACHE.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        run(["npm", "pack", "--silent", f"pyodide@{PYODIDE_VERSION}"], cwd=tmp)
        got = Path(tmp) / PYODIDE_TGZ.name
        if _npm_integrity(got) != PYODIDE_NPM_INTEGRITY:
            raise SystemExit(f"lite: {got.name} does not match its pinned checksum")
        shutil.move(got, PYODIDE_TGZ)


def _npm_integrity(path):
    digest = hashlib.sha512(Path(path).read_bytes()).digest()
    return "sha512-" + base64.b64encode(digest).decode()


def read_pyodide_lock():
    with tarfile.open(PYODIDE_TGZ) as tar:
        member = tar.extractfile("package/pyodide-lock.json")
        return json.load(member)


def boot_packages(lock):
    """The lock's entries for the offline site: the kernel's boot packages (BOOT_ROOTS
    and their dependencies) and LOCK_EXTRAS."""
    packages = lock["packages"]
    todo, seen = [*BOOT_ROOTS, *LOCK_EXTRAS], {}
    while todo:
        name = todo.pop().lower().replace("_", "-")
        if name in seen:
            continue
        seen[name] = packages[name]
        todo.extend(packages[name]["depends"])
    return dict(sorted(seen.items()))


def fetch_boot_wheels():
    boot = boot_packages(read_pyodide_lock())
    missing = [p for p in boot.values() if not (BOOT_WHEELS / p["file_name"]).exists()]
    if missing:
        pip_download([f"{p['name']}=={p['version']}" for p in missing], BOOT_WHEELS)
    for pkg in boot.values():
        if not (BOOT_WHEELS / pkg["file_name"]).exists():
            raise SystemExit(
                f"lite: PyPI has no {pkg['file_name']} (pinned by Pyodide)"
            )


def fetch_wheel_set(name):
    pins_file, folder = WHEEL_SETS[name]
    pins = read_pins(pins_file)
    have = [f.name for f in folder.glob("*.whl")]
    wanted = [p for p in pins if not any(_matches(p, f) for f in have)]
    if wanted:
        pip_download(wanted, folder)
    wheel_set(name)


def _matches(pin, filename):
    name, version = pin.split("==")
    parts = filename.split("-")
    return (
        wheel_name(filename) == name.lower().replace("_", "-") and parts[1] == version
    )


def wheel_set(name):
    """The cached wheels of one WHEEL_SETS entry (exactly one per pin)."""
    pins_file, folder = WHEEL_SETS[name]
    wheels = []
    for pin in read_pins(pins_file):
        found = [f for f in folder.glob("*.whl") if _matches(pin, f.name)]
        if len(found) != 1:
            raise SystemExit(
                f"lite: run `python scripts/lite.py fetch` ({pin} missing)"
            )
        wheels.append(found[0])
    return wheels


def check_build_tools():
    """The installed site builders are the pinned ones (their addons write the site)."""
    for pin in read_pins(DIST_PINS):
        name, version = pin.split("==")
        if name.startswith("jupyterlite"):
            installed = importlib.metadata.version(name)
            if installed != version:
                raise SystemExit(
                    f"lite: {name} {installed} is installed, {version} is pinned: "
                    f"pip install -r {DIST_PINS.relative_to(ROOT)}"
                )


def cmd_fetch(_args):
    fetch_pyodide()
    fetch_boot_wheels()
    for name in WHEEL_SETS:
        fetch_wheel_set(name)
    log(f"cache ready: {CACHE}")


# ---------------------------------------------------------------------------- build
def build_wheel(dest):
    """Our wheel, built from the working tree without network (hatchling installed)."""
    run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "-o", dest, ROOT],
        stdout=subprocess.DEVNULL,
    )
    (wheel,) = Path(dest).glob("autograd_tutor-*.whl")
    return wheel


def site_lessons(dest):
    """Copies of the lessons with the install cell first, and beside their folder the
    pages they link to (``../docs/cheatsheet.md`` from ``lessons/``)."""
    dest.mkdir(parents=True)
    notebooks = sorted((ROOT / "notebooks").glob("*.ipynb"))
    docs = dest.parent / cli.DOCS_DIR
    docs.mkdir()
    for name in cli.linked_docs(notebooks):
        shutil.copy2(ROOT / "docs" / name, docs / name)
    for nb_path in notebooks:
        nb = json.loads(nb_path.read_text(encoding="utf-8"))
        cell = {
            "cell_type": "code",
            "execution_count": None,
            "id": "jupyterlite-install",
            "metadata": {"tags": ["jupyterlite"]},
            "outputs": [],
            "source": INSTALL_CELL.splitlines(keepends=True),
        }
        nb["cells"].insert(0, cell)
        # JupyterLite has one Python kernel, named "python"
        nb.setdefault("metadata", {})["kernelspec"] = {
            "display_name": "Python (Pyodide)",
            "language": "python",
            "name": "python",
        }
        text = json.dumps(nb, indent=1, ensure_ascii=False) + "\n"
        (dest / nb_path.name).write_text(text, encoding="utf-8")


def offline_pyodide(dest):
    """npm's Pyodide core + PyPI's boot wheels, with the lock's checksums rewritten."""
    dest.mkdir(parents=True)
    with tarfile.open(PYODIDE_TGZ) as tar:
        for name in PYODIDE_CORE_FILES:
            with tar.extractfile(f"package/{name}") as src:
                (dest / name).write_bytes(src.read())
    lock = json.loads((dest / "pyodide-lock.json").read_text())
    for name, pkg in boot_packages(lock).items():
        wheel = BOOT_WHEELS / pkg["file_name"]
        shutil.copy2(wheel, dest / wheel.name)
        lock["packages"][name]["sha256"] = sha256(wheel)
    (dest / "pyodide-lock.json").write_text(json.dumps(lock, indent=1) + "\n")


def cmd_build(args):
    check_build_tools()
    output = Path(args.output).resolve()
    with tempfile.TemporaryDirectory() as tmp:
        stage = Path(tmp) / "lite"
        shutil.copytree(LITE_DIR, stage, ignore=shutil.ignore_patterns("*.txt", "*.md"))
        (stage / "pypi").mkdir(exist_ok=True)
        build_wheel(stage / "pypi")
        for wheel in wheel_set("piplite"):
            shutil.copy2(wheel, stage / "pypi" / wheel.name)
        site_lessons(stage / "files" / "lessons")
        for extra in args.contents:
            shutil.copy2(extra, stage / "files" / Path(extra).name)
        cmd = [Path(sys.executable).parent / "jupyter-lite", "build"]
        cmd += ["--lite-dir", stage, "--output-dir", output, "--no-sourcemaps"]
        cmd += ["--contents", stage / "files"]
        # the front ends come from the pinned wheels only, not from this environment
        config_path = stage / "jupyter_lite_config.json"
        config = json.loads(config_path.read_text())
        config["LiteBuildConfig"]["ignore_sys_prefix"] = ["federated_extensions"]
        config["LiteBuildConfig"]["federated_extensions"] = [
            str(wheel) for wheel in wheel_set("extensions")
        ]
        config_path.write_text(json.dumps(config, indent=2))
        if args.offline:
            # the well-known place: copied into the site, jupyter-lite.json points to it
            offline_pyodide(stage / "static" / "pyodide")
        if output.exists():
            shutil.rmtree(output)
        run(cmd, cwd=stage, env={**os.environ, "JUPYTERLITE_NO_LIBARCHIVE": "1"})
    log(f"site built: {output}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("fetch", help="download the pinned inputs into .cache/lite/")
    build = sub.add_parser("build", help="build the site (no network needed)")
    build.add_argument("--output", default=DEFAULT_OUTPUT)
    build.add_argument(
        "--offline", action="store_true", help="add a local Pyodide (test site only)"
    )
    build.add_argument(
        "--contents", nargs="*", default=[], help="extra notebooks for the site's root"
    )
    args = parser.parse_args(argv)
    {"fetch": cmd_fetch, "build": cmd_build}[args.command](args)


if __name__ == "__main__":
    main()
