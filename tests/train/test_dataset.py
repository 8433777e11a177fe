"""Every way a CSV can be unfit for training gets a one-line error and exit code 2."""

from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import write_config, write_small_csv
from train.cli import main
from train.dataset import load_dataset
from train.errors import DataError

HEADER = "alpha,beta,label"


def rows(n: int, labels=("yes", "no")) -> str:
    return "\n".join(f"{i}.5,{i * 2}.0,{labels[i % len(labels)]}" for i in range(n))


CASES = [
    ("missing file", None, "data file not found"),
    ("empty file", "", "empty file"),
    ("no target column", "alpha,beta\n" + "1,2\n" * 30, "target column 'label' not found"),
    ("text in a feature", f"{HEADER}\n{rows(25)}\nabc,1,yes\n", "'abc' is not a number"),
    ("NaN in a feature", f"{HEADER}\n{rows(25)}\nnan,1,yes\n", "'nan' is not finite"),
    ("infinity in a feature", f"{HEADER}\n{rows(25)}\n1,inf,no\n", "'inf' is not finite"),
    ("empty cell", f"{HEADER}\n{rows(25)}\n,1,no\n", "'' is not a number"),
    ("too few rows", f"{HEADER}\n{rows(19)}\n", "19 data rows, at least 20"),
    ("single class", f"{HEADER}\n{rows(30, labels=('yes',))}\n", "single class"),
    ("ragged row", f"{HEADER}\n{rows(25)}\n1,2\n", "has 2 fields, the header has 3"),
    ("empty label", f"{HEADER}\n{rows(25)}\n1,2,\n", "empty 'label'"),
    ("duplicate column", f"alpha,alpha,label\n{rows(25)}\n", "duplicate column names: alpha"),
]


@pytest.mark.parametrize(("case", "content", "message"), CASES, ids=[c[0] for c in CASES])
def test_invalid_data_is_refused_with_a_clear_message(tmp_path, case, content, message):
    path = tmp_path / "data.csv"
    if content is not None:
        path.write_text(content)
    with pytest.raises(DataError, match=message.replace("(", r"\(")):
        load_dataset(path, "label")


@pytest.mark.parametrize(("case", "content", "message"), CASES[:4], ids=[c[0] for c in CASES[:4]])
def test_cli_exits_2_with_one_line_and_writes_nothing(tmp_path, case, content, message):
    data = tmp_path / "data.csv"
    if content is not None:
        data.write_text(content)
    config = write_config(tmp_path / "config.toml", data)
    models = tmp_path / "models"

    result = CliRunner().invoke(main, ["--config", str(config), "--models-dir", str(models)])

    assert result.exit_code == 2
    assert message in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert "Traceback" not in result.output
    assert not models.exists() or not any(models.iterdir())


def test_valid_data_loads_with_names_types_and_hash(tmp_path: Path):
    data = load_dataset(write_small_csv(tmp_path / "ok.csv", rows=40), "label")
    assert data.features == ["alpha", "beta", "noise"]
    assert data.X.shape == (40, 3)
    assert data.X.dtype == "float64"
    assert set(data.y) == {"yes", "no"}
    assert len(data.sha256) == 64


def test_the_committed_data_is_what_the_config_names_and_the_model_records():
    """Whatever data set a fork commits: it loads, and the committed model was trained on it."""
    from train.artifacts import read_manifest
    from train.config import load_config
    from train.paths import MANIFEST_NAME, MODELS_DIR

    cfg = load_config()
    data = load_dataset(cfg.data.path, cfg.data.target)
    manifest = read_manifest(MODELS_DIR / MANIFEST_NAME)
    assert data.features == [f["name"] for f in manifest["features"]]
    assert sorted(set(data.y)) == manifest["classes"]
    assert data.sha256 == manifest["data"]["sha256"]
