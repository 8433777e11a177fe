"""A float32 round trip in front of the estimator, so ONNX and scikit-learn agree exactly.

scikit-learn's trees cast features to float32 and compare them with float64 thresholds; ONNX's
TreeEnsemble compares in whatever type it is fed. Casting explicitly in the pipeline makes both
runtimes see the same float32-representable values (see DESIGN.md: agreement to ~5e-8). For
estimators that compute in float64 (linear models) both runtimes see the same rounded inputs, so
the step costs nothing in parity.
This module needs only NumPy and scikit-learn, so unpickling the pipeline never needs skl2onnx.
"""

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin


class Float32RoundTrip(TransformerMixin, BaseEstimator):
    """Cast to float32 and back to float64; stateless."""

    def fit(self, X, y=None):
        return self

    def transform(self, X):
        return np.asarray(X, dtype=np.float32).astype(np.float64)
