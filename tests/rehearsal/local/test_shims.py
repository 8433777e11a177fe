"""Each moto gap a shim in rehearsal/local_aws/shims.py closes: first that plain moto still has it
(when a `test_gap_*` test fails after a moto upgrade, moto has caught up: delete that shim and its
tests),
then that the shimmed endpoint closes it, with boto3 and with Zappa's own code."""

import base64
import hashlib
import threading
from urllib.parse import urlsplit

import boto3
import pytest
import requests
from botocore.config import Config
from botocore.exceptions import ClientError
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from werkzeug.serving import make_server
from zappa.core import Zappa

from rehearsal.local_aws import local_client
from rehearsal.local_aws.server import QuietHandler
from rehearsal.local_aws.shims import LOCAL_ACCOUNT_CONCURRENCY
from tests.rehearsal.local.helpers import TIMEOUT, echo_zip, numbers, zappa_core


@pytest.fixture(scope="module")
def plain_moto(endpoint):
    """moto's own app, without the shims, on another port (moto's state is shared in-process)."""
    server = make_server(
        "127.0.0.1",
        0,
        DomainDispatcherApplication(create_backend_app),
        threaded=True,
        request_handler=QuietHandler,
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


def plain_lambda(url: str):
    """No retries: moto's 500 is the answer under test, not a transient failure."""
    return boto3.client(
        "lambda",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(retries={"max_attempts": 1, "mode": "standard"}),
    )


@pytest.fixture
def two_versions(endpoint, role_arn):
    """A function with published versions 1 (code v1) and 2 (code v2)."""
    name = f"shim-{next(numbers)}"
    client = local_client("lambda", endpoint)
    client.create_function(
        FunctionName=name,
        Runtime="python3.13",
        Role=role_arn,
        Handler="handler.lambda_handler",
        Code={"ZipFile": echo_zip("v1")},
        Publish=True,
    )
    client.update_function_code(FunctionName=name, ZipFile=echo_zip("v2"), Publish=True)
    return name


def sha256_b64(data: bytes) -> str:
    return base64.b64encode(hashlib.sha256(data).digest()).decode()


def test_gap_list_function_url_configs(plain_moto, two_versions):
    with pytest.raises(ClientError) as raised:
        plain_lambda(plain_moto).list_function_url_configs(FunctionName=two_versions)
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_list_function_url_configs_shim(endpoint, two_versions):
    client = local_client("lambda", endpoint)
    assert client.list_function_url_configs(FunctionName=two_versions)["FunctionUrlConfigs"] == []
    client.create_function_url_config(FunctionName=two_versions, AuthType="NONE")
    listed = client.list_function_url_configs(FunctionName=two_versions)["FunctionUrlConfigs"]
    assert [config["AuthType"] for config in listed] == ["NONE"]
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.list_function_url_configs(FunctionName="no-such-function")


def test_gap_get_account_settings(plain_moto):
    with pytest.raises(ClientError) as raised:
        plain_lambda(plain_moto).get_account_settings()
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_account_settings_shim_answers_the_local_limit_minus_reservations(endpoint, two_versions):
    client = local_client("lambda", endpoint)
    before = client.get_account_settings()["AccountLimit"]
    assert before["ConcurrentExecutions"] == LOCAL_ACCOUNT_CONCURRENCY
    client.put_function_concurrency(FunctionName=two_versions, ReservedConcurrentExecutions=3)
    try:
        after = client.get_account_settings()["AccountLimit"]
        assert after["UnreservedConcurrentExecutions"] == (
            before["UnreservedConcurrentExecutions"] - 3
        )
    finally:
        client.delete_function_concurrency(FunctionName=two_versions)
    assert client.get_account_settings()["AccountLimit"] == before


def test_gap_list_provisioned_concurrency_configs(plain_moto, two_versions):
    with pytest.raises(ClientError) as raised:
        plain_lambda(plain_moto).list_provisioned_concurrency_configs(FunctionName=two_versions)
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_list_provisioned_concurrency_configs_shim(endpoint, two_versions):
    client = local_client("lambda", endpoint)
    answer = client.list_provisioned_concurrency_configs(FunctionName=two_versions)
    assert answer["ProvisionedConcurrencyConfigs"] == []
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.list_provisioned_concurrency_configs(FunctionName="no-such-function")


def test_gap_qualified_get_function(plain_moto, two_versions):
    with pytest.raises(ClientError) as raised:
        plain_lambda(plain_moto).get_function(FunctionName=f"function:{two_versions}:1")
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500


def test_qualified_get_function_shim(endpoint, two_versions):
    client = local_client("lambda", endpoint)
    for version in ("1", "2"):
        config = client.get_function(FunctionName=f"function:{two_versions}:{version}")
        assert config["Configuration"]["Version"] == version
        assert config["Configuration"]["FunctionArn"].endswith(f":{two_versions}:{version}")


def test_gap_code_location(plain_moto, two_versions):
    client = plain_lambda(plain_moto)
    locations = {
        client.get_function(FunctionName=two_versions, Qualifier=v)["Code"]["Location"]
        for v in ("1", "2")
    }
    assert len(locations) == 1  # every version points at the same object
    assert urlsplit(locations.pop()).hostname.endswith(".amazonaws.com")


def test_code_location_shim(endpoint, two_versions):
    client = local_client("lambda", endpoint)
    digests = set()
    for qualifier in ("1", "2", "$LATEST"):
        answer = client.get_function(FunctionName=two_versions, Qualifier=qualifier)
        location = answer["Code"]["Location"]
        assert location.startswith(f"{endpoint}/")
        data = requests.get(location, timeout=TIMEOUT).content
        assert sha256_b64(data) == answer["Configuration"]["CodeSha256"]
        digests.add(answer["Configuration"]["CodeSha256"])
    assert len(digests) == 2  # $LATEST is version 2's code
    missing = location.replace(f"/{two_versions}/", "/no-such-function/")
    assert requests.get(missing, timeout=TIMEOUT).status_code == 404


def test_zappa_rollback_and_function_url_cleanup_work(endpoint, two_versions):
    """What `zappa rollback -n 1` and `zappa update` run, through Zappa's own code."""
    zappa = zappa_core(endpoint)
    client = local_client("lambda", endpoint)
    v1 = client.get_function(FunctionName=two_versions, Qualifier="1")["Configuration"]

    zappa.rollback_lambda_function_version(two_versions, versions_back=1)
    latest = client.get_function(FunctionName=two_versions)["Configuration"]
    assert latest["CodeSha256"] == v1["CodeSha256"]

    client.create_function_url_config(FunctionName=two_versions, AuthType="NONE")
    zappa.delete_lambda_function_url(two_versions)  # `zappa update` without a function URL
    assert client.list_function_url_configs(FunctionName=two_versions)["FunctionUrlConfigs"] == []


def plain_apigateway(url: str):
    return boto3.client(
        "apigateway",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(retries={"max_attempts": 1, "mode": "standard"}),
    )


ADD_STAGE = [{"op": "add", "path": "/stages", "value": "api123/dev"}]


def test_gap_update_api_key_add_stages(plain_moto):
    client = plain_apigateway(plain_moto)
    key_id = client.create_api_key(name=f"shim-key-{next(numbers)}", enabled=True)["id"]
    with pytest.raises(ClientError) as raised:
        client.update_api_key(apiKey=key_id, patchOperations=ADD_STAGE)
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500


def test_update_api_key_add_stages_shim(endpoint):
    client = local_client("apigateway", endpoint)
    key_id = client.create_api_key(name=f"shim-key-{next(numbers)}", enabled=True)["id"]
    answer = client.update_api_key(
        apiKey=key_id,
        patchOperations=[*ADD_STAGE, {"op": "replace", "path": "/description", "value": "d"}],
    )
    assert answer["stageKeys"] == ["api123/dev"]
    assert answer["description"] == "d"
    assert "value" not in answer
    client.update_api_key(apiKey=key_id, patchOperations=ADD_STAGE)  # idempotent, like AWS
    assert client.get_api_key(apiKey=key_id)["stageKeys"] == ["api123/dev"]
    removed = [{"op": "remove", "path": "/stages", "value": "api123/dev"}]
    assert client.update_api_key(apiKey=key_id, patchOperations=removed)["stageKeys"] == []
    with pytest.raises(client.exceptions.NotFoundException):
        client.update_api_key(apiKey="no-such-key", patchOperations=ADD_STAGE)


def test_zappa_adds_its_stage_to_the_key_it_is_given(endpoint):
    """What `zappa deploy` runs with `api_key` set (ops renders it), through Zappa's own code."""
    client = local_client("apigateway", endpoint)
    key_id = client.create_api_key(name=f"shim-key-{next(numbers)}", enabled=True)["id"]
    zappa = Zappa(
        boto_session=boto3.Session(
            aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1"
        ),
        aws_region="us-east-1",
        runtime="python3.13",
        endpoint_urls={"apigateway": endpoint},
    )
    zappa.add_api_stage_to_api_key(api_key=key_id, api_id="api123", stage_name="dev")
    assert client.get_api_key(apiKey=key_id)["stageKeys"] == ["api123/dev"]
