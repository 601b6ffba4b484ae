# Huigong: `make run` sets up and serves the platform; `make test` checks everything.
# Both work on a fresh machine with Python 3.11+ and Node/npm.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev
VENDOR := src/huigong/static/vendor/.stamp
HOST ?= 127.0.0.1
PORT ?= 8000
export PYTHONPATH := src
HUIGONG_TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/huigong

.PHONY: run test setup static migrate demo lint format check test-sqlite test-postgres bench clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(STAMP): requirements.txt pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps -e .
	touch $@

$(DEV_STAMP): requirements-dev.txt $(STAMP)
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

$(VENDOR): node_modules/.package-lock.json scripts/copy_vendor.sh
	bash scripts/copy_vendor.sh
	touch $@

static: $(VENDOR)

setup: $(STAMP) $(VENDOR)

migrate: setup
	mkdir -p var
	$(PY) -m huigong migrate --noinput
	$(PY) -m huigong seed_reference

## Set up (venv, packages, front-end, database, demo county) and serve on http://$(HOST):$(PORT)
run: migrate
	$(PY) -m huigong demo --if-empty
	$(PY) -m huigong runserver $(HOST):$(PORT)

demo: migrate
	$(PY) -m huigong demo --if-empty

lint: $(DEV_STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: $(DEV_STAMP)
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

check: $(DEV_STAMP) $(VENDOR)
	$(PY) -m huigong check --fail-level WARNING
	$(PY) -m huigong makemigrations --check --dry-run

test-sqlite: $(DEV_STAMP) $(VENDOR)
	HUIGONG_DATABASE_URL= $(PY) -m pytest -q $(PYTEST_ARGS)

# Runs when PostgreSQL is reachable; HUIGONG_REQUIRE_POSTGRES=1 (CI) makes its absence an error.
test-postgres: $(DEV_STAMP) $(VENDOR)
	@if $(PY) scripts/pg_reachable.py "$(HUIGONG_TEST_DATABASE_URL)"; then \
		HUIGONG_DATABASE_URL="$(HUIGONG_TEST_DATABASE_URL)" $(PY) -m pytest -q $(PYTEST_ARGS); \
	elif [ "$$HUIGONG_REQUIRE_POSTGRES" = "1" ]; then \
		echo "PostgreSQL required but not reachable at $(HUIGONG_TEST_DATABASE_URL)"; exit 1; \
	else echo "PostgreSQL not reachable: the suite ran on SQLite only"; fi

## ruff, Django checks, then the whole suite on SQLite and (when reachable) PostgreSQL
test: lint check test-sqlite test-postgres

# The browser journeys alone (tests/e2e, marker "browser"; Debian's /usr/bin/chromium).
# `make test` runs them too, in both database runs; PYTEST_ARGS='-m "not browser"' skips them.
.PHONY: test-browser
test-browser: $(DEV_STAMP) $(VENDOR)
	env -u HUIGONG_DATABASE_URL $(PY) -m pytest -q -m browser $(PYTEST_ARGS)

# Translations: extract the Chinese source strings into locale/*/django.po (Django's
# makemessages needs GNU gettext: apt-get install gettext), then compile the .mo files with
# Babel (pinned in requirements-dev.txt, pure Python). The .mo files are committed, so
# running the platform needs neither tool; the test suite checks they match the .po files.
.PHONY: messages compilemessages
messages: $(DEV_STAMP)
	cd src/huigong && PYTHONPATH=$(CURDIR)/src $(CURDIR)/$(PY) -P -m huigong makemessages -l en --no-obsolete
	$(MAKE) compilemessages

compilemessages: $(DEV_STAMP)
	$(VENV)/bin/pybabel compile -d src/huigong/locale -D django

bench: $(DEV_STAMP)
	$(PY) bench/run_all.py

clean:
	rm -rf $(VENV) node_modules src/huigong/static/vendor
