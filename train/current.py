"""Is the committed model the one `train/config.toml` and its data make? (The rehearsal asks.)"""

from pathlib import Path

from project import ROOT
from train.artifacts import sha256_file
from train.config import Config

MANIFEST_FORMAT = 2


def stale_reason(manifest: dict, cfg: Config, models_dir: Path) -> str | None:
    """Why the model must be retrained, or None when it is current."""
    data = manifest.get("data", {})
    if manifest.get("format") != MANIFEST_FORMAT:
        return f"manifest format {manifest.get('format')}, this code writes {MANIFEST_FORMAT}"
    if manifest.get("config_sha256") != cfg.sha256:
        return "train/config.toml changed"
    if ROOT / data.get("path", "") != cfg.data.path or data.get("target") != cfg.data.target:
        return "another data file or target"
    if not cfg.data.path.is_file() or sha256_file(cfg.data.path) != data.get("sha256"):
        return f"{cfg.data.path.name} changed"
    missing = [
        a["file"] for a in manifest["artifacts"].values() if not (models_dir / a["file"]).exists()
    ]
    return f"missing {', '.join(missing)}" if missing else None
