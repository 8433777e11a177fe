"""A classifier skl2onnx has no converter for (it looks converters up by exact type)."""

from sklearn.linear_model import LogisticRegression


class UnconvertibleClassifier(LogisticRegression):
    """Behaves like logistic regression; only its name is unknown to skl2onnx."""
