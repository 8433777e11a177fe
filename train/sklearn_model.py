"""The joblib pipeline behind the app's `predict` interface: for the parity gate and benchmarks.

It is never deployed (scikit-learn is not in the serve layer and the package leaves *.joblib out);
it is the training record that the ONNX model must match, and `make bench`'s point of comparison.
"""

import io
from pathlib import Path

import joblib
import numpy as np

from app.manifest import MANIFEST_NAME, read_manifest, verified_artifact
from app.model import LoadedModel, loaded


class SklearnBackend:
    name = "sklearn"

    def __init__(self, blob: bytes):
        self._pipeline = joblib.load(io.BytesIO(blob))  # only ever called on verified bytes
        self._classes = np.asarray(self._pipeline.classes_)

    @property
    def pipeline(self):
        return self._pipeline

    def predict(self, X):
        probabilities = self._pipeline.predict_proba(X)
        return self._classes[probabilities.argmax(axis=1)].tolist(), probabilities


def load_sklearn_model(model_dir: Path) -> LoadedModel:
    """Verify the joblib artifact against the manifest, then unpickle it (else ManifestError)."""
    manifest = read_manifest(Path(model_dir) / MANIFEST_NAME)
    blob, sha256 = verified_artifact(model_dir, manifest, "sklearn")
    return loaded(manifest, SklearnBackend(blob), sha256)
