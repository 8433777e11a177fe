"""The model is verified before it is loaded: a missing or tampered artifact stops start-up."""

import json

import numpy as np
import pytest

from app import create_app
from app.manifest import ManifestError, sample_rows
from app.model import load_model
from app.settings import SettingsError
from train.sklearn_model import load_sklearn_model


def first_row(model_dir) -> list[float]:
    return sample_rows(load_model(model_dir).manifest)[0]


def test_onnx_and_the_training_pipeline_give_the_same_answers(synthetic_model_dir):
    X = np.array([first_row(synthetic_model_dir)] * 3)
    onnx = load_model(synthetic_model_dir)
    sklearn = load_sklearn_model(synthetic_model_dir)
    assert onnx.predict(X)[0] == sklearn.predict(X)[0]
    assert np.abs(onnx.predict(X)[1] - sklearn.predict(X)[1]).max() <= 1e-6
    assert sklearn.sha256 == sklearn.manifest["artifacts"]["sklearn"]["sha256"]


def test_the_app_serves_onnx_only(synthetic_model_dir):
    """scikit-learn is not in the Lambda package: no setting switches the served runtime."""
    client = create_app({"MODEL_DIR": synthetic_model_dir}).test_client()
    assert client.get("/version").get_json()["backend"] == "onnx"


def test_a_loaded_model_can_be_served_instead(synthetic_model_dir):
    """What the benchmarks do to compare with the training pipeline."""
    sklearn = load_sklearn_model(synthetic_model_dir)
    client = create_app(model=sklearn).test_client()
    assert client.get("/version").get_json()["backend"] == "sklearn"
    answer = client.post("/predict", json={"data": first_row(synthetic_model_dir)}).get_json()
    assert answer["prediction"] in sklearn.classes


@pytest.mark.parametrize("kind", ["onnx", "sklearn"])
def test_a_tampered_artifact_stops_start_up(synthetic_model_dir, kind):
    model_dir = synthetic_model_dir
    manifest = json.loads((model_dir / "manifest.json").read_text())
    path = model_dir / manifest["artifacts"][kind]["file"]
    blob = bytearray(path.read_bytes())
    blob[len(blob) // 2] ^= 0xFF
    path.write_bytes(bytes(blob))
    load = {"onnx": load_model, "sklearn": load_sklearn_model}[kind]
    with pytest.raises(ManifestError, match="does not match the manifest"):
        load(model_dir)


def test_a_missing_served_artifact_stops_start_up(model_dir):
    manifest = json.loads((model_dir / "manifest.json").read_text())
    (model_dir / manifest["artifacts"]["onnx"]["file"]).unlink()
    with pytest.raises(ManifestError, match="model file missing"):
        create_app({"MODEL_DIR": model_dir})


def test_the_joblib_file_may_be_left_out_when_serving_onnx(model_dir):
    """The Lambda package excludes it on purpose."""
    manifest = json.loads((model_dir / "manifest.json").read_text())
    (model_dir / manifest["artifacts"]["sklearn"]["file"]).unlink()
    assert create_app({"MODEL_DIR": model_dir}).test_client().get("/health").status_code == 200
    with pytest.raises(ManifestError, match="model file missing"):
        load_sklearn_model(model_dir)


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "manifest not found"), ("{not json", "not valid JSON"), ("{}", "lacks model_version")],
)
def test_a_bad_manifest_stops_start_up(model_dir, content, message):
    if content is None:
        (model_dir / "manifest.json").unlink()
    else:
        (model_dir / "manifest.json").write_text(content)
    with pytest.raises(ManifestError, match=message):
        load_model(model_dir)


@pytest.mark.parametrize(
    ("env", "value", "message"),
    [
        ("MAX_BATCH_ROWS", "many", "MAX_BATCH_ROWS='many' is invalid"),
        ("MAX_BATCH_ROWS", "0", "between 1 and 10000"),
    ],
)
def test_bad_settings_stop_start_up(monkeypatch, model_dir, env, value, message):
    monkeypatch.setenv(env, value)
    with pytest.raises(SettingsError, match=message):
        create_app({"MODEL_DIR": model_dir})


def test_settings_come_from_the_environment(monkeypatch, model_dir):
    monkeypatch.setenv("STAGE", "prod")
    monkeypatch.setenv("GIT_SHA", "b" * 40)
    monkeypatch.setenv("MAX_BATCH_ROWS", "5")
    client = create_app({"MODEL_DIR": model_dir}).test_client()
    assert client.get("/version").get_json()["stage"] == "prod"
    assert client.get("/version").get_json()["git_sha"] == "b" * 40
    six = {"instances": [first_row(model_dir)] * 6}
    assert client.post("/predict", json=six).get_json()["error"]["code"] == "batch_too_large"
