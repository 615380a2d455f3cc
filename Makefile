# The two commands a newcomer needs: `make run` starts the service, `make test` runs every check CI runs.
VENV ?= .venv
PY := $(VENV)/bin/python
PYTHON ?= python3

.PHONY: run test lint audit eval bench

$(VENV)/.runtime: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.txt
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(PY) -m pip install -q -r requirements-dev.txt
	touch $@

run: $(VENV)/.runtime
	$(VENV)/bin/gunicorn -c gunicorn.conf.py app:app

lint: $(VENV)/.dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/hadolint Dockerfile

# Known vulnerabilities in the pinned runtime dependencies. Needs the vulnerability database (PyPI's JSON
# API, or add --vulnerability-service osv): --strict fails when a dependency could not really be audited,
# so an unreachable database is an error, not a silent pass. Not part of `make test` (CI cannot reach it).
audit: $(VENV)/.dev
	$(VENV)/bin/pip-audit --strict -r requirements.txt

test: lint
	$(PY) -m pytest

eval: $(VENV)/.dev
	$(PY) -m eval

bench: $(VENV)/.dev
	$(PY) -m bench
