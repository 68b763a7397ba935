# Here to Help: the two commands a newcomer needs are `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON_VERSION := $(shell cat .python-version)
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.9
STAMP := $(VENV)/.installed

# Rasa 3.6 needs Python 3.10 exactly. Look for it where pyenv, the system or the user may have put it.
PYTHON310 := $(firstword $(wildcard \
	$(HOME)/.pyenv/versions/$(PYTHON_VERSION)/bin/python \
	$(PYENV_ROOT)/versions/$(PYTHON_VERSION)/bin/python \
	$(HOME)/.pyenv/versions/3.10.*/bin/python \
	/usr/local/bin/python3.10 /usr/bin/python3.10) \
	$(shell command -v python3.10 2>/dev/null))

.PHONY: help install run test bench bench-large lint format lock clean train

help:
	@echo "make run    install, build the demo database, train if needed, start everything"
	@echo "make test   install and run the tests"
	@echo "make bench  routing accuracy, speed and training benchmarks, through Rasa too (docs/benchmarks.md, ~5 min)"
	@echo "make bench-large  the same, plus training on generated 1,712- and 5,000-service directories (~30 min)"
	@echo "make lint   ruff check, format check and mypy (bot, actions)"

$(STAMP): requirements/requirements.lock requirements/dev.lock pyproject.toml .python-version
	@if [ -z "$(PYTHON310)" ]; then \
		echo "error: Python $(PYTHON_VERSION) (3.10.x) is needed for Rasa 3.6 and was not found." >&2; \
		echo "       Install it, e.g. 'pyenv install $(PYTHON_VERSION)', or put python3.10 on PATH." >&2; \
		exit 1; fi
	@if [ ! -x $(BIN)/python ] || ! $(BIN)/python -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))'; then \
		rm -rf $(VENV); echo "Creating $(VENV) with $(PYTHON310)"; $(PYTHON310) -m venv $(VENV); fi
	$(BIN)/python -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"
	$(BIN)/uv pip sync --python $(BIN)/python requirements/requirements.lock requirements/dev.lock
	$(BIN)/uv pip install --python $(BIN)/python --no-deps -e .
	@touch $(STAMP)

install: $(STAMP)

lock: $(STAMP)
	$(BIN)/uv pip compile --python-version 3.10 --python-platform x86_64-manylinux_2_28 requirements/requirements.in -o requirements/requirements.lock
	$(BIN)/uv pip compile --python-version 3.10 --python-platform x86_64-manylinux_2_28 requirements/dev.in -o requirements/dev.lock

run: install
	$(BIN)/here-to-help run

train: install
	$(BIN)/here-to-help train

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: install
	$(BIN)/python -m bench.run --rasa

bench-large: install
	$(BIN)/python -m bench.run --rasa --large

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf var models .rasa .pytest_cache .ruff_cache
