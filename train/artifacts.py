"""Write model artifacts so that a crash at any moment leaves the previous model intact.

Artifacts are content-addressed (`model-<sha256[:12]>.onnx`) and never overwritten; the manifest is
the single pointer to the current set and is replaced last, atomically. Files the new manifest no
longer lists are removed only after that.
"""

import hashlib
import json
from pathlib import Path

from app import manifest as manifest_file
from project.atomic import write_bytes
from train.errors import ArtifactError
from train.paths import MANIFEST_NAME


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def artifact_name(kind: str, data: bytes) -> str:
    suffix = {"onnx": ".onnx", "sklearn": ".joblib"}[kind]
    return f"model-{sha256_bytes(data)[:12]}{suffix}"


def publish(models_dir: Path, blobs: dict[str, bytes], manifest: dict, report: str) -> Path:
    """Write artifacts, the report and finally the manifest; then prune unreferenced artifacts."""
    for name, data in blobs.items():
        target = models_dir / name
        if not (target.exists() and sha256_file(target) == sha256_bytes(data)):
            write_bytes(target, data)
    write_bytes(models_dir / "metrics.md", report.encode())
    manifest_path = models_dir / MANIFEST_NAME
    write_bytes(manifest_path, (json.dumps(manifest, indent=2) + "\n").encode())
    for stale in models_dir.glob("model-*"):
        if stale.name not in blobs:
            stale.unlink()
    return manifest_path


def read_manifest(path: Path) -> dict:
    """The app's manifest reader, its error turned into training's one-line ArtifactError."""
    try:
        return manifest_file.read_manifest(path)
    except manifest_file.ManifestError as exc:
        raise ArtifactError(str(exc)) from None
