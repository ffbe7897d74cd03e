# The two commands a new user needs: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8501
PYTEST_ARGS ?=

.PHONY: run test setup bootstrap lint format bench clean

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

setup: $(VENV)/.installed

# Create/migrate the embedded database, load the demo data when it is empty, create the demo users.
bootstrap: setup
	$(PY) cli.py bootstrap

run: bootstrap
	$(PY) -m streamlit run app.py --server.port $(PORT) --server.headless true

lint: setup
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: setup
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

test: bootstrap lint
	$(PY) -m pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

# Benchmarks at 100,000 victims (see BENCHMARKS.md for the 1M runs and their commands).
bench: setup
	$(PY) -m bench.bench_load --cases 100000
	$(PY) -m bench.bench_metrics --cases 100000

# 20 browser sessions for 2 minutes against a copy of the 200,000-victim database (issue 7; see BENCHMARKS.md).
.PHONY: bench-load
BENCH_DB ?= /work/bench_data/bench200k.sqlite3
bench-load: setup
	$(PY) -m bench.bench_concurrency --db $(BENCH_DB) --sessions 20 --seconds 120

clean:
	rm -rf $(VENV) var/*.sqlite3* var/demo
