# Simpul: `make run` serves the demo on http://127.0.0.1:8000; `make test` runs every test.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
export SIMPUL_DATA_DIR ?= var

.DEFAULT_GOAL := help
.PHONY: help install system-deps run test test-fast bench lint clean federation-demo translations screenshots

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "} {printf "  %-12s %s\n", $$1, $$2}'

$(BIN)/.installed: setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[postgresql,elasticsearch,opensearch,test,dev]'
	touch $@

install: $(BIN)/.installed ## Create the virtual environment and install Simpul into it

system-deps: ## Install what the tests use beyond Python (PostgreSQL, a JDK, Maven, Chromium; Debian)
	bash .ci/system-deps

run: install ## Initialise the database, load the demo federation and serve it
	$(BIN)/simpul db upgrade
	$(BIN)/simpul demo
	$(BIN)/simpul serve --host $(HOST) --port $(PORT)

federation-demo: install ## Four nodes (desa, kabkota, provinsi, pusat) as processes; a record travels up
	$(BIN)/python -m simpul.demo.federation

test: install system-deps ## Run the whole test suite (SQLite and a real PostgreSQL)
	$(BIN)/pytest

test-fast: install ## Run the tests without the slow ones
	$(BIN)/pytest -m "not slow"

bench: install ## Run the benchmarks; JSON results on standard output
	bash .ci/system-deps bench
	@echo "The command behind each figure of docs/benchmarks.md:" >&2
	@$(BIN)/python -m bench --commands >&2
	$(BIN)/python -m bench $(BENCH_ARGS)

lint: install ## Check style with ruff and the layers of the code with import-linter
	$(BIN)/ruff check simpul tests bench
	$(BIN)/ruff format --check simpul tests bench
	$(BIN)/lint-imports

MESSAGES := simpul/web/portal/translations
translations: install ## Extract the portal's messages into the Indonesian catalog and compile it
	$(BIN)/pybabel extract -F simpul/web/portal/babel.cfg -k _l -k lazy_gettext -k N_:1,2 -k T_ \
		--no-location --omit-header --sort-output -w 100 -o $(MESSAGES)/messages.pot .
	$(BIN)/pybabel update -i $(MESSAGES)/messages.pot -d $(MESSAGES) -N --ignore-obsolete -w 100
	$(BIN)/pybabel compile -d $(MESSAGES)

screenshots: install system-deps ## Save the portal's main pages as PNG in docs/screenshots (browser tests)
	SIMPUL_SCREENSHOTS=docs/screenshots $(BIN)/pytest -q -m browser tests/web/portal/test_browser.py

clean: ## Remove the virtual environment and local data
	rm -rf $(VENV) var
