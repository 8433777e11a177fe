"""The recorder under moto: real botocore calls become records the audit engine can judge."""

import io
import json
import venv
import zipfile

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from iam.required_calls import load
from iam.template import render_roles
from ops.stage import Stage
from rehearsal.iam_audit.audit import audit, format_report, read_records
from rehearsal.iam_audit.recorder import CallRecorder
from rehearsal.iam_audit.required_calls import unlisted

ACCOUNT = "123456789012"  # moto's account
DEV = "sklearn-zappa-ml-dev"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/{DEV}-lambda"


@pytest.fixture
def aws(monkeypatch):
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    with mock_aws():
        boto3.client("iam").create_role(RoleName=f"{DEV}-lambda", AssumeRolePolicyDocument="{}")
        boto3.client("s3").create_bucket(Bucket=f"{DEV}-{ACCOUNT}")
        yield


@pytest.fixture
def recorder(tmp_path, aws):
    rec = CallRecorder(tmp_path / "calls.jsonl")
    rec.install()
    yield rec
    rec.uninstall()


def tiny_zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("handler.py", "def handler(event, context):\n    return 1\n")
    return buf.getvalue()


def test_records_real_calls_without_secret_values(recorder):
    with recorder.step("deploy dev", role=f"{DEV}-deploy"):
        s3 = boto3.client("s3")
        s3.put_object(Bucket=f"{DEV}-{ACCOUNT}", Key=f"{DEV}-1.zip", Body=tiny_zip())
        boto3.client("lambda").create_function(
            FunctionName=DEV,
            Runtime="python3.13",
            Role=ROLE_ARN,
            Handler="handler.handler",
            Code={"S3Bucket": f"{DEV}-{ACCOUNT}", "S3Key": f"{DEV}-1.zip"},
        )
        apigw = boto3.client("apigateway")
        plan = apigw.create_usage_plan(name=DEV, tags={"ZappaProject": DEV})
        key = apigw.create_api_key(name=f"{DEV}-k", enabled=True, tags={"ZappaProject": DEV})
        apigw.create_usage_plan_key(usagePlanId=plan["id"], keyId=key["id"], keyType="API_KEY")
        secret = json.dumps({"key_id": key["id"], "value": key["value"]})
        boto3.client("secretsmanager").create_secret(
            Name="sklearn-zappa-ml/dev/api-key", SecretString=secret
        )
    text = recorder.path.read_text()
    assert key["value"] not in text
    assert "SecretString" not in text
    assert "ZipFile" not in text
    records = read_records([recorder.path])
    assert [(r["service"], r["operation"]) for r in records] == [
        ("s3", "PutObject"),
        ("lambda", "CreateFunction"),
        ("apigateway", "CreateUsagePlan"),
        ("apigateway", "CreateApiKey"),
        ("apigateway", "CreateUsagePlanKey"),
        ("secretsmanager", "CreateSecret"),
    ]
    assert {r["step"] for r in records} == {"deploy dev"}
    assert records[1]["params"]["Code"] == {"S3Bucket": f"{DEV}-{ACCOUNT}", "S3Key": f"{DEV}-1.zip"}
    assert records[4]["params"] == {"usagePlanId": plan["id"], "keyId": key["id"]}

    report = audit(records, render_roles({"GitHubOrg": "a", "GitHubRepo": "b"}), ACCOUNT)
    assert report.denials == [], format_report(report)
    # The usage plan key was judged by the plan's tag, learned from CreateUsagePlan's response.
    used = {(sid, action) for _, _, sid, action in report.used}
    assert ("UsagePlanOfStage", "apigateway:POST") in used


def test_records_failed_calls_and_the_step_role(recorder):
    with (
        recorder.step("status prod", role="sklearn-zappa-ml-prod-deploy"),
        pytest.raises(ClientError, match="ResourceNotFound"),
    ):
        boto3.client("lambda").get_function(FunctionName="sklearn-zappa-ml-prod")
    (rec,) = read_records([recorder.path])
    assert rec["error"] == "ResourceNotFoundException"
    assert rec["role"] == "sklearn-zappa-ml-prod-deploy"
    report = audit([rec], render_roles({"GitHubOrg": "a", "GitHubRepo": "b"}), ACCOUNT)
    assert report.denials == []  # AWS authorizes before it looks the function up


