"""The committed model: ONNX takes scikit-learn's branch on every row, not just held-out ones.

Guards the two runtime quirks onnx_export.py works around (float32 ties at split thresholds, and
ONNX Runtime 1.16 deleting the float32 Cast pair); both show up as a 0.01 jump (one tree of 100).
"""

import numpy as np
import onnx

from app.model import load_model
from tests.conftest import COMMITTED_MODELS
from train.dataset import load_dataset
from train.paths import DATA_DIR


def wide_rows() -> np.ndarray:
    data = load_dataset(DATA_DIR / "breast_cancer.csv", "diagnosis").X
    rng = np.random.default_rng(0)
    noise = rng.normal(size=(5000, data.shape[1])) * data.std(axis=0) + data.mean(axis=0)
    return np.vstack([data, data * 1.0001, data * 0.9999, noise])


def test_onnx_and_sklearn_agree_on_every_row():
    X = wide_rows()
    onnx_labels, onnx_proba = load_model(COMMITTED_MODELS, "onnx").predict(X)
    sk_labels, sk_proba = load_model(COMMITTED_MODELS, "sklearn").predict(X)
    assert onnx_labels == sk_labels
    assert np.abs(onnx_proba - sk_proba).max() <= 1e-6


def test_the_exported_trees_use_float64_thresholds_after_a_float32_round_trip():
    manifest_file = load_model(COMMITTED_MODELS, "onnx").manifest["artifacts"]["onnx"]["file"]
    model = onnx.load(COMMITTED_MODELS / manifest_file)
    ops = [node.op_type for node in model.graph.node]
    assert ops == ["Sub", "Div", "Cast", "Neg", "Neg", "Cast", "TreeEnsembleClassifier"]
    (trees,) = [n for n in model.graph.node if n.op_type == "TreeEnsembleClassifier"]
    names = {a.name for a in trees.attribute}
    assert "nodes_values_as_tensor" in names
    assert "nodes_values" not in names
    assert {o.domain: o.version for o in model.opset_import}["ai.onnx.ml"] == 3
