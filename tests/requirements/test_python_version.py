"""One Python: .python-version is the Lambda runtime, pyproject's, ruff's and every workflow's."""

import json
import re
import tomllib

import yaml

from ops import zappa_settings
from tests.conftest import ROOT

VERSION = (ROOT / ".python-version").read_text().strip()
SETUP_PYTHON = "actions/setup-python@"


def test_python_version_names_one_minor_version():
    assert re.fullmatch(r"3\.\d+", VERSION)


def test_every_stage_runs_the_project_python():
    config = zappa_settings.load()
    for stage in zappa_settings.STAGES:
        assert zappa_settings.resolve(config, stage)["runtime"] == f"python{VERSION}"


def test_pyproject_and_ruff_target_the_project_python():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert pyproject["project"]["requires-python"] == f"=={VERSION}.*"
    assert pyproject["tool"]["ruff"]["target-version"] == "py" + VERSION.replace(".", "")


def setup_python_steps():
    for path in sorted((ROOT / ".github" / "workflows").glob("*.yml")):
        for job in (yaml.safe_load(path.read_text()).get("jobs") or {}).values():
            for step in job.get("steps") or []:
                if step.get("uses", "").startswith(SETUP_PYTHON):
                    yield path.name, step


def test_every_workflow_reads_the_python_version_file():
    steps = list(setup_python_steps())
    assert steps
    for name, step in steps:
        assert step.get("with") == {"python-version-file": ".python-version"}, name


def test_the_pinned_setup_python_has_the_python_version_file_input():
    actions = json.loads((ROOT / "tests" / "workflows" / "actions.lock.json").read_text())
    for _, step in setup_python_steps():
        assert "python-version-file" in actions[step["uses"]]["inputs"]
