"""Configuration layers: defaults, then environment variables, then a test's overrides."""

import os
from pathlib import Path

from flask import Flask

# The root of the tree app/ was loaded from: in a checkout the project root, in the Lambda package
# the zip's root (/var/task). Not project.ROOT: the Lambda package must not import the tools' code.
PACKAGE_ROOT = Path(__file__).resolve().parent.parent

DEFAULTS = {
    "SERVICE_NAME": "sklearn-zappa-ml",
    "STAGE": "local",
    "MODEL_DIR": PACKAGE_ROOT / "models",
    "GIT_SHA": "unknown",
    "MAX_BATCH_ROWS": 100,
    "MAX_CONTENT_LENGTH": 256 * 1024,  # Flask answers 413 above this
    "LOG_LEVEL": "INFO",
}

# Environment variable -> (config key, parser).
ENVIRONMENT = {
    "SERVICE_NAME": ("SERVICE_NAME", str),
    "STAGE": ("STAGE", str),
    "MODEL_DIR": ("MODEL_DIR", Path),
    "GIT_SHA": ("GIT_SHA", str),
    "MAX_BATCH_ROWS": ("MAX_BATCH_ROWS", int),
    "MAX_BODY_BYTES": ("MAX_CONTENT_LENGTH", int),
    "LOG_LEVEL": ("LOG_LEVEL", str),
}


class SettingsError(RuntimeError):
    """A setting has a value the service cannot run with."""


def init_app(app: Flask, overrides: dict | None = None) -> None:
    app.config.from_mapping(DEFAULTS)
    for env_name, (key, parse) in ENVIRONMENT.items():
        raw = os.environ.get(env_name)
        if raw is None or raw == "":
            continue
        try:
            app.config[key] = parse(raw)
        except ValueError:
            raise SettingsError(f"environment variable {env_name}={raw!r} is invalid") from None
    app.config.from_mapping(overrides or {})
    app.config["MODEL_DIR"] = Path(app.config["MODEL_DIR"])
    _validate(app.config)
    app.json.compact = True
    app.json.sort_keys = False


def _validate(config) -> None:
    if not 1 <= config["MAX_BATCH_ROWS"] <= 10_000:
        raise SettingsError("MAX_BATCH_ROWS must be between 1 and 10000")
    if config["MAX_CONTENT_LENGTH"] < 1024:
        raise SettingsError("MAX_BODY_BYTES must be at least 1024")
