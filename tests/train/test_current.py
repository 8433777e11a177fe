"""When the rehearsal retrains: the committed model is not the one data/ and the config make."""

import json

from train.config import load_config
from train.current import stale_reason
from train.fit import train


def trained(project):
    cfg = load_config(project["config"])
    return train(cfg, project["models"]), project["models"]


def test_a_model_fresh_from_its_data_and_config_is_current(small_project):
    manifest, models = trained(small_project)
    assert stale_reason(manifest, load_config(small_project["config"]), models) is None


def test_new_data_a_new_config_or_an_old_manifest_format_is_stale(small_project):
    manifest, models = trained(small_project)
    with small_project["data"].open("a") as f:
        f.write("0.1,0.2,0.3,yes\n")
    assert stale_reason(manifest, load_config(small_project["config"]), models) == (
        "small.csv changed"
    )
    config = small_project["config"]
    config.write_text(config.read_text().replace("test_size = 0.25", "test_size = 0.3"))
    assert stale_reason(manifest, load_config(config), models) == "train/config.toml changed"
    old = json.loads(json.dumps(manifest)) | {"format": 1}
    assert "manifest format 1" in stale_reason(old, load_config(config), models)


def test_a_missing_artifact_is_stale(small_project):
    manifest, models = trained(small_project)
    (models / manifest["artifacts"]["sklearn"]["file"]).unlink()
    reason = stale_reason(manifest, load_config(small_project["config"]), models)
    assert reason.startswith("missing model-")
