"""The key lifecycle settings of a stage (ops/keys/config.toml, overridable in ops/stages.toml)."""

import tomllib
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import click

from ops import paths

CONFIG_FILE = Path(__file__).resolve().parent / "config.toml"
FIELDS = {
    "overlap_hours": float,
    "retention_days": float,
    "pending_timeout_minutes": float,
    "verify_timeout_seconds": float,
    "account_key_limit": int,
    "quota_margin": int,
}


@dataclass(frozen=True)
class Policy:
    overlap: timedelta
    retention: timedelta
    pending_timeout: timedelta
    verify_timeout: float
    account_key_limit: int
    quota_margin: int


def _tables(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text()).get("keys", {})
    except FileNotFoundError:
        return {}
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise click.ClickException(f"cannot read {path}: {exc}") from None


def _flat(table: dict) -> dict:
    return {name: value for name, value in table.items() if not isinstance(value, dict)}


def load(stage: str, files: tuple[Path, ...] | None = None) -> Policy:
    """ops/keys/config.toml, then ops/stages.toml: each file's [keys], then its [keys.STAGE]."""
    merged: dict = {}
    for path in files or (CONFIG_FILE, paths.STAGES_FILE):
        tables = _tables(path)
        merged.update(_flat(tables))
        merged.update(_flat(tables.get(stage, {})))
    unknown = sorted(set(merged) - set(FIELDS))
    missing = sorted(set(FIELDS) - set(merged))
    if unknown or missing:
        raise click.ClickException(
            f"[keys] settings for {stage}: unknown {unknown or 'none'}, missing {missing or 'none'}"
        )
    try:
        values = {name: kind(merged[name]) for name, kind in FIELDS.items()}
    except (TypeError, ValueError) as exc:
        raise click.ClickException(f"[keys] settings for {stage}: {exc}") from None
    if min(values.values()) <= 0 or values["quota_margin"] >= values["account_key_limit"]:
        raise click.ClickException(
            f"[keys] settings for {stage} must be positive, with quota_margin below "
            f"account_key_limit: {values}"
        )
    return Policy(
        overlap=timedelta(hours=values["overlap_hours"]),
        retention=timedelta(days=values["retention_days"]),
        pending_timeout=timedelta(minutes=values["pending_timeout_minutes"]),
        verify_timeout=values["verify_timeout_seconds"],
        account_key_limit=values["account_key_limit"],
        quota_margin=values["quota_margin"],
    )
