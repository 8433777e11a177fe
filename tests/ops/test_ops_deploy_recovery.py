"""Issue 13, defect 2: a failed first deploy. Zappa creates the function before its stack; when
the stack fails (ROLLBACK_COMPLETE) `zappa update` can't update it, `zappa deploy` refuses because
the function exists, and Zappa's wait loop polls the failed stack without end."""

import sys

import boto3
import pytest
import troposphere
import troposphere.sns
from botocore.exceptions import ClientError
from zappa import core as zappa_core

import project
from ops import stack, zappa
from ops.stage import Stage
from rehearsal.local_aws import local_aws

from .conftest import REGION, make_role_and_bucket
from .failed_stacks import TAG_DENIED, creations_fail, make_stack
from .stage_state import deployed_stage, make_function

NAME = project.function_name("dev")


def stack_status(name=NAME):
    try:
        stacks = boto3.client("cloudformation", region_name=REGION).describe_stacks(StackName=name)[
            "Stacks"
        ]
    except ClientError:
        return None
    return stacks[0]["StackStatus"] if stacks else None


def function_versions():
    client = boto3.client("lambda", region_name=REGION)
    try:
        return [
            v["Version"] for v in client.list_versions_by_function(FunctionName=NAME)["Versions"]
        ]
    except ClientError:
        return None


@pytest.fixture(autouse=True)
def _templates_elsewhere(monkeypatch, tmp_path):
    """Zappa writes its template file to the working directory."""
    monkeypatch.chdir(tmp_path)


def zappa_with_a_template() -> zappa_core.Zappa:
    """Zappa's own stack code with a one-resource template (what `update_stack` sends)."""
    boto3.client("s3", region_name=REGION).create_bucket(Bucket="zappa-templates")
    client = zappa_core.Zappa(aws_region=REGION, load_credentials=True, tags={})
    client.cf_template = troposphere.Template()
    client.cf_template.add_resource(troposphere.sns.Topic("Topic"))
    return client


# --- the defect, reproduced with Zappa's own code -------------------------------------------


def test_zappa_cannot_update_a_stack_that_failed_to_create(aws):
    make_stack(NAME, "ROLLBACK_COMPLETE")
    with pytest.raises(ClientError, match="ROLLBACK_COMPLETE state and can not be updated"):
        zappa_with_a_template().update_stack(
            NAME, "zappa-templates", wait=True, update_only=True, disable_progress=True
        )


def test_zappa_update_does_not_create_a_missing_stack(aws):
    """So deleting the failed stack and running `zappa update` would leave the stage without an
    API: a failed first deploy needs `zappa deploy`, with the function gone."""
    zappa_with_a_template().update_stack(
        NAME, "zappa-templates", wait=True, update_only=True, disable_progress=True
    )
    assert stack_status() is None


def test_zappas_wait_loop_keeps_polling_a_rolled_back_stack(aws, monkeypatch):
    creations_fail(monkeypatch)
    polls = []

    def sleep(seconds):
        polls.append(seconds)
        if len(polls) == 5:
            raise TimeoutError("still waiting")

    monkeypatch.setattr(zappa_core.time, "sleep", sleep)
    with pytest.raises(TimeoutError):
        zappa_with_a_template().update_stack(
            NAME, "zappa-templates", wait=True, disable_progress=True
        )
    assert stack_status() == "ROLLBACK_COMPLETE"
    assert len(polls) == 5


# --- ops deploy recovers ---------------------------------------------------------------------


@pytest.mark.parametrize("left", ["ROLLBACK_COMPLETE", "ROLLBACK_FAILED", "CREATE_FAILED", None])
def test_a_function_without_a_working_stack_is_redeployed_from_scratch(
    aws,
    cli,
    recorded,
    tmp_path,
    left,
):
    make_role_and_bucket()
    make_function()
    if left:
        make_stack(NAME, left)
    output = tmp_path / "github-output"
    output.touch()
    result = cli("deploy", "dev", env={"GITHUB_OUTPUT": str(output)})
    assert result.exit_code == 0, result.output
    state = f"stack {NAME} is {left}" if left else "its stack is missing"
    assert f"function {NAME} exists but {state} (a failed first deploy): zappa deploy" in (
        result.output
    )
    if left:
        assert f"done: delete stack {NAME} ({left})" in result.output
    assert f"done: delete function {NAME} (no API serves it)" in result.output
    assert [argv[1] for argv in recorded["zappa"]] == ["deploy"]
    # The stage served nothing, so a failure now has nothing to roll back to.
    assert recorded["output_when_zappa_ran"] == ["previous-version=\n"]
    assert stack_status() == "CREATE_COMPLETE"  # Zappa's (recorded) deploy made a new one
    assert function_versions() == ["$LATEST", "1"]


