"""`python -m ops keys ...`: rotate, list, get, revoke and prune a stage's API keys.

Nothing here prints a key value except `get --show-value`, which exists for workflows that mask it
(`echo "::add-mask::$value"`) before using it.
"""

from urllib.parse import urlsplit

import click

from ops import restapi
from ops.keys import clock, inventory, lifecycle, policy, store, verify
from ops.keys.apikeys import KeyRing
from ops.keys.redact import say
from ops.keys.rotation import Rotation
from ops.stage import Stage
from ops.stage import argument as stage_argument


def http_url(context, parameter, value: str | None) -> str | None:
    """--url must be an http(s) base URL such as http://127.0.0.1:8080/dev."""
    if value is not None and urlsplit(value).scheme not in ("http", "https"):
        raise click.BadParameter(f"{value!r} is not an http(s) URL")
    return value


dry_run_option = click.option("--dry-run", is_flag=True, help="Print the changes, make none.")


def stage_url(stage: Stage, url: str | None) -> str:
    return url or restapi.stage_url(stage, restapi.require_api_id(stage))


def rotation(stage: Stage, url: str | None = None, now: clock.Clock | None = None) -> Rotation:
    """A rotation of STAGE that verifies new keys on the stage (or on `url`)."""
    rules = policy.load(stage)

    def on_stage(value: str) -> list[str]:
        return verify.probe(stage_url(stage, url), value, rules.verify_timeout)

    return Rotation(stage, rules, on_stage, now or clock.utcnow)


def look(stage: Stage) -> tuple[KeyRing, inventory.Snapshot]:
    ring = KeyRing(stage, policy.load(stage))
    return ring, inventory.take(store.SecretStore(stage), ring)


@click.group("keys")
def keys() -> None:
    """Rotate, list, revoke and read the stages' API keys (values only with get --show-value)."""


@keys.command("rotate")
@stage_argument
@click.option(
    "--rotation-id",
    help="Resume this rotation, or name the new one (32-64 characters). Workflows derive it "
    "from the run id, so re-running a failed job resumes its rotation.",
)
@click.option(
    "--url", callback=http_url, help="Verify the new key on this base URL (default: the stage's)."
)
@dry_run_option
def rotate(stage: Stage, rotation_id: str | None, url: str | None, dry_run: bool) -> None:
    """Replace STAGE's key; the previous one keeps working for the overlap window."""
    outcome = rotation(stage, url).run(rotation_id, dry_run)
    if outcome is not None:
        previous = (
            f"previous key {outcome.previous} works until {outcome.overlap_until}"
            if outcome.previous and outcome.overlap_until
            else "no previous key in use"
        )
        say(f"rotated {stage.name}: current key {outcome.current}; {previous}")


@keys.command("prune")
@stage_argument
@dry_run_option
def prune(stage: Stage, dry_run: bool) -> None:
    """End the overlap once it has passed, and delete keys past their retention."""
    ring, snap = look(stage)
    lifecycle.tidy(ring, snap, policy.load(stage), clock.utcnow()).apply(dry_run)


@keys.command("revoke")
@stage_argument
@click.argument("key_id")
@click.option("--force", is_flag=True, help="Allow revoking the current key (clients get 403).")
@dry_run_option
def revoke(stage: Stage, key_id: str, force: bool, dry_run: bool) -> None:
    """Disable KEY_ID and take it out of STAGE's usage plan."""
    ring, snap = look(stage)
    lifecycle.revoke(ring, snap, key_id, force, clock.utcnow()).apply(dry_run)


@keys.command("list")
@stage_argument
def list_keys(stage: Stage) -> None:
    """STAGE's keys: id, name, created, enabled, in the usage plan, role (never values)."""
    _, snap = look(stage)
    rows = [("id", "name", "created", "enabled", "plan", "role", "history")]
    for key in sorted(snap.keys.values(), key=lambda k: (k.created, k.id)):
        history = ", ".join(
            f"{event.removesuffix('_at')} {key.meta[event]}"
            for event in ("promoted_at", "disabled_at", "revoked_at")
            if event in key.meta
        )
        yes = {True: "yes", False: "no"}
        role = snap.role(key.id)
        rows.append(
            (
                key.id,
                key.name,
                key.created,
                yes[key.enabled],
                yes[key.attached],
                role,
                history or "-",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        say("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())


@keys.command("get")
@stage_argument
@click.option("--show-value", is_flag=True, help="Print the value (mask it: ::add-mask::).")
@click.option("--previous", is_flag=True, help="The AWSPREVIOUS key instead of AWSCURRENT.")
def get(stage: Stage, show_value: bool, previous: bool) -> None:
    """Print the id of STAGE's current key (its value only with --show-value)."""
    label = store.PREVIOUS if previous else store.CURRENT
    key = store.read(stage, label)
    click.echo(key.value if show_value else key.key_id)
