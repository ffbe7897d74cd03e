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

test: bootstrap lint axe
	$(PY) -m pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

# axe-core for the accessibility checks of the browser journeys (tests/e2e/test_accessibility.py), from the npm
# registry into var/axe (not committed). Without npm or the registry the checks skip, saying why; the rest runs.
AXE_VERSION ?= 4.14
AXE_JS := var/axe/node_modules/axe-core/axe.min.js
.PHONY: axe test-a11y
axe:
	@test -f $(AXE_JS) || npm install --prefix var/axe --no-save --no-audit --no-fund --silent axe-core@$(AXE_VERSION) \
		|| echo "axe-core could not be installed: the accessibility checks will skip"

# axe-core on every page for every role, in English and Welsh (make test checks each page once; see README).
test-a11y: setup axe
	VSD_A11Y_MATRIX=1 $(PY) -m pytest tests/e2e/test_accessibility.py -p no:cacheprovider -q $(PYTEST_ARGS)

# Benchmarks at 100,000 victims (see BENCHMARKS.md for the 1M runs and their commands).
bench: setup
	$(PY) -m bench.bench_load --cases 100000
	$(PY) -m bench.bench_metrics --cases 100000

# The benchmark databases (BENCHMARKS.md): demo data generated and loaded with cli.py into var/bench/bench200k.sqlite3
# and var/bench/bench1m.sqlite3 (the 1M one takes several minutes and about 2 GB of disk). Only the 200k one:
# `make bench-data BENCH_SIZES=200000`. Sizes already built are skipped.
.PHONY: bench-data bench-load
BENCH_DIR ?= var/bench
BENCH_SIZES ?= 200000 1000000
BENCH_DB ?= $(BENCH_DIR)/bench200k.sqlite3
bench-data: setup
	$(PY) -m bench.bench_data --dir $(BENCH_DIR) $(foreach n,$(BENCH_SIZES),--cases $(n))

# Ours against DuckDB querying its own persisted database of the same rows, cold and warm (issue 14; BENCHMARKS.md),
# on a database `make bench-data` built: 1m by default, `make bench-anchor BENCH_ANCHOR=200k` for the smaller one. The
# DuckDB file (var/bench/anchor1m.duckdb) is built from the CSV files once. As root, the OS page cache is dropped
# before every cold run.
.PHONY: bench-anchor
BENCH_ANCHOR ?= 1m
bench-anchor: setup
	$(PY) -m bench.bench_anchor --sqlite $(BENCH_DIR)/bench$(BENCH_ANCHOR).sqlite3 --data $(BENCH_DIR)/demo$(BENCH_ANCHOR) \
		--cache $(BENCH_DIR)/cache --duckdb $(BENCH_DIR)/anchor$(BENCH_ANCHOR).duckdb

# 20 and 50 sessions of the websocket-protocol client against 1 and 2 server processes behind nginx, on the
# 200,000-victim demo data loaded into PostgreSQL (issue 14; BENCHMARKS.md, "Serving a force"). nginx and PostgreSQL
# must be running; BENCH_PG is an admin URL (the benchmark creates and loads its own database once).
BENCH_PG ?= postgresql+psycopg://postgres@127.0.0.1:5432/postgres
bench-load: setup
	@test -d $(BENCH_DIR)/demo200k || { echo "$(BENCH_DIR)/demo200k is missing: run make bench-data BENCH_SIZES=200000 first"; exit 1; }
	$(PY) -m bench.bench_ws_load --postgres $(BENCH_PG) --processes 1 2 --sessions 20 50 --seconds 120

# The realistic check: 20 Chromium sessions for 2 minutes against one server on the 200,000-victim SQLite copy
# (issue 7). The browsers share the server's cores, so this measures them as much as the server.
.PHONY: bench-browsers
bench-browsers: setup
	@test -f $(BENCH_DB) || { echo "$(BENCH_DB) is missing: run make bench-data BENCH_SIZES=200000 first"; exit 1; }
	$(PY) -m bench.bench_concurrency --db $(BENCH_DB) --sessions 20 --seconds 120

# The browser journeys (tests/e2e) three times in a row while stress-ng keeps both cores busy (issue 12); not part
# of `make test`. stress-ng (Debian package) is installed when missing, and stopped when the target ends, pass or fail.
.PHONY: test-e2e-stress
STRESS_RUNS ?= 3
STRESS_CPUS ?= 2
test-e2e-stress: setup
	@command -v stress-ng >/dev/null || { \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -q stress-ng; \
		else sudo apt-get update -qq && sudo apt-get install -y -q stress-ng; fi; }
	@set -u; stress-ng --cpu $(STRESS_CPUS) --timeout 3h --quiet & stress=$$!; \
	trap 'kill $$stress 2>/dev/null; wait $$stress 2>/dev/null' EXIT INT TERM; \
	for run in $$(seq 1 $(STRESS_RUNS)); do \
		echo "== browser journeys under stress-ng --cpu $(STRESS_CPUS): run $$run of $(STRESS_RUNS)"; \
		began=$$(date +%s); \
		$(PY) -m pytest tests/e2e -p no:cacheprovider -q $(PYTEST_ARGS) || { \
			echo "== run $$run FAILED after $$(( $$(date +%s) - began )) s"; exit 1; }; \
		echo "== run $$run passed in $$(( $$(date +%s) - began )) s"; \
	done; \
	echo "== all $(STRESS_RUNS) runs passed"

clean:
	rm -rf $(VENV) var/*.sqlite3* var/demo
