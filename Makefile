# safetynet: `make demo` runs the system with a demo city; `make test` runs the tests.
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
DEMO_HOUSEHOLDS ?= 300
export SAFETYNET_DATA_DIR ?= $(CURDIR)/var

.PHONY: demo test test-pg test-browser test-api-fuzz lint bench setup clean

$(VENV)/.installed: requirements.lock pyproject.toml
	@PYTHON=$$(scripts/find-python) || exit 1; \
	  echo "Using $$PYTHON"; \
	  [ -x $(PY) ] || $$PYTHON -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $@

setup: $(VENV)/.installed

demo: setup
	$(VENV)/bin/safetynet migrate --no-input
	$(VENV)/bin/safetynet demo-city --households $(DEMO_HOUSEHOLDS) --seed 2022 --if-empty
	$(VENV)/bin/safetynet run --port $(PORT) --plain-http

test: setup
	$(VENV)/bin/pytest -q

test-pg: setup
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/safetynet} $(VENV)/bin/pytest -q

test-browser: setup
	$(VENV)/bin/pytest -q -m browser -p no:randomly

# Schemathesis over every operation of /api/v1 (a bounded run, about two minutes on 2 cores).
test-api-fuzz: setup
	$(VENV)/bin/pytest -q -m fuzz -p no:randomly tests/fuzz

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports

# Scale: BENCH_HOUSEHOLDS (default 20000, about a minute); BENCH_PG=1 adds the PostgreSQL figures.
bench: setup
	@$(PY) bench/_bench.py machine
	@for script in bench/[!_]*.py; do $(PY) $$script || exit 1; done

clean:
	rm -rf $(VENV) var
