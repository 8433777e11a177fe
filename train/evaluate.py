"""Held-out metrics for binary and multiclass models: what the gate compares and the manifest keeps.

Every model reports accuracy, macro F1 and ROC AUC (one-vs-rest, macro-averaged, when there are
more than two classes). `f1_positive` is the F1 of the positive class: the one `[data]
positive_class` names, or, for binary data without it, the second class in sorted order
(scikit-learn's convention, the class whose probability ROC AUC scores). Multiclass data without a
positive class has no `f1_positive`.
"""

import numpy as np
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, roc_auc_score

# Higher is better for each; the gate compares exactly these (when the model reports them).
METRICS = ("accuracy", "f1_macro", "roc_auc", "f1_positive")


def positive_class(classes: list[str], configured: str | None) -> str | None:
    """The class `f1_positive` is about, or None (multiclass without a configured one)."""
    if configured is not None:
        return configured
    return classes[1] if len(classes) == 2 else None


def evaluate(
    y_true: np.ndarray, proba: np.ndarray, classes: list[str], positive: str | None
) -> dict:
    """Metrics from predicted probabilities (column order = classes), rounded for stable JSON."""
    if positive is not None and positive not in classes:
        raise ValueError(f"positive class {positive!r} is not one of {classes}")
    labels = np.asarray(classes)[proba.argmax(axis=1)]
    if len(classes) == 2:
        roc_auc = roc_auc_score(y_true == classes[1], proba[:, 1])
    else:
        roc_auc = roc_auc_score(y_true, proba, multi_class="ovr", average="macro", labels=classes)
    metrics = {
        "accuracy": accuracy_score(y_true, labels),
        "f1_macro": f1_score(y_true, labels, labels=classes, average="macro", zero_division=0),
        "roc_auc": roc_auc,
    }
    if positive is not None:
        metrics["f1_positive"] = f1_score(y_true == positive, labels == positive, zero_division=0)
    return {name: round(float(value), 6) for name, value in metrics.items()} | {
        "confusion_matrix": {
            "labels": list(classes),
            "rows_true_columns_predicted": confusion_matrix(
                y_true, labels, labels=classes
            ).tolist(),
        },
        "test_rows": len(y_true),
    }
