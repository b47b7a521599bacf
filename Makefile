# The two commands: `make run` (serve the demo) and `make test` (the whole suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
VENDOR := helpdesk/static/vendor
DSFR := node_modules/@gouvfr/dsfr/dist
CHROMIUM ?= $(or $(HELPDESK_TEST_CHROMIUM),/usr/bin/chromium)
# `make run` starts the reference dossier service beside the helpdesk (demo secret only).
DOSSIERS_PORT ?= 8001
DEMO_EVENTS_SECRET := demo-dossier-events-secret
# The token the dossier service requires, and its API key on the helpdesk (demo values only).
DEMO_DOSSIERS_TOKEN := demo-dossiers-token
DEMO_DOSSIERS_KEY := anef_00000000d0c5_demo-dossier-service-key-not-secret-xxxxxxx

.PHONY: run test lint format bench bench-scale bench-suggest bench-peer bench-intake bench-incidents install install-dev assets locale messages migrate seed clean check-chromium

run: install assets locale
	$(BIN)/helpdesk migrate
	$(BIN)/helpdesk seed-demo --if-empty
	HELPDESK_API_CLIENT_KEY="$${DOSSIERS_REFERENCE_WEBHOOK_KEY:-$(DEMO_DOSSIERS_KEY)}" \
	  $(BIN)/helpdesk api-client create --if-missing --scope dossier-events:write \
	  --name "Service de dossiers de référence (démo)"
	$(BIN)/helpdesk kb import knowledge_base/seed
	@echo "Assistance ANEF : http://127.0.0.1:8000 (Ctrl-C pour arrêter)"
	@echo "Service de dossiers de référence : http://127.0.0.1:$(DOSSIERS_PORT)/api/v1/schema"
	@export HELPDESK_DOSSIER_EVENTS_SECRET="$${HELPDESK_DOSSIER_EVENTS_SECRET:-$(DEMO_EVENTS_SECRET)}"; \
	export HELPDESK_DOSSIERS_TOKEN="$${HELPDESK_DOSSIERS_TOKEN:-$(DEMO_DOSSIERS_TOKEN)}"; \
	export DOSSIERS_REFERENCE_WEBHOOK_KEY="$${DOSSIERS_REFERENCE_WEBHOOK_KEY:-$(DEMO_DOSSIERS_KEY)}"; \
	$(BIN)/helpdesk dossiers-reference serve --port $(DOSSIERS_PORT) \
	  --database var/dossiers-reference.db \
	  --webhook-url http://127.0.0.1:8000/api/v1/dossier-events & \
	dossiers=$$!; trap 'kill $$dossiers 2>/dev/null; wait $$dossiers 2>/dev/null' EXIT INT TERM; \
	HELPDESK_DOSSIERS_URL=http://127.0.0.1:$(DOSSIERS_PORT) $(BIN)/helpdesk serve

test: install-dev assets locale check-chromium
	$(BIN)/pytest

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy helpdesk knowledge_base routing dossiers

format: install-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: install-dev bench-suggest
	HELPDESK_BENCH_DATABASE_URL=$${HELPDESK_BENCH_DATABASE_URL-$$HELPDESK_TEST_DATABASE_URL} \
	HELPDESK_BENCH_REDIS_URL=$${HELPDESK_BENCH_REDIS_URL-$$HELPDESK_TEST_REDIS_URL} \
	$(BIN)/python bench/bench_core.py
	HELPDESK_BENCH_DATABASE_URL=$${HELPDESK_BENCH_DATABASE_URL-$$HELPDESK_TEST_DATABASE_URL} \
	HELPDESK_BENCH_REDIS_URL=$${HELPDESK_BENCH_REDIS_URL-$$HELPDESK_TEST_REDIS_URL} \
	$(BIN)/python bench/bench_faults.py
	$(BIN)/python bench/bench_routing.py
	$(BIN)/python bench/incident_suggestions.py
	HELPDESK_BENCH_DATABASE_URL=$${HELPDESK_BENCH_DATABASE_URL-$$HELPDESK_TEST_DATABASE_URL} \
	$(BIN)/python bench/bench_intake.py
	HELPDESK_BENCH_DATABASE_URL=$${HELPDESK_BENCH_DATABASE_URL-$$HELPDESK_TEST_DATABASE_URL} \
	$(BIN)/python bench/bench_scale.py

