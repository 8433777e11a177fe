# Load tests (loadtest/, loadtest/README.md). The orchestration lives in Python
# (python -m loadtest.run); these targets only pass make variables through:
#   STAGE=test       the stage to load (URL from `python -m ops url STAGE`, key from its secret)
#   EXPECT_SHA=SHA   the commit the stage must serve (default: GIT_SHA, the checkout's HEAD)
#   HOST=URL         load this URL instead (a deployed stage, a running local server or gateway)
#   PROCESSES=N      fork N Locust workers for more load than one process can generate
#   LOADTEST_ARGS=   anything else for python -m loadtest.run (--profile, --out, --expect-workers)

LOADTEST_RUN = $(PY) -m loadtest.run $(if $(PROCESSES),--processes $(PROCESSES)) $(LOADTEST_ARGS)

.PHONY: loadtest
loadtest: venv ## Load-test a deployed stage and gate on its SLOs (STAGE=test, HOST=... optional)
	$(LOADTEST_RUN) --stage $(or $(STAGE),test) $(if $(HOST),--host $(HOST)) --expect-sha $(EXPECT_SHA)

.PHONY: loadtest-local
loadtest-local: venv ## Load-test the API on 127.0.0.1 (started here, or HOST=...) and gate it
	$(LOADTEST_RUN) --profile local $(if $(HOST),--host $(HOST) $(if $(STAGE),--stage $(STAGE)))

.PHONY: bench-loadtest
bench-loadtest: venv ## Benchmark: RPS the onnx and sklearn backends sustain at p95 <= 50 ms here
	$(PY) -m loadtest.bench

.PHONY: test-loadtest
test-loadtest: venv ## Tests that run Locust (their own pytest process: Locust patches stdlib)
	$(PY) -m pytest tests/locust

TEST_TARGETS += test-loadtest
