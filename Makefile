# make run  — the demo on http://127.0.0.1:5000 (bootstraps .venv, migrates, seeds, sends reminders once)
# make test — the whole suite on SQLite, and on PostgreSQL too when TEST_DATABASE_URL is set

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
FLASK := $(BIN)/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test lint format messages translations bootstrap payouts

bootstrap: $(STAMP) translations

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

translations: $(STAMP)
	$(BIN)/pybabel compile -d marketplace/translations >/dev/null

# The demo's local Stripe server: loopback only, its data kept in instance/, the app's
# webhook registered with it. Real Stripe needs only the STRIPE_* variables (see README).
STRIPE_PORT ?= 8420
DEMO_STRIPE = STRIPE_API_BASE=http://127.0.0.1:$(STRIPE_PORT) \
	STRIPE_JS_URL=http://127.0.0.1:$(STRIPE_PORT)/js.stripe.com/v3/ \
	STRIPE_SECRET_KEY=sk_test_demo STRIPE_PUBLISHABLE_KEY=pk_test_demo \
	STRIPE_WEBHOOK_SECRET=whsec_demo_local

run: bootstrap
	mkdir -p instance
	FLASK_DEBUG=1 $(FLASK) db upgrade
	FLASK_DEBUG=1 $(FLASK) catalog import
	FLASK_DEBUG=1 $(FLASK) maintenance import-rules
	FLASK_DEBUG=1 $(FLASK) seed demo
	FLASK_DEBUG=1 $(FLASK) reminders send
	$(BIN)/python -m devtools.localstripe_server --port $(STRIPE_PORT) \
		--store instance/localstripe.pickle \
		--webhook-url http://$(HOST):$(PORT)/checkout/stripe/webhook \
		--webhook-secret whsec_demo_local & \
	stripe_pid=$$!; trap 'kill $$stripe_pid 2>/dev/null' EXIT INT TERM; \
	$(DEMO_STRIPE) FLASK_DEBUG=1 $(FLASK) run --host $(HOST) --port $(PORT)

# Pay the demo shops (the local Stripe server of `make run` must be running).
payouts: bootstrap
	$(DEMO_STRIPE) FLASK_DEBUG=1 $(FLASK) payouts run

# With TEST_DATABASE_URL the SQLite and the PostgreSQL runs go at the same time (the machine
# has two cores); each one's output is printed whole when both have finished. The browser
# tests drive pages, not the database: they run once, in the SQLite run.
test: bootstrap
	$(BIN)/ruff check .
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		echo "== the whole suite on SQLite and, at the same time, on PostgreSQL: $$TEST_DATABASE_URL"; \
		mkdir -p test-artifacts; \
		env -u TEST_DATABASE_URL $(BIN)/python -m pytest \
			> test-artifacts/sqlite.log 2>&1 & sqlite=$$!; \
		$(BIN)/python -m pytest --ignore=tests/browser > test-artifacts/postgresql.log 2>&1; pg=$$?; \
		wait $$sqlite; lite=$$?; \
		echo "== on SQLite"; cat test-artifacts/sqlite.log; \
		echo "== on PostgreSQL"; cat test-artifacts/postgresql.log; \
		test $$lite -eq 0 && test $$pg -eq 0; \
	else \
		env -u TEST_DATABASE_URL $(BIN)/python -m pytest; \
		echo "== TEST_DATABASE_URL is not set: the PostgreSQL run was skipped"; \
	fi
	@if [ -x /usr/bin/chromium ]; then \
		echo "== browser tests (tests/browser): ran in Chromium, $$(/usr/bin/chromium --version 2>/dev/null | head -n1)"; \
	else \
		echo "== browser tests: skipped, /usr/bin/chromium not found (apt-get install chromium)"; \
	fi

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output --ignore-dirs=".* __pycache__" -o marketplace/translations/messages.pot .
	$(BIN)/pybabel update --no-fuzzy-matching -i marketplace/translations/messages.pot -d marketplace/translations
