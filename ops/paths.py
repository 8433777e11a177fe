"""Every path and name the ops commands use, built from the project's facts (package `project`)."""

from pathlib import Path

import project

ROOT = project.ROOT
PROJECT = project.NAME
SETTINGS_FILE = project.SETTINGS_FILE

PYTHON_VERSION_FILE = ROOT / ".python-version"
MANIFEST_FILE = ROOT / "models" / "manifest.json"
DIST = ROOT / "dist"
BUILD = ROOT / "build"
CACHE = ROOT / ".cache"
PACKAGE_VENV = ROOT / ".venv-package"


def rendered_settings_path(stage: str) -> Path:
    """The settings file handed to zappa with `-s`: generated, git-ignored, never edited."""
    return BUILD / f"zappa_settings.{stage}.json"


def package_zip(stage: str) -> Path:
    return DIST / f"{stage}.zip"


def package_report(stage: str) -> Path:
    return DIST / f"{stage}.json"


def package_check_report(stage: str) -> Path:
    """What `ops package-check` measured: cold start, warm latency, memory, cost."""
    return DIST / f"{stage}-check.json"
