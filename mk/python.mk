# The one Python (.python-version) and the resolver every virtualenv is made with: uv, installed
# first into .venv-uv from uv.lock's own pin and hashes (requirements/uv_requirement.py). Each venv
# is then `uv sync --locked` of one dependency group of pyproject.toml: exactly the lock's packages,
# each download checked against uv.lock's sha256, and nothing else (others are removed).

UV_VENV := .venv-uv
UV := $(UV_VENV)/bin/uv
# uv uses the project Python only (never downloads one) and PyPI, the index pip uses here.
UV_RUN = UV_PYTHON_DOWNLOADS=never UV_PYTHON=$(PYTHON_EXE) $(UV)
# What every virtualenv is made from; a change to any of them re-syncs it.
LOCKED := pyproject.toml uv.lock .python-version $(UV)

# The interpreter itself (not a pyenv shim), checked against .python-version: one line if missing.
PYTHON_EXE = $(or $(_python_exe),$(error $(PYTHON_HOW)))
_python_exe = $(shell $(PYTHON) -c 'import sys; v = sys.version_info; print(sys.executable if f"{v[0]}.{v[1]}" == "$(PYTHON_VERSION)" else "")' 2>/dev/null)
PYTHON_HOW = Python $(PYTHON_VERSION) is required (.python-version, the Lambda runtime's version) but $(or $(PYTHON),python$(PYTHON_VERSION)) is missing or another version: install it (pyenv install $(PYTHON_VERSION), or your OS's python$(PYTHON_VERSION) package) or set PYTHON=/path/to/python$(PYTHON_VERSION)

# $(call uv-sync,VENV,GROUP): VENV holds exactly GROUP's locked packages.
uv-sync = UV_PROJECT_ENVIRONMENT=$(1) $(UV_RUN) sync --locked --quiet --only-group $(2)

$(UV): uv.lock requirements/uv_requirement.py .python-version
	@test -n "$(PYTHON_EXE)"
	rm -rf $(UV_VENV)
	$(PYTHON_EXE) -m venv $(UV_VENV)
	$(PYTHON_EXE) requirements/uv_requirement.py uv.lock > $(UV_VENV)/requirements.txt
	$(UV_VENV)/bin/pip install $(PIP_FLAGS) --require-hashes --no-deps -r $(UV_VENV)/requirements.txt
	@touch $@

.PHONY: uv
uv: $(UV) ## Install the pinned resolver (uv) into .venv-uv

.PHONY: python-version
python-version: ## Print the project Python (.python-version) and the interpreter make uses
	@echo "$(PYTHON_VERSION) $(PYTHON_EXE)"
