"""Load the model once, only after every artifact's sha256 matches the manifest.

Two backends sit behind one `predict(X) -> (labels, probabilities)` interface: ONNX Runtime (the
default: fast start, tiny package) and scikit-learn (the training record, for models skl2onnx can't
convert). Bytes are hashed and then loaded from memory, so the file checked is the file used.
"""

import hashlib
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

MANIFEST_NAME = "manifest.json"


class ModelLoadError(RuntimeError):
    """The model cannot be served: missing, tampered with, or inconsistent with its manifest."""


class Backend(Protocol):
    name: str

    def predict(self, X: np.ndarray) -> tuple[list, np.ndarray]: ...


class OnnxBackend:
    name = "onnx"
    artifact = "onnx"

    def __init__(self, blob: bytes, manifest: dict):
        import onnxruntime as ort

        options = ort.SessionOptions()
        # Requests carry 1-100 rows: one thread avoids pool start-up and hand-off costs.
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        self._session = ort.InferenceSession(blob, options, providers=["CPUExecutionProvider"])
        self._input = manifest.get("onnx", {}).get("input", "input")
        self._outputs = [output.name for output in self._session.get_outputs()]

    def predict(self, X):
        labels, probabilities = self._session.run(self._outputs, {self._input: X})
        return labels.tolist(), probabilities


class SklearnBackend:
    name = "sklearn"
    artifact = "sklearn"

    def __init__(self, blob: bytes, manifest: dict):
        import joblib

        self._pipeline = joblib.load(io.BytesIO(blob))  # only ever called on verified bytes
        self._classes = np.asarray(self._pipeline.classes_)

    def predict(self, X):
        probabilities = self._pipeline.predict_proba(X)
        return self._classes[probabilities.argmax(axis=1)].tolist(), probabilities


BACKENDS = {backend.name: backend for backend in (OnnxBackend, SklearnBackend)}


@dataclass(frozen=True)
class LoadedModel:
    manifest: dict
    backend: Backend
    features: list[str]
    classes: list[str]
    version: str
    sha256: str  # of the artifact being served

    def predict(self, X: np.ndarray) -> tuple[list, np.ndarray]:
        return self.backend.predict(X)


def load_model(model_dir: Path, backend_name: str) -> LoadedModel:
    """Read the manifest, verify the artifacts on disk, and build the chosen backend."""
    manifest = _read_manifest(Path(model_dir) / MANIFEST_NAME)
    backend_cls = BACKENDS.get(backend_name)
    if backend_cls is None:
        raise ModelLoadError(f"unknown backend {backend_name!r}; choose one of {sorted(BACKENDS)}")
    artifacts = manifest["artifacts"]
    if backend_cls.artifact not in artifacts:
        raise ModelLoadError(f"the manifest lists no {backend_cls.artifact!r} artifact")

    verified = {}
    for kind, entry in artifacts.items():
        path = Path(model_dir) / entry["file"]
        if not path.exists():
            if kind == backend_cls.artifact:
                raise ModelLoadError(f"model file missing: {path}")
            continue  # e.g. the joblib file, left out of the Lambda package on purpose
        verified[kind] = _verified_bytes(path, entry["sha256"])

    entry = artifacts[backend_cls.artifact]
    backend = backend_cls(verified[backend_cls.artifact], manifest)
    features = [feature["name"] for feature in manifest["features"]]
    backend.predict(np.zeros((1, len(features))))  # warm up during init, not on the first request
    return LoadedModel(
        manifest=manifest,
        backend=backend,
        features=features,
        classes=[str(c) for c in manifest["classes"]],
        version=str(manifest["model_version"]),
        sha256=entry["sha256"],
    )


def _read_manifest(path: Path) -> dict:
    try:
        manifest = json.loads(path.read_text())
    except FileNotFoundError:
        raise ModelLoadError(f"model manifest not found: {path} (run `make train`)") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ModelLoadError(f"model manifest {path} is not valid JSON: {exc}") from None
    missing = [
        key for key in ("model_version", "artifacts", "features", "classes") if key not in manifest
    ]
    if missing:
        raise ModelLoadError(f"model manifest {path} lacks {', '.join(missing)}")
    return manifest


def _verified_bytes(path: Path, expected: str) -> bytes:
    blob = path.read_bytes()
    actual = hashlib.sha256(blob).hexdigest()
    if actual != expected:
        raise ModelLoadError(
            f"model file {path.name} does not match the manifest "
            f"(sha256 {actual[:12]}..., expected {expected[:12]}...): refusing to load it"
        )
    return blob
