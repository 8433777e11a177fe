"""The rehearsal's key drill (rehearsal/key_drill.py), on the keys tests' stage: the previous key
works during the overlap and is refused once revoked."""

import pytest
from click.testing import CliRunner

from ops.keys.redact import KeysError
from rehearsal.key_drill import key_drill, overlap_drill
from tests.keys import invariants
from tests.keys.conftest import STAGE, make_rotation, no_sleep, status, stored

EXPECTED = [
    "previous key during the overlap: 200",
    "current key: 200",
    "previous key after revocation: 403",
    "current key after revocation: 200",
]


def test_the_drill_rotates_when_there_is_no_previous_key(stage, stage_url, now):
    first = stored()
    assert overlap_drill(make_rotation(stage_url, now), stage_url, sleep=no_sleep) == EXPECTED
    assert stored("AWSPREVIOUS") == first
    invariants.check(finished=True)


def test_after_a_rotation_the_drill_uses_its_previous_key(stage, stage_url, now, cli):
    assert cli("rotate", STAGE, "--url", stage_url).exit_code == 0
    rotated = stored()
    result = CliRunner().invoke(key_drill, [STAGE, "--url", stage_url])
    assert result.exit_code == 0, result.output
    assert stored() == rotated  # no second rotation
    observed = [line for line in result.stdout.splitlines() if line.startswith("drill: ")]
    assert [line.removeprefix("drill: ").split(" (expected")[0] for line in observed] == EXPECTED
    assert status(stage_url, stored("AWSPREVIOUS")["value"]) == 403


def test_the_drill_fails_loudly_when_revocation_does_not_lock_the_key_out(
    stage, stage_url, now, monkeypatch
):
    monkeypatch.setattr("ops.keys.apikeys.KeyRing.disable", lambda *a, **k: None)
    with pytest.raises(KeysError, match="previous key after revocation answered 200"):
        overlap_drill(make_rotation(stage_url, now), stage_url, sleep=no_sleep)


def test_the_drill_refuses_a_stage_that_is_not_on_loopback(stage, now):
    url = "https://abc.execute-api.us-east-1.amazonaws.com/dev"
    result = CliRunner().invoke(key_drill, [STAGE, "--url", url])
    assert result.exit_code == 1
    assert "loopback URLs only" in result.output
