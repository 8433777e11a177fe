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

# iam/required-calls.json (what `make verify-account` simulates) is generated from recorded calls:
# the last rehearsal's, copied into tests/iam/fixtures so tests can regenerate it, and Zappa's own
# keep-warm, status and undeploy with prod's settings (tests/iam/test_recorder.py records them).
REQUIRED_CALLS_SOURCES := tests/iam/fixtures/rehearsal-calls.jsonl tests/iam/fixtures/zappa-prod-calls.jsonl

.PHONY: required-calls
required-calls: venv ## Rewrite iam/required-calls.json from the last `make rehearse` (reports/rehearsal)
	cp reports/rehearsal/aws-calls.jsonl tests/iam/fixtures/rehearsal-calls.jsonl
	$(PY) -m iam.required_calls generate $(REQUIRED_CALLS_SOURCES)

# Needs credentials that may call cloudformation:DescribeStacks on the bootstrap stack and
# iam:GetRole and iam:SimulatePrincipalPolicy on its roles (an administrator, or the auditor role).
.PHONY: verify-account
verify-account: venv ## Simulate every role's required and forbidden calls in your AWS account (STACK=, REGION=)
	$(PY) -m iam.verify_account $(if $(STACK),--stack "$(STACK)") $(if $(REGION),--region "$(REGION)")

.PHONY: test-iam
test-iam: lint-iam ## Lint iam/ and run its tests (trust policies, policy audit engine)
	$(PY) -m pytest tests/iam
