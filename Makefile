# The README's two commands:
#   make lessons   set everything up and open the lessons in JupyterLab
#   make test      set everything up and run the whole test suite
#   make lite      build the JupyterLite site (the lessons in the browser) into build/lite
.PHONY: lessons test lite setup-lessons setup-test setup-lite bench lint format

# JupyterLab refuses to run as root unless told to (containers, CI machines)
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root,)

lessons: setup-lessons
	cd notebooks && ../.venv/bin/python -m jupyterlab --ServerApp.ip=127.0.0.1 \
		$(ALLOW_ROOT) $(LESSON)

test: setup-test
	.venv/bin/ruff check autograd_tutor tests bench scripts
	.venv/bin/ruff format --check autograd_tutor tests bench scripts
	.venv/bin/python -m pytest -q tests autograd_tutor --doctest-modules \
		--doctest-glob='*.md' README.md
	.venv/bin/python -m pytest -q --nbval --nbval-current-env \
		--nbval-sanitize-with tests/notebooks/sanitize.cfg -p tests.notebooks.nbval_plugin notebooks

# Static site for GitHub Pages (.github/workflows/lite.yml publishes it); needs no network
# once setup has downloaded its pinned inputs. `make lite LITE_OFFLINE=--offline` adds a
# local Pyodide core (the test's site, for machines that cannot reach Pyodide's CDN).
lite: setup-lite
	.venv/bin/python scripts/lite.py build --output build/lite $(LITE_OFFLINE)

setup-lite:
	@bash scripts/setup.sh lite

setup-lessons:
	@bash scripts/setup.sh lessons

setup-test:
	@bash scripts/setup.sh test

bench: setup-test
	.venv/bin/python bench/bench_engine.py

lint:
	.venv/bin/ruff check autograd_tutor tests bench scripts
	.venv/bin/ruff format --check autograd_tutor tests bench scripts

format:
	.venv/bin/ruff format autograd_tutor tests bench scripts
