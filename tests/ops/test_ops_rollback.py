"""`ops rollback`: `zappa rollback`, wait until Lambda finished the update, smoke-test what is
served then. `--to-version N` (what a failed deploy uses) rolls back only when needed."""

import boto3
import pytest
from flask import request

import project
from ops import lambda_wait, paths, zappa

from .conftest import REGION, SHA, keyed, make_role_and_bucket
from .lambda_updates import IN_PROGRESS, SUCCESSFUL, report_statuses, zappa_update_fails
from .stage_state import code, make_function, publish_code

pytestmark = pytest.mark.slow
OLD = "a" * 40
NAME = project.function_name("dev")


def rollback(cli, url, *extra):
    return keyed(cli, "rollback", url, *extra)


def latest_code_sha():
    client = boto3.client("lambda", region_name=REGION)
    return client.get_function(FunctionName=NAME)["Configuration"]["CodeSha256"]


def version_code_sha(version):
    client = boto3.client("lambda", region_name=REGION)
    return client.get_function(FunctionName=NAME, Qualifier=str(version))["Configuration"][
        "CodeSha256"
    ]


@pytest.fixture
def served(aws, stage_server, monkeypatch):
    """A stage whose function has versions 1 (built from OLD) and 2 (SHA, serving). The fake
    `zappa rollback -n K` does what Zappa does to Lambda (publish version 2-K's code again) and
    switches the served commit to OLD."""
    make_role_and_bucket()
    make_function()  # version 1: code("first"), commit OLD
    publish_code("dev", "update")  # version 2: commit SHA
    url, app = stage_server(git_sha=SHA)
    calls, log = [], []
    monkeypatch.setattr(lambda_wait, "POLL_SECONDS", 0)

    @app.before_request
    def record_request():
        log.append(f"{request.method} {request.path}")

    def zappa_rollback(argv, watch=None):
        calls.append(argv)
        back = int(argv[argv.index("-n") + 1])
        versions = boto3.client("lambda", region_name=REGION).list_versions_by_function(
            FunctionName=NAME
        )["Versions"]
        numbers = sorted((int(v["Version"]) for v in versions[1:]), reverse=True)
        marker = "first" if numbers[back] == 1 else "update"
        boto3.client("lambda", region_name=REGION).update_function_code(
            FunctionName=NAME, ZipFile=code(marker), Publish=True
        )
        log.append("zappa rollback returned")
        app.config["GIT_SHA"] = OLD

    monkeypatch.setattr(zappa, "run", zappa_rollback)
    return url, app, calls, log


def test_rollback_runs_zappa_and_smoke_tests_the_previous_commit(cli, served):
    url, _, calls, _ = served
    result = rollback(cli, url, "--expect-sha", OLD)
    assert result.exit_code == 0, result.output
    settings_file = str(paths.BUILD / "zappa_settings.dev.json")
    expected = ["rollback", "dev", "-s", settings_file, "--json", "-n", "1"]
    assert [call[1:] for call in calls] == [expected]
    assert f"serves git {SHA} before the rollback" in result.output
    assert f"smoke test passed: git {OLD}" in result.output
    assert latest_code_sha() == version_code_sha(1)


def test_without_an_expected_sha_the_served_sha_must_change(cli, served, monkeypatch):
    url, _, calls, _ = served
    monkeypatch.setattr(zappa, "run", lambda argv, watch=None: calls.append(argv))  # no change
    result = rollback(cli, url)
    assert result.exit_code == 1
    assert f"still serves git {SHA}" in result.output


def test_dry_run_runs_nothing(cli, served):
    url, app, calls, _ = served
    result = rollback(cli, url, "--dry-run", "-n", "2")
    assert result.exit_code == 0, result.output
    assert calls == []
    assert "[dry-run] would run: zappa rollback dev -s " in result.output
    assert result.output.rstrip().endswith(
        "[dry-run] would then wait for the function update and smoke-test the stage"
    )
    assert "-n 2" in result.output
    assert app.config["GIT_SHA"] == SHA


