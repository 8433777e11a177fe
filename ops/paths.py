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


def function_name(stage: str) -> str:
    """Zappa's naming: the Lambda function, the CloudFormation stack and the REST API."""
    return f"{PROJECT}-{stage}"


def usage_plan_name(stage: str) -> str:
    return f"{PROJECT}-{stage}"


def api_key_secret_name(stage: str) -> str:
    return f"{PROJECT}/{stage}/api-key"


def resource_tags(stage: str) -> dict[str, str]:
    """Tags on what ops creates in API Gateway: the deploy role only allows creating tagged ones.

    CloudFormation puts the same tag on Zappa's REST API (Zappa tags its stack with it), so one tag
    scopes a stage's API, usage plan and keys (see iam/bootstrap.yaml).
    """
    return {"ZappaProject": function_name(stage)}
