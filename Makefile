# The two commands of the README, and the pieces behind them.
#   make start   set up, then run JupyterLab with the course and notebooks on 127.0.0.1
#                (making the learners' copies in course/release/ first; Ctrl-C ends it, 0)
#   make test    set up, start the services the tests need (PostgreSQL, and Chromium and
#                the hub proxy when present), then run the whole suite (lint, types, pytest
#                in PYTEST_WORKERS processes: 2, one per core of the project's machines;
#                `make test PYTEST_WORKERS=1` for one, `=auto` for one per core here)
#   make test-loaded   for developers, not CI: `make test` with one CPU burner per core
#                and every wait in the tests x4 (COMPETENCY_TEST_TIMEOUT_SCALE, unless set);
#                prints the wall time (tools/test-loaded.sh)

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# pytest-xdist: tests that share a set-up stay in one process (tests/conftest.py marks
# them as xdist_group), the slow ones are handed out first (hence no reorder by size).
PYTEST_WORKERS ?= 2
PYTEST_PARALLEL = -n $(PYTEST_WORKERS) --dist loadgroup --no-loadscope-reorder
# nbgrader runs helper programs (alembic) by name: the environment's bin comes first.
export PATH := $(abspath $(VENV))/bin:$(PATH)

.PHONY: start test test-loaded setup lint typecheck pytest clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	@touch $(STAMP)

setup: $(STAMP)

start: setup
	$(BIN)/competency lab

lint: setup
	$(BIN)/ruff check .
	$(BIN)/lint-imports

typecheck: setup
	$(BIN)/mypy --strict src

pytest: setup
	$(BIN)/pytest $(PYTEST_PARALLEL)

test: setup
	bash tools/run-tests.sh

test-loaded: setup
	bash tools/test-loaded.sh

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
