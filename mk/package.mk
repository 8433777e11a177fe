# The Lambda package: a serve-only virtualenv, the zip Zappa builds from it, and a local run of
# that zip the way Lambda runs it. `make package STAGE=dev && make package-check STAGE=dev`.

STAGE ?= dev
PACKAGE_VENV := .venv-package
# Cold starts the package check measures (ops' default: 5). The rehearsal, which checks five builds
# for the pipeline's flow rather than for their numbers, asks for fewer.
COLD_RUNS ?=
COLD_RUNS_ARG = $(if $(COLD_RUNS),--cold-runs $(COLD_RUNS))

# Only pyproject.toml's `package` group (serve + Zappa): Zappa zips this whole virtualenv.
$(PACKAGE_VENV)/.installed: $(LOCKED)
	$(call uv-sync,$(PACKAGE_VENV),package)
	@touch $@

.PHONY: package-venv
package-venv: $(PACKAGE_VENV)/.installed ## Create the serve-only packaging virtualenv (.venv-package)

.PHONY: package
package: venv package-venv ## Build dist/$(STAGE).zip and dist/$(STAGE).json with Zappa (STAGE=dev|test|prod)
	$(PY) -m ops package $(STAGE)

.PHONY: package-check
package-check: venv ## Run dist/$(STAGE).zip as Lambda would: API Gateway events, cold and warm latency
	$(PY) -m ops package-check $(STAGE) $(COLD_RUNS_ARG)

# Not a separate `make test` step: the rehearsal (tests/e2e) builds and checks every stage's package.
