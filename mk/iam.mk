# iam/: lint the bootstrap template and its rendered policies (own linter virtualenv), test the
# trust policies and the audit engine. See iam/README.md.

IAMLINT_VENV := .venv-iamlint
IAMLINT_PY := $(IAMLINT_VENV)/bin/python
IAM_POLICY_DIR := build/iam-policies

# tests/iam runs in the main pytest run; `make test` adds only the linters.
TEST_TARGETS += lint-iam

# pyproject.toml's `iamlint` group, which uv.lock resolves apart from dev's (their pins clash).
$(IAMLINT_VENV)/.installed: $(LOCKED)
	$(call uv-sync,$(IAMLINT_VENV),iamlint)
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

# Needs credentials that may call cloudformation:DescribeStacks on the bootstrap stack and
# iam:GetRole and iam:SimulatePrincipalPolicy on its roles (an administrator, or the auditor role).
.PHONY: verify-account
verify-account: venv ## Simulate every role's required and forbidden calls in your AWS account (STACK=, REGION=)
	$(PY) -m iam.verify_account $(if $(STACK),--stack "$(STACK)") $(if $(REGION),--region "$(REGION)")

.PHONY: test-iam
test-iam: lint-iam ## Lint iam/ and run its tests (trust policies, conditions, verify-account)
	$(PY) -m pytest tests/iam
