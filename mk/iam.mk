# iam/: lint the bootstrap template and its rendered policies (own linter virtualenv), test the
# trust policies and the audit engine. See iam/README.md.

IAMLINT_VENV := .venv-iamlint
IAMLINT_PY := $(IAMLINT_VENV)/bin/python
IAM_POLICY_DIR := build/iam-policies

TEST_TARGETS += test-iam

$(IAMLINT_VENV)/.installed: requirements/iamlint.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11) and "Python 3.11 is required; set PYTHON=/path/to/python3.11")'
	$(PYTHON) -m venv $(IAMLINT_VENV)
	$(IAMLINT_VENV)/bin/pip install $(PIP_FLAGS) -r requirements/iamlint.txt
	@touch $@

.PHONY: lint-iam
lint-iam: venv $(IAMLINT_VENV)/.installed ## Lint iam/bootstrap.yaml (cfn-lint, checkov) and its policies (parliament, SAR condition keys)
	$(IAMLINT_VENV)/bin/cfn-lint --include-checks I --non-zero-exit-code informational -- iam/bootstrap.yaml
	$(IAMLINT_VENV)/bin/checkov --quiet --compact --skip-download --framework cloudformation -f iam/bootstrap.yaml
	$(PY) -m iam.render $(IAM_POLICY_DIR)
	$(IAMLINT_PY) -m iam.parliament_lint $(IAM_POLICY_DIR) iam/parliament.yaml
	$(PY) -m iam.conditions

.PHONY: iam-params
iam-params: venv ## Print the bootstrap's GitHub parameters for REPO=OWNER/NAME (default: origin), via gh
	@$(PY) -m iam.github_params $(REPO)

.PHONY: test-iam
test-iam: lint-iam ## Lint iam/ and run its tests (trust policies, policy audit engine)
	$(PY) -m pytest tests/iam
