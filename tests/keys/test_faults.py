"""A crash after each call of a rotation, then a re-run: the invariants hold every time.

Two histories lead up to the rotation under test, so that between them every step runs:
"steady" (the previous key's overlap has passed, so it is disabled first, and an old disabled key
is deleted at the end) and "after-crash" (an earlier rotation died after creating its key: that
key is deleted as an orphan). The re-run is either the same rotation id at once (a workflow
re-run) or a new run two hours later, past the pending timeout (it resumes the crashed one).
"""

import pytest
from moto import mock_aws

from ops.keys.redact import Refused
from tests.keys import invariants
from tests.keys.conftest import deploy_stage, make_rotation
from tests.keys.faults import Faults, InjectedFault

RID = "20300101T000000Z-rotation-under-test"
EVERY_STEP = {
    "steady": {"apigateway.UpdateApiKey", "apigateway.DeleteApiKey"},
    "after-crash": {"apigateway.DeleteApiKey"},
}
ROTATION_STEPS = {
    "apigateway.CreateApiKey",
    "secretsmanager.PutSecretValue",
    "apigateway.CreateUsagePlanKey",
    "stage.verify",
    "secretsmanager.UpdateSecretVersionStage",
}


def unchecked(verify):
    """The history's rotations skip the stage call (the rotation under test makes it)."""
    return lambda value: []


def history(kind: str, url: str, now, faults: Faults) -> None:
    """Deploy, two rotations two days apart, maybe a crashed one, then a week later."""
    deploy_stage()
    now.advance(hours=1)
    make_rotation(url, now, wrap=unchecked).run()
    now.advance(days=2)
    make_rotation(url, now, wrap=unchecked).run()
    if kind == "after-crash":
        now.advance(days=2)
        faults.fail_on = "apigateway.CreateApiKey"
        with pytest.raises(InjectedFault):
            make_rotation(url, now, wrap=unchecked).run()
    now.advance(days=7, hours=1)


def rotate(url, now, faults, rotation_id=None):
    return make_rotation(url, now, wrap=faults.wrap_verify).run(rotation_id)


def values(keys: dict) -> set[str]:
    return {key["value"] for key in keys.values()}


@pytest.mark.slow  # a fresh moto account per call of a rotation: about 10 s per case
@pytest.mark.parametrize("rerun", ["same-id", "later"])
@pytest.mark.parametrize("kind", ["steady", "after-crash"])
def test_a_crash_after_any_call_is_recovered_by_a_rerun(
    kind, rerun, stage_url, now, monkeypatch, capfd
):
    start = now.now
    faults = Faults(monkeypatch)
    with mock_aws():  # a clean run, to learn the calls a rotation makes
        history(kind, stage_url, now, faults)
        faults.calls.clear()
        rotate(stage_url, now, faults, RID)
        calls = list(faults.calls)
    assert ROTATION_STEPS | EVERY_STEP[kind] <= set(calls), calls

    for index, call in enumerate(calls):
        now.now = start
        with mock_aws():
            history(kind, stage_url, now, faults)
            before = invariants.check(finished=False)
            old_current = invariants.labelled()["AWSCURRENT"]["key_id"]
            faults.calls.clear()
            faults.fail_after = index
            with pytest.raises(InjectedFault) as crash:
                rotate(stage_url, now, faults, RID)
            where = f"crash after call {index} ({call})"
            assert str(crash.value) == where.replace(" (", ": ").rstrip(")"), where
            crashed = invariants.check(finished=False)
            labels = invariants.labelled()
            promoted = labels["AWSCURRENT"]["version"] == RID and "AWSPENDING" not in labels
            messages = []
            if rerun == "same-id":
                rotate(stage_url, now, faults, RID)
                assert invariants.labelled()["AWSCURRENT"]["version"] == RID, where
            elif promoted:  # the crash came after the rotation was done: a new one must wait
                now.advance(hours=2)
                with pytest.raises(Refused, match="overlap window") as refused:
                    rotate(stage_url, now, faults)
                messages.append(str(refused.value))
            else:
                now.advance(hours=2)
                rotate(stage_url, now, faults)
            after = invariants.check(finished=True)
            assert invariants.labelled()["AWSCURRENT"]["key_id"] != old_current, where
            out, err = capfd.readouterr()
            text = "\n".join([out, err, *messages])
            for value in values(before) | values(crashed) | values(after):
                assert value not in text, f"{where}: a key value was printed"
