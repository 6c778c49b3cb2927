# Gesprekstafels: `make run` and `make test` do all set-up on a fresh Debian 12 machine.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PORT ?= 8000
# Order matters: the framework before the scripts that link to it, work forms before blocks.
FIXTURES := fixtures/kader.json fixtures/werkvormen.json fixtures/draaiboeken.json fixtures/waarderend.json fixtures/samenleergesprek.json

.PHONY: run test test-fast check-python install browser messages clean

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

db.sqlite3: $(STAMP) $(FIXTURES)
	$(PY) manage.py migrate --noinput
	$(PY) manage.py loaddata $(FIXTURES)
	@touch db.sqlite3

run: install db.sqlite3
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

# Debian's chromium drives the browser tests; Playwright's own browser download is not used.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium for the browser tests..."; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

test: install browser
	$(PY) -m pytest

test-fast: install
	$(PY) -m pytest -m "not e2e"

messages: install
	cd . && $(PY) manage.py makemessages -l nl --ignore=.venv --ignore=staticfiles && $(PY) manage.py compilemessages -l nl --ignore=.venv

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles
