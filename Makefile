# Two commands on a fresh machine: `make run` (the product on its embedded defaults)
# and `make test` (the whole test suite). Everything else is a convenience.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PYTEST_ARGS ?=

.PHONY: run install test ci bench typecheck clean

$(STAMP): setup.cfg pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# The product with the bundled sample sources harvested, on http://127.0.0.1:5000 (`oer demo`;
# data in ./instance). DEMO_ARGS passes options through, e.g. DEMO_ARGS="--port 8000".
DEMO_ARGS ?=
run: $(STAMP)
	$(BIN)/oer demo $(DEMO_ARGS)

install: $(STAMP)

# Serial on purpose: the real-service tests share one server of each kind, and not all of them
# isolate their names per pytest-xdist worker yet. PYTEST_ARGS passes options through (-k, -x).
test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# What CI runs: installs and starts PostgreSQL, Redis, Elasticsearch and Chromium, then `make test`.
ci:
	bash .ci/run

typecheck: $(STAMP)
	$(BIN)/mypy metadata harvester oer/search

bench: $(STAMP)
	$(BIN)/python -m benchmarks.normalize

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .hypothesis
