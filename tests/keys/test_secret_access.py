"""The first secret read of a stage, answered the way AWS authorizes it (issue 13, defect 3).

ResourceNotFoundException means "no key yet": the first deploy creates one. AccessDeniedException
is the role's missing permission, one line that names it: never taken for "missing" (that would
make a new key on every deploy), never a traceback.
"""

import pytest
from click.testing import CliRunner
from moto import mock_aws

import project
from ops import aws, paths, stage_key, usage_plan
from ops.cli import main
from ops.stage import Stage
from tests.keys import secret_policy
from tests.keys.conftest import STAGE, apigw, deploy_stage

DENIED = (
    f"access denied: this role may not secretsmanager:GetSecretValue on secret "
    f"{secret_policy.SECRET}"
)


def test_a_role_scoped_to_the_suffixed_arn_is_denied_the_first_read(monkeypatch):
    secret_policy.enforce(monkeypatch, secret_policy.SUFFIX_ONLY)
    with mock_aws():
        with pytest.raises(aws.AwsError) as raised:
            stage_key.prepare_first_deploy(Stage.resolve(STAGE), {})
        assert raised.value.message.startswith(DENIED)
        assert f"...:secret:{secret_policy.SECRET}" in raised.value.message
        assert apigw().get_api_keys()["items"] == []  # not taken for "no key yet"
        assert not paths.rendered_settings_path(STAGE).exists()


def test_the_denied_first_deploy_is_one_line_without_a_traceback(monkeypatch):
    secret_policy.enforce(monkeypatch, secret_policy.SUFFIX_ONLY)
    with mock_aws():
        apigw().create_rest_api(name=project.function_name(STAGE))
        result = CliRunner().invoke(main, ["usage-plan", STAGE])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert [line for line in lines if line.startswith("Error:")] == [
        next(line for line in lines if line.startswith(f"Error: {DENIED}"))
    ]
    assert "Traceback" not in result.output
    assert not any(line.startswith("done: create API key") for line in lines)


def test_a_role_that_may_read_the_bare_name_gets_not_found_and_creates_the_key(monkeypatch):
    secret_policy.enforce(monkeypatch, secret_policy.WITH_NAME)
    with mock_aws():
        path = stage_key.prepare_first_deploy(Stage.resolve(STAGE), {})
        (key,) = apigw().get_api_keys()["items"]
        assert path.read_text().count(key["id"]) == 1


def test_after_the_first_deploy_the_suffixed_arn_is_enough(monkeypatch, now):
    with mock_aws():
        deploy_stage()
        secret_policy.enforce(monkeypatch, secret_policy.SUFFIX_ONLY)
        stage_key.prepare_first_deploy(
            Stage.resolve(STAGE), {}
        )  # the secret exists: its ARN matches
        assert len(apigw().get_api_keys()["items"]) == 1


@pytest.mark.parametrize(
    ("args", "action"),
    [(["get", STAGE], "GetSecretValue"), (["list", STAGE], "DescribeSecret")],
)
def test_ops_keys_name_the_denied_action(monkeypatch, now, args, action):
    with mock_aws():
        deploy_stage()
        monkeypatch.setattr(project, "api_key_secret_name", lambda stage: f"{stage}/not-created")
        secret_policy.enforce(monkeypatch, secret_policy.SUFFIX_ONLY)
        result = CliRunner().invoke(main, ["keys", *args])
    assert result.exit_code == 1
    assert result.output.strip() == (
        f"Error: access denied: this role may not secretsmanager:{action} on secret "
        f"{STAGE}/not-created; allow it on arn:aws:secretsmanager:REGION:ACCOUNT:secret:"
        f"{STAGE}/not-created-?????? and, for a secret not created yet, on "
        f"...:secret:{STAGE}/not-created (see iam/)"
    )


@pytest.mark.parametrize("args", [["get", STAGE], ["list", STAGE]])
def test_ops_keys_say_a_missing_secret_is_missing(now, args):
    with mock_aws():
        api_id = apigw().create_rest_api(name=project.function_name(STAGE))["id"]
        usage_plan.plan_actions(Stage.resolve(STAGE), api_id)[0].apply(dry_run=False)  # no key yet
        result = CliRunner().invoke(main, ["keys", *args])
    assert result.exit_code == 1
    assert "access denied" not in result.output
    assert f"secret {secret_policy.SECRET}" in result.output
