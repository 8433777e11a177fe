# One entry point for people, CI and the workflows. `make help` lists the targets.
# Every target bootstraps the virtualenv it needs, so a fresh clone only needs make and the Python
# that .python-version names (the Lambda runtime's: zappa_settings.json says python3.13).

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

PYTHON_VERSION := $(shell cat .python-version)
PYTHON ?= $(shell command -v python$(PYTHON_VERSION))
VENV := .venv
PY := $(VENV)/bin/python
PIP_FLAGS := --quiet --disable-pip-version-check
GIT_SHA ?= $(shell git rev-parse HEAD 2>/dev/null || echo unknown)
export GIT_SHA
# Let Python cache bytecode in the virtualenvs and the checkout. Container images often set
# PYTHONDONTWRITEBYTECODE; then each of the many Python processes a test run or the rehearsal
# starts compiles moto, botocore and scikit-learn again (test collection here: 22 s -> 8 s). The
# Lambda package is unaffected: it ships its own bytecode (ops/bytecode.py) and runs read-only.
unexport PYTHONDONTWRITEBYTECODE

# Targets that `make test` runs; each mk/*.mk fragment adds its own, and the end-to-end rehearsal
# runs last. Suites with their own target are left out of the main pytest run.
TEST_TARGETS := lint test-py
OWN_PROCESS_SUITES := tests/locust tests/rehearsal/local tests/e2e
# The main suite runs on every core (pytest-xdist); PYTEST_WORKERS=0 runs it in one process.
PYTEST_WORKERS ?= auto
PYTEST_PARALLEL = -n $(PYTEST_WORKERS)

# mk/python.mk first: the others' rules name the files it defines (the Python, uv, the lock).
include mk/python.mk
include $(filter-out mk/python.mk,$(sort $(wildcard mk/*.mk)))

$(VENV)/.installed: $(LOCKED)
	$(call uv-sync,$(VENV),dev)
	@touch $@

.PHONY: venv
venv: $(VENV)/.installed ## Create the development virtualenv (.venv) from the exact locks

.PHONY: help
help: ## List the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | sort | awk -F':.*## ' '{printf "  %-16s %s\n", $$1, $$2}'

.PHONY: rehearse
rehearse: venv ## The whole pipeline locally: train, gate, deploy dev/test/prod to moto, smoke, load test, rollback, keys
	$(PY) -m rehearsal run

.PHONY: run
run: rehearse ## Short alias for make rehearse

.PHONY: train
train: venv ## Train on data/, write versioned artifacts and the manifest into models/
	$(PY) -m train

.PHONY: gate
gate: venv ## Quality and ONNX parity gates vs the committed model (BASELINE_REF=rev GATE_REPORT=file)
	$(PY) -m train gate --baseline-ref $(or $(BASELINE_REF),HEAD) $(if $(GATE_REPORT),--report $(GATE_REPORT))

.PHONY: model-changed
model-changed: venv ## Print changed=true when data/ or train/ differ from BASE=rev (CI uses this)
	$(PY) -m train changed --base "$(BASE)"

.PHONY: model-describe
model-describe: venv ## Print the model version and data hash as key=value lines
	$(PY) -m train describe

.PHONY: serve
serve: venv ## Serve the API on http://127.0.0.1:8000
	$(VENV)/bin/flask --app app.wsgi run --host 127.0.0.1 --port $${PORT:-8000}

.PHONY: bench
bench: venv ## Benchmark cold start and warm /predict latency: ONNX Runtime vs scikit-learn
	$(PY) -m ops bench

.PHONY: lint
lint: venv ## Ruff lint and format check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

.PHONY: format
format: venv ## Apply ruff's formatting and safe fixes
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

.PHONY: test-py
test-py: venv ## The unit and integration tests (moto in-process, loopback servers)
	$(PY) -m pytest $(PYTEST_PARALLEL) $(addprefix --ignore=,$(OWN_PROCESS_SUITES))

.PHONY: test-unit
test-unit: venv ## The inner loop: test-py without the tests marked slow (under a minute here)
	$(PY) -m pytest $(PYTEST_PARALLEL) -m "not slow" $(addprefix --ignore=,$(OWN_PROCESS_SUITES))

.PHONY: test-rehearsal
test-rehearsal: venv ## make rehearse end to end, checked by tests/e2e (about three minutes)
	$(PY) -m pytest tests/e2e

.PHONY: test
test: $(TEST_TARGETS) test-rehearsal ## Run every check and test suite (what CI runs)

.PHONY: lock
lock: $(UV) ## Re-resolve every dependency group of pyproject.toml into uv.lock (newest allowed releases)
	$(UV_RUN) lock --upgrade

.PHONY: clean
clean: ## Remove virtualenvs, build output and caches (never models/ or data/)
	rm -rf $(VENV) .venv-* dist build reports .pytest_cache .ruff_cache .hypothesis
