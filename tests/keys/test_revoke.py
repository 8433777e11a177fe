"""Revocation: the previous key goes at once, the current one only with --force."""

import pytest

from tests.keys import invariants
from tests.keys.conftest import STAGE, make_rotation, status, stored


@pytest.fixture
def rotated(stage, stage_url, now):
    """A stage right after a rotation: (previous, current) as stored in the secret."""
    make_rotation(stage_url, now).run()
    return stored("AWSPREVIOUS"), stored()


def test_revoking_the_previous_key_locks_it_out_at_once(rotated, stage_url, cli):
    previous, current = rotated
    assert status(stage_url, previous["value"]) == 200
    result = cli("revoke", STAGE, previous["key_id"])
    assert result.exit_code == 0, result.output
    assert result.output == (
        f"done: revoke previous key {previous['key_id']}: "
        "disable it and detach it from the usage plan\n"
    )
    assert status(stage_url, previous["value"]) == 403
    assert status(stage_url, current["value"]) == 200
    key = invariants.all_keys()[previous["key_id"]]
    assert not key["enabled"]
    assert previous["key_id"] not in invariants.plan_key_ids()
    assert "revoked_at" in invariants.meta(key)
    invariants.check(finished=True)


def test_revoking_the_current_key_is_refused_without_force(rotated, stage_url, cli):
    _, current = rotated
    result = cli("revoke", STAGE, current["key_id"])
    assert result.exit_code == 1
    assert f"key {current['key_id']} is the current key of dev: rotate first" in result.output
    assert status(stage_url, current["value"]) == 200


def test_force_revokes_the_current_key_and_the_next_rotation_recovers(rotated, stage_url, now, cli):
    previous, current = rotated
    assert cli("revoke", STAGE, previous["key_id"]).exit_code == 0
    result = cli("revoke", STAGE, current["key_id"], "--force")
    assert result.exit_code == 0, result.output
    assert status(stage_url, current["value"]) == 403
    make_rotation(stage_url, now).run()
    assert status(stage_url, stored()["value"]) == 200
    invariants.check(finished=True)


def test_revoking_twice_says_so(rotated, cli):
    previous, _ = rotated
    cli("revoke", STAGE, previous["key_id"])
    result = cli("revoke", STAGE, previous["key_id"])
    assert result.exit_code == 0
    assert (
        result.output == f"key {previous['key_id']} is already disabled and out of the usage plan\n"
    )


def test_an_unknown_key_is_one_clear_error(rotated, cli):
    result = cli("revoke", STAGE, "nosuchkey")
    assert result.exit_code == 1
    assert result.output == "Error: nosuchkey is not an API key of stage dev\n"


def test_the_key_of_a_rotation_in_flight_cannot_be_revoked(stage, stage_url, now, cli):
    outcomes = []

    def revoke_pending(value):
        outcomes.append(cli("revoke", STAGE, invariants.labelled()["AWSPENDING"]["key_id"]))
        return []

    make_rotation(stage_url, now, wrap=lambda verify: revoke_pending).run()
    (result,) = outcomes
    assert result.exit_code == 1
    assert "belongs to the rotation in flight" in result.output


def test_dry_run_changes_nothing(rotated, stage_url, cli):
    previous, _ = rotated
    result = cli("revoke", STAGE, previous["key_id"], "--dry-run")
    assert result.output.startswith(f"[dry-run] would revoke previous key {previous['key_id']}")
    assert status(stage_url, previous["value"]) == 200
