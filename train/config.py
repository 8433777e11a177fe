"""Typed view of train/config.toml, so a typo fails at load time rather than mid-training.

A forker edits `[data]` (their CSV, its target column, optionally the positive class) and, if
they like, `[model]` (any scikit-learn classifier by dotted name, with its parameters).
"""

import hashlib
import math
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from project import ROOT
from train.errors import ConfigError
from train.evaluate import METRICS
from train.paths import CONFIG_FILE

DEFAULT_ESTIMATOR = "sklearn.ensemble.RandomForestClassifier"


@dataclass(frozen=True)
class DataConfig:
    path: Path
    target: str
    positive_class: str | None = None  # None: see train.evaluate for what binary data then gets


@dataclass(frozen=True)
class SplitConfig:
    test_size: float
    seed: int


@dataclass(frozen=True)
class ModelConfig:
    estimator: str = DEFAULT_ESTIMATOR  # dotted class name
    params: dict = field(default_factory=dict)


@dataclass(frozen=True)
class GateConfig:
    floors: dict[str, float]  # metric -> minimum; metrics a model does not report are skipped
    max_regression: float
    parity_tolerance: float


@dataclass(frozen=True)
class Config:
    data: DataConfig
    split: SplitConfig
    model: ModelConfig
    gate: GateConfig
    sha256: str = ""  # of the file: the manifest records which configuration made the model


def load_config(path: Path = CONFIG_FILE) -> Config:
    """Read the TOML file; relative data paths are relative to the project root."""
    try:
        text = path.read_text()
        raw = tomllib.loads(text)
    except FileNotFoundError:
        raise ConfigError(f"config file not found: {path}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: {exc}") from None
    try:
        data = dict(raw["data"])
        data["path"] = ROOT / data["path"]
        if data.get("positive_class") is not None:
            data["positive_class"] = str(data["positive_class"])
        gate = dict(raw["gate"])
        gate["floors"] = _floors(gate.get("floors", {}))
        return Config(
            data=DataConfig(**data),
            split=SplitConfig(**raw["split"]),
            model=ModelConfig(**raw.get("model", {})),
            gate=GateConfig(**gate),
            sha256=hashlib.sha256(text.encode()).hexdigest(),
        )
    except (KeyError, TypeError) as exc:
        raise ConfigError(f"{path}: missing or unknown setting ({exc})") from None
    except ValueError as exc:
        raise ConfigError(f"{path}: {exc}") from None


def _floors(table: dict) -> dict[str, float]:
    unknown = sorted(set(table) - set(METRICS))
    if unknown:
        raise ValueError(
            f"[gate.floors] names unknown metrics {', '.join(unknown)} "
            f"(known: {', '.join(METRICS)})"
        )
    floors = {}
    for name, value in table.items():
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            raise ValueError(f"[gate.floors] {name} = {value!r} is not a number")
        floors[name] = float(value)
    return floors
