"""Load the ONNX model once, only after its sha256 matches the manifest.

The Lambda package serves ONNX Runtime only: scikit-learn is not in the serve layer and the
package leaves the joblib pipeline out. The pipeline stays the training record; the parity gate
and the benchmarks load it through `train.sklearn_model`, behind the same `predict` interface.
"""

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from app.manifest import MANIFEST_NAME, classes, feature_names, read_manifest, verified_artifact


class Backend(Protocol):
    name: str

    def predict(self, X: np.ndarray) -> tuple[list, np.ndarray]: ...


class OnnxBackend:
    name = "onnx"

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


def loaded(manifest: dict, backend: Backend, sha256: str) -> LoadedModel:
    """Wrap a verified backend; one warm-up call so init, not the first request, pays for it."""
    features = feature_names(manifest)
    backend.predict(np.zeros((1, len(features))))
    return LoadedModel(
        manifest=manifest,
        backend=backend,
        features=features,
        classes=classes(manifest),
        version=str(manifest["model_version"]),
        sha256=sha256,
    )


def load_model(model_dir: Path) -> LoadedModel:
    """Read the manifest, verify the ONNX artifact, start a session on it (else ManifestError)."""
    manifest = read_manifest(Path(model_dir) / MANIFEST_NAME)
    blob, sha256 = verified_artifact(model_dir, manifest, "onnx")
    return loaded(manifest, OnnxBackend(blob, manifest), sha256)
