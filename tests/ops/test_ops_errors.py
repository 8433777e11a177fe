"""AWS errors become one clear line; every client comes from make_client."""

import boto3
import pytest
from botocore.exceptions import ClientError, NoCredentialsError, NoRegionError
from botocore.stub import Stubber

from ops import aws

from .conftest import REGION, make_rest_api


def client_error(code, operation="GetRestApis", message="boom"):
    return ClientError({"Error": {"Code": code, "Message": message}}, operation)


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        (NoCredentialsError(), "no AWS credentials found"),
        (NoRegionError(), "no AWS region"),
        (client_error("ThrottlingException"), "AWS kept throttling GetRestApis after retries"),
        (client_error("TooManyRequestsException"), "AWS kept throttling"),
        (client_error("AccessDeniedException", message="no"), "access denied to GetRestApis"),
        (client_error("ExpiredToken"), "expired or invalid"),
        (client_error("NoSuchBucket", "PutObject"), "deploy iam/ first or set ZAPPA_S3_BUCKET"),
        (client_error("NoSuchEntity", "GetRole", "The role x cannot be found"), "IAM role missing"),
        (client_error("Weird", "GetRestApis", "odd"), "GetRestApis failed: Weird: odd"),
    ],
)
def test_explain(exc, expected):
    message = aws.explain(exc)
    assert expected in message
    assert "\n" not in message


def test_make_client_honours_aws_endpoint_url_and_retries(monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:5999")
    client = aws.make_client("apigateway", REGION)
    assert client.meta.endpoint_url == "http://127.0.0.1:5999"
    assert client.meta.config.retries["mode"] == "standard"
    assert client.meta.config.retries["total_max_attempts"] == aws.MAX_ATTEMPTS


def test_missing_credentials_are_one_line(cli, monkeypatch, tmp_path):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")  # never AWS, whatever happens
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)  # drop credentials cached by other tests
    result = cli("url", "dev")
    assert result.exit_code == 1
    assert result.output.startswith("Error: no AWS credentials found")
    assert len(result.output.strip().splitlines()) == 1


def test_throttling_that_outlasts_the_retries_is_one_line(cli, monkeypatch):
    client = boto3.client("apigateway", region_name=REGION)
    stubber = Stubber(client)
    stubber.add_client_error("get_rest_apis", "TooManyRequestsException", http_status_code=429)
    stubber.activate()
    monkeypatch.setattr(aws, "make_client", lambda service, region: client)
    result = cli("url", "dev")
    assert result.exit_code == 1
    assert result.output.strip() == (
        "Error: AWS kept throttling GetRestApis after retries with backoff; try again later"
    )


def test_url_prints_the_stage_base_url(aws, cli):
    api_id = make_rest_api("test")
    result = cli("url", "test")
    assert result.output.strip() == f"https://{api_id}.execute-api.us-east-1.amazonaws.com/test"


def test_status_shows_ids_never_key_values(aws, cli):
    make_rest_api()
    cli("usage-plan", "dev")
    value = boto3.client("apigateway", region_name=REGION).get_api_keys(includeValues=True)[
        "items"
    ][0]["value"]
    result = cli("status", "dev")
    assert result.exit_code == 0, result.output
    assert "function   sklearn-zappa-ml-dev: not deployed" in result.output
    assert "usage plan sklearn-zappa-ml-dev" in result.output
    assert "secret     sklearn-zappa-ml/dev/api-key: current key " in result.output
    assert value not in result.output
