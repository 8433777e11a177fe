"""`python -m train`: validate the data, fit, evaluate, export to ONNX, publish the artifacts."""

import io
import platform
import subprocess
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

import joblib
import numpy as np
from sklearn.model_selection import train_test_split

from train.artifacts import artifact_name, publish, sha256_bytes
from train.config import Config
from train.dataset import Dataset, load_dataset
from train.evaluate import evaluate
from train.onnx_export import INPUT_NAME, opsets_used, to_onnx_bytes
from train.paths import PROJ_ROOT
from train.pipeline import build_pipeline, hyperparameters
from train.report import metrics_report

LIBRARIES = ("numpy", "scikit-learn", "joblib", "skl2onnx", "onnx", "onnxruntime")


def split(data: Dataset, cfg: Config):
    """The one seeded, stratified split that training, the gate and the tests all use."""
    return train_test_split(
        data.X,
        data.y,
        test_size=cfg.split.test_size,
        random_state=cfg.split.seed,
        stratify=data.y,
    )


def train(cfg: Config, models_dir: Path) -> dict:
    """Train and publish; returns the manifest. Nothing is written unless every step succeeded."""
    data = load_dataset(cfg.data.path, cfg.data.target)
    X_train, X_test, y_train, y_test = split(data, cfg)
    pipeline = build_pipeline(cfg.model).fit(X_train, y_train)
    classes = [str(c) for c in pipeline.classes_]
    metrics = evaluate(y_test, pipeline.predict_proba(X_test), classes, cfg.data.positive_class)

    onnx_bytes = to_onnx_bytes(pipeline, len(data.features))
    buffer = io.BytesIO()
    joblib.dump(pipeline, buffer)
    blobs = {
        artifact_name("onnx", onnx_bytes): onnx_bytes,
        artifact_name("sklearn", buffer.getvalue()): buffer.getvalue(),
    }
    manifest = build_manifest(cfg, data, classes, metrics, blobs, len(y_train))
    manifest["onnx"]["opsets"] = opsets_used(onnx_bytes)
    publish(models_dir, blobs, manifest, metrics_report(manifest))
    return manifest


def build_manifest(cfg, data, classes, metrics, blobs, train_rows) -> dict:
    artifacts = {}
    for name, blob in blobs.items():
        kind = "onnx" if name.endswith(".onnx") else "sklearn"
        artifacts[kind] = {"file": name, "sha256": sha256_bytes(blob), "bytes": len(blob)}
    return {
        "format": 1,
        "model_version": artifacts["onnx"]["sha256"][:12],
        "created_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "git_sha": _git_sha(),
        "artifacts": artifacts,
        "onnx": {"input": INPUT_NAME, "outputs": ["label", "probabilities"]},
        "data": {
            "path": _relative(cfg.data.path),
            "sha256": data.sha256,
            "rows": len(data.y),
            "target": cfg.data.target,
        },
        "features": [
            {"name": name, "dtype": "float64", "min": float(lo), "max": float(hi)}
            for name, lo, hi in zip(
                data.features, np.min(data.X, axis=0), np.max(data.X, axis=0), strict=True
            )
        ],
        "classes": classes,
        "positive_class": cfg.data.positive_class,
        "split": {
            "test_size": cfg.split.test_size,
            "seed": cfg.split.seed,
            "stratified": True,
            "train_rows": train_rows,
            "test_rows": metrics["test_rows"],
        },
        "hyperparameters": hyperparameters(cfg.model),
        "metrics": metrics,
        "libraries": {"python": platform.python_version()}
        | {name: version(name) for name in LIBRARIES},
    }


def _relative(path: Path) -> str:
    try:
        return path.resolve().relative_to(PROJ_ROOT).as_posix()
    except ValueError:
        return str(path)


def _git_sha() -> str | None:
    """The code version the model was trained from, when this is a git checkout."""
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=PROJ_ROOT, capture_output=True, text=True, timeout=5
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return out.stdout.strip() or None if out.returncode == 0 else None
