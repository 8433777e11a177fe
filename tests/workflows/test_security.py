"""Workflows are secure by construction: least privilege, pinned actions, no injection sinks."""

import re

import pytest

from tests.workflows.conftest import WORKFLOWS, all_workflows, steps

NAMES = sorted(all_workflows())
PINNED = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")
ASSUMES_ROLE = "aws-actions/configure-aws-credentials@"


@pytest.mark.parametrize("name", NAMES)
def test_top_level_permissions_are_empty(workflows, name):
    assert workflows[name]["permissions"] == {}


@pytest.mark.parametrize("name", NAMES)
def test_every_job_grants_its_own_permissions(workflows, name):
    for job_id, job in workflows[name]["jobs"].items():
        assert "permissions" in job, f"{name}: job {job_id} inherits permissions"


@pytest.mark.parametrize("name", NAMES)
def test_every_permission_grant_says_why(name):
    for number, line in enumerate((WORKFLOWS / name).read_text().splitlines(), start=1):
        if re.match(r"^\s+[a-z-]+: (read|write)\b", line):
            assert "#" in line, f"{name}:{number}: grant without a comment: {line.strip()}"


@pytest.mark.parametrize("name", NAMES)
def test_id_token_write_only_where_a_role_is_assumed(workflows, name):
    for job_id, job in workflows[name]["jobs"].items():
        wants_token = job.get("permissions", {}).get("id-token") == "write"
        if "uses" in job:  # a reusable workflow: its own jobs must assume a role
            called = all_workflows()[job["uses"].rsplit("/", 1)[1]]
            assumes = any(ASSUMES_ROLE in s.get("uses", "") for _, _, s in steps(called))
        else:
            assumes = any(ASSUMES_ROLE in s.get("uses", "") for s in job.get("steps", []))
        assert wants_token == assumes, (
            f"{name}: job {job_id} id-token={wants_token}, role={assumes}"
        )


@pytest.mark.parametrize("name", NAMES)
def test_actions_are_pinned_to_full_commit_shas_with_a_version_comment(name):
    for line in (WORKFLOWS / name).read_text().splitlines():
        match = re.match(r"^\s*(?:-\s+)?uses:\s*(\S+)(.*)$", line)
        if not match or match.group(1).startswith("./"):
            continue
        assert PINNED.match(match.group(1)), f"{name}: not pinned by SHA: {match.group(1)}"
        assert re.search(r"#\s*v\d", match.group(2)), f"{name}: no version comment: {line.strip()}"


@pytest.mark.parametrize("name", NAMES)
def test_checkouts_do_not_persist_credentials(workflows, name):
    for job_id, _, step in steps(workflows[name]):
        if step.get("uses", "").startswith("actions/checkout@"):
            assert step.get("with", {}).get("persist-credentials") is False, f"{name}: {job_id}"


@pytest.mark.parametrize("name", NAMES)
def test_no_expressions_inside_run_scripts(workflows, name):
    for job_id, _, step in steps(workflows[name]):
        assert "${{" not in step.get("run", ""), f"{name}: {job_id}: pass values through env:"


@pytest.mark.parametrize("name", NAMES)
def test_secrets_are_only_used_in_jobs_with_an_environment(name):
    workflow = all_workflows()[name]
    for job_id, job in workflow["jobs"].items():
        text = repr(job)
        if "secrets." in text:
            assert "environment" in job, (
                f"{name}: job {job_id} reads secrets outside an environment"
            )
