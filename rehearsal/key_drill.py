"""`python -m rehearsal key-drill STAGE --url URL`: proof that rotation locks nobody out, on a
local stage:

the previous key still answers 200 (overlap window) and so does the current one; revoke the
previous key; it now gets 403 while the current one keeps working. Without a previous key in its
overlap window (no rotation yet, or it has ended), the drill rotates first. Revoking early is
what a real stage must not do casually, so the drill only runs against a loopback URL.
"""

import time
from collections.abc import Callable
from urllib.parse import urlsplit

import click

from ops import http
from ops.keys import inventory, lifecycle
from ops.keys.commands import http_url, rotation
from ops.keys.redact import KeysError, say
from ops.keys.rotation import Rotation
from ops.stage import Stage
from ops.stage import argument as stage_argument
from project import LOOPBACK


def status(base_url: str, value: str) -> int | None:
    return http.call("GET", f"{base_url.rstrip('/')}/health", value).status


def wait_for(
    want: int, base_url: str, value: str, timeout: float, sleep: Callable[[float], None]
) -> int | None:
    """Poll until the stage answers `want` (gateways cache keys for a moment) or time is up."""
    seen, waited = status(base_url, value), 0.0
    while seen != want and waited < timeout:
        sleep(0.25)
        waited += 0.25
        seen = status(base_url, value)
    return seen


def overlap_drill(
    rotation: Rotation,
    base_url: str,
    settle: float = 5.0,
    sleep: Callable[[float], None] = time.sleep,
) -> list[str]:
    """Run the drill; returns what was observed, raises KeysError at the first surprise."""
    if urlsplit(base_url).hostname not in LOOPBACK:
        raise KeysError(f"the drill revokes keys early: loopback URLs only, not {base_url}")
    stage, seen = rotation.stage, []

    def expect(label: str, want: int, value: str) -> None:
        got = wait_for(want, base_url, value, settle, sleep)
        seen.append(f"{label}: {got}")
        say(f"drill: {label}: {got} (expected {want})")
        if got != want:
            raise KeysError(f"drill on {stage}: {label} answered {got}, expected {want}")

    snap = inventory.take(rotation.store, rotation.ring)
    previous = snap.key_of(snap.previous)
    if previous is None or not previous.enabled:
        rotation.run()
        snap = inventory.take(rotation.store, rotation.ring)
    old, new = snap.previous.key, snap.current.key
    expect("previous key during the overlap", 200, old.value)
    expect("current key", 200, new.value)
    lifecycle.revoke(rotation.ring, snap, old.key_id, False, rotation.now()).apply(dry_run=False)
    expect("previous key after revocation", 403, old.value)
    expect("current key after revocation", 200, new.value)
    say(f"drill passed on {stage}: previous key {old.key_id} revoked, {new.key_id} current")
    return seen


@click.command("key-drill")
@stage_argument
@click.option(
    "--url", required=True, callback=http_url, help="The local stage's base URL (loopback only)."
)
def key_drill(stage: Stage, url: str) -> None:
    """The previous key works in its overlap; revoked, it gets 403 (loopback only)."""
    overlap_drill(rotation(stage, url), url)
