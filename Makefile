PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
# The demo's round trip: the document, and a second SQLite database it is imported into.
DEMO := demo
COPY := DATABASE_URL=sqlite:///$(CURDIR)/$(DEMO)/copy.sqlite3 $(MANAGE)

.PHONY: demo test chromium lint screenshots bench

demo: $(VENV)/.installed-demo
	$(MANAGE) migrate --noinput
	$(MANAGE) seed_demo
	mkdir -p $(DEMO) && rm -f $(DEMO)/copy.sqlite3
	$(MANAGE) export_bakery --output $(DEMO)/bakery.json
	$(COPY) migrate --noinput --verbosity 0
	$(COPY) import_bakery $(DEMO)/bakery.json
	$(COPY) export_bakery --output $(DEMO)/bakery-copy.json
	$(MANAGE) compare_bakery $(DEMO)/bakery.json $(DEMO)/bakery-copy.json
	$(MANAGE) event_progress
	$(MANAGE) event_plan

test: $(VENV)/.installed-test chromium
	$(BIN)/pytest

# The browser tests drive Debian's Chromium (Playwright downloads no browser): installed here
# when missing and this user may install packages; elsewhere those tests are skipped, saying why.
CHROMIUM := /usr/bin/chromium
chromium:
	@if [ -x $(CHROMIUM) ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then sudo=; \
	elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo=sudo; \
	else echo "$(CHROMIUM) is missing and installing it needs root: the browser tests will be skipped"; exit 0; fi; \
	if ! command -v apt-get >/dev/null; then echo "no apt-get: the browser tests will be skipped"; exit 0; fi; \
	echo "Installing Debian's chromium for the browser tests"; \
	$$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq chromium >/dev/null

# The browser tests save their pictures (the import pages, the index, an event's plan, the
# printable plan, a run's form, the fulfillment steps, the pages at 390 px) in docs/ for the
# README (elsewhere they keep them in a temporary directory).
screenshots: $(VENV)/.installed-test
	mkdir -p docs
	BAKERY_SCREENSHOTS=$(CURDIR)/docs $(BIN)/pytest tests/browser

# make bench RUNS=1000000 BENCH_ARGS=--skip-django; with DATABASE_URL set, on PostgreSQL.
RUNS ?= 20000
BENCH_ARGS ?= --repeat 3
bench: $(VENV)/.installed-demo
	$(BIN)/python bench/run.py --runs $(RUNS) $(BENCH_ARGS)

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# The stamps make a repeated run skip pip until pyproject.toml changes.
$(VENV)/.installed-demo: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@
