"""ONNX vs scikit-learn on the held-out rows, through the same loader the API serves with."""

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from app.manifest import ManifestError
from app.model import load_model
from train.config import Config
from train.dataset import load_dataset
from train.errors import ArtifactError
from train.sklearn_model import load_sklearn_model


@dataclass(frozen=True)
class ParityResult:
    rows: int
    label_mismatches: int
    max_probability_diff: float
    tolerance: float

    @property
    def passed(self) -> bool:
        return self.label_mismatches == 0 and self.max_probability_diff <= self.tolerance


def compare(onnx, sklearn, X: np.ndarray, tolerance: float) -> ParityResult:
    """Labels and probabilities of both loaded models on the same rows."""
    onnx_labels, onnx_proba = onnx.predict(X)
    sk_labels, sk_proba = sklearn.predict(X)
    return ParityResult(
        rows=len(X),
        label_mismatches=int(np.sum(np.asarray(onnx_labels) != np.asarray(sk_labels))),
        max_probability_diff=float(np.max(np.abs(onnx_proba - sk_proba))),
        tolerance=tolerance,
    )


def check_parity(cfg: Config, models_dir: Path, manifest: dict) -> ParityResult:
    # Imported here: fit imports skl2onnx, which the gate's other checks don't need.
    from train.fit import split

    data = load_dataset(cfg.data.path, cfg.data.target)
    if data.sha256 != manifest["data"]["sha256"]:
        raise ArtifactError(
            f"{cfg.data.path.name} changed since the model was trained; run `make train` first"
        )
    X_test = split(data, cfg)[1]
    try:
        onnx, sklearn = load_model(models_dir), load_sklearn_model(models_dir)
    except ManifestError as exc:
        raise ArtifactError(str(exc)) from None
    return compare(onnx, sklearn, X_test, cfg.gate.parity_tolerance)
