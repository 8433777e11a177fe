"""What must hold for a stage whatever happened: read straight from moto, not through ops code."""

import json

from ops import paths
from ops.keys.apikeys import TAG_ROTATION
from tests.keys.conftest import SECRET, STAGE, apigw, secrets


def labelled() -> dict[str, dict]:
    """AWSCURRENT/AWSPREVIOUS/AWSPENDING -> the version's {"key_id", "value"}."""
    client = secrets()
    found = {}
    for version, labels in client.describe_secret(SecretId=SECRET)["VersionIdsToStages"].items():
        raw = client.get_secret_value(SecretId=SECRET, VersionId=version)["SecretString"]
        for label in labels:
            found[label] = {**json.loads(raw), "version": version}
    return found


def meta(key: dict) -> dict:
    """The lifecycle JSON ops keys writes into a key's description ({} for other descriptions)."""
    try:
        found = json.loads(key.get("description") or "")
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}


def plan_key_ids() -> set[str]:
    client = apigw()
    (plan,) = [p for p in client.get_usage_plans()["items"] if p["name"] == f"{paths.PROJECT}-dev"]
    return {key["id"] for key in client.get_usage_plan_keys(usagePlanId=plan["id"])["items"]}


def all_keys() -> dict[str, dict]:
    return {key["id"]: key for key in apigw().get_api_keys(includeValues=True)["items"]}


def check(finished: bool) -> dict[str, dict]:
    """The invariants of issue 6; `finished`: no rotation is in flight any more."""
    labels, keys, attached = labelled(), all_keys(), plan_key_ids()
    current = labels["AWSCURRENT"]
    assert current["key_id"] in keys, "the AWSCURRENT key exists"
    assert keys[current["key_id"]]["enabled"], "the AWSCURRENT key is enabled"
    assert keys[current["key_id"]]["value"] == current["value"], "the secret holds its value"
    assert current["key_id"] in attached, "the AWSCURRENT key is in the stage's usage plan"
    enabled = {key_id for key_id, key in keys.items() if key["enabled"]}
    assert len(enabled) <= 2, f"at most two enabled keys per stage, found {sorted(enabled)}"
    if finished:
        assert enabled <= attached, "every enabled key is in the usage plan"
        assert "AWSPENDING" not in labels, "no rotation left in flight"
        named = ("AWSCURRENT", "AWSPREVIOUS")
        members = {labels[name]["key_id"] for name in named if name in labels}
        assert enabled <= members, "only the current and the previous key are enabled"
        for key_id, key in keys.items():
            made_by_rotation = (key.get("tags") or {}).get(TAG_ROTATION)
            promoted = "promoted_at" in meta(key)
            if made_by_rotation and key_id not in members:
                assert promoted, f"{key_id} was made by a rotation and never promoted (orphan)"
                assert not key["enabled"], f"{key_id} is enabled outside the secret"
    assert all(key["name"].startswith(f"{paths.PROJECT}-{STAGE}-") for key in keys.values())
    return keys
