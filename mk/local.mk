# The local AWS endpoint (moto with the shims Zappa needs, ops/local_aws/) and the local stage
# gateway that serves a stage deployed in it like API Gateway + Lambda (ops/gateway/).
#   make local-aws [PORT=4566]               the endpoint in the foreground; prints the exports
#   make local-stage STAGE=dev [PORT=8080]   a deployed stage on loopback (needs AWS_ENDPOINT_URL)

.PHONY: local-aws
local-aws: venv ## Run the local AWS endpoint (moto + shims, provisioned like iam/) until Ctrl-C
	$(PY) -m ops local-aws $(if $(PORT),--port $(PORT))

.PHONY: local-stage
local-stage: venv ## Serve STAGE deployed in the local endpoint on 127.0.0.1 (keys, plans, concurrency)
	$(PY) -m ops local-stage $(STAGE) $(if $(PORT),--port $(PORT))

# Its own pytest run (the main one ignores tests/local). The real-package test has Zappa build the
# package from the serve-only virtualenv into a temporary directory.
.PHONY: test-local
test-local: venv package-venv
	$(PY) -m pytest tests/local

TEST_TARGETS += test-local
