# Two commands matter: `make run` and `make test`. Everything else supports them.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export PATH := $(CURDIR)/$(BIN):$(PATH)

.PHONY: run test setup lint migrate seed stop clean bench browser-deps backup restore

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml package.json
	@echo "[setup] installing the Python packages (pyproject.toml) ..."
	$(BIN)/pip install --quiet -e '.[dev]'
	$(BIN)/pip install --quiet --no-deps 'liiatools==0.2.0'
	@echo "[setup] installing the front-end packages (package.json) and building the assets ..."
	npm ci --no-audit --no-fund --silent || npm install --no-audit --no-fund --silent
	npm run --silent build
	touch $(STAMP)
	@echo "[setup] done (skipped next time until pyproject.toml or package.json changes)"

setup: $(STAMP)

## Set up and start web, Celery worker and beat on http://127.0.0.1:8000 (Ctrl-C stops all).
run: setup
	$(BIN)/python scripts/run.py

## The whole suite: unit, integration (PostgreSQL, Redis), browser; one pytest-xdist worker per
## core (JOBS=1 for a single process), each with its own test database and Redis database.
JOBS ?= auto
test: setup
	$(BIN)/pytest -n $(JOBS) $(ARGS)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check . || true

migrate: setup
	$(BIN)/python manage.py migrate

seed: setup
	$(BIN)/python manage.py seed_demo

## Stop the embedded PostgreSQL and Redis that `make run` or `make test` started.
stop:
	$(BIN)/python -c "from cpcases.core import devservices as d; d.stop_embedded_postgres(); d.stop_embedded_redis()"

## PostgreSQL and every document into backups/<UTC time>/ (README: Backup and restore).
backup: setup
	$(BIN)/python scripts/backup.py backup

## Into the (new, empty) database named by DATABASE_URL: make restore FROM=backups/<time>
restore: setup
	$(BIN)/python scripts/backup.py restore $(FROM)

## Every benchmark (bench/); BENCH_ARGS="--only load --load-children 300 --load-known 2000"
bench: setup
	$(BIN)/python bench/run_all.py $(BENCH_ARGS)

clean: stop
	rm -rf $(VENV) node_modules var staticfiles
