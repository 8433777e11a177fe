"""The model: StandardScaler feeding a random forest (the tutorial trained on unscaled data)."""

from sklearn.ensemble import RandomForestClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from train.cast import Float32RoundTrip
from train.config import ModelConfig


def build_pipeline(cfg: ModelConfig) -> Pipeline:
    """A fresh, unfitted pipeline; seeded so the same data gives the same forest."""
    return Pipeline(
        [
            ("scale", StandardScaler()),
            ("float32", Float32RoundTrip()),
            (
                "forest",
                RandomForestClassifier(
                    n_estimators=cfg.n_estimators,
                    min_samples_leaf=cfg.min_samples_leaf,
                    max_features=cfg.max_features,
                    random_state=cfg.seed,
                    n_jobs=1,
                ),
            ),
        ]
    )


def hyperparameters(cfg: ModelConfig) -> dict:
    """What the manifest records about how the model was built."""
    return {
        "scaler": "StandardScaler",
        "estimator": "RandomForestClassifier",
        "n_estimators": cfg.n_estimators,
        "min_samples_leaf": cfg.min_samples_leaf,
        "max_features": cfg.max_features,
        "random_state": cfg.seed,
    }
