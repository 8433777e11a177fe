"""The stage's first key: made by ops before the first `zappa deploy` (ops/stage_key.py).

Zappa is given that key as `api_key`, so it never creates one of its own (issue 13, defect 12: ops
used to delete Zappa's untagged key, which needed a permission to delete any untagged key). These
tests check that the key is one rotation can take over (tagged at creation, stored, attached after
Zappa), that a key an older deploy left is named but not touched, and that a crash anywhere in the
first deploy is repaired by running it again.
"""

import json

import pytest
from moto import mock_aws

from ops import paths, stage_key, usage_plan
from ops.keys import policy
from ops.keys.apikeys import KeyRing
from ops.keys.inventory import take
from ops.keys.lifecycle import tidy
from ops.keys.store import SecretStore
from ops.stage import Stage
from tests.keys import invariants
from tests.keys.conftest import (
    REGION,
    STAGE,
    apigw,
    deploy_stage,
    make_rotation,
    stored,
    zappa_deploy,
)
from tests.keys.faults import Faults, InjectedFault


def test_zappa_gets_the_ops_key_before_its_first_deploy(now):
    with mock_aws():
        path = stage_key.prepare_first_deploy(Stage.resolve(STAGE), {"aws_region": REGION})
        rendered = json.loads(path.read_text())[STAGE]
        assert rendered["aws_region"] == REGION
        (key,) = apigw().get_api_keys()["items"]
        assert rendered["api_key"] == key["id"] == stored()["key_id"]
        assert key["tags"] == Stage.resolve(STAGE).resource_tags  # at creation: never tagged later


def test_after_zappa_the_usage_plan_attaches_that_key_and_no_other_exists(now):
    with mock_aws():
        deploy_stage()
        keys = invariants.check(finished=True)
        (key,) = keys.values()
        assert key["id"] == stored()["key_id"]
        assert key["tags"] == Stage.resolve(STAGE).resource_tags


def test_a_second_first_deploy_run_changes_nothing(now):
    with mock_aws():
        deploy_stage()
        keys, labels = invariants.all_keys(), invariants.labelled()
        stage_key.prepare_first_deploy(Stage.resolve(STAGE), {})
        usage_plan.ensure(Stage.resolve(STAGE), dry_run=False)
        assert invariants.all_keys() == keys
        assert invariants.labelled() == labels


def test_a_key_an_older_zappa_deploy_left_is_named_not_deleted(now, capsys):
    with mock_aws():
        stage_key.prepare_first_deploy(Stage.resolve(STAGE), {})
        api_id = zappa_deploy()
        old = apigw().create_api_key(name=f"{STAGE}_{api_id}", enabled=True)["id"]
        usage_plan.ensure(Stage.resolve(STAGE), dry_run=False)
        assert old in invariants.all_keys()
        assert old not in invariants.plan_key_ids()
        out = capsys.readouterr().out
        assert f"note: {old} ({STAGE}_{api_id}) is Zappa's key from an older deploy" in out
        assert f"aws apigateway delete-api-key --api-key {old}" in out


def test_rotation_takes_over_the_first_key(stage, stage_url, now):
    first = stored()
    make_rotation(stage_url, now).run()
    assert stored("AWSPREVIOUS") == first
    now.advance(days=2)
    make_rotation(stage_url, now).run()
    assert not invariants.all_keys()[first["key_id"]]["enabled"]
    invariants.check(finished=True)


def first_deploy(faults: Faults, zappa_done: bool) -> None:
    """`ops deploy` of a new stage: ops' key, `zappa deploy` (skipped once it has run: the next
    `ops deploy` sees the function and runs `zappa update`), then the usage plan."""
    if not zappa_done:
        stage_key.prepare_first_deploy(Stage.resolve(STAGE), {})
        zappa_deploy()
    usage_plan.ensure(Stage.resolve(STAGE), dry_run=False)


def test_a_crash_after_any_call_of_the_first_deploy_is_repaired_by_a_rerun(monkeypatch, now, capfd):
    faults = Faults(monkeypatch)
    with mock_aws():
        stage_key.prepare_first_deploy(Stage.resolve(STAGE), {})
        before_zappa = len(faults.calls)
        zappa_deploy()
        usage_plan.ensure(Stage.resolve(STAGE), dry_run=False)
        calls = list(faults.calls)
    assert "apigateway.CreateApiKey" in calls[:before_zappa]
    for index, call in enumerate(calls):
        with mock_aws():
            faults.calls.clear()
            faults.fail_after = index
            crashed_before_zappa = index < before_zappa
            with pytest.raises(InjectedFault):
                first_deploy(faults, zappa_done=False)
            first_deploy(faults, zappa_done=not crashed_before_zappa)
            invariants.check(finished=False)
            # A crash between creating and storing the key leaves an unused enabled key: the
            # next rotation or `ops keys prune` disables it.
            dev = Stage.resolve(STAGE)
            ring = KeyRing(dev, policy.load(dev))
            tidy(ring, take(SecretStore(dev), ring), ring.policy, now()).apply(False)
            keys = invariants.check(finished=True)
            rendered = json.loads(paths.rendered_settings_path(STAGE).read_text())[STAGE]
            assert rendered["api_key"] == stored()["key_id"], call
        out, err = capfd.readouterr()
        for key in keys.values():
            assert key["value"] not in out + err, call
