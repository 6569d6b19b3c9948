# Quizcast: `make run` serves the app with demo data; `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run test test-unit test-browser lint format bench bench-smoke compose-check clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,bench]'
	touch $@

install: $(VENV)/.installed

run: install
	DJANGO_SETTINGS_MODULE=config.settings.local $(BIN)/python manage.py migrate --noinput
	DJANGO_SETTINGS_MODULE=config.settings.local $(BIN)/python manage.py collectstatic --noinput -v0
	DJANGO_SETTINGS_MODULE=config.settings.local $(BIN)/python manage.py demo_data
	@echo "Serving Quizcast at http://$(HOST):$(PORT)/ (Ctrl-C to stop)"
	DJANGO_SETTINGS_MODULE=config.settings.local $(BIN)/daphne -b $(HOST) -p $(PORT) config.asgi:application

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: lint test-unit test-browser compose-check

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
	rm -rf $(VENV) staticfiles .pytest_cache
