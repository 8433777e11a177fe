"""Held-out metrics: the numbers the gate compares and the manifest records."""

import numpy as np
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, roc_auc_score

# Higher is better for each; the gate compares exactly these.
GATED_METRICS = ("accuracy", "f1", "roc_auc")


def evaluate(y_true: np.ndarray, proba: np.ndarray, classes: list[str], positive: str) -> dict:
    """Metrics from predicted probabilities (column order = classes), rounded for stable JSON."""
    if positive not in classes:
        raise ValueError(f"positive class {positive!r} is not one of {classes}")
    labels = np.asarray(classes)[proba.argmax(axis=1)]
    positive_score = proba[:, classes.index(positive)]
    return {
        "accuracy": round(float(accuracy_score(y_true, labels)), 6),
        "f1": round(float(f1_score(y_true, labels, pos_label=positive)), 6),
        "roc_auc": round(float(roc_auc_score(y_true == positive, positive_score)), 6),
        "confusion_matrix": {
            "labels": list(classes),
            "rows_true_columns_predicted": confusion_matrix(
                y_true, labels, labels=classes
            ).tolist(),
        },
        "test_rows": len(y_true),
    }
