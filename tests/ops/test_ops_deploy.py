"""`ops deploy`: `zappa deploy` for a new stage, `zappa update` for an existing one (moto)."""

import io
import json
import zipfile

import boto3
import pytest

from ops import deploy as deploy_module
from ops import paths, zappa

from .conftest import REGION, SHA, make_role_and_bucket


@pytest.fixture
def recorded(monkeypatch):
    """The zappa subprocess boundary and the usage-plan step, recorded instead of run."""
    calls = {"zappa": [], "usage_plan": []}
    monkeypatch.setattr(zappa, "run", lambda argv: calls["zappa"].append(argv))
    monkeypatch.setattr(
        deploy_module.usage_plan, "ensure", lambda *a, **k: calls["usage_plan"].append(a)
    )
    return calls


def make_function(stage="dev"):
    role = boto3.client("iam", region_name=REGION).get_role(
        RoleName=f"{paths.PROJECT}-{stage}-lambda"
    )["Role"]["Arn"]
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as archive:
        archive.writestr("handler.py", "def lambda_handler(e, c):\n    return {}\n")
    boto3.client("lambda", region_name=REGION).create_function(
        FunctionName=paths.function_name(stage),
        Runtime="python3.11",
        Role=role,
        Handler="handler.lambda_handler",
        Code={"ZipFile": code.getvalue()},
    )


def make_package(path, stage="dev", sha=SHA):
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(
            "zappa_settings.py",
            f"API_STAGE='{stage}'\nENVIRONMENT_VARIABLES={{'GIT_SHA': '{sha}'}}\n",
        )
    return path


def test_first_deploy_runs_zappa_deploy_then_the_usage_plan(aws, cli, recorded):
    make_role_and_bucket()
    result = cli("deploy", "dev")
    assert result.exit_code == 0, result.output
    argv = recorded["zappa"][0]
    assert argv[1:5] == ["deploy", "dev", "-s", str(paths.BUILD / "zappa_settings.dev.json")]
    assert argv[0].endswith(".venv-package/bin/zappa")
    assert recorded["usage_plan"] == [("dev", REGION)]
    rendered = json.loads((paths.BUILD / "zappa_settings.dev.json").read_text())["dev"]
    assert rendered["s3_bucket"] == "sklearn-zappa-ml-dev-123456789012"  # moto's account


def test_a_deployed_stage_gets_zappa_update_with_the_zip(aws, cli, recorded, tmp_path):
    make_role_and_bucket()
    make_function()
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
    assert recorded == {"zappa": [], "usage_plan": []}
    settings_file = paths.BUILD / "zappa_settings.dev.json"
    assert result.output.splitlines() == [
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
