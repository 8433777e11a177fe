"""API Gateway's control-plane limits (issue 13, defect 5): large pages, every list paged to its
end, the account's keys listed once per rotation, throttling met with bounded, jittered backoff.

moto neither pages nor throttles, so these tests make it: its list answers honour `limit` and
`position`, and its backend answers TooManyRequestsException (429) a few times. Backoff pauses are
recorded instead of slept.
"""

import json
import types

import botocore.endpoint
import pytest
from moto import mock_aws
from moto.apigateway.models import APIGatewayBackend
from moto.apigateway.responses import APIGatewayResponse
from moto.core.exceptions import JsonRESTError

import project
from ops import aws
from ops.keys import policy
from ops.keys.apikeys import KeyRing
from ops.stage import Stage
from tests.keys.conftest import STAGE, apigw, deploy_stage, make_rotation
from tests.keys.faults import Faults

LISTS = {"GetApiKeys", "GetUsagePlans", "GetUsagePlanKeys", "GetRestApis"}


@pytest.fixture
def pauses(monkeypatch) -> list[float]:
    """botocore's retry pauses, recorded and skipped (the calls still happen)."""
    recorded: list[float] = []
    monkeypatch.setattr(botocore.endpoint, "time", types.SimpleNamespace(sleep=recorded.append))
    return recorded


@pytest.fixture
def paged(monkeypatch) -> list[dict]:
    """moto's get_api_keys answers one page of `limit` from `position`; returns the requests."""
    requests: list[dict] = []
    original = APIGatewayResponse.get_api_keys

    def one_page(self):
        limit = int(self.querystring.get("limit", ["25"])[0])
        start = int(self.querystring.get("position", ["0"])[0])
        requests.append({"limit": limit, "position": start})
        items = json.loads(original(self))["item"]
        page = {"item": items[start : start + limit]}
        if start + limit < len(items):
            page["position"] = str(start + limit)
        return json.dumps(page)

    monkeypatch.setattr(APIGatewayResponse, "get_api_keys", one_page)
    return requests


def throttle(monkeypatch, times: int) -> list[str]:
    """The backend answers 429 TooManyRequestsException `times` times, then normally."""
    calls: list[str] = []
    original = APIGatewayBackend.get_api_keys

    def limited(self, *args, **kwargs):
        calls.append("GetApiKeys")
        if len(calls) <= times:
            error = JsonRESTError("TooManyRequestsException", "Too Many Requests")
            error.code = 429
            raise error
        return original(self, *args, **kwargs)

    monkeypatch.setattr(APIGatewayBackend, "get_api_keys", limited)
    return calls


def ring() -> KeyRing:
    dev = Stage.resolve(STAGE)
    return KeyRing(dev, policy.load(dev))


def test_every_page_is_read_at_a_forced_small_page_size(monkeypatch, paged, now):
    with mock_aws():
        deploy_stage()
        for number in range(12):
            apigw().create_api_key(
                name=f"{project.function_name(STAGE)}-old-{number}",
                tags=Stage.resolve(STAGE).resource_tags,
            )
            apigw().create_api_key(name=f"another-project-{number}")
        monkeypatch.setattr(aws, "PAGE_SIZE", 5)
        paged.clear()
        found = ring().keys()
    assert len(found) == 13  # the current key and the twelve old ones, none of the others
    assert [request["position"] for request in paged] == [0, 5, 10, 15, 20]


def test_the_account_is_listed_in_pages_of_500(paged, now):
    with mock_aws():
        deploy_stage()
        ring().keys()
    assert paged
    assert {request["limit"] for request in paged} == {500}


def test_a_rotation_lists_the_accounts_keys_once_and_every_list_at_500(
    monkeypatch, stage, stage_url, now
):
    faults = Faults(monkeypatch)
    limits: list[tuple[str, object]] = []
    original = aws.make_client

    def make_client(service, region):
        client = original(service, region)

        def remember(params, model, **_):
            if model.name in LISTS:
                limits.append((model.name, params.get("limit")))

        client.meta.events.register("provide-client-params", remember)
        return client

    monkeypatch.setattr(aws, "make_client", make_client)
    now.advance(days=30)
    make_rotation(stage_url, now).run()
    assert faults.calls.count("apigateway.GetApiKeys") == 1
    assert limits
    assert all(limit == aws.PAGE_SIZE for _, limit in limits), limits


def test_throttled_calls_are_retried_with_bounded_jittered_backoff(monkeypatch, pauses, now):
    with mock_aws():
        deploy_stage()
        calls = throttle(monkeypatch, times=3)
        found = ring().keys()
    assert len(found) == 1
    assert len(calls) == 4
    assert len(pauses) == 3
    assert all(0 <= pause <= 20 for pause in pauses)


def test_throttling_that_outlasts_the_retries_is_one_line(monkeypatch, pauses, now):
    with mock_aws():
        deploy_stage()
        calls = throttle(monkeypatch, times=1000)
        with pytest.raises(aws.AwsError) as raised:
            ring().keys()
    assert len(calls) == aws.MAX_ATTEMPTS
    assert raised.value.message == (
        "AWS kept throttling GetApiKeys after retries with backoff; try again later"
    )
