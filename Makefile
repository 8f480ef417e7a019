# The two commands of README.md: `make demo` (set up, load demo data, serve) and `make test` (set up, run everything).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test browser lint typecheck pytest bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11 or newer is needed"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/kg demo run

# Debian's chromium for the browser tests (no browser download; skipped with a reason when unavailable).
browser:
	bash .ci/install-browser.sh

test: $(STAMP) browser lint typecheck pytest

lint: $(STAMP)
	$(BIN)/ruff check kg_service tests bench
	$(BIN)/ruff format --check kg_service tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	$(BIN)/pytest $(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .kg-data .pytest_cache .mypy_cache .ruff_cache
