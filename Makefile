# gridcase — `make run` brings everything up; `make test` runs the suite.
VENV   ?= .venv
BIN    := $(VENV)/bin
PYTHON ?= python3
PORT   ?= 5000
BIND   ?= 127.0.0.1:$(PORT)
# What `serve` runs before serving: nothing; `make run` seeds the demo county there.
DEMO_STEP ?= true
export FLASK_APP := wsgi

.PHONY: run serve test bench lint install dev-install vendor translations compile-translations clean browser-deps screenshots

# The demo: everything `serve` does, with the demo county seeded once (its accounts listed) before serving.
run: DEMO_STEP = $(BIN)/flask seed-demo --list && echo "password for every demo account: gridcase-demo"
run: serve

# A county's own server (README, "Running it for a real county"): migrate, sync the diagrams, load the calendar and
# taxonomy defaults, then gunicorn with the timer worker beside it — and no demo county, whose password is
# published; `flask setup-county` creates the root unit and first admin. BIND defaults to loopback, for a reverse
# proxy on the same machine.
serve: install compile-translations vendor
	$(BIN)/flask db upgrade
	$(BIN)/flask processes sync
	$(BIN)/flask calendar load-defaults
	$(BIN)/flask taxonomy load-defaults
	$(DEMO_STEP)
	@echo "gridcase on $(BIND)"
	@# The timer worker runs beside gunicorn and stops with it.
	trap 'kill 0' EXIT INT TERM; \
	$(BIN)/flask worker & \
	$(BIN)/gunicorn --bind $(BIND) --access-logfile - wsgi:app

# Lint first: CI fails on any finding before the suite runs.
test: lint compile-translations vendor browser-deps
	$(BIN)/pytest -q --cov --cov-report=term-missing

# Synthetic county in PostgreSQL, gunicorn, a separate load process; see bench/README.md for the knobs.
bench: dev-install compile-translations
	$(BIN)/python -m bench.run

lint: dev-install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# The README's pictures, from the running app (tests/browser/test_screenshots.py).
screenshots: dev-install compile-translations browser-deps
	GRIDCASE_SCREENSHOTS=1 $(BIN)/pytest -q -p no:cacheprovider tests/browser/test_screenshots.py

# The browser tests drive Debian's chromium (never a downloaded browser); installed here when missing and root.
browser-deps:
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; } || \
		echo "chromium is missing and cannot be installed here: the browser tests will be skipped"

install: $(VENV)/.installed
dev-install: $(VENV)/.dev-installed

$(VENV)/.installed: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements-dev.txt $(VENV)/.installed
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

# Front-end packages from the npm registry into app/static/vendor/, not committed: bpmn-js (the diagram view and the
# modeler on the designer pages, the case page's diagram), Leaflet (the dashboard map) and Chart.js (its trend chart).
# Optional: without npm or the registry the designer pages still upload, validate and download, and the dashboard
# shows its tables (the map and chart are additions to them, not replacements).
VENDOR := app/static/vendor
vendor: $(VENDOR)/.installed

$(VENDOR)/.installed: package-lock.json Makefile
	@if command -v npm >/dev/null && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error; then \
	  mkdir -p $(VENDOR)/bpmn-js $(VENDOR)/leaflet $(VENDOR)/chart.js && \
	  cp node_modules/bpmn-js/dist/bpmn-navigated-viewer.production.min.js node_modules/bpmn-js/dist/assets/diagram-js.css \
	     node_modules/bpmn-js/dist/bpmn-modeler.production.min.js node_modules/bpmn-js/dist/assets/bpmn-js.css \
	     $(VENDOR)/bpmn-js/ && \
	  cp -r node_modules/bpmn-js/dist/assets/bpmn-font $(VENDOR)/bpmn-js/ && \
	  cp -r node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.css node_modules/leaflet/dist/images \
	     $(VENDOR)/leaflet/ && \
	  cp node_modules/chart.js/dist/chart.umd.min.js $(VENDOR)/chart.js/ && touch $@; \
	else echo "front-end packages not installed (no npm or no registry): no diagram view, modeler, map or chart"; fi

compile-translations: install
	$(BIN)/pybabel -q compile -d app/translations

# After adding or changing user-visible strings: extract, merge, then translate the new entries.
translations: install
	$(BIN)/pybabel -q extract --no-wrap -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output -o app/translations/messages.pot .
	$(BIN)/pybabel -q update --no-wrap -i app/translations/messages.pot -d app/translations --no-fuzzy-matching

clean:
	rm -rf $(VENV) instance/gridcase.sqlite* .coverage htmlcov node_modules app/static/vendor
