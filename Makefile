# Two commands for a new machine: `make serve` and `make test`. Each sets up what it needs.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: serve test chromium faults bench microbench lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed-app: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --editable .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --editable '.[test]'
	touch $@ $(VENV)/.installed-app

## 1. Serve GraphiQL on the SQLite default (./stepwise.db), with the demo people loaded.
serve: $(VENV)/.installed-app
	$(BIN)/stepwise serve --demo

## 2. Run the whole test suite: unit, integration, e2e and faults, on SQLite and PostgreSQL.
test: $(VENV)/.installed-test chromium
	$(BIN)/pytest

## The browser the evidence-pack tests open pages in: Debian's chromium, installed if missing.
chromium:
	@command -v chromium >/dev/null || { \
	  echo "Installing Debian's chromium for the browser tests (apt-get, as root)"; \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null \
	    || { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null; } \
	    || { echo "Could not install chromium: install Debian's chromium package, then run make test again"; exit 1; }; }

## The fault suite alone (part of `make test`): database crash, projector killed, poison event.
faults: $(VENV)/.installed-test
	$(BIN)/pytest tests/faults -s

## The benchmark, on demand: simulated logs of 100k and 1M events in fresh PostgreSQL schemas
## (`stepwise bench --help` for SQLite and smaller runs); JSON and Markdown in bench-results/.
bench: $(VENV)/.installed-test
	$(BIN)/stepwise bench

## Benchmarks of single mechanisms (time travel, notes, waiting, audit), on demand.
microbench: $(VENV)/.installed-test
	$(BIN)/pytest tests/benchmarks -p no:cacheprovider --override-ini addopts=

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

clean:
	rm -rf $(VENV) build *.egg-info stepwise.db stepwise.db-wal stepwise.db-shm
