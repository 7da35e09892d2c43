# The README's Quick start: `make demo` and `make test`. Both create the virtualenv first.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# make test builds a fixed, seeded data set so that every run checks the same numbers.
TEST_SCALE ?= small
TEST_SEED ?= 42
TEST_END_DATE ?= 2026-09-30
TEST_ENV := CSM_RAW_DIR=$(CURDIR)/data/test/raw CSM_DUCKDB_PATH=$(CURDIR)/data/test/customer_success.duckdb \
	CSM_SERVING_PATH=$(CURDIR)/data/test/serving/customer_success.duckdb \
	CSM_SITE_DIR=$(CURDIR)/data/test/site CSM_SCREENSHOT_DIR=$(CURDIR)/data/test/screenshots \
	DBT_SEND_ANONYMOUS_USAGE_STATS=False

.PHONY: venv demo test lint test-data build-test docs pytest browser clean bench bench-floor cross-engine

$(STAMP): pyproject.toml constraints.txt
	@echo "==> creating $(VENV) with $(PYTHON)"
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]'
	@touch $(STAMP)

venv: $(STAMP)

demo: venv
	$(BIN)/csm demo --scale small

lint: venv
	@echo "==> ruff"
	$(BIN)/ruff check scripts tests/python
	$(BIN)/ruff format --check scripts tests/python
	@echo "==> sqlfluff"
	@mkdir -p data/test
	$(TEST_ENV) $(BIN)/sqlfluff lint models analyses tests --processes 2

test-data: venv
	$(TEST_ENV) $(BIN)/csm generate --scale $(TEST_SCALE) --seed $(TEST_SEED) \
		--end-date $(TEST_END_DATE) --if-missing

# every test on every row, unit tests included, also when the warehouse is already built
build-test: test-data
	$(TEST_ENV) $(BIN)/csm build --test-all-rows

# The dbt docs site (manifest and catalog) of the test warehouse that build-test made: it
# fails when a model or a doc block no longer compiles or the catalog cannot be read.
docs: venv
	$(TEST_ENV) $(BIN)/dbt docs generate --project-dir $(CURDIR) --profiles-dir $(CURDIR)

# Debian's headless Chromium and its driver for the dashboard tests (Selenium drives them; no
# browser or driver is downloaded at test time). Installed when missing: CI runs as root.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
browser:
	@if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then \
		echo "==> installing Debian's chromium and chromium-driver"; \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium chromium-driver; \
	fi

pytest: venv browser
	$(TEST_ENV) $(BIN)/pytest

test: lint build-test docs pytest
	@echo "==> make test passed"

clean:
	rm -rf $(VENV) target logs data/test

# Benchmark (not a test): generation, a full build and two one-day incremental builds per scale.
SCALES ?= small,medium,large
bench: venv
	$(BIN)/python scripts/bench.py --scales $(SCALES)

# The floor of a full build at one scale (after `make bench` at it): the least work any design
# of the project does (events stored, usage grains, windows, the public marts, their keys) and
# dbt's own cost per node, timed one statement at a time.
SCALE ?= large
bench-floor: venv
	$(BIN)/python scripts/bench_floor.py --scale $(SCALE)

# The same project on PostgreSQL and Spark (tiny data): installs and starts PostgreSQL on
# loopback, loads the raw tables, builds on three engines and compares the marts.
cross-engine: venv
	bash scripts/ci/cross_engine.sh
