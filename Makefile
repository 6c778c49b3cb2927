# Gesprekstafels: `make run` and `make test` do all set-up on a fresh Debian 12 machine.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PORT ?= 8000
# Order matters: the framework before the scripts that link to it, work forms before blocks.
FIXTURES := fixtures/kader.json fixtures/werkvormen.json fixtures/draaiboeken.json fixtures/waarderend.json fixtures/samenleergesprek.json

.PHONY: run test test-fast lint check-python install browser messages clean forget-empty-db

check-python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' || { \
	  echo "Gesprekstafels needs Python 3.12 or newer (Django 6.1); '$(PYTHON)' is $$($(PYTHON) --version 2>&1)."; \
	  echo "Install Python 3.13 (for example 'pyenv install 3.13', which the .python-version file selects) and run make again."; \
	  exit 1; }

$(STAMP): pyproject.toml | check-python
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

install: check-python $(STAMP)

# A database file that is there but empty (a tool opened it, nothing migrated it) counts as
# none, so `make run` still migrates and loads the fixtures into it.
forget-empty-db:
	@if [ -f db.sqlite3 ] && [ ! -s db.sqlite3 ]; then rm -f db.sqlite3 db.sqlite3-wal db.sqlite3-shm; fi

db.sqlite3: $(STAMP) $(FIXTURES)
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_library $(FIXTURES)
	$(PY) manage.py refresh_legacy_steps
	@touch db.sqlite3

# The app runs under uvicorn (ASGI), as in production, so live screens get changes pushed; it
# reloads when code or templates change (open streams get 2 s, then reconnect to the new process).
# The mail worker (django-tasks-db) runs beside it, in a
# process group of its own so that stopping the server (Ctrl-C) also stops the worker.
RELOAD_DIRS := $(foreach dir,gesprekstafels kader draaiboeken sessies templates locale,--reload-dir $(dir))
run: install forget-empty-db db.sqlite3
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	$(PY) manage.py retry_deliveries --stuck
	setsid $(PY) manage.py db_worker & worker=$$!; \
	trap 'kill -TERM -- -$$worker 2>/dev/null' EXIT INT TERM; \
	echo "Gesprekstafels: http://127.0.0.1:$(PORT)/"; \
	$(VENV)/bin/uvicorn gesprekstafels.asgi:application --host 127.0.0.1 --port $(PORT) \
	  --reload $(RELOAD_DIRS) --reload-include '*.html' --reload-include '*.mo' --timeout-graceful-shutdown 2

# Debian's chromium drives the browser tests; Playwright's own browser download is not used.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium for the browser tests..."; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

# The cheap gates (about two seconds together): lint, formatting, and no model change without its
# migration. An in-memory database, so the check never leaves an empty db.sqlite3 behind for `make run`.
lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DATABASE_URL=sqlite://:memory: $(PY) manage.py makemigrations --check --dry-run

test: install browser lint
	$(PY) -m pytest

test-fast: install
	$(PY) -m pytest -m "not e2e"

messages: install
	cd . && $(PY) manage.py makemessages -l nl --ignore=.venv --ignore=staticfiles && $(PY) manage.py compilemessages -l nl --ignore=.venv

clean:
	rm -rf $(VENV) db.sqlite3 db.sqlite3-wal db.sqlite3-shm staticfiles
