"""The key lifecycle settings of a stage: `api_keys` in zappa_settings.json (base, then the
stage's own fields; see ops/keys/README.md for what each one means)."""

from dataclasses import dataclass
from datetime import timedelta

import click

from ops import zappa_settings
from ops.stage import Stage


@dataclass(frozen=True)
class Policy:
    overlap: timedelta
    retention: timedelta
    pending_timeout: timedelta
    verify_timeout: float
    account_key_limit: int
    quota_margin: int


def load(stage: Stage) -> Policy:
    """The stage's policy, from its resolved settings."""
    values = zappa_settings.table(stage.name, stage.settings, "api_keys")
    if min(values.values()) <= 0 or values["quota_margin"] >= values["account_key_limit"]:
        raise click.ClickException(
            f"api_keys of stage {stage.name} must be positive, with quota_margin below "
            f"account_key_limit: {values}"
        )
    return Policy(
        overlap=timedelta(hours=values["overlap_hours"]),
        retention=timedelta(days=values["retention_days"]),
        pending_timeout=timedelta(minutes=values["pending_timeout_minutes"]),
        verify_timeout=float(values["verify_timeout_seconds"]),
        account_key_limit=values["account_key_limit"],
        quota_margin=values["quota_margin"],
    )
