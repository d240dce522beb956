# The one command surface people and CI share.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
# Shared corpora for the quality and robustness tests, when present beside the repo.
export NEWSFLOW_CORPORA ?= $(abspath ../shared/corpora)

.PHONY: install run serve test test-fast test-postgres e2e lint format bench lock clean

install: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	# The system pip (23.2) cannot resolve trafilatura's lxml extras: upgrade it first.
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev,postgres]"
	touch $(STAMP)

# Move every dependency to the newest release pyproject.toml allows, in a scratch
# venv, and record the result; then run make lint test before committing it.
lock:
	rm -rf .venv-lock
	$(PYTHON) -m venv .venv-lock
	.venv-lock/bin/python -m pip install --quiet --upgrade pip
	.venv-lock/bin/python -m pip install --quiet -e ".[dev,postgres,e2e]"
	{ echo "# Exact versions that make lint and make test pass with (pip constraints)."; \
	  echo "# make install uses them; make lock regenerates them from a fresh resolve."; \
	  .venv-lock/bin/pip freeze --exclude-editable | grep -v '^newsflow'; } > constraints.txt
	rm -rf .venv-lock

run: $(STAMP)
	$(BIN)/newsflow demo

# A local Prefect server on 127.0.0.1 (UI at :4200) serving the deployments on their
# schedules, until Ctrl-C; with PREFECT_API_URL set, against that server instead.
serve: $(STAMP)
	$(BIN)/newsflow serve

test: $(STAMP)
	$(BIN)/python -m pytest

# The storage and flow suites again, on a throw-away PostgreSQL server on 127.0.0.1
# (.ci/postgres.sh: Debian's postgresql, installed if missing). Against a server of
# your own: NEWSFLOW_TEST_DATABASE_URL=postgresql://... .venv/bin/pytest tests/storage tests/flows
test-postgres: $(STAMP)
	@dir=$$(mktemp -d) && chmod 755 $$dir && \
	url=$$(.ci/postgres.sh start $$dir/data) && \
	NEWSFLOW_TEST_DATABASE_URL=$$url $(BIN)/python -m pytest tests/storage tests/flows; \
	status=$$?; .ci/postgres.sh stop $$dir/data; rm -rf $$dir; exit $$status

# The browser test: Debian's Chromium (.ci/chromium.sh installs it if missing) opens
# the Prefect UI on an ingest run; its screenshots land in deploy/screenshots.
e2e: $(STAMP)
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev,postgres,e2e]"
	chromium=$$(.ci/chromium.sh) && \
	NEWSFLOW_CHROMIUM=$$chromium NEWSFLOW_E2E=1 NEWSFLOW_SCREENSHOT_DIR=deploy/screenshots \
		$(BIN)/python -m pytest -m e2e tests/e2e

test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not slow"

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: $(STAMP)
	$(BIN)/python -m bench.extraction
	$(BIN)/python -m bench.fit_combiner
	$(BIN)/python -m bench.metadata
	$(BIN)/python -m bench.pagekinds
	$(BIN)/python -m bench.dedup
	rm -f bench/results/dedup-scale-make.sqlite*
	$(BIN)/python -m bench.dedup_scale --sizes 10000 100000 \
		--database sqlite:///bench/results/dedup-scale-make.sqlite
	$(BIN)/python -m bench.pipeline
	$(BIN)/python -m bench.feeds

clean:
	rm -rf $(VENV) data .pytest_cache .mypy_cache .ruff_cache
