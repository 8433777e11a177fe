"""The rehearsal's drill: the previous key works during the overlap and is refused once revoked."""

import pytest

from ops.keys.drill import overlap_drill
from ops.keys.redact import KeysError
from tests.keys import invariants
from tests.keys.conftest import STAGE, make_rotation, no_sleep


def test_the_drill_shows_overlap_then_revocation(stage, stage_url, now):
    seen = overlap_drill(make_rotation(stage_url, now), stage_url, sleep=no_sleep)
    assert seen == [
        "previous key during the overlap: 200",
        "new key: 200",
        "previous key after revocation: 403",
        "new key after revocation: 200",
    ]
    invariants.check(finished=True)


def test_the_drill_fails_loudly_when_revocation_does_not_lock_the_key_out(
    stage, stage_url, now, monkeypatch
):
    monkeypatch.setattr("ops.keys.apikeys.KeyRing.disable", lambda *a, **k: None)
    with pytest.raises(KeysError, match="previous key after revocation answered 200"):
        overlap_drill(make_rotation(stage_url, now), stage_url, sleep=no_sleep)


def test_the_drill_refuses_a_stage_that_is_not_on_loopback(stage, now, cli):
    result = cli("drill", STAGE, "--url", "https://abc.execute-api.us-east-1.amazonaws.com/dev")
    assert result.exit_code == 1
    assert "loopback URLs only" in result.output
