"""`ops usage-plan`: one plan per stage, created once, patched only where it differs; ops' key."""

import json

import boto3
import pytest
from click.testing import CliRunner

import project
from ops import paths, usage_plan, zappa_settings
from ops.cli import main
from ops.stage import Stage

from .conftest import REGION, make_rest_api


def clients():
    return (
        boto3.client("apigateway", region_name=REGION),
        boto3.client("secretsmanager", region_name=REGION),
    )


def plans(apigw):
    return apigw.get_usage_plans()["items"]


def secret(sm, stage="dev", stage_label="AWSCURRENT"):
    raw = sm.get_secret_value(SecretId=project.api_key_secret_name(stage), VersionStage=stage_label)
    return json.loads(raw["SecretString"])


def test_creates_the_plan_the_key_and_the_secret(aws, cli):
    api_id = make_rest_api()
    result = cli("usage-plan", "dev")
    assert result.exit_code == 0, result.output
    apigw, sm = clients()
    (plan,) = plans(apigw)
    want = usage_plan.wanted(Stage.resolve("dev"))
    assert plan["name"] == "sklearn-zappa-ml-dev"
    assert plan["apiStages"] == [{"apiId": api_id, "stage": "dev"}]
    assert plan["throttle"] == want["throttle"]
    assert plan["quota"]["limit"] == want["quota"]["limit"]
    stored = secret(sm)
    assert set(stored) == {"key_id", "value"}
    plan_keys = apigw.get_usage_plan_keys(usagePlanId=plan["id"])["items"]
    assert [key["id"] for key in plan_keys] == [stored["key_id"]]
    assert stored["value"] not in result.output


def test_plan_and_key_carry_the_tag_the_deploy_role_requires(aws, cli):
    """iam/bootstrap.yaml only lets the deploy role create API Gateway resources with this tag."""
    make_rest_api()
    assert cli("usage-plan", "dev").exit_code == 0
    apigw, sm = clients()
    (plan,) = plans(apigw)
    key = apigw.get_api_key(apiKey=secret(sm)["key_id"])
    assert plan["tags"] == {"ZappaProject": "sklearn-zappa-ml-dev"}
    assert key["tags"] == {"ZappaProject": "sklearn-zappa-ml-dev"}


def test_a_second_run_changes_nothing(aws, cli):
    make_rest_api()
    cli("usage-plan", "dev")
    apigw, sm = clients()
    before = (plans(apigw), apigw.get_api_keys()["items"], secret(sm))
    result = cli("usage-plan", "dev")
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "usage plan sklearn-zappa-ml-dev and its key are up to date"
    assert (plans(apigw), apigw.get_api_keys()["items"], secret(sm)) == before


def test_drifted_limits_are_patched_back(aws, cli):
    make_rest_api()
    cli("usage-plan", "dev")
    apigw, _ = clients()
    plan_id = plans(apigw)[0]["id"]
    apigw.update_usage_plan(
        usagePlanId=plan_id,
        patchOperations=[{"op": "replace", "path": "/throttle/rateLimit", "value": "1"}],
    )
    result = cli("usage-plan", "dev")
    assert "/throttle/rateLimit=10" in result.output
    assert (
        plans(apigw)[0]["throttle"]["rateLimit"]
        == usage_plan.wanted(Stage.resolve("dev"))["throttle"]["rateLimit"]
    )


def test_a_key_zappa_made_is_left_alone_and_named(aws, cli):
    """Issue 13, defect 12: deleting Zappa's untagged key needed a role allowed to delete any
    untagged key; ops now gives Zappa its own key, and only names one an older deploy left."""
    api_id = make_rest_api()
    apigw, _ = clients()
    zappas = apigw.create_api_key(name=f"dev_{api_id}", enabled=True)["id"]
    result = cli("usage-plan", "dev")
    assert result.exit_code == 0, result.output
    assert f"note: {zappas} (dev_{api_id}) is Zappa's key from an older deploy" in result.output
    assert zappas in {key["id"] for key in apigw.get_api_keys()["items"]}
    plan_id = plans(apigw)[0]["id"]
    attached = {key["id"] for key in apigw.get_usage_plan_keys(usagePlanId=plan_id)["items"]}
    assert zappas not in attached


