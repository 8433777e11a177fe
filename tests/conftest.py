"""Fixtures shared by the train, app and ops tests: small synthetic data sets (binary and
multiclass, with column names of their own) and models trained on them.

Nothing here names the committed data set: the suite must pass whatever data/ a fork holds.
"""

import shutil
from pathlib import Path

import numpy as np
import pytest

from project import ROOT

COMMITTED_MODELS = ROOT / "models"

SMALL_CONFIG = """
[data]
path = "{data}"
target = "label"
{positive}

[split]
test_size = 0.25
seed = 7

[model]
estimator = "{estimator}"

[model.params]
{params}

[gate]
max_regression = 0.02
parity_tolerance = 1e-6

[gate.floors]
accuracy = 0.6
f1_macro = 0.5
roc_auc = 0.6
f1_positive = 0.5
"""

FOREST = ("sklearn.ensemble.RandomForestClassifier", "n_estimators = 15\nrandom_state = 7")
# The estimators the suite takes through training, the parity gate and the API.
ESTIMATORS = {
    "random forest": FOREST,
    "extra trees": ("sklearn.ensemble.ExtraTreesClassifier", "n_estimators = 15"),
    "gradient boosting": ("sklearn.ensemble.GradientBoostingClassifier", "n_estimators = 20"),
    "logistic regression": ("sklearn.linear_model.LogisticRegression", "max_iter = 500"),
}
MULTICLASS = ("red", "green", "blue")


def write_small_csv(path: Path, rows: int = 80, seed: int = 0) -> Path:
    """Two informative features and one noise feature; labels 'yes'/'no'."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(rows, 3))
    y = np.where(X[:, 0] + 0.5 * X[:, 1] > 0, "yes", "no")
    lines = ["alpha,beta,noise,label"]
    lines += [f"{a!r},{b!r},{c!r},{label}" for (a, b, c), label in zip(X.tolist(), y, strict=True)]
    path.write_text("\n".join(lines) + "\n")
    return path


def write_multiclass_csv(path: Path, rows: int = 120, seed: int = 0) -> Path:
    """Three classes around three centres in four features (the target column comes first)."""
    rng = np.random.default_rng(seed)
    y = np.array(MULTICLASS)[np.arange(rows) % 3]
    centres = {"red": (2, 0, 0, 0), "green": (0, 2, 0, 0), "blue": (0, 0, 2, 0)}
    X = np.array([centres[label] for label in y]) + rng.normal(size=(rows, 4))
    lines = ["label,w x,y-coord,z_value,junk"]
    for label, row in zip(y, X.tolist(), strict=True):
        lines.append(f"{label}," + ",".join(repr(v) for v in row))
    path.write_text("\n".join(lines) + "\n")
    return path


def write_config(path: Path, data: Path, positive: str | None = "yes", estimator=FOREST) -> Path:
    line = f'positive_class = "{positive}"' if positive else ""
    path.write_text(
        SMALL_CONFIG.format(data=data, positive=line, estimator=estimator[0], params=estimator[1])
    )
    return path


def make_project(root: Path, kind: str = "binary", estimator=FOREST) -> dict:
    """A data file, a config pointing at it, and an empty models directory."""
    root.mkdir(parents=True, exist_ok=True)
    if kind == "binary":
        data, positive = write_small_csv(root / "small.csv"), "yes"
    else:
        data, positive = write_multiclass_csv(root / "multi.csv"), None
    config = write_config(root / "config.toml", data, positive, estimator)
    models = root / "models"
    models.mkdir(exist_ok=True)
    return {"data": data, "config": config, "models": models, "root": root}


@pytest.fixture
def small_project(tmp_path: Path):
    return make_project(tmp_path)


@pytest.fixture(scope="session")
def synthetic_models(tmp_path_factory) -> dict[str, Path]:
    """Models trained once per run on the synthetic binary and multiclass data: kind -> dir."""
    from train.config import load_config
    from train.fit import train

    models = {}
    for kind in ("binary", "multiclass"):
        project = make_project(tmp_path_factory.mktemp(kind), kind)
        train(load_config(project["config"]), project["models"])
        models[kind] = project["models"]
    return models


@pytest.fixture(params=["binary", "multiclass"])
def synthetic_model_dir(request, synthetic_models, tmp_path) -> Path:
    """A private copy of a synthetic model (each test runs on both), safe to tamper with."""
    target = tmp_path / "models"
    shutil.copytree(synthetic_models[request.param], target)
    return target


@pytest.fixture
def model_dir(tmp_path: Path) -> Path:
    """A private copy of the committed model, safe to tamper with."""
    target = tmp_path / "models"
    shutil.copytree(COMMITTED_MODELS, target)
    return target
