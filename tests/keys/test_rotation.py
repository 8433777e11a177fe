"""Rotation: the happy path, the overlap window, refusals (concurrency, quota, foreign state)."""

import json
from dataclasses import replace

import pytest
from botocore.exceptions import ClientError

import project
from ops.keys import policy
from ops.keys.ratelimit import RateLimiter
from ops.keys.redact import KeysError, Refused
from ops.keys.store import SecretStore
from ops.stage import Stage
from tests.keys import invariants
from tests.keys.conftest import SECRET, STAGE, apigw, make_rotation, secrets, status, stored


def test_rotate_promotes_a_new_key_and_the_old_one_keeps_working(stage, stage_url, cli):
    old = stored()
    result = cli("rotate", STAGE, "--url", stage_url)
    assert result.exit_code == 0, result.output
    new = stored()
    assert new["key_id"] != old["key_id"]
    assert stored("AWSPREVIOUS") == old
    assert status(stage_url, new["value"]) == 200
    assert status(stage_url, old["value"]) == 200
    assert status(stage_url, None) == 403
    lines = result.stdout.splitlines()
    assert lines[0].startswith("rotation ")
    assert f"created key {new['key_id']} ({project.function_name(STAGE)}-" in result.output
    assert "verified: GET /health 200" in lines
    assert "verified: POST /predict 200" in lines
    assert lines[-1].startswith(
        f"rotated {STAGE}: current key {new['key_id']}; previous key {old['key_id']} works until "
    )
    invariants.check(finished=True)
    assert old["value"] not in result.output
    assert new["value"] not in result.output


def test_the_new_key_is_tagged_with_stage_rotation_and_time(stage, stage_url, now):
    outcome = make_rotation(stage_url, now).run()
    key = apigw().get_api_key(apiKey=outcome.current)
    assert key["name"] == f"{project.function_name(STAGE)}-{outcome.rotation_id}"
    assert key["tags"] == {
        "ZappaProject": project.function_name(STAGE),
        "rotation-id": outcome.rotation_id,
        "created-at": now.now.strftime("%Y-%m-%dT%H:%M:%SZ"),
    }


def test_the_previous_key_works_through_the_overlap_then_is_disabled_then_deleted(
    stage, stage_url, now, cli
):
    old = stored()
    make_rotation(stage_url, now).run()
    now.advance(hours=23)
    kept = cli("prune", STAGE)
    assert f"previous key {old['key_id']} stays enabled until" in kept.output
    assert status(stage_url, old["value"]) == 200
    now.advance(hours=2)
    ended = cli("prune", STAGE)
    assert f"done: disable previous key {old['key_id']}: its overlap window ended" in ended.output
    assert status(stage_url, old["value"]) == 403
    assert status(stage_url, stored()["value"]) == 200
    now.advance(days=7)
    deleted = cli("prune", STAGE)
    assert f"done: delete key {old['key_id']}" in deleted.output
    assert old["key_id"] not in invariants.all_keys()
    invariants.check(finished=True)


def test_a_second_rotation_inside_the_overlap_window_is_refused(stage, stage_url, now, cli):
    make_rotation(stage_url, now).run()
    keys = set(invariants.all_keys())
    now.advance(hours=1)
    result = cli("rotate", STAGE, "--url", stage_url)
    assert result.exit_code == 1
    assert "is in its overlap window until" in result.output
    assert "ops keys revoke dev" in result.output
    assert set(invariants.all_keys()) == keys


def test_a_rotation_started_while_another_is_in_flight_is_refused(stage, stage_url, now):
    refusals = []

    def race(value):  # runs between AWSPENDING and promotion of the first rotation
        with pytest.raises(Refused) as refused:
            make_rotation(stage_url, now).run()
        refusals.append(str(refused.value))
        return []

    before = set(invariants.all_keys())
    outcome = make_rotation(stage_url, now, wrap=lambda verify: race).run()
    (message,) = refusals
    assert f"rotation {outcome.rotation_id} is in flight" in message
    assert f"--rotation-id {outcome.rotation_id}" in message
    assert len(set(invariants.all_keys()) - before) == 1
    invariants.check(finished=True)


def test_a_failed_verification_leaves_the_rotation_pending_and_it_resumes(stage, stage_url, now):
    old = stored()

    def stage_down(value):
        raise KeysError("GET /health with the new key answered 503, expected 200")

    with pytest.raises(KeysError, match="stays pending") as failed:
        make_rotation(stage_url, now, wrap=lambda verify: stage_down).run()
    assert stored() == old
    pending = invariants.labelled()["AWSPENDING"]
    assert pending["version"] in str(failed.value)
    now.advance(minutes=30)
    with pytest.raises(Refused, match="in flight"):
        make_rotation(stage_url, now).run()
    now.advance(minutes=31)  # past the pending timeout: the crashed rotation is resumed
    outcome = make_rotation(stage_url, now).run()
    assert outcome.rotation_id == pending["version"]
    assert stored()["key_id"] == pending["key_id"]
    invariants.check(finished=True)


