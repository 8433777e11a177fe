"""API keys as API Gateway enforces usage-plan keys: 403 {"message": "Forbidden"} unless the key
exists, is enabled and is in a usage plan attached to this API stage; read live, so rotation and
revocation in the local endpoint take effect at once (within the cache's ttl)."""

import pytest

from rehearsal.gateway.auth import StageKeys
from tests.rehearsal.local.helpers import call, echo_zip

FORBIDDEN = {"message": "Forbidden"}


@pytest.fixture
def keyed(stage, gateway):
    """A deployed stage with a usage plan, its gateway, and one good key."""
    stage.deploy(echo_zip())
    stage.plan()
    key_id, value = stage.key()
    return stage, gateway(stage), key_id, value


def test_a_key_in_the_stage_plan_is_admitted(keyed):
    _, url, key_id, value = keyed
    answer = call("GET", f"{url}/hello", value)
    assert answer.status_code == 200
    identity = answer.json()["event"]["requestContext"]["identity"]
    assert (identity["apiKey"], identity["apiKeyId"]) == (value, key_id)


@pytest.mark.parametrize(
    "case", ["missing", "unknown", "disabled", "in no plan", "other stage's plan", "other API"]
)
def test_forbidden_keys(keyed, case):
    stage, url, _, _ = keyed
    value = None
    if case == "unknown":
        value = "not-a-key-of-this-endpoint-0000000000"
    elif case == "disabled":
        value = stage.key(enabled=False)[1]
    elif case == "in no plan":
        value = stage.key(plan_id="")[1]
    elif case == "other stage's plan":
        stage.apigw.create_deployment(restApiId=stage.api_id, stageName="other")
        plan = stage.plan(api_stages=[{"apiId": stage.api_id, "stage": "other"}])
        value = stage.key(plan_id=plan)[1]
    elif case == "other API":
        other_api = stage.rest_api(f"{stage.function}-other", stage.name)
        plan = stage.plan(api_stages=[{"apiId": other_api, "stage": stage.name}])
        value = stage.key(plan_id=plan)[1]
    answer = call("GET", f"{url}/hello", value)
    assert (answer.status_code, answer.json()) == (403, FORBIDDEN)
    assert answer.headers["x-amzn-ErrorType"] == "ForbiddenException"


def test_rotation_and_revocation_take_effect_immediately(keyed):
    stage, url, old_id, old_value = keyed
    new_id, new_value = stage.key()  # rotation: the new key joins the plan...
    assert call("GET", f"{url}/", new_value).status_code == 200
    assert call("GET", f"{url}/", old_value).status_code == 200  # ...both work in the overlap
    stage.apigw.delete_usage_plan_key(usagePlanId=stage.plan_id, keyId=old_id)
    assert call("GET", f"{url}/", old_value).status_code == 403
    stage.apigw.update_api_key(
        apiKey=new_id, patchOperations=[{"op": "replace", "path": "/enabled", "value": "false"}]
    )
    assert call("GET", f"{url}/", new_value).status_code == 403


def test_key_state_is_cached_for_at_most_ttl_seconds(stage):
    stage.deploy(echo_zip())
    stage.plan()
    key_id, value = stage.key()
    now = [100.0]
    keys = StageKeys(stage.apigw, stage.function, stage.name, ttl=1.0, clock=lambda: now[0])
    assert keys.authorize(value) is not None
    stage.apigw.delete_usage_plan_key(usagePlanId=stage.plan_id, keyId=key_id)
    now[0] += 0.5
    assert keys.authorize(value) is not None  # still the cached read
    now[0] += 0.5
    assert keys.authorize(value) is None


def test_paths_outside_the_stage_are_forbidden(keyed):
    _, url, _, value = keyed
    root = url.rsplit("/", 1)[0]
    for path in ("/", "/other/hello", f"{url[len(root) :]}x/hello"):
        answer = call("GET", f"{root}{path}", value)
        assert (answer.status_code, answer.json()) == (403, FORBIDDEN), path
