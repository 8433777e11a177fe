"""Typed view of train/config.toml, so a typo fails at load time rather than mid-training."""

import tomllib
from dataclasses import dataclass
from pathlib import Path

from train.errors import ConfigError
from train.paths import CONFIG_FILE, PROJ_ROOT


@dataclass(frozen=True)
class DataConfig:
    path: Path
    target: str
    positive_class: str


@dataclass(frozen=True)
class SplitConfig:
    test_size: float
    seed: int


@dataclass(frozen=True)
class ModelConfig:
    n_estimators: int
    min_samples_leaf: int
    max_features: str
    seed: int


@dataclass(frozen=True)
class GateConfig:
    min_accuracy: float
    min_f1: float
    min_roc_auc: float
    max_regression: float
    parity_tolerance: float


@dataclass(frozen=True)
class Config:
    data: DataConfig
    split: SplitConfig
    model: ModelConfig
    gate: GateConfig


def load_config(path: Path = CONFIG_FILE) -> Config:
    """Read the TOML file; relative data paths are relative to the project root."""
    try:
        raw = tomllib.loads(path.read_text())
    except FileNotFoundError:
        raise ConfigError(f"config file not found: {path}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: {exc}") from None
    try:
        data = dict(raw["data"])
        data["path"] = PROJ_ROOT / data["path"]
        return Config(
            data=DataConfig(**data),
            split=SplitConfig(**raw["split"]),
            model=ModelConfig(**raw["model"]),
            gate=GateConfig(**raw["gate"]),
        )
    except (KeyError, TypeError) as exc:
        raise ConfigError(f"{path}: missing or unknown setting ({exc})") from None
