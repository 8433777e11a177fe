"""The stage's first key, made by `ops usage-plan` (ops/stage_key.py) on the first deploy.

Zappa's own key `<stage>_<apiId>` is deleted (not adopted): ops owns every key. These tests check
that decision, that the first key is one rotation can take over (tagged, attached, stored), and
that a crash anywhere in that first run is repaired by running it again.
"""

import pytest
from moto import mock_aws

from ops import paths, usage_plan
from ops.keys import policy
from ops.keys.apikeys import KeyRing
from ops.keys.inventory import take
from ops.keys.lifecycle import tidy
from ops.keys.store import SecretStore
from tests.keys import invariants
from tests.keys.conftest import REGION, STAGE, apigw, deploy_stage, make_rotation, stored
from tests.keys.faults import Faults, InjectedFault


def zappas_keys(api_id: str) -> list[dict]:
    return [k for k in apigw().get_api_keys()["items"] if k["name"] == f"{STAGE}_{api_id}"]


def test_zappas_key_is_removed_and_ops_key_is_stored_attached_and_tagged(now):
    with mock_aws():
        api_id = deploy_stage()
        assert zappas_keys(api_id) == []
        keys = invariants.check(finished=True)
        (key,) = keys.values()
        assert key["id"] == stored()["key_id"]
        assert key["tags"] == paths.resource_tags(STAGE)


def test_a_second_first_deploy_run_changes_nothing(now):
    with mock_aws():
        deploy_stage()
        keys, labels = invariants.all_keys(), invariants.labelled()
        usage_plan.ensure(STAGE, REGION, dry_run=False)
        assert invariants.all_keys() == keys
        assert invariants.labelled() == labels


def test_rotation_takes_over_the_first_key(stage, stage_url, now):
    first = stored()
    make_rotation(stage_url, now).run()
    assert stored("AWSPREVIOUS") == first
    now.advance(days=2)
    make_rotation(stage_url, now).run()
    assert not invariants.all_keys()[first["key_id"]]["enabled"]
    invariants.check(finished=True)


def first_deploy(faults: Faults) -> str:
    """A REST API and Zappa's key, as `zappa deploy` leaves them; returns the API id."""
    api_id = apigw().create_rest_api(name=paths.function_name(STAGE))["id"]
    apigw().create_api_key(name=f"{STAGE}_{api_id}", enabled=True)
    faults.calls.clear()
    return api_id


def test_a_crash_after_any_call_of_the_first_deploy_is_repaired_by_a_rerun(monkeypatch, now, capfd):
    faults = Faults(monkeypatch)
    with mock_aws():
        first_deploy(faults)
        usage_plan.ensure(STAGE, REGION, dry_run=False)
        calls = list(faults.calls)
    assert "apigateway.CreateApiKey" in calls
    for index, call in enumerate(calls):
        with mock_aws():
            api_id = first_deploy(faults)
            faults.fail_after = index
            with pytest.raises(InjectedFault):
                usage_plan.ensure(STAGE, REGION, dry_run=False)
            usage_plan.ensure(STAGE, REGION, dry_run=False)
            invariants.check(finished=False)
            assert zappas_keys(api_id) == [], call
            # A crash between creating and storing the key leaves an unused enabled key: the
            # next rotation or `ops keys prune` disables it.
            ring = KeyRing(STAGE, REGION, policy.load(STAGE))
            tidy(ring, take(SecretStore(STAGE, REGION), ring), ring.policy, now()).apply(False)
            keys = invariants.check(finished=True)
        out, err = capfd.readouterr()
        for key in keys.values():
            assert key["value"] not in out + err, call
