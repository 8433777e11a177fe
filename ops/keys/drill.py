"""The rehearsal's proof that rotation locks nobody out, on a local stage:

rotate; the previous key still answers 200 (overlap window) and so does the new one; revoke the
previous key; it now gets 403 while the new one keeps working. Revoking early is what a real
stage must not do casually, so the drill only runs against a loopback URL.
"""

import time
from collections.abc import Callable
from urllib.parse import urlsplit

from ops import http
from ops.keys import inventory, lifecycle, store
from ops.keys.redact import KeysError, say
from ops.keys.rotation import Rotation

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


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

    old = store.read(stage, store.CURRENT, client=rotation.store.client)
    outcome = rotation.run()
    new = store.read(stage, store.CURRENT, client=rotation.store.client)
    expect("previous key during the overlap", 200, old.value)
    expect("new key", 200, new.value)
    snap = inventory.take(rotation.store, rotation.ring)
    lifecycle.revoke(rotation.ring, snap, old.key_id, False, rotation.now()).apply(dry_run=False)
    expect("previous key after revocation", 403, old.value)
    expect("new key after revocation", 200, new.value)
    say(f"drill passed on {stage}: rotation {outcome.rotation_id}, revoked {old.key_id}")
    return seen