def test_a_rotation_that_loses_the_race_to_promote_withdraws_its_key(stage, stage_url, now):
    def another_rotation_promotes(value):
        racer = apigw().create_api_key(name="racer", enabled=True)
        body = json.dumps({"key_id": racer["id"], "value": racer["value"]})
        secrets().put_secret_value(SecretId=SECRET, SecretString=body, VersionStages=["AWSCURRENT"])
        return []

    rotation = make_rotation(stage_url, now, wrap=lambda verify: another_rotation_promotes)
    with pytest.raises(Refused, match=r"AWSCURRENT of \S+ moved while this rotation ran"):
        rotation.run()
    labels = invariants.labelled()
    assert "AWSPENDING" not in labels
    mine = [k for k in invariants.all_keys().values() if (k.get("tags") or {}).get("rotation-id")]
    assert mine == []


def test_a_rotation_that_loses_the_race_for_awspending_stops(stage, stage_url, now, monkeypatch):
    original, racer = SecretStore.put_pending, {}

    def put_then_overtaken(self, rotation_id, key):
        original(self, rotation_id, key)
        made = apigw().create_api_key(name="racer", enabled=True)
        racer.update(key_id=made["id"], mine=key.key_id)
        self.client.put_secret_value(
            SecretId=self.name, ClientRequestToken="20300101T000000Z-another-rotation-00",
            SecretString=json.dumps({"key_id": made["id"], "value": made["value"]}),
            VersionStages=["AWSPENDING"],
        )  # fmt: skip

    monkeypatch.setattr(SecretStore, "put_pending", put_then_overtaken)
    with pytest.raises(Refused, match="at the same moment"):
        make_rotation(stage_url, now).run()
    assert invariants.labelled()["AWSPENDING"]["key_id"] == racer["key_id"]
    assert racer["mine"] not in invariants.all_keys()


def test_near_the_account_key_quota_nothing_is_created(stage, stage_url, now):
    rules = replace(policy.load(Stage.resolve(STAGE)), account_key_limit=10, quota_margin=9)
    before = invariants.all_keys()
    with pytest.raises(Refused, match=r"the account has 1 API keys of its 10 in this region"):
        make_rotation(stage_url, now, rules=rules).run()
    assert invariants.all_keys() == before


def test_api_gateways_own_quota_error_is_one_clear_line(stage, stage_url, now, monkeypatch):
    rotation = make_rotation(stage_url, now)
    error = {"Error": {"Code": "LimitExceededException", "Message": "API key limit exceeded"}}

    def refuse(**_):
        raise ClientError(error, "CreateApiKey")

    monkeypatch.setattr(rotation.ring.client, "create_api_key", refuse)
    with pytest.raises(Refused, match="account's API key quota is reached"):
        rotation.run()


def test_a_pending_version_that_is_not_ours_is_refused(stage, stage_url, now):
    secrets().put_secret_value(
        SecretId=SECRET, ClientRequestToken="f" * 36, SecretString="rotating-by-lambda",
        VersionStages=["AWSPENDING"],
    )  # fmt: skip
    with pytest.raises(Refused, match="is not one of ours"):
        make_rotation(stage_url, now).run()


def test_dry_run_plans_and_changes_nothing(stage, stage_url, cli):
    keys, labels = invariants.all_keys(), invariants.labelled()
    result = cli("rotate", STAGE, "--url", stage_url, "--dry-run")
    assert result.exit_code == 0, result.output
    assert "[dry-run] would create a key" in result.output
    assert invariants.all_keys() == keys
    assert invariants.labelled() == labels


@pytest.mark.parametrize("rotation_id", ["short", "x" * 65, "has spaces" * 4])
def test_a_bad_rotation_id_is_one_clear_error(stage, stage_url, cli, rotation_id):
    result = cli("rotate", STAGE, "--url", stage_url, "--rotation-id", rotation_id)
    assert result.exit_code == 1
    assert "a rotation id is 32-64 letters, digits, '-' or '_'" in result.output


def test_create_and_delete_are_spaced_to_api_gateways_rate():
    moments, slept = [0.0], []

    def sleep(seconds):
        slept.append(round(seconds, 3))
        moments[0] += seconds

    limiter = RateLimiter(per_second=5, clock=lambda: moments[0], sleep=sleep)
    for _ in range(3):
        limiter.wait("CreateApiKey")
    limiter.wait("DeleteApiKey")
    assert slept == [0.2, 0.2]


def test_a_url_that_is_not_http_is_one_clear_error(stage, cli):
    result = cli("rotate", STAGE, "--url", "ftp://127.0.0.1/dev")
    assert result.exit_code == 2
    assert "'ftp://127.0.0.1/dev' is not an http(s) URL" in result.output
