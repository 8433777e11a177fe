"""The classifier `[model]` names: imported by dotted name, built with its parameters, checked.

Every mistake is a ConfigError naming the estimator, raised before anything is fitted or written.
"""

import importlib
import inspect

from sklearn.base import ClassifierMixin

from train.config import ModelConfig
from train.errors import ConfigError


def build_estimator(cfg: ModelConfig, seed: int):
    """An unfitted classifier; `random_state` defaults to the split's seed, so runs repeat."""
    cls = _import(cfg.estimator)
    name = cls.__name__
    if not issubclass(cls, ClassifierMixin):
        raise ConfigError(f"[model] estimator {cfg.estimator!r} is not a classifier")
    try:
        estimator = cls(**cfg.params)
    except TypeError as exc:
        raise ConfigError(f"[model.params] do not fit {name}: {exc}") from None
    if not hasattr(estimator, "predict_proba"):
        raise ConfigError(
            f"[model] {name} with these parameters has no predict_proba "
            "(the API answers class probabilities)"
        )
    if "random_state" in estimator.get_params() and "random_state" not in cfg.params:
        estimator.set_params(random_state=seed)
    validate = getattr(estimator, "_validate_params", None)  # scikit-learn's own checks
    if validate is not None:
        try:
            validate()
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"[model.params] for {name}: {_first_line(exc)}") from None
    return estimator


def _import(dotted: str) -> type:
    module_name, _, class_name = str(dotted).rpartition(".")
    if not module_name:
        raise ConfigError(
            f"[model] estimator {dotted!r} is not a dotted class name "
            "(e.g. sklearn.ensemble.RandomForestClassifier)"
        )
    try:
        module = importlib.import_module(module_name)
    except ImportError:
        raise ConfigError(f"[model] estimator {dotted!r}: no module {module_name!r}") from None
    cls = getattr(module, class_name, None)
    if not inspect.isclass(cls):
        raise ConfigError(f"[model] estimator {dotted!r}: {module_name} has no class {class_name}")
    return cls


def _first_line(exc: Exception) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]
