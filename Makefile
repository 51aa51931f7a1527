# Two entry points for a newcomer: `make demo` and `make test`. Everything else is a step of those.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
# What `make demo` needs (the CLI with DuckDB), then what `make test` adds (tests, lint, Postgres, Spark).
RUNTIME := $(VENV)/.runtime
STAMP := $(VENV)/.installed
export DBT_PROFILES_DIR := $(CURDIR)/profiles
export LEADSCORE_PROJECT_DIR := $(CURDIR)
# This repository's project is the package built as its own root: dbt run by hand here reads the
# demo's generated scoring macros from generated/demo (the CLI sets this itself).
export LEADSCORE_GENERATED_MACROS := generated/demo

.PHONY: demo test lint unit-tests install clean bench x-education

$(RUNTIME): pyproject.toml requirements.lock
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), f"Python 3.11 is required, found {sys.version.split()[0]}"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.lock -e '.[duckdb]'
	@grep -q DBT_PROFILES_DIR $(BIN)/activate || echo 'export DBT_PROFILES_DIR="$(CURDIR)/profiles"' >> $(BIN)/activate
	@grep -q LEADSCORE_GENERATED_MACROS $(BIN)/activate || echo 'export LEADSCORE_GENERATED_MACROS=generated/demo' >> $(BIN)/activate
	touch $(RUNTIME)

$(STAMP): $(RUNTIME) requirements-dev.lock
	$(BIN)/python -m pip install --quiet -c requirements.lock -c requirements-dev.lock -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: $(RUNTIME)
	$(BIN)/leadscore demo

lint: $(STAMP)
	$(BIN)/ruff check python tests/python
	$(BIN)/ruff format --check python tests/python
	$(BIN)/dbt parse --quiet
	$(BIN)/sqlfluff lint models macros tests/dbt --processes 2
	$(BIN)/sqlfluff lint models/lead_table --config .sqlfluff-lead-table --processes 2
	$(BIN)/sqlfluff lint models/staging/salesforce models/marts/quality/connector_row_accounting.sql models/marts/quality/connector_data_checks.sql --config .sqlfluff-salesforce --processes 2
	$(BIN)/sqlfluff lint models/staging/hubspot models/marts/quality/connector_row_accounting.sql models/marts/quality/connector_data_checks.sql --config .sqlfluff-hubspot --processes 2

# --durations=40 prints the slowest setups, calls and teardowns, to see where CI time goes.
# --dist loadfile: a test module runs on one worker, so a module-scoped warehouse is built once,
# not once per worker. --no-loadscope-reorder keeps the collection order (tests/python/conftest.py
# puts the longest modules first); xdist would otherwise start the modules with most tests first,
# leaving a long one-test module (Spark) to run alone at the end.
unit-tests: $(STAMP)
	$(BIN)/pytest -n 2 --dist loadfile --no-loadscope-reorder --durations=40

test: lint unit-tests

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -c requirements.lock -c requirements-dev.lock -e '.[bench]'
	$(BIN)/leadscore bench training
	$(BIN)/leadscore bench scoring
	$(BIN)/leadscore bench postgres
	$(BIN)/leadscore bench spark
	$(BIN)/leadscore bench sizes
	$(BIN)/leadscore bench pipeline

# The bring-your-own-data example on the public X Education leads (see examples/x_education/).
x-education: $(RUNTIME)
	$(BIN)/leadscore --config examples/x_education/leadscore.yml run

clean:
	rm -rf $(VENV) target logs warehouse/*.duckdb warehouse/scale examples/*/.leadscore
