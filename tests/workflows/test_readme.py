"""The README's setup steps match what the workflows need: environments, variables, first runs."""

import re

import pytest

from tests.conftest import ROOT
from tests.workflows.conftest import all_workflows

SETUP = (ROOT / "README.md").read_text().split("## Set up GitHub and AWS\n", 1)[1].split("\n## ")[0]


def table(first_header: str) -> dict[str, str]:
    """The README setup table whose first column is FIRST_HEADER: first cell -> the row."""
    rows, inside = {}, False
    for line in SETUP.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if cells[0] == first_header:
            inside = True
        elif inside and line.strip().startswith("|") and not set(cells[0]) <= {"-", " "}:
            for name in re.findall(r"`([^`]+)`", cells[0]):
                rows[name] = " | ".join(cells[1:])
        elif inside and not line.strip().startswith("|"):
            inside = False
    return rows


def job_environments():
    """(workflow:job, environment names, job) with reusable workflows' inputs filled in."""
    workflows = all_workflows()
    callers: dict[str, list[dict]] = {}
    for workflow in workflows.values():
        for job in workflow["jobs"].values():
            if job.get("uses", "").startswith("./"):
                callers.setdefault(job["uses"].rsplit("/", 1)[1], []).append(job["with"])
    for name, workflow in workflows.items():
        for job_id, job in workflow["jobs"].items():
            if "uses" in job:
                continue
            environment = job.get("environment", "")
            match = re.fullmatch(r"\$\{\{ inputs\.(\w+) \}\}", environment)
            names = {call[match[1]] for call in callers[name]} if match else {environment}
            yield f"{name}:{job_id}", names - {""}, job


JOBS = list(job_environments())


def test_every_environment_a_job_uses_is_in_the_setup_table():
    used = set().union(*(names for _, names, _ in JOBS))
    assert used == {"dev", "test", "prod", "keys", "retrain", "audit"}
    assert used == set(table("environment"))


def test_only_prod_asks_for_reviewers():
    environments = table("environment")
    assert "required reviewers" in environments["prod"]
    assert "**no reviewers**" in environments["keys"]  # schedules must not wait for a human
    for name in ("dev", "test", "keys", "retrain"):
        assert "required reviewers" not in environments[name], name


@pytest.mark.parametrize(("where", "environments", "job"), JOBS, ids=[j[0] for j in JOBS])
def test_every_variable_a_job_reads_is_set_where_that_job_can_read_it(where, environments, job):
    variables = table("variable")
    for name in sorted(set(re.findall(r"vars\.(\w+)", repr(job)))):
        assert name in variables, f"{where}: vars.{name} is not in the README's variables table"
        place = variables[name].split(" | ")[0]
        if place.startswith("repository"):
            continue
        listed = set(re.findall(r"`([^`]+)`", place))
        assert environments <= listed, f"{where}: vars.{name} is set only in {sorted(listed)}"


def test_the_first_run_says_how_to_enable_schedules_and_start_the_deploy(workflows):
    for name, workflow in workflows.items():
        if "schedule" in workflow["on"]:
            assert f"gh workflow enable {name}" in SETUP, name
    assert "workflow_dispatch" in workflows["deploy.yml"]["on"]
    assert "gh workflow run deploy.yml" in SETUP
    # the bootstrap's parameters come before the bootstrap
    assert SETUP.index("make iam-params") < SETUP.index("Deploy the IAM bootstrap")
