"""Rotate a stage's key: a resumable state machine on the secret's staging labels.

    claim -> make room -> create -> stage (AWSPENDING) -> attach -> verify -> promote (AWSCURRENT)
          -> finish (record the promotion, drop AWSPENDING) -> prune

Every step first looks at what is already there, so a run that died anywhere is finished by the
next one: with the same rotation id at once, or by any run once the pending timeout has passed.
A second run while one is in flight refuses to start (see `claim`).
"""

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from ops.keys import clock, inventory, lifecycle
from ops.keys.apikeys import KeyRing, StageKey
from ops.keys.policy import Policy
from ops.keys.ratelimit import SHARED, RateLimiter
from ops.keys.redact import KeysError, Refused, say
from ops.keys.store import CURRENT, PENDING, SecretStore, StoredKey
from ops.stage import Stage

ROTATION_ID = re.compile(r"^[A-Za-z0-9_-]{32,64}$")  # a ClientRequestToken is 32-64 characters


def new_rotation_id(now: datetime) -> str:
    return f"{now:%Y%m%dT%H%M%SZ}-{secrets.token_hex(8)}"


@dataclass(frozen=True)
class Claim:
    rotation_id: str
    mode: str  # "new", "resume" (a pending version to carry on), "finish" (already promoted)
    note: str = ""
    drop_pending: str | None = None  # a pending version whose key is gone


@dataclass(frozen=True)
class Outcome:
    rotation_id: str
    current: str
    previous: str | None
    overlap_until: str


def claim(snap: inventory.Snapshot, requested: str | None, now: datetime, policy: Policy) -> Claim:
    """Which rotation this run carries out, or Refused when another one is in flight."""
    pending = snap.pending
    if pending is not None:
        rid = pending.version_id
        if CURRENT in pending.labels:
            return Claim(rid, "finish", f"finishing rotation {rid} (its key is current already)")
        if pending.key is None:
            raise Refused(
                f"the secret's AWSPENDING version {rid} is not one of ours (no key_id/value): "
                f"another rotation mechanism is running; stop it before using `ops keys`"
            )
        key = snap.key_of(pending)
        if key is None or not key.enabled:
            note = f"dropping AWSPENDING version {rid}: its key {pending.key.key_id} is gone or off"
            fresh = requested if requested and requested != rid else new_rotation_id(now)
            return Claim(fresh, "new", note, drop_pending=rid)
        if rid == requested:
            return Claim(rid, "resume", f"resuming rotation {rid}")
        started = clock.parse(key.created)
        if started is not None and now - started >= policy.pending_timeout:
            return Claim(rid, "resume", f"resuming rotation {rid}, interrupted since {started}")
        retry = clock.stamp(started + policy.pending_timeout) if started else "it finishes"
        raise Refused(
            f"rotation {rid} is in flight (key {key.id}, started {key.created or 'unknown'}): "
            f"refusing to run a second one; retry after {retry}, or resume it now with "
            f"--rotation-id {rid}"
        )
    if requested is None:
        return Claim(new_rotation_id(now), "new")
    version = snap.versions.get(requested)
    if version is not None and CURRENT in version.labels:
        return Claim(requested, "finish", f"rotation {requested} was promoted; finishing it")
    if version is not None:
        raise Refused(f"rotation {requested} ended long ago; run without --rotation-id")
    return Claim(requested, "new")


