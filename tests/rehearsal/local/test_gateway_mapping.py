"""Requests become API Gateway REST proxy events (v1) and answers become responses, the function
runs isolated with its configured environment, and a new deploy or a rollback switches the code."""

import base64
import http.client
import json
from urllib.parse import urlsplit

import pytest

from rehearsal.gateway.deployed_code import cache_name
from tests.rehearsal.local.helpers import TIMEOUT, call, echo_zip, zappa_core


@pytest.fixture
def served(stage, gateway):
    stage.deploy(echo_zip(), environment={"GREETING": "hello"}, memory=256)
    stage.plan()
    key_id, value = stage.key()
    return stage, gateway(stage), key_id, value


def raw_request(url: str, method: str, path: str, headers: list, body: bytes = b""):
    """http.client, to send repeated headers and exact bodies."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=TIMEOUT)
    try:
        connection.putrequest(method, parts.path + path)
        for name, value in [*headers, ("Content-Length", str(len(body)))]:
            connection.putheader(name, value)
        connection.endheaders(body)
        answer = connection.getresponse()
        return answer.status, answer.getheaders(), answer.read()
    finally:
        connection.close()


def test_get_with_repeated_query_parameters_and_headers(served):
    stage, url, key_id, value = served
    headers = [("x-api-key", value), ("X-Tag", "a"), ("X-Tag", "b")]
    status, answer_headers, body = raw_request(url, "GET", "/items/7?q=1&q=2&empty=", headers)
    assert status == 200
    event = json.loads(body)["event"]
    assert event["resource"] == "/{proxy+}"
    assert event["path"] == "/items/7"
    assert event["pathParameters"] == {"proxy": "items/7"}
    assert event["httpMethod"] == "GET"
    assert event["queryStringParameters"] == {"q": "2", "empty": ""}
    assert event["multiValueQueryStringParameters"] == {"q": ["1", "2"], "empty": [""]}
    assert event["headers"]["X-Tag"] == "b"
    assert event["multiValueHeaders"]["X-Tag"] == ["a", "b"]
    assert event["headers"]["X-Forwarded-For"] == "127.0.0.1"
    assert (event["body"], event["isBase64Encoded"]) == (None, False)
    context = event["requestContext"]
    assert context["stage"] == stage.name
    assert context["apiId"] == stage.api_id
    assert context["path"] == f"/{stage.name}/items/7"
    assert context["resourcePath"] == "/{proxy+}"
    assert (context["identity"]["apiKey"], context["identity"]["apiKeyId"]) == (value, key_id)
    assert dict(answer_headers)["x-amzn-RequestId"] == context["requestId"]


def test_stage_root_is_the_root_resource(served):
    _, url, _, value = served
    for path in ("", "/"):
        event = call("GET", f"{url}{path}", value).json()["event"]
        assert (event["resource"], event["path"], event["pathParameters"]) == ("/", "/", None)


def test_post_bodies_text_and_binary(served):
    _, url, _, value = served
    event = call("POST", f"{url}/predict", value, json={"data": [1.5]}).json()["event"]
    assert (event["body"], event["isBase64Encoded"]) == ('{"data": [1.5]}', False)
    binary = bytes(range(256))
    event = call("PUT", f"{url}/blob", value, data=binary).json()["event"]
    assert event["isBase64Encoded"] is True
    assert base64.b64decode(event["body"]) == binary


def test_responses_multi_value_headers_and_base64_bodies(served):
    _, url, _, value = served
    status, headers, body = raw_request(url, "GET", "/cookies", [("x-api-key", value)])
    assert status == 201
    assert [v for k, v in headers if k == "Set-Cookie"] == ["a=1", "b=2"]  # multi wins
    assert ("X-Single", "one") in headers
    assert body == b""
    assert call("GET", f"{url}/binary", value).content == bytes(range(256))
    head = call("HEAD", f"{url}/", value)
    assert (head.status_code, head.content) == (200, b"")


def test_the_function_runs_isolated_with_its_configuration(served, endpoint, tmp_path):
    stage, url, _, value = served
    answer = call("GET", f"{url}/", value).json()
    assert answer["env"] == {
        "GREETING": "hello",
        "AWS_LAMBDA_FUNCTION_NAME": stage.function,
        "AWS_ENDPOINT_URL": endpoint,  # the function's own AWS calls stay local
        "HOME": None,
    }
    assert answer["context"]["function_name"] == stage.function
    assert answer["context"]["memory_limit_in_mb"] == "256"
    assert 0 < answer["context"]["remaining_ms"] <= 10_000
    assert answer["flags"] == {"isolated": 1, "no_site": 1}
    assert answer["sys_path"][0].startswith(str(tmp_path / "code"))
    assert not any("site-packages" in entry for entry in answer["sys_path"])
    boto3_file = call("GET", f"{url}/boto3", value).text
    assert "lambda-runtime" in boto3_file  # from the runtime layer, not the package


def test_a_new_deploy_and_a_rollback_switch_the_code(served, tmp_path):
    stage, url, _, value = served
    first = call("GET", f"{url}/", value).json()
    stage.lam.update_function_code(
        FunctionName=stage.function, ZipFile=echo_zip("v2"), Publish=True
    )
    second = call("GET", f"{url}/", value).json()
    assert (first["version"], second["version"]) == ("v1", "v2")
    assert second["pid"] != first["pid"]  # a new worker: the old code is drained

    zappa_core(stage.endpoint).rollback_lambda_function_version(stage.function, versions_back=1)
    assert call("GET", f"{url}/", value).json()["version"] == "v1"
    sha = stage.lam.get_function(FunctionName=stage.function)["Configuration"]["CodeSha256"]
    assert (tmp_path / "code" / cache_name(sha) / "handler.py").exists()


def test_configuration_changes_start_new_workers(served):
    stage, url, _, value = served
    before = call("GET", f"{url}/", value).json()
    stage.lam.update_function_configuration(
        FunctionName=stage.function, Environment={"Variables": {"GREETING": "bye"}}
    )
    after = call("GET", f"{url}/", value).json()
    assert (before["env"]["GREETING"], after["env"]["GREETING"]) == ("hello", "bye")
    assert after["pid"] != before["pid"]


def test_bodies_api_gateway_would_refuse(served):
    _, url, _, value = served
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=TIMEOUT)
    try:
        connection.putrequest("POST", f"{parts.path}/predict")
        connection.putheader("x-api-key", value)
        connection.putheader("Content-Length", str(10 * 1024 * 1024 + 1))
        connection.endheaders()
        answer = connection.getresponse()
        assert (answer.status, answer.read()) == (413, b'{"message": "Request Too Long"}')
    finally:
        connection.close()
