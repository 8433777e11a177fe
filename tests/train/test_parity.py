"""The committed model: ONNX takes scikit-learn's branch on every row, not just held-out ones.

Guards the two runtime quirks onnx_export.py works around (float32 ties at split thresholds, and
ONNX Runtime 1.16 deleting the float32 Cast pair); both show up as a 0.01 jump (one tree of 100).
Whatever data and estimator the committed model has: both come from its manifest.
"""

import numpy as np
import onnx
import pytest

from app.model import load_model
from project import ROOT
from tests.conftest import COMMITTED_MODELS
from train.dataset import load_dataset
from train.sklearn_model import load_sklearn_model


def wide_rows() -> np.ndarray:
    manifest = load_model(COMMITTED_MODELS).manifest
    data = load_dataset(ROOT / manifest["data"]["path"], manifest["data"]["target"]).X
    rng = np.random.default_rng(0)
    noise = rng.normal(size=(5000, data.shape[1])) * data.std(axis=0) + data.mean(axis=0)
    return np.vstack([data, data * 1.0001, data * 0.9999, noise])


def test_onnx_and_sklearn_agree_on_every_row():
    X = wide_rows()
    onnx_labels, onnx_proba = load_model(COMMITTED_MODELS).predict(X)
    sk_labels, sk_proba = load_sklearn_model(COMMITTED_MODELS).predict(X)
    assert onnx_labels == sk_labels
    assert np.abs(onnx_proba - sk_proba).max() <= 1e-6


def test_the_exported_trees_use_float64_thresholds_after_a_float32_round_trip():
    manifest = load_model(COMMITTED_MODELS).manifest
    model = onnx.load(COMMITTED_MODELS / manifest["artifacts"]["onnx"]["file"])
    ops = [node.op_type for node in model.graph.node]
    assert ops[:6] == ["Sub", "Div", "Cast", "Neg", "Neg", "Cast"]
    trees = [n for n in model.graph.node if n.op_type.startswith("TreeEnsemble")]
    if not trees:
        pytest.skip(f"the committed {manifest['hyperparameters']['estimator']} has no trees")
    for node in trees:
        names = {a.name for a in node.attribute}
        assert "nodes_values_as_tensor" in names
        assert "nodes_values" not in names
    assert {o.domain: o.version for o in model.opset_import}["ai.onnx.ml"] == 3
