"""Every path the pipeline uses, built in one place from the project root (package `project`)."""

from app.manifest import MANIFEST_NAME
from project import ROOT

DATA_DIR = ROOT / "data"
MODELS_DIR = ROOT / "models"
CONFIG_FILE = ROOT / "train" / "config.toml"
__all__ = ["CONFIG_FILE", "DATA_DIR", "MANIFEST_NAME", "MODELS_DIR"]
