"""Convert the fitted pipeline to ONNX, teaching skl2onnx our float32 round-trip step."""

import onnx
from onnx import TensorProto
from skl2onnx import convert_sklearn, update_registered_converter
from skl2onnx.algebra.onnx_ops import OnnxCast
from skl2onnx.common.data_types import DoubleTensorType
from sklearn.pipeline import Pipeline

from train.cast import Float32RoundTrip

INPUT_NAME = "input"
# ai.onnx.ml opset 3 lets TreeEnsemble keep float64 thresholds, which exact parity needs.
TARGET_OPSET = {"": 17, "ai.onnx.ml": 3}
GRAPH_NAME = "breast_cancer_classifier"  # fixed, so the same model always gives the same bytes


def _shape(operator):
    operator.outputs[0].type = DoubleTensorType(operator.inputs[0].type.shape)


def _convert(scope, operator, container):
    as_float = OnnxCast(operator.inputs[0], to=TensorProto.FLOAT, op_version=container.target_opset)
    back = OnnxCast(
        as_float,
        to=TensorProto.DOUBLE,
        op_version=container.target_opset,
        output_names=operator.outputs[:1],
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
    opsets = sorted(model.opset_import, key=lambda opset: opset.domain)
    del model.opset_import[:]
    model.opset_import.extend(opsets)
    return model.SerializeToString()


def opsets_used(onnx_bytes: bytes) -> dict[str, int]:
    """The opsets the serialized model really imports (skl2onnx may pick lower ones)."""
    model = onnx.load_from_string(onnx_bytes)
    return {opset.domain or "ai.onnx": opset.version for opset in model.opset_import}
