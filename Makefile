# Two commands for a new machine: `make serve` and `make test`. Each sets up what it needs.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: serve test chromium graphiql-assets faults bench microbench lint lock clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Exactly the locked versions (hash-checked), then Stepwise itself without resolving anything
# more; a changed lock reinstalls.
$(VENV)/.installed-app: requirements/app.lock pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --requirement requirements/app.lock
	$(BIN)/pip install --quiet --no-deps --editable .
	touch $@

$(VENV)/.installed-test: requirements/test.lock pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --requirement requirements/test.lock
	$(BIN)/pip install --quiet --no-deps --editable .
	touch $@ $(VENV)/.installed-app

## 1. Serve GraphiQL on the SQLite default (./stepwise.db), with the demo people loaded.
serve: $(VENV)/.installed-app
	$(BIN)/stepwise serve --demo

## 2. Run the whole test suite: unit, integration, e2e and faults, on SQLite and PostgreSQL.
test: $(VENV)/.installed-test chromium
	$(BIN)/pytest

## The browser the pack and GraphiQL tests open pages in: Debian's chromium, installed if missing.
chromium:
	@command -v chromium >/dev/null || { \
	  echo "Installing Debian's chromium for the browser tests (apt-get, as root)"; \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null \
	    || { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null; } \
	    || { echo "Could not install chromium: install Debian's chromium package, then run make test again"; exit 1; }; }

## GraphiQL's page assets (committed, so the page needs no network), fetched again from the npm
## registry at the versions pinned in the script; needs npm.
graphiql-assets:
	sh api/graphiql/fetch-assets.sh

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

## Pin every dependency in pyproject.toml, and theirs, with hashes: requirements/test.lock (the
## app and every extra: `make test`) and requirements/app.lock (the app alone, at the versions
## tested: `make serve`, the image). Pins still allowed are kept; `make lock UPGRADE=1` moves
## each package to its newest allowed version. Resolved for Python 3.11 up, on every platform.
LOCK := $(BIN)/uv pip compile pyproject.toml --quiet --universal --python-version 3.11 \
	--generate-hashes --custom-compile-command 'make lock' $(if $(UPGRADE),--upgrade)
lock: $(VENV)/.installed-test
	$(LOCK) --all-extras --output-file requirements/test.lock
	$(LOCK) --constraint requirements/test.lock --output-file requirements/app.lock

clean:
	rm -rf $(VENV) build *.egg-info stepwise.db stepwise.db-wal stepwise.db-shm
