"""The key lifecycle settings: base defaults, prod's override merged field by field, bad values."""

from datetime import timedelta

import click
import pytest

from ops import zappa_settings
from ops.keys import policy
from ops.stage import Stage


def test_the_committed_settings():
    dev, prod = policy.load(Stage.resolve("dev")), policy.load(Stage.resolve("prod"))
    assert dev.overlap == timedelta(hours=24)
    assert prod.overlap == timedelta(hours=48)
    assert dev.retention == timedelta(days=7)
    assert dev.pending_timeout == timedelta(minutes=60)
    assert (dev.account_key_limit, dev.quota_margin) == (10000, 100)


def test_a_stage_overrides_single_fields_and_keeps_the_rest_of_base():
    assert zappa_settings.load()["prod"]["api_keys"] == {"overlap_hours": 48}
    prod = policy.load(Stage.resolve("prod"))
    assert prod.retention == timedelta(days=7)
    assert prod.verify_timeout == 60.0
    assert (prod.account_key_limit, prod.quota_margin) == (10000, 100)


def dev_with_keys(**fields) -> Stage:
    """dev, with its api_keys changed (a field set to None is left out)."""
    config = zappa_settings.resolve(zappa_settings.load(), "dev")
    merged = {**config["api_keys"], **fields}
    config["api_keys"] = {key: value for key, value in merged.items() if value is not None}
    return Stage("dev", config, "us-east-1")


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"overlap_hourz": 1}, r"stage dev: api_keys\.overlap_hourz is unknown"),
        ({"overlap_hours": -1}, "must be positive"),
        ({"overlap_hours": "soon"}, r"stage dev: api_keys\.overlap_hours must be a number"),
        ({"quota_margin": 1.5}, r"stage dev: api_keys\.quota_margin must be an integer"),
        ({"quota_margin": 20000}, "quota_margin below account_key_limit"),
        ({"retention_days": None}, r"stage dev: api_keys\.retention_days is missing"),
    ],
)
def test_bad_settings_are_one_clear_error(fields, message):
    with pytest.raises(click.ClickException, match=message):
        policy.load(dev_with_keys(**fields))
