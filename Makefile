# Two commands on a fresh machine: `make run` (the product on its embedded defaults)
# and `make test` (the whole test suite). Everything else is a convenience.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PYTEST_ARGS ?=

.PHONY: run test bench typecheck clean

$(STAMP): setup.cfg pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/oer --help

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

typecheck: $(STAMP)
	$(BIN)/mypy metadata harvester oer/search

bench: $(STAMP)
	$(BIN)/python -m benchmarks.normalize

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .hypothesis
