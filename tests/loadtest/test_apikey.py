"""The load test's API key: $API_KEY, else the stage's secret in Secrets Manager (moto here)."""

import json

import boto3
import pytest
from moto import mock_aws

from loadtest.apikey import resolve_api_key
from loadtest.errors import LoadTestError
from project import api_key_secret_name

SECRET_VALUE = "k3y-value-never-printed-0123456789"


@pytest.fixture
def secrets(aws_env):
    with mock_aws():
        yield boto3.client("secretsmanager")


def put(client, stage, secret_string):
    client.create_secret(Name=api_key_secret_name(stage), SecretString=secret_string)


def test_the_environment_wins_over_the_secret(secrets, monkeypatch):
    put(secrets, "test", json.dumps({"key_id": "abc", "value": SECRET_VALUE}))
    monkeypatch.setenv("API_KEY", "from-env")
    assert resolve_api_key("test") == "from-env"


def test_the_stage_secret_holds_the_current_key(secrets):
    put(secrets, "test", json.dumps({"key_id": "abc", "value": SECRET_VALUE}))
    assert resolve_api_key("test") == SECRET_VALUE


def test_no_stage_and_no_environment_means_no_key(aws_env):
    assert resolve_api_key(None) is None


@pytest.mark.parametrize(
    ("secret_string", "message"),
    [
        (None, "(ResourceNotFoundException): it does not exist yet; deploy the stage"),
        ("not json " + SECRET_VALUE, 'is not JSON of the form {"key_id": ..., "value": ...}'),
        (json.dumps({"key_id": "abc"}), "is not JSON of the form"),
        (json.dumps({"key_id": "abc", "value": ""}), "is not JSON of the form"),
    ],
)
def test_secret_problems_are_named_without_the_value(secrets, secret_string, message):
    if secret_string is not None:
        put(secrets, "test", secret_string)
    with pytest.raises(LoadTestError) as error:
        resolve_api_key("test")
    assert message in error.value.message
    assert SECRET_VALUE not in error.value.message


def test_access_denied_names_the_permission_and_is_never_missing(aws_env, monkeypatch):
    """Issue 13, defect 3: AWS answers AccessDenied for a secret the role can't see."""
    from moto.core.exceptions import JsonRESTError
    from moto.secretsmanager.models import SecretsManagerBackend

    def denied(self, secret_id, *args, **kwargs):
        raise JsonRESTError("AccessDeniedException", f"not authorized on {secret_id}")

    monkeypatch.setattr(SecretsManagerBackend, "get_secret_value", denied)
    with mock_aws(), pytest.raises(LoadTestError) as error:
        resolve_api_key("test")
    assert error.value.message == (
        "cannot read secret sklearn-zappa-ml/test/api-key (AccessDeniedException): this role may "
        "not secretsmanager:GetSecretValue on it; use the load-test role or set API_KEY"
    )