def test_a_failed_stack_without_a_function_is_deleted_before_zappa_deploy(
    aws,
    cli,
    recorded,
):
    make_role_and_bucket()
    make_stack(NAME, "ROLLBACK_COMPLETE")
    result = cli("deploy", "dev")
    assert result.exit_code == 0, result.output
    assert f"done: delete stack {NAME} (ROLLBACK_COMPLETE)" in result.output
    assert "delete function" not in result.output
    assert [argv[1] for argv in recorded["zappa"]] == ["deploy"]


def test_dry_run_shows_the_recovery_and_changes_nothing(aws, cli, recorded):
    make_role_and_bucket()
    make_function()
    make_stack(NAME, "ROLLBACK_COMPLETE")
    result = cli("deploy", "dev", "--dry-run")
    assert result.exit_code == 0, result.output
    assert f"[dry-run] would delete stack {NAME} (ROLLBACK_COMPLETE)" in result.output
    assert f"[dry-run] would delete function {NAME} (no API serves it)" in result.output
    assert recorded["zappa"] == []
    assert stack_status() == "ROLLBACK_COMPLETE"
    assert function_versions() == ["$LATEST", "1"]


@pytest.mark.parametrize(
    ("status", "command"),
    [
        (
            "UPDATE_ROLLBACK_FAILED",
            f"aws cloudformation continue-update-rollback --stack-name {NAME}",
        ),
        ("DELETE_FAILED", f"aws cloudformation delete-stack --stack-name {NAME}"),
        ("UPDATE_FAILED", f"aws cloudformation rollback-stack --stack-name {NAME}"),
    ],
)
def test_a_stack_only_aws_can_repair_stops_with_the_command_to_run(
    aws,
    cli,
    recorded,
    status,
    command,
):
    make_role_and_bucket()
    deployed_stage(versions=2)
    boto_stack = next(s for s in _stacks() if s.name == NAME)
    boto_stack.status = status
    result = cli("deploy", "dev")
    assert result.exit_code == 1
    last = result.output.strip().splitlines()[-1]
    assert last.startswith(f"Error: stack {NAME} is {status} (")
    assert f"run `{command}`, then `make deploy STAGE=dev`" in last
    assert recorded["zappa"] == []
    assert function_versions() == ["$LATEST", "1", "2"]


def test_a_stack_being_changed_stops_the_deploy(aws, cli, recorded):
    make_role_and_bucket()
    deployed_stage()
    next(s for s in _stacks() if s.name == NAME).status = "UPDATE_IN_PROGRESS"
    result = cli("deploy", "dev")
    assert result.exit_code == 1
    assert "is UPDATE_IN_PROGRESS: another deploy is running" in result.output
    assert recorded["zappa"] == []


def _stacks():
    from .failed_stacks import backend

    return backend().stacks.values()


# --- ops stops Zappa's endless wait -----------------------------------------------------------

ZAPPA_CREATES_A_STACK = """
import os, troposphere, troposphere.sns
from zappa.core import Zappa
os.chdir("{workdir}")
zappa = Zappa(aws_region="us-east-1", load_credentials=True, tags={{}})
zappa.cf_template = troposphere.Template()
zappa.cf_template.add_resource(troposphere.sns.Topic("Topic"))
zappa.update_stack("{name}", "{bucket}", wait=True, disable_progress=True)
print("zappa returned")
"""


def test_ops_stops_zappas_wait_on_a_failed_stack_with_one_line(monkeypatch, capfd, tmp_path):
    """The real Zappa wait loop in a subprocess, against moto's server on 127.0.0.1 whose stack
    creation fails like AWS's: ops sees the terminal state and stops Zappa instead of spinning."""
    creations_fail(monkeypatch)
    monkeypatch.setattr(zappa, "WATCH_SECONDS", 0.5)
    monkeypatch.setattr(zappa, "STOP_GRACE_SECONDS", 5)
    with local_aws():
        boto3.client("s3", region_name=REGION).create_bucket(Bucket="zappa-templates")
        script = ZAPPA_CREATES_A_STACK.format(name=NAME, bucket="zappa-templates", workdir=tmp_path)
        with pytest.raises(zappa.click.ClickException) as raised:
            zappa.run(
                [sys.executable, "-c", script], watch=stack.failure_watch(Stage.resolve("dev"))
            )
    message = raised.value.message
    assert message.startswith("zappa -c ")  # argv[1:3] name the command; here python's -c
    assert f"stopped: stack {NAME} is ROLLBACK_COMPLETE ({NAME}: {TAG_DENIED})" in message
    assert "`make deploy STAGE=dev` deletes the stack and redeploys" in message
    assert "zappa returned" not in capfd.readouterr().out
