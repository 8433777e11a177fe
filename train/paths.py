"""Every path the pipeline uses, built in one place from the project root."""

from pathlib import Path

from app.manifest import MANIFEST_NAME

PROJ_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = PROJ_ROOT / "data"
MODELS_DIR = PROJ_ROOT / "models"
CONFIG_FILE = PROJ_ROOT / "train" / "config.toml"
__all__ = ["CONFIG_FILE", "DATA_DIR", "MANIFEST_NAME", "MODELS_DIR", "PROJ_ROOT"]
