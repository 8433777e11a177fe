"""The key lifecycle settings: defaults, per-stage overrides, ops/stages.toml, bad values."""

from datetime import timedelta

import click
import pytest

from ops.keys import policy


def test_the_committed_settings():
    dev, prod = policy.load("dev"), policy.load("prod")
    assert dev.overlap == timedelta(hours=24)
    assert prod.overlap == timedelta(hours=48)
    assert dev.retention == timedelta(days=7)
    assert dev.pending_timeout == timedelta(minutes=60)
    assert (dev.account_key_limit, dev.quota_margin) == (10000, 100)


def test_stages_toml_keys_tables_win(tmp_path):
    stages = tmp_path / "stages.toml"
    stages.write_text("[keys]\nretention_days = 3\n[keys.test]\noverlap_hours = 6\n")
    test = policy.load("test", files=(policy.CONFIG_FILE, stages))
    assert test.retention == timedelta(days=3)
    assert test.overlap == timedelta(hours=6)
    assert policy.load("dev", files=(policy.CONFIG_FILE, stages)).overlap == timedelta(hours=24)


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("[keys]\noverlap_hourz = 1\n", r"unknown \['overlap_hourz'\]"),
        ("[keys]\noverlap_hours = -1\n", "must be positive"),
        ("[keys]\noverlap_hours = 'soon'\n", "could not convert"),
        ("[keys]\nquota_margin = 20000\n", "quota_margin below account_key_limit"),
        ("[keys\n", "cannot read"),
    ],
)
def test_bad_settings_are_one_clear_error(tmp_path, toml, message):
    extra = tmp_path / "stages.toml"
    extra.write_text(toml)
    with pytest.raises(click.ClickException, match=message):
        policy.load("dev", files=(policy.CONFIG_FILE, extra))


def test_a_missing_setting_is_named(tmp_path):
    only = tmp_path / "config.toml"
    only.write_text("[keys]\noverlap_hours = 1\n")
    with pytest.raises(click.ClickException, match="missing"):
        policy.load("dev", files=(only,))
