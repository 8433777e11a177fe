"""Fixtures shared by the train and app tests: small synthetic data and a trained model on it."""

import shutil
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
COMMITTED_MODELS = ROOT / "models"

SMALL_CONFIG = """
[data]
path = "{data}"
target = "label"
positive_class = "yes"

[split]
test_size = 0.25
seed = 7

[model]
n_estimators = 15
min_samples_leaf = 1
max_features = "sqrt"
seed = 7

[gate]
min_accuracy = 0.6
min_f1 = 0.5
min_roc_auc = 0.6
max_regression = 0.02
parity_tolerance = 1e-6
"""


def write_small_csv(path: Path, rows: int = 80, seed: int = 0) -> Path:
    """Two informative features and one noise feature; labels 'yes'/'no'."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(rows, 3))
    y = np.where(X[:, 0] + 0.5 * X[:, 1] > 0, "yes", "no")
    lines = ["alpha,beta,noise,label"]
    lines += [f"{a!r},{b!r},{c!r},{label}" for (a, b, c), label in zip(X.tolist(), y, strict=True)]
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture
def small_project(tmp_path: Path):
    """A data file, a config pointing at it, and an empty models directory."""
    data = write_small_csv(tmp_path / "small.csv")
    config = tmp_path / "config.toml"
    config.write_text(SMALL_CONFIG.format(data=data))
    models = tmp_path / "models"
    models.mkdir()
    return {"data": data, "config": config, "models": models, "root": tmp_path}


@pytest.fixture
def model_dir(tmp_path: Path) -> Path:
    """A private copy of the committed model, safe to tamper with."""
    target = tmp_path / "models"
    shutil.copytree(COMMITTED_MODELS, target)
    return target
