"""Write model artifacts so that a crash at any moment leaves the previous model intact.

Artifacts are content-addressed (`model-<sha256[:12]>.onnx`) and never overwritten; the manifest is
the single pointer to the current set and is replaced last, atomically. Files the new manifest no
longer lists are removed only after that.
"""

import hashlib
import json
import os
import tempfile
from pathlib import Path

from app import manifest as manifest_file
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


def write_atomic(path: Path, data: bytes) -> None:
    """Temp file in the same directory, fsync, then rename over the target."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, 0o644)  # mkstemp's 0600 would make committed and packaged files unreadable
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def artifact_name(kind: str, data: bytes) -> str:
    suffix = {"onnx": ".onnx", "sklearn": ".joblib"}[kind]
    return f"model-{sha256_bytes(data)[:12]}{suffix}"


def publish(models_dir: Path, blobs: dict[str, bytes], manifest: dict, report: str) -> Path:
    """Write artifacts, the report and finally the manifest; then prune unreferenced artifacts."""
    for name, data in blobs.items():
        target = models_dir / name
        if not (target.exists() and sha256_file(target) == sha256_bytes(data)):
            write_atomic(target, data)
    write_atomic(models_dir / "metrics.md", report.encode())
    manifest_path = models_dir / MANIFEST_NAME
    write_atomic(manifest_path, (json.dumps(manifest, indent=2) + "\n").encode())
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
