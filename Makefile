# Two commands a newcomer needs: `make up` runs the platform, `make test` proves it.
SHELL := /bin/bash
VENV := .venv/bin
# Tests run their own stack on shifted ports, so they never touch a running `make up`.
TEST_ENV := XUDONG_PORT_OFFSET=10000

.PHONY: bootstrap up test lint bench

bootstrap:
	@bash infra/bootstrap.sh

up: bootstrap
	$(VENV)/xudong up

lint: bootstrap
	$(VENV)/ruff format --check .
	$(VENV)/ruff check .
	$(VENV)/mypy libs/eventbus/src infra/src services/*/src tests libs/eventbus/tests services/*/tests bench conftest.py

test: lint
	$(TEST_ENV) $(VENV)/pytest $(PYTEST_ARGS)

bench: bootstrap
	$(TEST_ENV) $(VENV)/python -m bench

