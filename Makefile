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

.PHONY: run prod dev test setup static collectstatic migrate demo lint layers format check test-sqlite test-postgres bench clean

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
	mkdir -p "$${HUIGONG_VAR_DIR:-var}"
	$(PY) -m huigong migrate --noinput
	$(PY) -m huigong seed_reference

# `make run` serves the demo as production would: DEBUG off (friendly error pages, no URL
# lists), static files from the hashed manifest built by collectstatic, served by
# gunicorn and WhiteNoise. Only the cookies are not `Secure`, as the site is plain http on
# this machine. `make dev` is the developer's server: DEBUG on, autoreload.
RUN_ENV := HUIGONG_DEBUG=0 HUIGONG_SECURE_COOKIES=0 \
	HUIGONG_ALLOWED_HOSTS=$(HOST),127.0.0.1,localhost

# The production static build (hashed names, compressed copies) in HUIGONG_STATIC_ROOT.
collectstatic: setup
	$(RUN_ENV) $(PY) -m huigong collectstatic --noinput --verbosity 0

## Set up (venv, packages, front-end, database, demo county) and serve on http://$(HOST):$(PORT)
run: migrate collectstatic
	$(PY) -m huigong demo --if-empty
	$(RUN_ENV) $(VENV)/bin/gunicorn huigong.wsgi --bind $(HOST):$(PORT) \
		--workers 2 --threads 4 --access-logfile - \
		--logger-class huigong.common.gunicorn_logging.RedactingLogger

## The production shape on this machine: gunicorn (preloaded), Celery worker and beat, on
## PostgreSQL and Redis (HUIGONG_DATABASE_URL, HUIGONG_REDIS_URL …; scripts/prod.sh)
prod: migrate
	HUIGONG_DEBUG=0 $(PY) -m huigong collectstatic --noinput --verbosity 0
	bash scripts/prod.sh

## The same with DEBUG on and the autoreloading development server
dev: migrate
	$(PY) -m huigong demo --if-empty
	$(PY) -m huigong runserver $(HOST):$(PORT)

demo: migrate
	$(PY) -m huigong demo --if-empty

lint: $(DEV_STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(MAKE) --no-print-directory layers

## The import contracts of pyproject.toml ([tool.importlinter]): layers, no cycles
layers: $(DEV_STAMP)
	$(VENV)/bin/lint-imports --no-cache

format: $(DEV_STAMP)
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

check: $(DEV_STAMP) $(VENDOR)
	$(PY) -m huigong check --fail-level WARNING
	$(PY) -m huigong makemigrations --check --dry-run

# Test processes in parallel (pytest-xdist, one test file per process at a time so that
# module fixtures such as the browser start once); PYTEST_WORKERS=0 runs in this process.
PYTEST_WORKERS ?= 2

# The example module (src/huigong/testing/example) is installed only by its own settings:
# its tests prove that an app plugs in through INSTALLED_APPS alone.
EXAMPLE_TESTS := --ds=huigong.testing.example.settings src/huigong/testing/example

test-sqlite: $(DEV_STAMP) $(VENDOR)
	HUIGONG_DATABASE_URL= $(PY) -m pytest -q -n $(PYTEST_WORKERS) --dist loadfile $(PYTEST_ARGS)
	HUIGONG_DATABASE_URL= $(PY) -m pytest -q -n 0 $(EXAMPLE_TESTS)

# Runs when PostgreSQL is reachable; HUIGONG_REQUIRE_POSTGRES=1 (CI) makes its absence an error.
test-postgres: $(DEV_STAMP) $(VENDOR)
	@if $(PY) scripts/pg_reachable.py "$(HUIGONG_TEST_DATABASE_URL)"; then \
		HUIGONG_DATABASE_URL="$(HUIGONG_TEST_DATABASE_URL)" $(PY) -m pytest -q -n $(PYTEST_WORKERS) --dist loadfile $(PYTEST_ARGS) && \
		HUIGONG_DATABASE_URL="$(HUIGONG_TEST_DATABASE_URL)" $(PY) -m pytest -q -n 0 $(EXAMPLE_TESTS); \
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

# The schemathesis run against the OpenAPI document (tests/api/test_fuzz.py, marker "fuzz"),
# deeper than the bounded one `make test` includes: FUZZ_EXAMPLES per operation and mode.
FUZZ_EXAMPLES ?= 60
.PHONY: fuzz
fuzz: $(DEV_STAMP) $(VENDOR)
	env -u HUIGONG_DATABASE_URL HUIGONG_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(PY) -m pytest -q -m fuzz $(PYTEST_ARGS)

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

# The benchmarks' own baselines (django-import-export for P1) live in bench/requirements.txt,
# not in the application's requirements.
bench: $(DEV_STAMP)
	$(PY) -m pip install -q -r bench/requirements.txt
	$(PY) bench/run_all.py

clean:
	rm -rf $(VENV) node_modules src/huigong/static/vendor