def test_a_stale_secret_gets_a_new_key_as_awscurrent(aws, cli):
    make_rest_api()
    cli("usage-plan", "dev")
    apigw, sm = clients()
    old = secret(sm)
    apigw.delete_api_key(apiKey=old["key_id"])
    result = cli("usage-plan", "dev")
    assert result.exit_code == 0, result.output
    new = secret(sm)
    assert new["key_id"] != old["key_id"]
    assert secret(sm, stage_label="AWSPREVIOUS") == old


def test_dry_run_prints_the_changes_and_makes_none(aws, cli):
    make_rest_api()
    result = cli("usage-plan", "dev", "--dry-run")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("[dry-run] would create usage plan sklearn-zappa-ml-dev (rate 10/s")
    assert lines[1:] == [
        "[dry-run] would create API key sklearn-zappa-ml-dev-<UTC time>",
        "[dry-run] would store the new key in secret sklearn-zappa-ml/dev/api-key (AWSCURRENT)",
        "[dry-run] would attach the new key to usage plan sklearn-zappa-ml-dev",
    ]
    apigw, sm = clients()
    assert plans(apigw) == []
    assert apigw.get_api_keys()["items"] == []
    assert sm.list_secrets()["SecretList"] == []


def test_without_a_deployed_api_it_says_so(aws, cli):
    result = cli("usage-plan", "dev")
    assert result.exit_code == 1
    assert "no REST API named sklearn-zappa-ml-dev in us-east-1: deploy the stage first" in (
        result.output
    )


DROP = object()  # a field left out of the table


@pytest.mark.parametrize(
    ("plan", "message"),
    [
        (None, "stage dev: usage_plan must be an object with rate_limit, burst_limit"),
        ({"burst_limit": DROP}, "stage dev: usage_plan.burst_limit is missing"),
        ({"burst_limit": "20"}, "stage dev: usage_plan.burst_limit must be an integer (is '20')"),
        ({"rate_limit": True}, "stage dev: usage_plan.rate_limit must be a number (is True)"),
        ({"rate_limt": 1}, "stage dev: usage_plan.rate_limt is unknown"),
        ({"quota_period": "YEAR"}, "usage_plan.quota_period must be one of DAY, WEEK, MONTH"),
    ],
)
def test_bad_stage_config_is_one_clear_error(plan, message):
    config = zappa_settings.resolve(zappa_settings.load(), "dev")
    if plan is None:
        config["usage_plan"] = None
    else:
        merged = {**config["usage_plan"], **plan}
        config["usage_plan"] = {key: value for key, value in merged.items() if value is not DROP}
    with pytest.raises(zappa_settings.SettingsError) as raised:
        usage_plan.wanted(Stage("dev", config, REGION))
    assert message in raised.value.message.splitlines()[1]


def test_a_broken_usage_plan_is_one_line_per_problem_and_no_traceback(
    aws, cli, monkeypatch, tmp_path
):
    settings = zappa_settings.load()
    settings["dev"]["usage_plan"] = {"rate_limit": "fast", "burst": 20, "quota_limit": 1}
    broken = tmp_path / "zappa_settings.json"
    broken.write_text(json.dumps(settings))
    monkeypatch.setattr(paths, "SETTINGS_FILE", broken)
    make_rest_api()
    result = CliRunner().invoke(main, ["usage-plan", "dev"])
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.output.splitlines() == [
        "Error: zappa_settings.json:",
        "  stage dev: usage_plan.burst_limit is missing",
        "  stage dev: usage_plan.quota_period is missing",
        "  stage dev: usage_plan.rate_limit must be a number (is 'fast')",
        "  stage dev: usage_plan.burst is unknown",
    ]


def test_the_committed_config_has_a_plan_for_every_stage():
    for stage in zappa_settings.STAGES:
        assert usage_plan.wanted(Stage.resolve(stage))["throttle"]["rateLimit"] > 0