@pytest.fixture
def api_key_stages(monkeypatch):
    """moto's ApiKey.update_operations raises on any op but `replace`, and `zappa deploy` with
    `api_key` set sends UpdateApiKey `add /stages` ("apiId/stage"). The moto server used by the
    rehearsal gets this from rehearsal/local_aws/shims.py (api_key_stages, which also pins the gap:
    tests/rehearsal/local/test_shims.py::test_gap_update_api_key_add_stages); its logic lives
    inside a WSGI handler, so the in-process mock here applies the same add/remove of /stages to
    the key's stageKeys and hands every other operation to moto."""
    from moto.apigateway.models import ApiKey

    original = ApiKey.update_operations

    def update_operations(self, patch_operations):
        staged = [
            op
            for op in patch_operations
            if op.get("path") == "/stages" and op.get("op") in ("add", "remove")
        ]
        for op in staged:
            if op["op"] == "add" and op["value"] not in self.stage_keys:
                self.stage_keys.append(op["value"])
            elif op["op"] == "remove" and op["value"] in self.stage_keys:
                self.stage_keys.remove(op["value"])
        return original(self, [op for op in patch_operations if op not in staged])

    monkeypatch.setattr(ApiKey, "update_operations", update_operations)


@pytest.mark.slow
# Zappa's packaging imports pip, and setuptools' distutils shim warns when pip loads distutils.
@pytest.mark.filterwarnings("ignore:Setuptools is replacing distutils:UserWarning")
def test_zappa_deploy_status_undeploy_is_allowed_by_the_prod_deploy_role(
    recorder, tmp_path, monkeypatch, api_key_stages
):
    """Zappa 0.63 itself, in-process under moto, with prod settings (keep_warm, X-Ray, API key).

    As in `ops deploy`, ops first creates the stage's key (tagged ZappaProject at creation) and
    stores it, and Zappa gets its id as `api_key`: Zappa then only adds its API stage to that key
    (UpdateApiKey) and never creates or deletes a key of its own, which no role may do."""
    from zappa.cli import ZappaCLI

    from ops import stage_key

    monkeypatch.setattr(ZappaCLI, "check_for_update", lambda self: None)  # asks pypi.org
    boto3.client("iam").create_role(
        RoleName="sklearn-zappa-ml-prod-lambda", AssumeRolePolicyDocument="{}"
    )
    boto3.client("s3").create_bucket(Bucket=f"sklearn-zappa-ml-prod-{ACCOUNT}")
    project = tmp_path / "project"
    project.mkdir()
    (project / "app.py").write_text("def app(environ, start_response):\n    return [b'']\n")
    settings = {
        "app_function": "app.app",
        "runtime": "python3.13",
        "aws_region": "us-east-1",
        "project_name": "sklearn-zappa-ml",
        "s3_bucket": f"sklearn-zappa-ml-prod-{ACCOUNT}",
        "manage_roles": False,
        "role_name": "sklearn-zappa-ml-prod-lambda",
        "api_key_required": True,
        "binary_support": False,
        "use_precompiled_packages": False,
        "cloudwatch_log_level": "ERROR",
        "xray_tracing": True,
        "keep_warm": True,
        "touch": False,
        "tags": {"project": "sklearn-zappa-ml", "stage": "prod"},
    }
    with recorder.step("ops stage key", role="sklearn-zappa-ml-prod-deploy"):
        todo, state = stage_key.key_actions(Stage.resolve("prod"), plan=None)
        todo.apply(dry_run=False)
    settings["api_key"] = state["key_id"]
    (project / "zappa_settings.json").write_text(json.dumps({"prod": settings}))
    venv.create(tmp_path / "venv", with_pip=False)
    monkeypatch.setenv("VIRTUAL_ENV", str(tmp_path / "venv"))
    monkeypatch.chdir(project)
    for command in (["deploy", "prod"], ["status", "prod"], ["undeploy", "prod", "--yes"]):
        with recorder.step(f"zappa {command[0]}", role="sklearn-zappa-ml-prod-deploy"):
            ZappaCLI().handle(command)
    records = read_records([recorder.path])
    operations = {r["operation"] for r in records}
    assert {
        "CreateApiKey",
        "CreateSecret",
        "CreateFunction",
        "CreateStack",
        "PutRule",
        "PutTargets",
        "CreateDeployment",
        "UpdateApiKey",
        "DeleteStack",
    } <= operations
    zappa_calls = [r["operation"] for r in records if r["step"].startswith("zappa")]
    assert "CreateApiKey" not in zappa_calls
    assert "DeleteApiKey" not in zappa_calls
    key = boto3.client("apigateway").get_api_key(apiKey=state["key_id"])
    assert key["tags"] == {"ZappaProject": "sklearn-zappa-ml-prod"}
    report = audit(records, render_roles({"GitHubOrg": "a", "GitHubRepo": "b"}), ACCOUNT)
    assert report.denials == [], format_report(report)
    # This recording (keep-warm, status, undeploy: what the rehearsal's local stages skip) is one
    # of iam/required-calls.json's sources (tests/rehearsal/recordings/zappa-prod-calls.jsonl).
    assert unlisted(records, load()) == []