# --- issue 13, defect 4: the rollback race -----------------------------------------------------


def test_the_smoke_test_starts_only_after_lambda_finished_the_rollback(cli, served, monkeypatch):
    url, _, _, log = served
    statuses, seen = [], []
    report_statuses(monkeypatch, statuses, seen)
    original = zappa.run

    def rollback_then_lambda_updates(argv, watch=None):
        original(argv)
        statuses.extend([IN_PROGRESS, IN_PROGRESS, SUCCESSFUL])  # Lambda applies the new code
        seen.append("zappa returned")

    monkeypatch.setattr(zappa, "run", rollback_then_lambda_updates)
    result = rollback(cli, url, "--expect-sha", OLD)
    assert result.exit_code == 0, result.output
    assert seen == ["zappa returned", "InProgress", "InProgress", "Successful"]
    assert "update finished (LastUpdateStatus Successful)" in result.output
    smoke_requests = log[log.index("zappa rollback returned") + 1 :]
    assert smoke_requests[0] == "GET /health"


def test_a_failed_function_update_is_one_line_and_no_smoke_test(cli, served, monkeypatch):
    url, _, _, log = served
    zappa_update_fails(monkeypatch, zappa)
    result = rollback(cli, url, "--expect-sha", OLD)
    assert result.exit_code == 1
    last = result.output.strip().splitlines()[-1]
    assert last == (
        f"Error: function {NAME}: the update failed "
        "(EniLimitExceeded: The function could not be updated)"
    )
    assert log[-1] == "zappa rollback returned"  # no smoke request after it


# --- issue 13, defect 10: roll back to the version before a failed deploy -----------------------


def test_to_version_rolls_back_when_the_function_serves_other_code(cli, served):
    url, _, calls, _ = served
    result = rollback(cli, url, "--to-version", "1", "--expect-sha", OLD)
    assert result.exit_code == 0, result.output
    assert [call[-2:] for call in calls] == [["-n", "1"]]
    assert latest_code_sha() == version_code_sha(1)
    assert f"smoke test passed: git {OLD}" in result.output


def test_to_version_counts_the_versions_published_since(cli, served):
    url, _, calls, _ = served
    publish_code("dev", "third")
    publish_code("dev", "fourth")
    result = rollback(cli, url, "--to-version", "1", "--expect-sha", OLD)
    assert result.exit_code == 0, result.output
    assert [call[-2:] for call in calls] == [["-n", "3"]]
    assert latest_code_sha() == version_code_sha(1)


def test_to_version_already_served_has_nothing_to_roll_back(cli, served):
    """E.g. the deploy failed before Zappa uploaded the code: no rollback, no smoke, exit 0."""
    _, app, calls, log = served
    result = cli("rollback", "dev", "--to-version", "2")  # no URL or key needed
    assert result.exit_code == 0, result.output
    assert result.output.strip() == (
        f"{NAME} already serves version 2's code: nothing to roll back"
    )
    assert calls == []
    assert log == []
    assert app.config["GIT_SHA"] == SHA


def test_to_version_checks_that_zappa_restored_that_code(cli, served, monkeypatch):
    url, _, calls, _ = served
    monkeypatch.setattr(zappa, "run", lambda argv, watch=None: calls.append(argv))  # no change
    result = rollback(cli, url, "--to-version", "1")
    assert result.exit_code == 1
    assert "zappa rollback did not restore version 1's code" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--to-version", "7"), f"{NAME}: version 7 does not exist; cannot roll back"),
        (("--to-version", "1", "-n", "1"), "give either -n or --to-version, not both"),
    ],
)
def test_to_version_mistakes_are_one_line(cli, served, args, message):
    url, _, calls, _ = served
    result = rollback(cli, url, *args)
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output
    assert calls == []
