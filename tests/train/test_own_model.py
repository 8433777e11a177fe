"""Bring your own model: binary and multiclass data with any column names, any estimator skl2onnx
converts exactly, through training, the parity gate and the API; bad configuration is one line."""

import json

import numpy as np
import pytest
from click.testing import CliRunner

from app import create_app
from tests.conftest import ESTIMATORS, MULTICLASS, make_project, write_config
from train.cli import main


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def project_args(project):
    return ["--config", project["config"], "--models-dir", project["models"]]


@pytest.mark.parametrize("kind", ["binary", "multiclass"])
@pytest.mark.parametrize("estimator", sorted(ESTIMATORS))
def test_each_estimator_trains_passes_parity_and_serves(tmp_path, kind, estimator):
    project = make_project(tmp_path, kind, ESTIMATORS[estimator])
    trained = run(*project_args(project))
    assert trained.exit_code == 0, trained.output

    own = project["models"] / "manifest.json"
    gate = run("gate", *project_args(project), "--baseline", own)
    assert gate.exit_code == 0, gate.output
    assert "0 label mismatches" in gate.output

    manifest = json.loads(own.read_text())
    classes = manifest["classes"]
    client = create_app({"MODEL_DIR": project["models"]}).test_client()
    answer = client.post("/predict", json={"instances": manifest["samples"]})
    assert answer.status_code == 200, answer.get_json()
    for prediction in answer.get_json()["predictions"]:
        assert prediction["label"] in classes
        assert list(prediction["probabilities"]) == classes
        assert sum(prediction["probabilities"].values()) == pytest.approx(1.0, abs=1e-5)


def test_multiclass_metrics_and_manifest(tmp_path):
    project = make_project(tmp_path, "multiclass")
    assert run(*project_args(project)).exit_code == 0
    manifest = json.loads((project["models"] / "manifest.json").read_text())
    assert manifest["task"] == "multiclass"
    assert manifest["classes"] == sorted(MULTICLASS)
    assert [f["name"] for f in manifest["features"]] == ["w x", "y-coord", "z_value", "junk"]
    assert manifest["positive_class"] is None
    assert set(manifest["metrics"]) >= {"accuracy", "f1_macro", "roc_auc"}
    assert "f1_positive" not in manifest["metrics"]
    assert len(manifest["samples"]) == 3  # one held-out row of each class
    assert "one-vs-rest" in (project["models"] / "metrics.md").read_text()


def test_a_positive_class_adds_its_f1_to_a_multiclass_model(tmp_path):
    project = make_project(tmp_path, "multiclass")
    write_config(project["config"], project["data"], positive="green")
    assert run(*project_args(project)).exit_code == 0
    manifest = json.loads((project["models"] / "manifest.json").read_text())
    assert manifest["positive_class"] == "green"
    assert 0 <= manifest["metrics"]["f1_positive"] <= 1


def test_binary_data_without_a_positive_class_reports_the_second_class(tmp_path):
    project = make_project(tmp_path, "binary")
    write_config(project["config"], project["data"], positive=None)
    assert run(*project_args(project)).exit_code == 0
    manifest = json.loads((project["models"] / "manifest.json").read_text())
    assert manifest["positive_class"] == "yes"  # sorted: no, yes
    assert manifest["positive_class_configured"] is False
    assert (
        "F1 (yes, the second class in sorted order)"
        in (project["models"] / "metrics.md").read_text()
    )


def _replace(old, new):
    return lambda project: project["config"].write_text(
        project["config"].read_text().replace(old, new)
    )


def _data(text):
    return lambda project: project["data"].write_text(text)


def _estimator(dotted):
    def edit(project):
        text = project["config"].read_text().replace(FOREST, f'estimator = "{dotted}"')
        project["config"].write_text(text.replace("n_estimators = 15\nrandom_state = 7", ""))

    return edit


ROWS = "\n".join(f"{i},{i % 7},{'yes' if i % 2 else 'no'}" for i in range(40))
FOREST = 'estimator = "sklearn.ensemble.RandomForestClassifier"'


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (_replace(FOREST, 'estimator = "sklearn.ensemble.NoSuchForest"'), "has no class"),
        (_replace(FOREST, 'estimator = "nosuch.Thing"'), "no module 'nosuch'"),
        (_replace(FOREST, 'estimator = "RandomForest"'), "not a dotted class name"),
        (
            _replace(FOREST, 'estimator = "sklearn.linear_model.LinearRegression"'),
            "is not a classifier",
        ),
        (_estimator("sklearn.svm.SVC"), "has no predict_proba"),
        (_replace("n_estimators = 15", "n_trees = 15"), "unexpected keyword argument 'n_trees'"),
        (_replace("n_estimators = 15", "n_estimators = -3"), "'n_estimators' parameter"),
        (_replace('target = "label"', 'target = "outcome"'), "target column 'outcome' not found"),
        (_replace('positive_class = "yes"', 'positive_class = "maybe"'), "is not a class"),
        (_replace("f1_macro = 0.5", "f2 = 0.5"), "unknown metrics f2"),
        (_data("a,b,label\n" + ROWS.replace("yes", "no")), "has a single class"),
        (_data("a,b,label\n" + ROWS.replace("0,0,no", "0,zero,no")), "'zero' is not a number"),
        (
            _estimator("tests.train.unconvertible.UnconvertibleClassifier"),
            "skl2onnx cannot convert UnconvertibleClassifier",
        ),
    ],
)
def test_bad_configuration_is_one_line_exit_2_and_writes_nothing(tmp_path, edit, message):
    project = make_project(tmp_path, "binary")
    edit(project)
    result = run(*project_args(project))
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert "Traceback" not in result.output
    assert list(project["models"].iterdir()) == []


def test_samples_are_real_held_out_rows(tmp_path):
    project = make_project(tmp_path, "binary")
    assert run(*project_args(project)).exit_code == 0
    manifest = json.loads((project["models"] / "manifest.json").read_text())
    data = np.loadtxt(project["data"], delimiter=",", skiprows=1, usecols=(0, 1, 2))
    known = {tuple(row) for row in data.tolist()}
    assert all(tuple(row) in known for row in manifest["samples"])
