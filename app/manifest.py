"""The one reader of models/manifest.json: the app, training, ops and the load test all use it.

The manifest is the single description of the model every stage needs: its artifacts and their
hashes, the data it was trained on, the feature names in input order, the classes, and a few real
rows (`samples`) for smoke tests, package checks, benchmarks and key drills. Nothing here imports
training code, so the Lambda package can read it.
"""

import hashlib
import json
from pathlib import Path

MANIFEST_NAME = "manifest.json"
REQUIRED = ("model_version", "artifacts", "features", "classes")


class ManifestError(RuntimeError):
    """The manifest or an artifact it lists is missing, unreadable, or tampered with."""


def read_manifest(path: Path) -> dict:
    """The parsed manifest; a ManifestError (one line) when it is missing or malformed."""
    path = Path(path)
    try:
        manifest = json.loads(path.read_text())
    except FileNotFoundError:
        raise ManifestError(f"model manifest not found: {path} (run `make train`)") from None
    except (OSError, json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ManifestError(f"model manifest {path} is not valid JSON: {exc}") from None
    if not isinstance(manifest, dict):
        raise ManifestError(f"model manifest {path} is not a JSON object")
    missing = [key for key in REQUIRED if key not in manifest]
    if missing:
        raise ManifestError(f"model manifest {path} lacks {', '.join(missing)}")
    return manifest


def feature_names(manifest: dict) -> list[str]:
    """The model's input columns, in the order it expects them."""
    return [feature["name"] for feature in manifest["features"]]


def classes(manifest: dict) -> list[str]:
    return [str(c) for c in manifest["classes"]]


def sample_rows(manifest: dict) -> list[list[float]]:
    """Real held-out rows recorded at training: valid /predict inputs for every check."""
    rows = manifest.get("samples") or []
    if not rows:
        raise ManifestError("the model manifest has no sample rows (retrain with `make train`)")
    return [[float(v) for v in row] for row in rows]


def verified_artifact(model_dir: Path, manifest: dict, kind: str) -> tuple[bytes, str]:
    """The bytes of artifact `kind` and their sha256, only if they match the manifest.

    Bytes are hashed and then used from memory, so the file checked is the file loaded.
    """
    entry = manifest["artifacts"].get(kind)
    if entry is None:
        raise ManifestError(f"the manifest lists no {kind!r} artifact")
    path = Path(model_dir) / entry["file"]
    try:
        blob = path.read_bytes()
    except FileNotFoundError:
        raise ManifestError(f"model file missing: {path}") from None
    actual = hashlib.sha256(blob).hexdigest()
    if actual != entry["sha256"]:
        raise ManifestError(
            f"model file {path.name} does not match the manifest "
            f"(sha256 {actual[:12]}..., expected {entry['sha256'][:12]}...): refusing to load it"
        )
    return blob, actual
