# Two commands for a fresh machine: `make demo` and `make test`. Each builds .venv when needed.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PRISM_VERSION := 5.16.0
PRISM := .ci/cache/prism/node_modules/.bin/prism

.PHONY: demo test contract lint bench clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev,semantic]"
	touch $@

demo: $(VENV)/.installed
	$(PY) -m bot demo --out demo-out

test: $(VENV)/.installed
	$(PY) -m pytest

$(PRISM):
	npm install --prefix .ci/cache/prism --no-audit --no-fund --loglevel=error \
		@stoplight/prism-cli@$(PRISM_VERSION)

# The end-to-end tests (the app's calls) and the sandbox's own tests (every method it answers)
# again, with Slack's OpenAPI contract checked by Prism on every call. On SQLite only: what
# crosses the wire is the same on PostgreSQL, which `make test` covers.
contract: $(VENV)/.installed $(PRISM)
	ROUNDTABLE_PRISM=$(PRISM) $(PY) -m pytest tests/e2e tests/sandbox -k "not postgresql"

# Every benchmark with its defaults, one after another (figures: docs/benchmarks.md).
bench: $(VENV)/.installed
	$(PY) -m bench.ack_latency
	$(PY) -m bench.backfill
	$(PY) -m bench.overlap_quality
	$(PY) -m bench.overlap_speed
	$(PY) -m bench.overlap_speed --semantic
	$(PY) -m bench.semantic_model

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

clean:
	rm -rf $(VENV) .ci/cache demo-out
