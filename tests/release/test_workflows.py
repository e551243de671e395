"""The GitHub workflows say what the README and the tests say (they cannot run here)."""

import importlib.metadata
from pathlib import Path

import pytest

yaml = pytest.importorskip("yaml")

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = ROOT / ".github" / "workflows"


def _load(name):
    data = yaml.safe_load((WORKFLOWS / name).read_text())
    # YAML 1.1 reads the key `on` as True
    data["on"] = data.pop(True, data.get("on"))
    return data


def _runs(job):
    return "\n".join(step.get("run", "") for step in job["steps"])


def _pins():
    pins = {}
    for line in (ROOT / "scripts" / "requirements-dist.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, version = line.split("==")
            pins[name] = version
    return pins


def test_release_builds_checks_and_publishes_with_trusted_publishing():
    wf = _load("release.yml")
    assert wf["on"]["push"]["tags"] == ["v*"]
    build, publish = wf["jobs"]["build"], wf["jobs"]["publish"]
    pins = _pins()
    runs = _runs(build)
    assert f'"build=={pins["build"]}"' in runs and f'"twine=={pins["twine"]}"' in runs
    assert "python -m build\n" in runs
    assert "twine check --strict dist/*" in runs
    assert publish["needs"] == "build"
    assert publish["permissions"] == {"id-token": "write"}
    assert publish["environment"]["name"] == "pypi"
    (upload,) = [
        s for s in publish["steps"] if "gh-action-pypi-publish" in s.get("uses", "")
    ]
    assert "with" not in upload  # no password, no token: trusted publishing
    assert "secrets." not in (WORKFLOWS / "release.yml").read_text()


def test_lite_builds_runs_the_lessons_and_deploys_main_only():
    wf = _load("lite.yml")
    build, deploy = wf["jobs"]["build"], wf["jobs"]["deploy"]
    runs = _runs(build)
    assert "bash scripts/setup.sh lite" in runs and "make lite" in runs
    assert "tests/lite/run_lessons.py build/lite" in runs
    playwright = importlib.metadata.version("playwright")
    assert f'"playwright=={playwright}"' in runs
    uploads = [
        s for s in build["steps"] if "upload-pages-artifact" in s.get("uses", "")
    ]
    assert uploads[0]["with"]["path"] == "build/lite"
    assert deploy["needs"] == "build"
    assert "refs/heads/main" in deploy["if"] and "push" in deploy["if"]
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert "deploy-pages" in deploy["steps"][0]["uses"]
