"""Convert the fitted pipeline to ONNX, teaching skl2onnx our float32 round-trip step.

Any classifier skl2onnx converts goes through here; tree ensembles (random forest, extra trees,
gradient boosting, single trees) get scikit-learn's float64 split thresholds back (see
`_exact_thresholds`), and the parity gate decides whether the result is exact enough to serve.
"""

import numpy as np
import onnx
from onnx import TensorProto, numpy_helper
from skl2onnx import convert_sklearn, update_registered_converter
from skl2onnx.algebra.onnx_ops import OnnxCast, OnnxNeg
from skl2onnx.common.data_types import DoubleTensorType
from sklearn.pipeline import Pipeline

from train.cast import Float32RoundTrip
from train.errors import ConversionError

INPUT_NAME = "input"
# skl2onnx emits ai.onnx.ml opset 1; _exact_thresholds raises it to 3 for float64 thresholds.
TARGET_OPSET = {"": 17, "ai.onnx.ml": 3}
GRAPH_NAME = "classifier"  # fixed, so the same model always gives the same bytes
TREE_OPS = ("TreeEnsembleClassifier", "TreeEnsembleRegressor")


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

    A pipeline skl2onnx cannot convert is a ConversionError naming the estimator. skl2onnx lists
    opsets in set order, which changes with hash randomization; sorting them makes the same
    pipeline serialize to the same bytes in every process.
    """
    estimator = pipeline.steps[-1][1]
    try:
        model = convert_sklearn(
            pipeline,
            name=GRAPH_NAME,
            initial_types=[(INPUT_NAME, DoubleTensorType([None, n_features]))],
            options={id(estimator): {"zipmap": False}},
            target_opset=TARGET_OPSET,
        )
    except Exception as exc:  # noqa: BLE001 (skl2onnx raises many unrelated types; one line each)
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise ConversionError(
            f"skl2onnx cannot convert {type(estimator).__name__} to ONNX ({first}); "
            "choose another [model] estimator"
        ) from None
    _exact_thresholds(model, estimator)
    _float_tree_scores(model)
    opsets = sorted(model.opset_import, key=lambda opset: opset.domain)
    del model.opset_import[:]
    model.opset_import.extend(opsets)
    serialized = model.SerializeToString()
    _check_loads(serialized, type(estimator).__name__)
    return serialized


def _check_loads(serialized: bytes, estimator: str) -> None:
    """Refuse, before anything is written, a model that ONNX Runtime would not serve."""
    import onnxruntime as ort

    try:
        ort.InferenceSession(serialized, providers=["CPUExecutionProvider"])
    except Exception as exc:  # noqa: BLE001 (ONNX Runtime's errors have no common public base)
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise ConversionError(
            f"ONNX Runtime cannot load the converted {estimator} ({first}); "
            "choose another [model] estimator"
        ) from None


def sklearn_trees(estimator) -> list:
    """The fitted `tree_` objects in the order skl2onnx numbers its trees (`nodes_treeids`).

    Forests and extra trees: one per estimator; gradient boosting: estimators_[i][k] numbered
    i * n_classes + k (row-major); a single decision tree: itself. Anything else: none.
    """
    if hasattr(estimator, "tree_"):
        return [estimator.tree_]
    members = getattr(estimator, "estimators_", None)
    if members is None:
        return []
    flat = np.ravel(np.asarray(members, dtype=object))
    return [m.tree_ if hasattr(m, "tree_") else None for m in flat]


def _exact_thresholds(model: onnx.ModelProto, estimator) -> None:
    """Give each TreeEnsemble scikit-learn's float64 split thresholds (ai.onnx.ml opset 3).

    skl2onnx stores thresholds as float32 (`nodes_values`). The trees' inputs are float32 values
    (see cast.py), so an input can equal a float32 threshold exactly, and runtimes disagree about
    such ties: ONNX Runtime 1.16 sends them right, 1.32 left, scikit-learn compares against the
    float64 threshold, which lies strictly between two float32 values. Storing that float64
    threshold (`nodes_values_as_tensor`) removes the ties, so every runtime takes sklearn's branch.

    Each threshold is taken from the scikit-learn tree the node came from, and only when the
    node's feature and float32 threshold (to 1 ulp) match it: a graph whose trees cannot be
    matched that way keeps skl2onnx's thresholds, and the parity gate judges it.
    """
    nodes = [n for n in model.graph.node if n.op_type in TREE_OPS]
    trees = sklearn_trees(estimator)
    exact = [(node, _float64_thresholds(node, trees)) for node in nodes]
    if not nodes or any(thresholds is None for _, thresholds in exact):
        return
    for node, thresholds in exact:
        attributes = {a.name: a for a in node.attribute}
        node.attribute.remove(attributes["nodes_values"])
        values = numpy_helper.from_array(np.asarray(thresholds, dtype=np.float64))
        node.attribute.append(onnx.helper.make_attribute("nodes_values_as_tensor", values))
    for opset in model.opset_import:
        if opset.domain == "ai.onnx.ml":
            opset.version = max(opset.version, 3)


def _float_tree_scores(model: onnx.ModelProto) -> None:
    """Declare a TreeEnsembleClassifier's scores as the float they are (ONNX's operator schema).

    For some estimators (extra trees, gradient boosting) skl2onnx declares them double when the
    input is double, and ONNX Runtime then refuses to load the model.
    """
    scores = {n.output[1] for n in model.graph.node if n.op_type == "TreeEnsembleClassifier"}
    for node in model.graph.node:  # graph order: an Identity's input is produced before it
        if node.op_type == "Identity" and node.input[0] in scores:
            scores.add(node.output[0])
    for output in model.graph.output:
        if output.name in scores:
            output.type.tensor_type.elem_type = TensorProto.FLOAT


def _float64_thresholds(node, trees: list) -> list[float] | None:
    """The node's thresholds in float64, or None when its trees do not match `trees`."""
    attributes = {a.name: a for a in node.attribute}
    if "nodes_values" not in attributes:
        return None
    thresholds = []
    for tree_id, node_id, feature, mode, value in zip(
        attributes["nodes_treeids"].ints,
        attributes["nodes_nodeids"].ints,
        attributes["nodes_featureids"].ints,
        attributes["nodes_modes"].strings,
        attributes["nodes_values"].floats,
        strict=True,
    ):
        if mode == b"LEAF":
            thresholds.append(0.0)
            continue
        tree = trees[tree_id] if tree_id < len(trees) else None
        if mode != b"BRANCH_LEQ" or tree is None or node_id >= tree.node_count:
            return None
        threshold = float(tree.threshold[node_id])
        # skl2onnx rounds to a neighbouring float32 (its versions differ in which): within 1 ulp.
        if tree.feature[node_id] != feature or abs(value - threshold) > ulp32(threshold):
            return None
        thresholds.append(threshold)
    return thresholds


def ulp32(value: float) -> float:
    """The gap between float32 numbers at `value`."""
    return float(np.spacing(np.float32(abs(value))))


def opsets_used(onnx_bytes: bytes) -> dict[str, int]:
    """The opsets the serialized model really imports (recorded in the manifest)."""
    model = onnx.load_from_string(onnx_bytes)
    return {opset.domain or "ai.onnx": opset.version for opset in model.opset_import}
