"""One consistent look at a stage: its secret's labelled versions and its API Gateway keys."""

from dataclasses import dataclass

from ops.keys.apikeys import KeyRing, StageKey
from ops.keys.store import CURRENT, PENDING, PREVIOUS, SecretStore, Version


@dataclass
class Snapshot:
    versions: dict[str, Version]  # labelled versions only
    keys: dict[str, StageKey]

    def labelled(self, label: str) -> Version | None:
        return next((v for v in self.versions.values() if label in v.labels), None)

    @property
    def current(self) -> Version | None:
        return self.labelled(CURRENT)

    @property
    def previous(self) -> Version | None:
        return self.labelled(PREVIOUS)

    @property
    def pending(self) -> Version | None:
        return self.labelled(PENDING)

    def key_of(self, version: Version | None) -> StageKey | None:
        return self.keys.get(version.key.key_id) if version and version.key else None

    def role(self, key_id: str) -> str:
        """current, previous or pending (by the secret's labels), else retired or stray."""
        for label, name in ((CURRENT, "current"), (PENDING, "pending"), (PREVIOUS, "previous")):
            version = self.labelled(label)
            if version and version.key and version.key.key_id == key_id:
                return name
        return "stray" if self.keys[key_id].enabled else "retired"


def take(store: SecretStore, ring: KeyRing) -> Snapshot:
    labels = store.labels()
    versions = {vid: store.version(vid, tuple(names)) for vid, names in labels.items()}
    referenced = {v.key.key_id for v in versions.values() if v.key}
    return Snapshot(versions, ring.keys(referenced))
