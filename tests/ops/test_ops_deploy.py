"""`ops deploy`: `zappa deploy` for a new stage, `zappa update` for an existing one (moto)."""

import json
import zipfile

import boto3
import pytest

import project
from ops import paths, zappa

from .conftest import REGION, SHA, make_role_and_bucket
from .stage_state import deployed_stage


def make_package(path, stage="dev", sha=SHA):
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(
            "zappa_settings.py",
            f"API_STAGE='{stage}'\nENVIRONMENT_VARIABLES={{'GIT_SHA': '{sha}'}}\n",
        )
    return path


def test_first_deploy_runs_zappa_deploy_then_the_usage_plan(aws, cli, recorded, tmp_path):
    make_role_and_bucket()
    output = tmp_path / "github-output"
    output.touch()
    result = cli("deploy", "dev", env={"GITHUB_OUTPUT": str(output)})
    assert result.exit_code == 0, result.output
    argv = recorded["zappa"][0]
    assert argv[1:5] == ["deploy", "dev", "-s", str(paths.BUILD / "zappa_settings.dev.json")]
    assert argv[0].endswith(".venv-package/bin/zappa")
    assert recorded["usage_plan"] == [("dev", REGION)]
    rendered = json.loads((paths.BUILD / "zappa_settings.dev.json").read_text())["dev"]
    assert rendered["s3_bucket"] == "sklearn-zappa-ml-dev-123456789012"  # moto's account
    # Nothing served before: a failed first deploy has nothing to roll back to.
    assert recorded["output_when_zappa_ran"] == ["previous-version=\n"]
    assert "previous version: none" in result.output
    assert "update finished (LastUpdateStatus Successful)" in result.output


def test_an_update_reports_the_previous_version_before_zappa_changes_anything(
    aws, cli, recorded, tmp_path
):
    make_role_and_bucket()
    deployed_stage(versions=3)
    output = tmp_path / "github-output"
    output.write_text("earlier=step\n")
    result = cli("deploy", "dev", env={"GITHUB_OUTPUT": str(output)})
    assert result.exit_code == 0, result.output
    assert recorded["output_when_zappa_ran"] == ["earlier=step\nprevious-version=3\n"]
    assert "make rollback STAGE=dev TO_VERSION=3" in result.output
    versions = boto3.client("lambda", region_name=REGION).list_versions_by_function(
        FunctionName=project.function_name("dev")
    )["Versions"]
    assert [v["Version"] for v in versions] == ["$LATEST", "1", "2", "3", "4"]


def test_a_deployed_stage_gets_zappa_update_with_the_zip(aws, cli, recorded, tmp_path):
    make_role_and_bucket()
    deployed_stage()
    package = make_package(tmp_path / "dev.zip")
    result = cli("deploy", "dev", "--zip", str(package))
    assert result.exit_code == 0, result.output
    assert recorded["zappa"][0][1:3] == ["update", "dev"]
    assert recorded["zappa"][0][-2:] == ["--zip", str(package)]
    assert "exists: zappa update" in result.output


def test_dry_run_prints_the_choice_and_runs_nothing(aws, cli, recorded):
    make_role_and_bucket()
    result = cli("deploy", "dev", "--dry-run")
    assert result.exit_code == 0, result.output
    assert recorded["zappa"] == recorded["usage_plan"] == []
    settings_file = paths.BUILD / "zappa_settings.dev.json"
    assert result.output.splitlines() == [
        "previous version: none (the stage served nothing before this deploy)",
        "function sklearn-zappa-ml-dev does not exist yet: zappa deploy",
        f"[dry-run] would run: zappa deploy dev -s {settings_file} --json",
        "[dry-run] would then ensure usage plan sklearn-zappa-ml-dev and the API key in "
        "sklearn-zappa-ml/dev/api-key",
    ]


@pytest.mark.parametrize(
    ("stage", "sha", "message"),
    [("test", SHA, "built for stage 'test', not 'dev'"), ("dev", "f" * 40, "rebuild it")],
)
def test_a_zip_from_another_stage_or_commit_is_refused(
    aws, cli, recorded, tmp_path, stage, sha, message
):
    package = make_package(tmp_path / "x.zip", stage=stage, sha=sha)
    result = cli("deploy", "dev", "--zip", str(package))
    assert result.exit_code == 1
    assert message in result.output
    assert recorded["zappa"] == []


def test_a_missing_execution_role_stops_before_zappa(aws, cli, recorded):
    result = cli("deploy", "dev")
    assert result.exit_code == 1
    assert "execution role sklearn-zappa-ml-dev-lambda does not exist: deploy iam/ first" in (
        result.output
    )
    assert recorded["zappa"] == []


def test_a_missing_bucket_stops_before_zappa(aws, cli, recorded):
    make_role_and_bucket(bucket=False)
    result = cli("deploy", "dev")
    assert result.exit_code == 1
    assert "S3 bucket sklearn-zappa-ml-dev-123456789012 does not exist" in result.output


def test_zappa_failing_is_one_line(aws, cli, monkeypatch):
    make_role_and_bucket()
    monkeypatch.setattr(zappa, "executable", lambda: paths.ROOT / "no" / "zappa")
    result = cli("deploy", "dev")
    assert result.exit_code == 1
    assert result.output.strip().splitlines()[-1].startswith("Error: ")
    assert "make package-venv" in result.output


def test_a_deploy_waits_for_lambda_and_stops_when_the_update_failed(
    aws, cli, recorded, monkeypatch
):
    """Issue 13, defect 4: Zappa (touch: false) returns before Lambda applied the new code."""
    from ops import lambda_wait

    from .lambda_updates import zappa_update_fails

    make_role_and_bucket()
    deployed_stage()
    monkeypatch.setattr(lambda_wait, "POLL_SECONDS", 0)
    seen = zappa_update_fails(monkeypatch, zappa)
    result = cli("deploy", "dev")
    assert result.exit_code == 1
    assert seen == ["InProgress", "Failed"]
    assert result.output.strip().splitlines()[-1] == (
        "Error: function sklearn-zappa-ml-dev: the update failed "
        "(EniLimitExceeded: The function could not be updated)"
    )
    assert recorded["usage_plan"] == []
