"""The model: StandardScaler, a float32 round trip, then the configured classifier.

The scaler fixes the tutorial's bug (it trained on unscaled data); the round trip makes ONNX and
scikit-learn see the same values (train/cast.py). Both are harmless for estimators that need
neither, so every estimator gets the same pipeline.
"""

from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from train.cast import Float32RoundTrip
from train.config import Config
from train.estimator import build_estimator

STEPS = ("scale", "float32", "estimator")


def build_pipeline(cfg: Config) -> Pipeline:
    """A fresh, unfitted pipeline; seeded so the same data gives the same model."""
    estimator = build_estimator(cfg.model, cfg.split.seed)
    return Pipeline(
        list(zip(STEPS, (StandardScaler(), Float32RoundTrip(), estimator), strict=True))
    )


def hyperparameters(cfg: Config, pipeline: Pipeline) -> dict:
    """What the manifest records about how the model was built (the parameters as configured,
    plus the seed when it was filled in)."""
    estimator = pipeline.named_steps["estimator"]
    params = dict(cfg.model.params)
    if "random_state" in estimator.get_params():
        params.setdefault("random_state", estimator.get_params()["random_state"])
    return {
        "pipeline": ["StandardScaler", "Float32RoundTrip", type(estimator).__name__],
        "estimator": cfg.model.estimator,
        "params": params,
    }
