# The two commands of the README: `make run` serves the site, `make test` passes the suite. Both set up the
# virtualenv from requirements.lock on a fresh machine and reuse it afterwards.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
# The services of the PostgreSQL + Redis + worker pass of `make test` (CI has them on this machine).
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/slipcheck
TEST_REDIS_URL ?= redis://127.0.0.1:6379/15
# bench-dedupe's PostgreSQL database (created if missing) and the number of stored hashes.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/slipcheck_bench
N ?= 1000000
# bench-exports' PostgreSQL database (created if missing; its N rows are kept for the next run).
EXPORTS_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/slipcheck_exports_bench
# bench-load's PostgreSQL database (dropped and created anew each run), its Redis database (flushed), the upload
# rate (uploads/s), how long the load lasts (s), the Celery worker processes, and the most seconds to wait for the
# backlog afterwards. Locust lives in its own virtualenv, pinned by requirements-bench.lock: production never runs it.
LOAD_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/slipcheck_load
LOAD_REDIS_URL ?= redis://127.0.0.1:6379/14
RATE ?= 1
DURATION ?= 60
WORKERS ?= 2
DRAIN ?= 300
BENCH_VENV ?= .venv-bench
BENCH_STAMP := $(BENCH_VENV)/.installed

.PHONY: system-deps setup run test test-sqlite test-services lint format worker messages lock clean bench-dedupe bench-intake bench-load bench-moderation bench-reports bench-exports bench-upload-page

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Tesseract's Russian and English data come from Debian (the tesserocr wheel brings libtesseract itself).
TESSDATA_DEB := tesseract-ocr tesseract-ocr-rus tesseract-ocr-eng
TEST_DEB := chromium gettext
system-deps:
	@if [ -f /usr/share/tesseract-ocr/5/tessdata/rus.traineddata ] && [ -f /usr/share/tesseract-ocr/5/tessdata/eng.traineddata ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get install -y -q $(TESSDATA_DEB) >/dev/null || (apt-get update -q >/dev/null && apt-get install -y -q $(TESSDATA_DEB) >/dev/null); \
	elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then \
		sudo apt-get install -y -q $(TESSDATA_DEB) >/dev/null || (sudo apt-get update -q >/dev/null && sudo apt-get install -y -q $(TESSDATA_DEB) >/dev/null); \
	else \
		echo "Tesseract rus/eng data missing and no root to install them: install $(TESSDATA_DEB) (recognition then runs on PP-OCR alone)"; \
	fi
	@# The browser tests drive Debian's chromium (Playwright's own browser download cannot work here); the
	@# translation tests and `make messages` need gettext.
	@if [ -x /usr/bin/chromium ] && command -v xgettext >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get install -y -q $(TEST_DEB) >/dev/null || (apt-get update -q >/dev/null && apt-get install -y -q $(TEST_DEB) >/dev/null); \
	elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then \
		sudo apt-get install -y -q $(TEST_DEB) >/dev/null || (sudo apt-get update -q >/dev/null && sudo apt-get install -y -q $(TEST_DEB) >/dev/null); \
	else \
		echo "$(TEST_DEB) missing and no root to install them (the browser and catalogue tests skip without them)"; \
	fi

$(STAMP): requirements.lock | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	touch $(STAMP)

setup: system-deps $(STAMP)

# The local settings (DEBUG, SQLite, eager tasks) are picked here: every other entry point defaults to production.
run: export DJANGO_SETTINGS_MODULE = config.settings.local
run: setup
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py setup_demo
	@echo "Serving Slipcheck at http://$(HOST):$(PORT)/  (Ctrl-C stops it)"
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

test: setup lint test-sqlite test-services

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Embedded pass: SQLite, Celery tasks eager; the worker tests skip here and run in the services pass.
test-sqlite: setup
	$(BIN)/pytest

# Services pass: the whole suite on PostgreSQL, with Redis and a real Celery worker. Skipped with a message
# where the services are absent (a laptop); in CI (CI set) their absence is a failure.
test-services: setup
	@if DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) $(BIN)/python scripts/services_up.py; then \
		DATABASE_URL=$(TEST_DATABASE_URL) SLIPCHECK_TEST_REDIS_URL=$(TEST_REDIS_URL) $(BIN)/pytest; \
	elif [ -n "$$CI" ]; then \
		echo "CI is set but PostgreSQL/Redis are not reachable: failing rather than skipping"; exit 1; \
	else \
		echo "PostgreSQL or Redis not reachable: skipped the services pass (set TEST_DATABASE_URL/TEST_REDIS_URL)"; \
	fi

