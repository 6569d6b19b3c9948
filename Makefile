# Quizcast: `make run` serves a classroom (every network of this machine) with demo data; `make test` runs the whole
# suite; `make dev` serves this machine only, with DEBUG on.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# `HOST=127.0.0.1 make run`: this machine only.
HOST ?= 0.0.0.0
PORT ?= 8000

.PHONY: install js-tools messages compile-messages run dev test test-unit test-js test-browser lint format bench bench-smoke compose-check clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,bench]'
	touch $@

install: $(VENV)/.installed js-tools compile-messages

# The formatter and linter of static/js (Biome, pinned in package-lock.json): development tools only, the app loads
# nothing from node_modules. Without npm (a classroom laptop running `make run`) install goes on without them; `make
# lint` and `make format` need them.
JS_TOOLS := node_modules/.bin/biome

js-tools:
	@if command -v npm >/dev/null 2>&1; then \
		$(MAKE) --no-print-directory node_modules/.installed; \
	else \
		echo "npm not found (Node.js 20+): the JavaScript formatter and linter are not installed; make lint needs them"; \
	fi

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# The languages Quizcast is translated into (config/settings/base.py LANGUAGES, English being the source).
LANGUAGES := it es pl de

# Build the .mo files the server reads from the committed .po catalogues (GNU gettext if present, else polib).
compile-messages: $(VENV)/.installed
	DJANGO_SETTINGS_MODULE=config.settings.local $(BIN)/python -m config.compile_catalogues

# Collect every marked string into locale/<lang>/LC_MESSAGES/django.po (needs GNU gettext), then compile. The
# pages' JavaScript takes its strings from the templates, so the django domain holds them all. Untranslated
# strings are listed by tests/i18n/test_catalogues.py.
messages: $(VENV)/.installed
	@command -v xgettext >/dev/null 2>&1 || { echo "make messages needs GNU gettext: apt-get install -y gettext"; exit 1; }
	DJANGO_SETTINGS_MODULE=config.settings.local $(BIN)/python manage.py makemessages --domain django \
		$(foreach lang,$(LANGUAGES),--locale $(lang)) --add-location file --no-obsolete \
		--ignore '.venv/*' --ignore 'bench/*' --ignore 'tests/*' --ignore 'staticfiles/*' --ignore 'static/vendor/*' \
		--ignore 'docs/*' --ignore 'build/*' --ignore 'node_modules/*'
	$(MAKE) compile-messages

# The production server over plain HTTP: .env with a generated key, migrate, collectstatic, demo data, then the
# address to give the class (config/classroom.py).
run: install
	$(BIN)/python -m config.classroom --host $(HOST) --port $(PORT)

# Development: DEBUG on, static files straight from static/, this machine only.
dev: install
	DJANGO_SETTINGS_MODULE=config.settings.local $(BIN)/python manage.py migrate --noinput
	DJANGO_SETTINGS_MODULE=config.settings.local $(BIN)/python manage.py demo_data
	@echo "Serving Quizcast for development at http://127.0.0.1:$(PORT)/ (Ctrl-C to stop)"
	DJANGO_SETTINGS_MODULE=config.settings.local $(BIN)/python -m config.serve --host 127.0.0.1 --port $(PORT)

# mypy with django-stubs over the apps ([tool.mypy] in pyproject.toml: strict on realtime/).
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	@test -x $(JS_TOOLS) || { echo "make lint needs npm (Node.js 20+) for the JavaScript checks"; exit 1; }
	$(JS_TOOLS) check --error-on-warnings static/js tests/js

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .
	@test -x $(JS_TOOLS) || { echo "make format needs npm (Node.js 20+) for the JavaScript"; exit 1; }
	$(JS_TOOLS) check --write static/js tests/js

# The unit and browser suites run side by side, each in its own pytest process (the browser tests need one of their
# own, see test-browser), and each one's output is printed whole when it ends: on 2 cores the suite took 10.6 minutes
# this way and 16.3 one after the other.
test: lint test-js compose-check
	$(MAKE) --no-print-directory -j2 --output-sync=target test-unit test-browser

# The page modules that run without a page (static/js/countdown.js), under Node's own test runner.
test-js:
	@if command -v node >/dev/null 2>&1; then \
		node --test tests/js/; \
	else \
		echo "test-js: node is not installed (Node.js 20+); the JavaScript unit tests are skipped"; \
	fi

test-unit: install
	$(BIN)/python -m pytest

# Browser tests keep an event loop in the main thread, so they run in a pytest invocation of their own.
test-browser: install
	DJANGO_ALLOW_ASYNC_UNSAFE=true $(BIN)/python -m pytest -m browser -p no:cacheprovider

bench: install
	$(BIN)/python -m bench.run

bench-smoke: install
	$(BIN)/python -m bench.run --smoke

# docker-compose.yml must be valid for docker-compose itself and for the compose specification. The variables .env
# must set get stand-in values here; .env.example gives the rest.
compose-check: install
	@if command -v docker-compose >/dev/null 2>&1; then \
		SECRET_KEY=check ALLOWED_HOSTS=check POSTGRES_PASSWORD=check \
			docker-compose --env-file .env.example -f docker-compose.yml config -q && echo "docker-compose: ok"; \
	else \
		echo "compose-check: docker-compose is not installed (apt-get install docker-compose); skipping its check"; \
	fi
	$(BIN)/check-jsonschema --builtin-schema vendor.compose-spec docker-compose.yml

clean:
	rm -rf $(VENV) staticfiles .pytest_cache node_modules
