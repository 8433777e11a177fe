"""Errors a user can fix; the CLI prints them as one line and exits 2."""


class TrainError(Exception):
    """Base class: bad input, not a bug."""


class DataError(TrainError):
    """The CSV cannot be used for training."""


class ConfigError(TrainError):
    """train/config.toml is missing or malformed."""


class ArtifactError(TrainError):
    """A model artifact is missing, tampered with, or does not match the manifest."""


class ConversionError(TrainError):
    """skl2onnx cannot convert the configured estimator."""
