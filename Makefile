# Two commands on a fresh machine: `make run` (the product on its embedded defaults)
# and `make test` (the whole test suite). Everything else is a convenience.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
TEST_STAMP := $(VENV)/.test-installed-stamp
PYTEST_ARGS ?=

.PHONY: run install install-test test fuzz ci bench typecheck lint lock clean

# Installs come from the hashed locks in requirements/ (every transitive dependency pinned;
# README "Dependencies"), then the project itself without dependencies. The lock carries pip and
# setuptools too, so the editable build needs nothing from outside it (--no-build-isolation).
$(STAMP): requirements/product.txt setup.cfg pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements/product.txt
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

# The test tools on top of the product: the test lock is a superset of the product lock with
# the same pins (it is compiled with the product lock as a constraint).
$(TEST_STAMP): $(STAMP) requirements/test.txt
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements/test.txt
	touch $(TEST_STAMP)

# The product with the bundled sample sources harvested, on http://127.0.0.1:5000 (`oer demo`;
# data in ./instance). DEMO_ARGS passes options through, e.g. DEMO_ARGS="--port 8000".
DEMO_ARGS ?=
run: $(STAMP)
	$(BIN)/oer demo $(DEMO_ARGS)

install: $(STAMP)

install-test: $(TEST_STAMP)

# Serial on purpose: the real-service tests share one server of each kind, and not all of them
# isolate their names per pytest-xdist worker yet. PYTEST_ARGS passes options through (-k, -x).
test: $(TEST_STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The fuzzers of tests/fuzz with 20 000 examples each instead of `make test`'s 100 (a quarter of an hour).
fuzz: $(TEST_STAMP)
	HYPOTHESIS_PROFILE=fuzz $(BIN)/python -m pytest tests/fuzz $(PYTEST_ARGS)

# What CI runs: installs and starts PostgreSQL, Redis, Elasticsearch, OpenSearch and Chromium, then
# `make lint` and `make test`.
ci:
	bash .ci/run

# Every product package; mypy's strictness is set in setup.cfg, ruff's rules in pyproject.toml.
MYPY_PATHS := metadata harvester oer web
typecheck: $(TEST_STAMP)
	$(BIN)/mypy $(MYPY_PATHS)

lint: $(TEST_STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy $(MYPY_PATHS)

# Regenerates the locks from setup.cfg, keeping every existing pin that still fits (so adding a
# dependency adds only what it needs). UPGRADE=1 moves everything to the newest versions;
# UPGRADE_PACKAGE="babel flask" only those. The lock tool runs from its own venv, so the
# product's venv holds exactly the lock. --universal: one lock for every platform and Python
# >= 3.11 (a developer's machine, CI and the python:3.11 image).
LOCK_VENV ?= .venv-lock
UV := $(LOCK_VENV)/bin/uv
COMPILE = $(UV) pip compile --quiet --universal --python-version 3.11 --generate-hashes \
	--custom-compile-command 'make lock' $(if $(UPGRADE),--upgrade) \
	$(addprefix --upgrade-package ,$(UPGRADE_PACKAGE))

$(UV): requirements/tools.txt
	test -x $(LOCK_VENV)/bin/python || $(PYTHON) -m venv $(LOCK_VENV)
	$(LOCK_VENV)/bin/python -m pip install --quiet --require-hashes -r requirements/tools.txt
	touch $(UV)

lock: $(UV)
	$(COMPILE) -o requirements/tools.txt requirements/tools.in
	$(COMPILE) -o requirements/product.txt setup.cfg requirements/installer.in
	$(COMPILE) -o requirements/test.txt --extra test -c requirements/product.txt \
		setup.cfg requirements/installer.in

# Every benchmark, one after the other (they measure the machine, so never two at once); each
# writes its section of docs/benchmarks.md. BENCHMARKS=normalize runs one; the search and
# relevance benchmarks also measure Elasticsearch when OER_SEARCH_URL is set, and the relevance
# benchmark OpenSearch with OPENSEARCH_URL=opensearch+http://HOST:PORT.
BENCHMARKS ?= normalize search relevance harvest harvest_parts oai web insights
bench: $(TEST_STAMP)
	@set -e; for name in $(BENCHMARKS); do \
		echo "== benchmarks.$$name"; \
		case $$name in \
			relevance) $(BIN)/python -m benchmarks.relevance $(if $(OPENSEARCH_URL),--opensearch-url $(OPENSEARCH_URL)) ;; \
			*) $(BIN)/python -m benchmarks.$$name ;; \
		esac; \
	done

clean:
	rm -rf $(VENV) $(LOCK_VENV) .pytest_cache .mypy_cache .hypothesis