# Production-style worker for a local broker: make worker CELERY_BROKER_URL=redis://127.0.0.1:6379/0
# The worker's beat runs in a child process: its messages reach the worker only through a broker both share
# (Redis), never the in-process memory:// that the embedded site needs no service for.
WORKER_BROKER_URL ?= redis://127.0.0.1:6379/0
worker: export DJANGO_SETTINGS_MODULE = config.settings.local
worker: export CELERY_BROKER_URL := $(or $(CELERY_BROKER_URL),$(WORKER_BROKER_URL))
worker: setup
	@case "$$CELERY_BROKER_URL" in memory://*) \
	  echo "make worker needs a broker shared between processes, e.g. CELERY_BROKER_URL=redis://127.0.0.1:6379/0" >&2; \
	  exit 2;; esac
	CELERY_TASK_ALWAYS_EAGER=0 $(BIN)/celery -A config worker --beat --loglevel=info

# The duplicate lookup with N stored photo hashes on PostgreSQL: p50/p95 and recall (prints the figures).
bench-dedupe: setup
	DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python scripts/create_database.py
	DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python manage.py migrate --noinput -v0
	DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python manage.py bench_dedupe --n $(N)

# A CSV and an XLSX export of N submissions on PostgreSQL (stored first where missing): seconds and peak memory.
bench-exports: setup
	DATABASE_URL=$(EXPORTS_DATABASE_URL) $(BIN)/python scripts/create_database.py
	DATABASE_URL=$(EXPORTS_DATABASE_URL) $(BIN)/python manage.py migrate --noinput -v0
	DATABASE_URL=$(EXPORTS_DATABASE_URL) $(BIN)/python manage.py bench_exports --n $(N) --fill

# Every hostile upload against a real gunicorn on loopback: status, seconds and the worker's peak memory growth.
bench-intake: setup
	$(BIN)/python manage.py bench_intake

# Queries of the queue and review pages with 10 and 10,000 waiting, and a moderator's time per decision in chromium.
bench-moderation: setup
	$(BIN)/pytest -q -s -p no:cacheprovider tests/browser/bench_moderation.py

# The campaign report page's server time (min/median/max ms and queries) for a campaign already seeded in
# BENCH_DATABASE_URL: make bench-reports CAMPAIGN=<slug>; FILL=N first stores N synthetic submissions there.
CAMPAIGN ?= demo
RUNS ?= 5
FILL ?= 0
bench-reports: setup
	DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python scripts/create_database.py
	DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python manage.py migrate --noinput -v0
	DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python manage.py bench_reports --campaign $(CAMPAIGN) --runs $(RUNS) --fill $(FILL)

$(BENCH_STAMP): requirements-bench.lock
	$(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(BENCH_VENV)/bin/python -m pip install --quiet -r requirements-bench.lock
	touch $(BENCH_STAMP)

# The production stack (gunicorn, Celery workers and beat, PostgreSQL, Redis) on loopback under locust at RATE uploads/s
# for DURATION s: uploads/s, errors, upload and upload-to-decision p50/p95/p99, the queue over time, final statuses.
bench-load: setup $(BENCH_STAMP)
	$(BIN)/python manage.py bench_load --rate $(RATE) --duration $(DURATION) --workers $(WORKERS) --drain $(DRAIN) \
		--database-url $(LOAD_DATABASE_URL) --redis-url $(LOAD_REDIS_URL) --locust $(BENCH_VENV)/bin/locust

format: setup
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

messages: setup
	$(BIN)/python manage.py makemessages -l ru --ignore=.venv --ignore=var --no-location
	$(BIN)/python manage.py compilemessages -l ru --ignore=.venv

# After changing dependencies in pyproject.toml: install them into the venv, then pin what is installed.
lock: setup
	$(BIN)/python -m pip freeze --exclude-editable > requirements.lock

clean:
	rm -rf $(VENV) $(BENCH_VENV) .pytest_cache .ruff_cache

# The upload page on a throttled phone (360x800, CPU 4x, Fast 3G): bytes transferred, paint/DOMContentLoaded/load/
# Send-usable times, and a 5 MB camera photo sent with the page's script (shrunk first) and with the plain form.
bench-upload-page: setup
	$(BIN)/pytest -q -s -p no:cacheprovider tests/browser/bench_upload_page.py
