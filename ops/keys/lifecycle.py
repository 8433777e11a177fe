"""What happens to keys that are no longer current: the overlap window, retirement, deletion.

Only the current and the previous key are ever enabled. The previous key stays enabled until the
overlap window after its successor's promotion has passed; a key older than that, or one no
label points to, is disabled; a disabled key is deleted after the retention period. A key a
rotation created but never promoted was never handed to anyone and is deleted outright (once it
is older than the pending timeout: a younger one belongs to a rotation still running).
"""

from datetime import datetime

from ops.changes import Actions
from ops.keys import clock
from ops.keys.apikeys import KeyRing, StageKey
from ops.keys.inventory import Snapshot
from ops.keys.policy import Policy
from ops.keys.redact import Refused, say


def overlap_end(snap: Snapshot, policy: Policy, now: datetime) -> datetime | None:
    """When the previous key stops being needed; None if there is no usable current key."""
    current = snap.key_of(snap.current)
    if current is None or not current.enabled:
        return None
    promoted = clock.parse(current.meta.get("promoted_at")) or now
    return promoted + policy.overlap


def tidy(
    ring: KeyRing,
    snap: Snapshot,
    policy: Policy,
    now: datetime,
    rotation_id: str | None = None,
    strict: bool = False,
) -> Actions:
    """The changes that leave only current and previous enabled.

    strict (before a rotation creates its key): refuse instead of waiting, since the new key
    would make three enabled keys; otherwise (prune) also delete disabled keys past retention.
    """
    todo, at = Actions(), clock.stamp(now)
    for key in sorted(snap.keys.values(), key=lambda k: (k.created, k.id)):
        role = snap.role(key.id)
        if role in ("current", "pending") or (rotation_id and key.rotation_id == rotation_id):
            continue
        if role == "previous" and key.enabled:
            _previous(todo, ring, snap, policy, now, key, strict)
        elif role != "previous" and key.unborn:
            _unborn(todo, ring, policy, now, key, strict)
        elif key.enabled:
            todo.add(
                f"disable key {key.id} ({key.name}): enabled but neither current nor previous",
                lambda key=key: ring.disable(key, at),
            )
        elif strict:
            continue
        elif clock.parse(key.meta.get("disabled_at")) is None or key.attached:
            todo.add(
                f"record when key {key.id} was disabled and detach it",
                lambda key=key: ring.disable(key, at),
            )
        elif clock.parse(key.meta["disabled_at"]) + policy.retention <= now:
            todo.add(
                f"delete key {key.id} ({key.name}): disabled since {key.meta['disabled_at']}",
                lambda key=key: ring.delete(key),
            )
    return todo


def _previous(todo, ring, snap, policy, now, key: StageKey, strict: bool) -> None:
    end = overlap_end(snap, policy, now)
    if end is None:
        return  # no working current key: the previous one is what clients have
    if end > now:
        if strict:
            raise Refused(
                f"the previous key {key.id} is in its overlap window until {clock.stamp(end)} "
                f"(clients may still use it): rotate after that, or revoke it first with "
                f"`python -m ops keys revoke {ring.stage} {key.id}`"
            )
        say(f"previous key {key.id} stays enabled until {clock.stamp(end)} (overlap window)")
        return
    todo.add(
        f"disable previous key {key.id}: its overlap window ended {clock.stamp(end)}",
        lambda: ring.disable(key, clock.stamp(now)),
    )


def _unborn(todo, ring, policy, now, key: StageKey, strict: bool) -> None:
    created = clock.parse(key.created)
    if created is not None and now - created < policy.pending_timeout:
        if strict:
            raise Refused(
                f"key {key.id} of rotation {key.rotation_id} (created {key.created}) is not in "
                f"the secret yet: another rotation may be running; retry after "
                f"{clock.stamp(created + policy.pending_timeout)}"
            )
        say(f"key {key.id} of rotation {key.rotation_id} is young: left to its rotation")
        return
    todo.add(
        f"delete key {key.id} ({key.name}): rotation {key.rotation_id} never promoted it",
        lambda: ring.delete(key),
    )


def revoke(ring: KeyRing, snap: Snapshot, key_id: str, force: bool, now: datetime) -> Actions:
    """Disable a key and take it out of the usage plan; the current key only with force."""
    key = snap.keys.get(key_id)
    if key is None:
        raise Refused(f"{key_id} is not an API key of stage {ring.stage}")
    role, todo = snap.role(key_id), Actions()
    if role == "pending":
        raise Refused(
            f"key {key_id} belongs to the rotation in flight: let it finish, then revoke it"
        )
    if role == "current" and not force:
        raise Refused(
            f"key {key_id} is the current key of {ring.stage}: rotate first "
            f"(`python -m ops keys rotate {ring.stage}`), then revoke it as the previous key; "
            f"--force revokes it now and every client gets 403 until the next rotation"
        )
    if not key.enabled and not key.attached:
        say(f"key {key_id} is already disabled and out of the usage plan")
        return todo
    todo.add(
        f"revoke {role} key {key_id}: disable it and detach it from the usage plan",
        lambda: ring.disable(key, clock.stamp(now), revoked_at=clock.stamp(now)),
    )
    return todo
