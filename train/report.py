"""Human-readable Markdown: the model card in models/metrics.md."""

METRIC_LABELS = {
    "accuracy": "accuracy",
    "f1_macro": "F1, macro average",
    "roc_auc": "ROC AUC",
    "f1_positive": "F1 ({positive})",
}


def metrics_report(manifest: dict) -> str:
    """models/metrics.md; deterministic (no timestamps) so retraining unchanged data is a no-op."""
    m = manifest["metrics"]
    cm = m["confusion_matrix"]
    labels = cm["labels"]
    hp = manifest["hyperparameters"]
    positive = manifest.get("positive_class")
    if positive is not None and not manifest.get("positive_class_configured"):
        positive = f"{positive}, the second class in sorted order"
    roc = "ROC AUC" if manifest["task"] == "binary" else "ROC AUC (one-vs-rest, macro)"
    lines = [
        f"# Model {manifest['model_version']}",
        "",
        f"Pipeline: {' -> '.join(hp['pipeline'])} (`{hp['estimator']}`, parameters "
        f"{', '.join(f'{k}={v!r}' for k, v in sorted(hp['params'].items())) or 'defaults'}).",
        f"Data: `{manifest['data']['path']}` ({manifest['data']['rows']} rows, "
        f"sha256 `{manifest['data']['sha256'][:12]}`), target `{manifest['data']['target']}`, "
        f"{manifest['task']} ({len(manifest['classes'])} classes); held-out {m['test_rows']} rows "
        f"(seed {manifest['split']['seed']}).",
        "",
        "| metric | held-out value |",
        "| --- | --- |",
    ]
    for name, label in METRIC_LABELS.items():
        if name in m:
            label = roc if name == "roc_auc" else label.format(positive=positive)
            lines.append(f"| {label} | {m[name]:.4f} |")
    lines += [
        "",
        "Confusion matrix (rows: true, columns: predicted):",
        "",
        "| | " + " | ".join(labels) + " |",
        "| --- |" + " --- |" * len(labels),
    ]
    for label, row in zip(labels, cm["rows_true_columns_predicted"], strict=True):
        lines.append(f"| **{label}** | " + " | ".join(str(v) for v in row) + " |")
    return "\n".join(lines) + "\n"
