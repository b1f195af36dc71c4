# Two commands set everything up: `make demo` and `make test`. Both create .venv when needed.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev,responder,oscal,docs]'
	touch $(STAMP)

demo: $(STAMP)
	$(PY) -m sarguard demo

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports --no-cache

test: lint
	$(PY) -m pytest -q -n 2

bench: $(STAMP)
	$(PY) -m pip install --quiet -e '.[dev,responder,oscal,docs,bench]'
	$(PY) -m benchmarks
	$(PY) -m benchmarks.responder

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info
