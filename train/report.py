"""Human-readable Markdown: the model card in models/metrics.md and the gate's comparison table."""


def metrics_report(manifest: dict) -> str:
    """models/metrics.md; deterministic (no timestamps) so retraining unchanged data is a no-op."""
    m = manifest["metrics"]
    cm = m["confusion_matrix"]
    labels = cm["labels"]
    lines = [
        f"# Model {manifest['model_version']}",
        "",
        f"Pipeline: {manifest['hyperparameters']['scaler']} -> float32 round trip -> "
        f"{manifest['hyperparameters']['estimator']}"
        f"({manifest['hyperparameters']['n_estimators']} trees).",
        f"Data: `{manifest['data']['path']}` ({manifest['data']['rows']} rows, "
        f"sha256 `{manifest['data']['sha256'][:12]}`), held-out {m['test_rows']} rows "
        f"(seed {manifest['split']['seed']}).",
        "",
        "| metric | held-out value |",
        "| --- | --- |",
        f"| accuracy | {m['accuracy']:.4f} |",
        f"| F1 ({manifest['positive_class']}) | {m['f1']:.4f} |",
        f"| ROC AUC | {m['roc_auc']:.4f} |",
        "",
        "Confusion matrix (rows: true, columns: predicted):",
        "",
        "| | " + " | ".join(labels) + " |",
        "| --- |" + " --- |" * len(labels),
    ]
    for label, row in zip(labels, cm["rows_true_columns_predicted"], strict=True):
        lines.append(f"| **{label}** | " + " | ".join(str(v) for v in row) + " |")
    return "\n".join(lines) + "\n"
