#!/usr/bin/env bash
# Set up everything autograd_tutor needs: system packages (when we can), a .venv with the
# package installed editable, and (for tests) PyTorch as the conformance oracle.
#   scripts/setup.sh lessons   -> what `make lessons` needs (JupyterLab; pictures by pip's
#                                 graphviz-pure)
#   scripts/setup.sh test      -> everything `make test` needs (+ Graphviz, Chromium, npm,
#                                 torch, and the release and JupyterLite tools and downloads)
#   scripts/setup.sh lite      -> what `make lite` needs (the package, the site builders and
#                                 the pinned downloads in .cache/lite/)
set -euo pipefail
cd "$(dirname "$0")/.."
MODE="${1:-lessons}"
PY="${PYTHON:-python3}"

need_apt=()
# pictures need no system Graphviz (the extras bring graphviz-pure); the tests also check
# that a system dot stays usable, and run Pyodide (npm's pyodide package) in Chromium
if [ "$MODE" = test ]; then
  command -v dot >/dev/null 2>&1 || need_apt+=(graphviz)
  command -v chromium >/dev/null 2>&1 || need_apt+=(chromium chromium-driver)
  command -v npm >/dev/null 2>&1 || need_apt+=(npm)
fi
if [ "$MODE" = lite ]; then
  command -v npm >/dev/null 2>&1 || need_apt+=(npm)  # npm's pyodide for the JupyterLite site
fi
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing system packages: ${need_apt[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
  else
    echo "setup: missing system packages: ${need_apt[*]}" >&2
    echo "  Debian/Ubuntu: sudo apt-get install ${need_apt[*]}" >&2
    echo "  macOS: brew install graphviz chromium    conda: conda install -c conda-forge graphviz" >&2
    if [ "$MODE" = test ]; then
      echo "setup: graph rendering and browser tests need them; continuing without" >&2
    fi
  fi
fi

if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv with $($PY --version)"
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip
if [ "$MODE" = test ]; then
  .venv/bin/python -m pip install -q -e ".[test]"
  # PyTorch is the oracle of the conformance tests, never a dependency of the package.
  if ! .venv/bin/python -c "import torch" 2>/dev/null; then
    .venv/bin/python -m pip install -q "torch==2.13.0" \
      || echo "setup: torch==2.13.0 could not be installed; conformance tests will skip" >&2
  fi
elif [ "$MODE" = lite ]; then
  .venv/bin/python -m pip install -q -e .
else
  .venv/bin/python -m pip install -q -e ".[lessons]"
fi
if [ "$MODE" = test ] || [ "$MODE" = lite ]; then
  # sdist/wheel and JupyterLite site builders (pinned), then every download the site
  # needs (npm's pyodide, pinned wheels from PyPI) into .cache/lite/, so that building
  # the site needs no network (tests/lite builds it under `unshare -n`)
  .venv/bin/python -m pip install -q -r scripts/requirements-dist.txt
  .venv/bin/python scripts/lite.py fetch
fi
echo "setup: done ($MODE)"
