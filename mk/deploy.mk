# The deploy steps. The deploy and key-rotation workflows and the local rehearsal run exactly these
# targets; the rehearsal points them at its local AWS endpoint and gateway (AWS_ENDPOINT_URL, URL=).

EXPECT_SHA ?= $(GIT_SHA)
# The stage's base URL; empty means "ask API Gateway" (the rehearsal passes its gateway's URL).
URL ?=
URL_ARG = $(if $(URL),--url $(URL))
# Seconds a smoke test keeps retrying while a fresh deploy settles (ops' default: 60).
SMOKE_WAIT ?=
WAIT_ARG = $(if $(SMOKE_WAIT),--wait $(SMOKE_WAIT))
# In GitHub Actions a re-run of a failed rotation job resumes the same rotation.
ROTATION_ID ?= $(if $(GITHUB_RUN_ID),github-run-$(GITHUB_RUN_ID)-$(STAGE)-key-rotation)

.PHONY: deploy
deploy: venv ## Deploy dist/$(STAGE).zip to STAGE: zappa deploy the first time, zappa update after
	$(PY) -m ops deploy $(STAGE) --zip dist/$(STAGE).zip --no-usage-plan

.PHONY: usage-plan
usage-plan: venv ## Create or update STAGE's usage plan and make sure its API key is attached and stored
	$(PY) -m ops usage-plan $(STAGE)

.PHONY: smoke
smoke: venv ## Smoke-test STAGE: /health, /version == EXPECT_SHA and the model, /predict, 403 without a key
	$(PY) -m ops smoke $(STAGE) --expect-sha $(EXPECT_SHA) $(URL_ARG) $(WAIT_ARG)

# The version to roll back to (`ops deploy` prints it and writes previous-version to
# $GITHUB_OUTPUT); empty means one version back.
TO_VERSION ?=
TO_VERSION_ARG = $(if $(TO_VERSION),--to-version $(TO_VERSION))

.PHONY: rollback
rollback: venv ## Roll STAGE back to TO_VERSION (else one version) unless it serves that code, then smoke-test
	$(PY) -m ops rollback $(STAGE) $(TO_VERSION_ARG) $(URL_ARG) $(WAIT_ARG)

.PHONY: status
status: venv ## What STAGE serves: function version, git SHA, model, usage plan, key ids
	$(PY) -m ops status $(STAGE) $(URL_ARG)

.PHONY: rotate-keys
rotate-keys: venv ## Rotate STAGE's API key with an overlap window (prints key ids, never values)
	$(PY) -m ops keys rotate $(STAGE) $(URL_ARG) $(if $(ROTATION_ID),--rotation-id $(ROTATION_ID))

.PHONY: prune-keys
prune-keys: venv ## End STAGE's key overlap windows that have passed; delete keys past retention
	$(PY) -m ops keys prune $(STAGE)
