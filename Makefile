# Two commands matter: `make run` and `make test`. Everything else supports them.
SHELL := /bin/bash
PYTHON ?= python3.11
export PYTHON
VENV := .venv
BIN := $(VENV)/bin
# Stamps: the app with the dev extras and liiatools (make test, setup); what `make run` needs
# (pyproject.toml's dependencies); npm ci and the asset build.
STAMP := $(VENV)/.installed
RUN_STAMP := $(VENV)/.installed-run
ASSETS := static/build/.built
export PATH := $(CURDIR)/$(BIN):$(PATH)
# Installs are in scripts/setup.sh (uv, pip as the fallback); the Python packages and the
# front-end assets are installed side by side (make -j2): downloads overlap the build.
SUBMAKE := $(MAKE) --no-print-directory -j2

.PHONY: run test setup lint migrate seed stop clean bench browser-deps backup restore

$(BIN)/python:
	@scripts/setup.sh venv

$(RUN_STAMP): $(BIN)/python pyproject.toml
	@scripts/setup.sh python-run
	@touch $(RUN_STAMP)

$(STAMP): $(BIN)/python pyproject.toml
	@scripts/setup.sh python-dev
	@touch $(STAMP) $(RUN_STAMP)

$(ASSETS): package.json package-lock.json
	@scripts/setup.sh assets
	@touch $(ASSETS)

## Everything `make test` and CI need (the dev extras too). Skipped when nothing changed.
setup:
	@$(SUBMAKE) $(STAMP) $(ASSETS)

## Set up and start web, Celery worker and beat on http://127.0.0.1:8000 (Ctrl-C stops all;
## PORT=8001 make run for another port). Installs only what running needs.
run:
	@$(SUBMAKE) $(RUN_STAMP) $(ASSETS)
	$(BIN)/python scripts/run.py

## The whole suite: unit, integration (PostgreSQL, Redis), browser; one pytest-xdist worker per
## core (JOBS=1 for a single process), each with its own test database and Redis database.
JOBS ?= auto
test: setup
	$(BIN)/pytest -n $(JOBS) $(ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check . || true

migrate: $(RUN_STAMP)
	$(BIN)/python manage.py migrate

seed: $(RUN_STAMP)
	$(BIN)/python manage.py seed_demo

## Stop the embedded PostgreSQL and Redis that `make run` or `make test` started.
stop:
	$(BIN)/python -c "from cpcases.core import devservices as d; d.stop_embedded_postgres(); d.stop_embedded_redis()"

## PostgreSQL and every document into backups/<UTC time>/ (README: Backup and restore).
backup: $(RUN_STAMP)
	$(BIN)/python scripts/backup.py backup

## Into the (new, empty) database named by DATABASE_URL: make restore FROM=backups/<time>
restore: $(RUN_STAMP)
	$(BIN)/python scripts/backup.py restore $(FROM)

## Every benchmark (bench/); BENCH_ARGS="--only load --load-children 300 --load-known 2000"
bench: setup
	$(BIN)/python bench/run_all.py $(BENCH_ARGS)

clean: stop
	rm -rf $(VENV) node_modules var staticfiles