class Rotation:
    """One stage's rotation; `verify(value)` proves a key works on the stage (raises if not)."""

    def __init__(
        self,
        stage: Stage,
        policy: Policy,
        verify: Callable[[str], object],
        now: clock.Clock = clock.utcnow,
        limiter: RateLimiter = SHARED,
    ):
        self.stage, self.policy, self.verify, self.now = stage.name, policy, verify, now
        self.store = SecretStore(stage)
        self.ring = KeyRing(stage, policy, limiter)

    def snapshot(self) -> inventory.Snapshot:
        return inventory.take(self.store, self.ring)

    def run(self, rotation_id: str | None = None, dry_run: bool = False) -> Outcome | None:
        """Carry out (or resume, or finish) one rotation; None for a dry run."""
        if rotation_id is not None and not ROTATION_ID.match(rotation_id):
            raise KeysError("a rotation id is 32-64 letters, digits, '-' or '_'")
        snap, now = self.snapshot(), self.now()
        if snap.current is None or snap.current.key is None:
            raise KeysError(f"{self.store.name} has no usable AWSCURRENT version to rotate from")
        seen_current = snap.current.version_id
        task = claim(snap, rotation_id, now, self.policy)
        note = f": {task.note}" if task.note else ""
        say(f"rotation {task.rotation_id} of {self.stage}{note}")
        if task.mode != "finish":
            room = lifecycle.tidy(self.ring, snap, self.policy, now, task.rotation_id, strict=True)
            if dry_run:
                room.apply(dry_run=True)
                say("[dry-run] would create a key (or reuse this rotation's), label it AWSPENDING,")
                say("[dry-run] attach it, verify it on the stage, and promote it to AWSCURRENT")
                return None
            if task.drop_pending:
                self.store.drop_label(PENDING, task.drop_pending)
            room.apply(dry_run=False)
            key, value = self._key(task.rotation_id, now)
            self._stage(task.rotation_id, key, value)
            self.ring.attach(key)
            say(f"attached key {key.id} to usage plan {self.ring.plan_id}")
            self._verify(task.rotation_id, key, value)
            self._promote(task.rotation_id, key, seen_current)
        elif dry_run:
            say("[dry-run] would record the promotion and drop AWSPENDING")
            return None
        return self._finish(task.rotation_id)

    def _key(self, rid: str, now: datetime) -> tuple[StageKey, str]:
        """This rotation's key: the pending one, one made before a crash, or a new one."""
        snap = self.snapshot()
        pending = snap.pending
        key = snap.key_of(pending)
        if pending is not None and pending.version_id == rid and key is not None:
            say(f"using key {key.id} of the pending version")
            return key, pending.key.value
        mine = [k for k in snap.keys.values() if k.rotation_id == rid and k.enabled]
        if mine:
            say(f"using key {mine[0].id}, created by this rotation before it was interrupted")
            return mine[0], self.ring.value(mine[0].id)
        key, value = self.ring.create(rid, clock.stamp(now))
        say(f"created key {key.id} ({key.name})")
        return key, value

    def _verify(self, rid: str, key: StageKey, value: str) -> None:
        try:
            seen = self.verify(value)
        except KeysError as exc:
            raise KeysError(
                f"the new key {key.id} does not work on {self.stage}: {exc.message}. The current "
                f"key is unchanged and rotation {rid} stays pending: fix the stage, then re-run "
                f"with --rotation-id {rid}"
            ) from None
        for line in seen or ():
            say(f"verified: {line}")

    def _stage(self, rid: str, key: StageKey, value: str) -> None:
        """Label our version AWSPENDING; if another run's version took the label, back out."""
        self.store.put_pending(rid, StoredKey(key.id, value))
        if PENDING not in self.store.labels().get(rid, ()):
            self.ring.delete(key)
            raise Refused(
                "another rotation labelled its version AWSPENDING at the same moment; "
                f"this run deleted its key {key.id} and stops"
            )
        say(f"secret version {rid} is AWSPENDING")

    def _promote(self, rid: str, key: StageKey, seen_current: str) -> None:
        """Move AWSCURRENT to our version, unless another run got there first (then withdraw)."""
        labels = self.store.labels().get(rid, ())
        if CURRENT in labels:
            return
        if PENDING not in labels:
            self._withdraw(rid, key)
            raise Refused(f"another rotation took AWSPENDING from {rid}; this run stops")
        try:
            self.store.promote(rid, seen_current)
        except Refused:
            self._withdraw(rid, key)
            raise
        say(f"key {key.id} is AWSCURRENT")

    def _withdraw(self, rid: str, key: StageKey) -> None:
        """Undo a rotation that lost a race: its key was never current, so nobody has it."""
        if PENDING in self.store.labels().get(rid, ()):
            self.store.drop_label(PENDING, rid)
        self.ring.delete(key)

    def _finish(self, rid: str) -> Outcome:
        """Record the promotion (the overlap window starts now), drop AWSPENDING, prune."""
        snap, now = self.snapshot(), self.now()
        current = snap.key_of(snap.current)
        if current is not None and "promoted_at" not in current.meta:
            self.ring.annotate(current, promoted_at=clock.stamp(now))
        mine = snap.versions.get(rid)
        if mine is not None and PENDING in mine.labels:
            self.store.drop_label(PENDING, rid)
        lifecycle.tidy(self.ring, snap, self.policy, now).apply(dry_run=False)
        previous = snap.key_of(snap.previous)
        end = lifecycle.overlap_end(snap, self.policy, now)
        return Outcome(
            rotation_id=rid,
            current=snap.current.key.key_id,
            previous=previous.id if previous else None,
            overlap_until=clock.stamp(end) if end else "",
        )
