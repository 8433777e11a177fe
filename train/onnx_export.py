"""Convert the fitted pipeline to ONNX, teaching skl2onnx our float32 round-trip step."""

import numpy as np
import onnx
from onnx import TensorProto, numpy_helper
from skl2onnx import convert_sklearn, update_registered_converter
from skl2onnx.algebra.onnx_ops import OnnxCast, OnnxNeg
from skl2onnx.common.data_types import DoubleTensorType
from sklearn.pipeline import Pipeline

from train.cast import Float32RoundTrip

INPUT_NAME = "input"
# skl2onnx emits ai.onnx.ml opset 1; _exact_thresholds raises it to 3 for float64 thresholds.
TARGET_OPSET = {"": 17, "ai.onnx.ml": 3}
GRAPH_NAME = "breast_cancer_classifier"  # fixed, so the same model always gives the same bytes


def _shape(operator):
    operator.outputs[0].type = DoubleTensorType(operator.inputs[0].type.shape)


def _convert(scope, operator, container):
    """Cast to float32, Neg twice, cast back to float64.

    The two Negs are exact and only there to keep ONNX Runtime 1.16 from deleting the Cast pair as
    a no-op (its cast-chain elimination runs even with optimizations off), which would feed the
    trees unrounded values. Parity tests catch any runtime that finds another way to skip it.
    """
    opset = container.target_opset
    as_float = OnnxCast(operator.inputs[0], to=TensorProto.FLOAT, op_version=opset)
    kept = OnnxNeg(OnnxNeg(as_float, op_version=opset), op_version=opset)
    back = OnnxCast(
        kept, to=TensorProto.DOUBLE, op_version=opset, output_names=operator.outputs[:1]
    )
    back.add_to(scope, container)


update_registered_converter(Float32RoundTrip, "ProjectFloat32RoundTrip", _shape, _convert)


def to_onnx_bytes(pipeline: Pipeline, n_features: int) -> bytes:
    """Serialized ONNX model: float64 input, outputs `label` and `probabilities` (no ZipMap).

    skl2onnx lists opsets in set order, which changes with hash randomization; sorting them makes
    the same pipeline serialize to the same bytes in every process.
    """
    forest = pipeline.steps[-1][1]
    model = convert_sklearn(
        pipeline,
        name=GRAPH_NAME,
        initial_types=[(INPUT_NAME, DoubleTensorType([None, n_features]))],
        options={id(forest): {"zipmap": False}},
        target_opset=TARGET_OPSET,
    )
    _exact_thresholds(model, forest)
    opsets = sorted(model.opset_import, key=lambda opset: opset.domain)
    del model.opset_import[:]
    model.opset_import.extend(opsets)
    return model.SerializeToString()


def _exact_thresholds(model: onnx.ModelProto, forest) -> None:
    """Give the TreeEnsemble scikit-learn's float64 split thresholds (ai.onnx.ml opset 3).

    skl2onnx stores thresholds as float32 (`nodes_values`). The forest's inputs are float32 values
    (see cast.py), so an input can equal a float32 threshold exactly, and runtimes disagree about
    such ties: ONNX Runtime 1.16 sends them right, 1.32 left, scikit-learn compares against the
    float64 threshold, which lies strictly between two float32 values. Storing that float64
    threshold (`nodes_values_as_tensor`) removes the ties, so every runtime takes sklearn's branch.
    """
    (node,) = [n for n in model.graph.node if n.op_type == "TreeEnsembleClassifier"]
    attributes = {a.name: a for a in node.attribute}
    thresholds = []
    for tree, node_id, mode in zip(
        attributes["nodes_treeids"].ints,
        attributes["nodes_nodeids"].ints,
        attributes["nodes_modes"].strings,
        strict=True,
    ):
        if mode == b"LEAF":
            thresholds.append(0.0)
        elif mode == b"BRANCH_LEQ":
            thresholds.append(forest.estimators_[tree].tree_.threshold[node_id])
        else:
            raise ValueError(f"unexpected tree node mode {mode!r}")
    node.attribute.remove(attributes["nodes_values"])
    values = numpy_helper.from_array(np.asarray(thresholds, dtype=np.float64))
    node.attribute.append(onnx.helper.make_attribute("nodes_values_as_tensor", values))
    for opset in model.opset_import:
        if opset.domain == "ai.onnx.ml":
            opset.version = max(opset.version, 3)


def opsets_used(onnx_bytes: bytes) -> dict[str, int]:
    """The opsets the serialized model really imports (recorded in the manifest)."""
    model = onnx.load_from_string(onnx_bytes)
    return {opset.domain or "ai.onnx": opset.version for opset in model.opset_import}
