# The rehearsal's parts alone (rehearsal/; `make rehearse` itself is in the Makefile): the local AWS
# endpoint (moto with the shims Zappa needs, rehearsal/local_aws/), the local stage gateway that
# serves a stage deployed in it like API Gateway + Lambda (rehearsal/gateway/), and
# iam/required-calls.json regenerated from a rehearsal's recorded calls.
#   make local-aws [PORT=4566]               the endpoint in the foreground; prints the exports
#   make local-stage STAGE=dev [PORT=8080]   a deployed stage on loopback (needs AWS_ENDPOINT_URL)

.PHONY: local-aws
local-aws: venv ## Run the local AWS endpoint (moto + shims, provisioned like iam/) until Ctrl-C
	$(PY) -m rehearsal local-aws $(if $(PORT),--port $(PORT))

.PHONY: local-stage
local-stage: venv ## Serve STAGE deployed in the local endpoint on 127.0.0.1 (keys, plans, concurrency)
	$(PY) -m rehearsal local-stage $(STAGE) $(if $(PORT),--port $(PORT))

# iam/required-calls.json (what `make verify-account` simulates) is generated from recorded calls:
# the last rehearsal's, copied into tests/rehearsal/recordings so tests can regenerate it, and
# Zappa's own keep-warm, status and undeploy with prod's settings (recorded by
# tests/rehearsal/iam_audit/test_recorder.py).
RECORDINGS := tests/rehearsal/recordings
REQUIRED_CALLS_SOURCES := $(RECORDINGS)/rehearsal-calls.jsonl $(RECORDINGS)/zappa-prod-calls.jsonl

.PHONY: required-calls
required-calls: venv ## Rewrite iam/required-calls.json from the last `make rehearse` (reports/rehearsal)
	cp reports/rehearsal/aws-calls.jsonl $(RECORDINGS)/rehearsal-calls.jsonl
	$(PY) -m rehearsal.iam_audit.required_calls generate $(REQUIRED_CALLS_SOURCES)

# Its own pytest run (the main one ignores tests/rehearsal/local). The real-package test has Zappa
# build the package from the serve-only virtualenv into a temporary directory.
.PHONY: test-local
test-local: venv package-venv
	$(PY) -m pytest tests/rehearsal/local

TEST_TARGETS += test-local
