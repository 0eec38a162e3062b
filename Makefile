# Bridges — every target is listed by `make help`.
SHELL := /bin/bash
PYTHON_BIN ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PORT ?= 8000
SCALE ?= 2000
RECORDS ?= 100000
PYTEST_ARGS ?=
BACKUP_DIR ?= backups

.DEFAULT_GOAL := help
.PHONY: help install messages run migrate demo test test-e2e lint format check bench clean drills topology backup restore

help: ## List every target with one line each
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "} {printf "  %-10s %s\n", $$1, $$2}'

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON_BIN) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

node_modules/.package-lock.json: package-lock.json
	@if command -v npm >/dev/null 2>&1; then npm ci --no-audit --no-fund --silent; \
	else echo "npm not found: the accessibility checks (axe-core) and the HTML checker (vnu-jar) will be skipped"; fi

install: $(STAMP) node_modules/.package-lock.json ## Create .venv and install the pinned requirements (and axe-core)

# Compiled catalogues (.mo) are built here, never committed; needs GNU gettext (msgfmt).
MO_FILES := $(patsubst %.po,%.mo,$(wildcard locale/*/LC_MESSAGES/django.po))

$(MO_FILES): %.mo: %.po
	$(PY) manage.py compilemessages --ignore=.venv --ignore=node_modules --locale=$(word 2,$(subst /, ,$@))

messages: install $(MO_FILES) ## Compile the translation catalogues (locale/*/LC_MESSAGES/*.po) when they changed

migrate: install messages ## Apply database migrations (loads the vocabularies)
	$(PY) manage.py migrate --noinput

demo: migrate ## Load the demo content (idempotent; skipped when unchanged), index it, build the bulk download
	$(PY) manage.py seed_demo --if-changed --index

# Every absolute address the site gives out (emails, feeds, sitemap, API, the Wagtail site record) is built from
# SITE_BASE_URL: `make run PORT=8080` sets it to http://127.0.0.1:8080 unless it is set already.
run demo migrate: export SITE_BASE_URL ?= http://127.0.0.1:$(PORT)

run: demo ## Migrate, load demo content and serve on http://127.0.0.1:8000 (SQLite)
	@echo "Bridges is starting on http://127.0.0.1:$(PORT)/  (demo accounts: see README)"
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

test: install messages ## Run the whole test suite (SQLite by default; set DATABASE_URL for PostgreSQL)
	$(PY) -m pytest -n auto --dist loadgroup $(PYTEST_ARGS)

drills: install messages ## Fault drills: lost database, search and mail outages, full disk, killed worker, backup/restore
	$(PY) -m pytest -m drill -n 0 tests/drills $(PYTEST_ARGS)

topology: install messages ## nginx + two app nodes + workers + scheduler (deploy/) on a fresh PostgreSQL database: drills and smoke test
	bash .ci/topology-drills

backup: install ## Back up the database and uploaded files into BACKUP_DIR (default ./backups), with a manifest
	$(PY) manage.py backup --output-dir $(BACKUP_DIR)

restore: install ## Restore BACKUP=backups/bridges-… into a fresh database (RESTORE_DATABASE_URL, default the site's) and verify it
	@test -n "$(BACKUP)" || { echo "usage: make restore BACKUP=backups/bridges-… [RESTORE_DATABASE_URL=…]"; exit 2; }
	$(PY) manage.py restore $(BACKUP) $(if $(RESTORE_DATABASE_URL),--database-url $(RESTORE_DATABASE_URL))

test-e2e: install messages ## Run only the browser tests (Chromium)
	$(PY) -m pytest -m e2e $(PYTEST_ARGS)

lint: install ## Check code style with ruff and that migrations are complete
	$(VENV)/bin/ruff check .
	$(PY) manage.py makemigrations --check --dry-run

format: install ## Format and fix imports with ruff
	$(VENV)/bin/ruff check --fix --select I .
	$(VENV)/bin/ruff format .

check: install ## Django's deployment checks with the production settings
	DJANGO_SETTINGS_MODULE=hub.settings.production SECRET_KEY=$${SECRET_KEY:-check-only-$$RANDOM-not-a-real-secret-key-0123456789abcdef} ALLOWED_HOSTS=$${ALLOWED_HOSTS:-bridges.example} REDIS_URL=$${REDIS_URL:-redis://127.0.0.1:6379/0} $(PY) manage.py check --deploy --fail-level WARNING

bench: install ## Seed RECORDS objects (RECORDS=0: SCALE only) in a separate database; latency, SQL, budgets per page (BENCH_ARGS=--strict fails over budget)
	$(PY) -m bench --scale $(SCALE) $(if $(filter-out 0,$(RECORDS)),--records $(RECORDS)) $(BENCH_ARGS)

clean: ## Remove the virtual environment, local database, media and caches
	rm -rf $(VENV) db.sqlite3 media staticfiles .pytest_cache .ruff_cache bench-results
