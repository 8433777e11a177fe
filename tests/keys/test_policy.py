"""The key lifecycle settings: base defaults, prod's override merged field by field, bad values."""

from datetime import timedelta

import click
import pytest

from ops import zappa_settings
from ops.keys import policy


def test_the_committed_settings():
    dev, prod = policy.load("dev"), policy.load("prod")
    assert dev.overlap == timedelta(hours=24)
    assert prod.overlap == timedelta(hours=48)
    assert dev.retention == timedelta(days=7)
    assert dev.pending_timeout == timedelta(minutes=60)
    assert (dev.account_key_limit, dev.quota_margin) == (10000, 100)


def test_a_stage_overrides_single_fields_and_keeps_the_rest_of_base():
    committed = zappa_settings.load()
    assert committed["prod"]["api_keys"] == {"overlap_hours": 48}
    prod = policy.load("prod", zappa_settings.resolve(committed, "prod"))
    assert prod.retention == timedelta(days=7)
    assert prod.verify_timeout == 60.0
    assert (prod.account_key_limit, prod.quota_margin) == (10000, 100)


def with_keys(**fields) -> dict:
    config = zappa_settings.resolve(zappa_settings.load(), "dev")
    config["api_keys"] = {**config["api_keys"], **fields}
    return config


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"overlap_hourz": 1}, r"stage dev: api_keys\.overlap_hourz is unknown"),
        ({"overlap_hours": -1}, "must be positive"),
        ({"overlap_hours": "soon"}, r"stage dev: api_keys\.overlap_hours must be a number"),
        ({"quota_margin": 1.5}, r"stage dev: api_keys\.quota_margin must be an integer"),
        ({"quota_margin": 20000}, "quota_margin below account_key_limit"),
    ],
)
def test_bad_settings_are_one_clear_error(fields, message):
    with pytest.raises(click.ClickException, match=message):
        policy.load("dev", with_keys(**fields))


def test_a_missing_setting_is_named():
    config = with_keys()
    del config["api_keys"]["retention_days"]
    with pytest.raises(click.ClickException, match=r"api_keys\.retention_days is missing"):
        policy.load("dev", config)
