"""Training writes a complete, verifiable, reproducible set of artifacts, or nothing at all."""

import json

import numpy as np
import pytest
from click.testing import CliRunner

from app.model import load_model
from train import artifacts
from train.cli import main
from train.config import load_config
from train.fit import train
from train.sklearn_model import load_sklearn_model

VOLATILE = {"created_at", "git_sha"}


def fit(project):
    return train(load_config(project["config"]), project["models"])


def stable(manifest: dict) -> dict:
    return {k: v for k, v in manifest.items() if k not in VOLATILE}


def test_training_publishes_manifest_artifacts_and_report(small_project):
    manifest = fit(small_project)
    models = small_project["models"]

    on_disk = json.loads((models / "manifest.json").read_text())
    assert on_disk == manifest
    for kind in ("onnx", "sklearn"):
        entry = manifest["artifacts"][kind]
        assert artifacts.sha256_file(models / entry["file"]) == entry["sha256"]
    assert [f["name"] for f in manifest["features"]] == ["alpha", "beta", "noise"]
    assert all(f["min"] <= f["max"] for f in manifest["features"])
    assert manifest["classes"] == ["no", "yes"]
    assert manifest["data"]["sha256"] == artifacts.sha256_file(small_project["data"])
    assert set(manifest["metrics"]) >= {
        "accuracy",
        "f1_macro",
        "roc_auc",
        "f1_positive",
        "confusion_matrix",
    }
    assert manifest["task"] == "binary"
    assert manifest["positive_class"] == "yes"
    assert manifest["data"]["target"] == "label"
    assert manifest["hyperparameters"]["params"] == {"n_estimators": 15, "random_state": 7}
    assert manifest["config_sha256"] == artifacts.sha256_file(small_project["config"])
    assert 1 <= len(manifest["samples"]) <= 2
    assert all(len(row) == 3 for row in manifest["samples"])
    assert {"scikit-learn", "onnxruntime", "skl2onnx", "numpy"} <= set(manifest["libraries"])
    assert f"# Model {manifest['model_version']}" in (models / "metrics.md").read_text()
    assert not list(models.glob(".*.tmp"))


def test_the_scaler_feeds_the_forest(small_project):
    """The tutorial's bug: the forest was fitted on unscaled data. Here it sees scaled values."""
    rng = np.random.default_rng(0)
    X = rng.normal(loc=5000.0, scale=1000.0, size=(80, 2))  # raw thresholds would be ~5000
    y = np.where(X[:, 0] > 5000, "yes", "no")
    lines = ["alpha,beta,noise,label"] + [
        f"{a},{b},{a - b},{t}" for (a, b), t in zip(X, y, strict=True)
    ]
    small_project["data"].write_text("\n".join(lines) + "\n")
    fit(small_project)
    pipeline = load_sklearn_model(small_project["models"]).backend.pipeline
    assert [name for name, _ in pipeline.steps] == ["scale", "float32", "estimator"]
    forest = pipeline.named_steps["estimator"]
    thresholds = np.concatenate(
        [t.tree_.threshold[t.tree_.feature >= 0] for t in forest.estimators_]
    )
    assert np.abs(thresholds).max() < 10  # standardized units, not raw feature values


def test_same_data_and_config_give_identical_results(small_project):
    first = fit(small_project)
    files = sorted(p.name for p in small_project["models"].iterdir())
    second = fit(small_project)
    assert stable(first) == stable(second)
    assert sorted(p.name for p in small_project["models"].iterdir()) == files


def test_new_data_adds_new_artifacts_and_prunes_old_ones(small_project):
    old = fit(small_project)
    from tests.conftest import write_small_csv

    write_small_csv(small_project["data"], rows=90, seed=3)
    new = fit(small_project)
    names = {p.name for p in small_project["models"].iterdir()}
    assert new["model_version"] != old["model_version"]
    assert {new["artifacts"]["onnx"]["file"], new["artifacts"]["sklearn"]["file"]} <= names
    assert old["artifacts"]["onnx"]["file"] not in names


def test_a_failure_while_publishing_keeps_the_previous_model(small_project, monkeypatch):
    before = fit(small_project)
    from tests.conftest import write_small_csv

    write_small_csv(small_project["data"], rows=90, seed=5)
    real_write = artifacts.write_bytes

    def fail_on_manifest(path, data):
        if path.name == "manifest.json":
            raise OSError("disk full")
        real_write(path, data)

    monkeypatch.setattr(artifacts, "write_bytes", fail_on_manifest)
    with pytest.raises(OSError, match="disk full"):
        fit(small_project)

    manifest = json.loads((small_project["models"] / "manifest.json").read_text())
    assert manifest["model_version"] == before["model_version"]
    load_model(small_project["models"])  # still complete and verifiable


def test_onnx_matches_scikit_learn_exactly(small_project):
    fit(small_project)
    onnx = load_model(small_project["models"])
    sklearn = load_sklearn_model(small_project["models"])
    X = np.random.default_rng(1).normal(size=(500, 3)) * 3
    onnx_labels, onnx_proba = onnx.predict(X)
    sk_labels, sk_proba = sklearn.predict(X)
    assert onnx_labels == sk_labels
    assert np.abs(onnx_proba - sk_proba).max() <= 1e-6


def test_cli_trains_and_prints_a_summary(small_project):
    result = CliRunner().invoke(
        main,
        ["--config", str(small_project["config"]), "--models-dir", str(small_project["models"])],
    )
    assert result.exit_code == 0, result.output
    assert "accuracy" in result.output
    assert (small_project["models"] / "manifest.json").exists()


def test_a_broken_config_is_a_one_line_error(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text("[data]\npath = 'x.csv'\n")
    result = CliRunner().invoke(main, ["--config", str(config), "--models-dir", str(tmp_path)])
    assert result.exit_code == 2
    assert "missing or unknown setting" in result.output