# The scale benchmark alone (10k and 100k tickets; HELPDESK_BENCH_MILLION=1 adds 1M).
bench-scale: install-dev
	HELPDESK_BENCH_DATABASE_URL=$${HELPDESK_BENCH_DATABASE_URL-$$HELPDESK_TEST_DATABASE_URL} \
	$(BIN)/python bench/bench_scale.py

# Side by side with django-helpdesk 2.6.1 (opt-in, not in `make bench`): builds the peer's
# virtualenv once in var/peer/venv from the package registry; PostgreSQL only.
bench-peer: install-dev
	HELPDESK_BENCH_DATABASE_URL=$${HELPDESK_BENCH_DATABASE_URL-$$HELPDESK_TEST_DATABASE_URL} \
	$(BIN)/python bench/bench_peer.py

# Intake throughput under load (contact form, API, suggestions; PostgreSQL only).
bench-intake: install-dev
	HELPDESK_BENCH_DATABASE_URL=$${HELPDESK_BENCH_DATABASE_URL-$$HELPDESK_TEST_DATABASE_URL} \
	$(BIN)/python bench/bench_intake.py

bench-suggest: install-dev
	$(BIN)/python bench/bench_suggest.py

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Runtime dependencies, pinned by constraints.txt.
$(VENV)/.installed: $(BIN)/python pyproject.toml constraints.txt
	$(BIN)/pip install --quiet -c constraints.txt -e .
	touch $@

# Runtime and development dependencies (tests, lint, benchmarks).
$(VENV)/.installed-dev: $(BIN)/python pyproject.toml constraints.txt
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

node_modules/.installed: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund
	touch $@

# DSFR and htmx are copied from node_modules, never committed nor fetched from a CDN;
# axe-core too, for the accessibility checks of the browser tests (no page loads it).
$(VENDOR)/.copied: node_modules/.installed
	rm -rf $(VENDOR)
	mkdir -p $(VENDOR)/dsfr/utility
	cp $(DSFR)/dsfr.min.css $(DSFR)/dsfr.module.min.js $(DSFR)/dsfr.nomodule.min.js $(VENDOR)/dsfr/
	cp -r $(DSFR)/fonts $(DSFR)/icons $(DSFR)/favicon $(VENDOR)/dsfr/
	cp $(DSFR)/utility/utility.min.css $(VENDOR)/dsfr/utility/
	cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/htmx.min.js
	cp node_modules/axe-core/axe.min.js $(VENDOR)/axe.min.js
	touch $@

assets: $(VENDOR)/.copied

# gettext catalogs of the public pages: the .po files are committed, the .mo files compiled here.
locale: install
	$(BIN)/pybabel compile -d helpdesk/locale -D messages

# Re-extract the messages and merge them into the catalogs (then translate helpdesk/locale/en).
messages: install
	$(BIN)/pybabel extract -F babel.cfg -k N_ -k t:2 --no-wrap --sort-by-file -o helpdesk/locale/messages.pot .
	$(BIN)/pybabel update -i helpdesk/locale/messages.pot -d helpdesk/locale -D messages --no-wrap

check-chromium:
	@test -x "$(CHROMIUM)" || { \
	  echo "Chromium est introuvable ($(CHROMIUM)). Installez celui de Debian, en root :"; \
	  echo "    apt-get install -y chromium"; \
	  echo "ou indiquez son chemin dans HELPDESK_TEST_CHROMIUM. Aucun navigateur n'est téléchargé."; \
	  exit 1; }

migrate: install
	$(BIN)/helpdesk migrate

seed: install
	$(BIN)/helpdesk seed-demo

clean:
	rm -rf $(VENV) node_modules $(VENDOR) var .pytest_cache .mypy_cache .ruff_cache

# Precision, recall and speed of the incident suggestions on bench/data/incident_links.jsonl.
bench-incidents: install-dev
	$(BIN)/python bench/incident_suggestions.py
