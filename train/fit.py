"""`python -m train`: validate the data, fit, evaluate, export to ONNX, publish the artifacts."""

import io
import platform
import warnings
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

import joblib
import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split

from project import ROOT, git
from train.artifacts import artifact_name, publish, sha256_bytes
from train.config import Config
from train.current import MANIFEST_FORMAT
from train.dataset import Dataset, load_dataset
from train.errors import ConfigError, DataError
from train.evaluate import evaluate, positive_class
from train.onnx_export import INPUT_NAME, opsets_used, to_onnx_bytes
from train.pipeline import build_pipeline, hyperparameters
from train.report import metrics_report

LIBRARIES = ("numpy", "scikit-learn", "joblib", "skl2onnx", "onnx", "onnxruntime")
MAX_SAMPLES = 5  # real held-out rows kept in the manifest for smoke tests, checks and drills


def split(data: Dataset, cfg: Config):
    """The one seeded, stratified split that training, the gate and the tests all use."""
    try:
        return train_test_split(
            data.X,
            data.y,
            test_size=cfg.split.test_size,
            random_state=cfg.split.seed,
            stratify=data.y,
        )
    except ValueError as exc:  # e.g. a class with one row, or fewer test rows than classes
        raise DataError(f"{cfg.data.path.name}: cannot make a stratified split: {exc}") from None


def train(cfg: Config, models_dir: Path) -> dict:
    """Train and publish; returns the manifest. Nothing is written unless every step succeeded."""
    data = load_dataset(cfg.data.path, cfg.data.target)
    classes = sorted(set(data.y.tolist()))
    if cfg.data.positive_class is not None and cfg.data.positive_class not in classes:
        raise ConfigError(
            f"[data] positive_class {cfg.data.positive_class!r} is not a class of "
            f"{cfg.data.target!r} ({', '.join(classes)})"
        )
    pipeline = build_pipeline(cfg)
    X_train, X_test, y_train, y_test = split(data, cfg)
    estimator = cfg.model.estimator.rpartition(".")[2]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)  # the gate judges the result
            pipeline.fit(X_train, y_train)
    except (TypeError, ValueError) as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise ConfigError(f"{estimator} cannot be fitted with [model.params]: {first}") from None
    classes = [str(c) for c in pipeline.classes_]
    positive = positive_class(classes, cfg.data.positive_class)
    metrics = evaluate(y_test, pipeline.predict_proba(X_test), classes, positive)

    onnx_bytes = to_onnx_bytes(pipeline, len(data.features))
    buffer = io.BytesIO()
    joblib.dump(pipeline, buffer)
    blobs = {
        artifact_name("onnx", onnx_bytes): onnx_bytes,
        artifact_name("sklearn", buffer.getvalue()): buffer.getvalue(),
    }
    manifest = build_manifest(cfg, data, pipeline, metrics, blobs, len(y_train))
    manifest["samples"] = sample_rows(X_test, y_test, classes)
    manifest["onnx"]["opsets"] = opsets_used(onnx_bytes)
    publish(models_dir, blobs, manifest, metrics_report(manifest))
    return manifest


def sample_rows(X: np.ndarray, y: np.ndarray, classes: list[str]) -> list[list[float]]:
    """The first held-out row of each class (at most MAX_SAMPLES): real, valid /predict inputs."""
    rows = []
    for label in classes[:MAX_SAMPLES]:
        (at,) = np.nonzero(y == label)
        if len(at):
            rows.append([float(v) for v in X[at[0]]])
    return rows


def build_manifest(cfg, data, pipeline, metrics, blobs, train_rows) -> dict:
    """Everything later stages need to know about the model, in one JSON document."""
    classes = [str(c) for c in pipeline.classes_]
    artifacts = {}
    for name, blob in blobs.items():
        kind = "onnx" if name.endswith(".onnx") else "sklearn"
        artifacts[kind] = {"file": name, "sha256": sha256_bytes(blob), "bytes": len(blob)}
    return {
        "format": MANIFEST_FORMAT,
        "model_version": artifacts["onnx"]["sha256"][:12],
        "created_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "git_sha": git.head_sha(timeout=5),  # the code version, when this is a git checkout
        "artifacts": artifacts,
        "onnx": {"input": INPUT_NAME, "outputs": ["label", "probabilities"]},
        "data": {
            "path": _relative(cfg.data.path),
            "sha256": data.sha256,
            "rows": len(data.y),
            "target": cfg.data.target,
        },
        "config_sha256": cfg.sha256,
        "task": "binary" if len(classes) == 2 else "multiclass",
        "features": [
            {"name": name, "dtype": "float64", "min": float(lo), "max": float(hi)}
            for name, lo, hi in zip(
                data.features, np.min(data.X, axis=0), np.max(data.X, axis=0), strict=True
            )
        ],
        "classes": classes,
        "positive_class": positive_class(classes, cfg.data.positive_class),
        "positive_class_configured": cfg.data.positive_class is not None,
        "split": {
            "test_size": cfg.split.test_size,
            "seed": cfg.split.seed,
            "stratified": True,
            "train_rows": train_rows,
            "test_rows": metrics["test_rows"],
        },
        "hyperparameters": hyperparameters(cfg, pipeline),
        "metrics": metrics,
        "libraries": {"python": platform.python_version()}
        | {name: version(name) for name in LIBRARIES},
    }


def _relative(path: Path) -> str:
    try:
        return path.resolve().relative_to(ROOT).as_posix()
    except ValueError:
        return str(path)
