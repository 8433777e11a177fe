"""The quality gate fails on floors and regressions, the parity gate on ONNX drift: with reasons."""

import json

import pytest
from click.testing import CliRunner

from train.cli import main
from train.config import GateConfig
from train.gate import markdown_table, quality_checks
from train.parity import ParityResult

GATE = GateConfig(
    floors={"accuracy": 0.9, "f1_macro": 0.9, "roc_auc": 0.95},
    max_regression=0.02,
    parity_tolerance=1e-6,
)
PARITY_OK = ParityResult(rows=100, label_mismatches=0, max_probability_diff=5e-8, tolerance=1e-6)


def manifest(accuracy=0.95, f1_macro=0.94, roc_auc=0.99, version="abc", **other):
    data = {"sha256": "d" * 64, "target": "label"} | other.pop("data", {})
    return {
        "model_version": version,
        "data": data,
        "classes": other.pop("classes", ["no", "yes"]),
        "metrics": {"accuracy": accuracy, "f1_macro": f1_macro, "roc_auc": roc_auc} | other,
    }


@pytest.mark.parametrize(
    ("candidate", "baseline", "failed", "reason"),
    [
        (manifest(), None, [], None),
        (manifest(), manifest(), [], None),
        (manifest(accuracy=0.85), None, ["accuracy"], "below the floor"),
        (manifest(f1_macro=0.91), manifest(f1_macro=0.96), ["f1_macro"], "regressed more than"),
        (manifest(roc_auc=0.975), manifest(roc_auc=0.99), [], None),  # within tolerance
        (manifest(f1_positive=0.2), None, [], None),  # a metric without a floor
    ],
)
def test_quality_checks(candidate, baseline, failed, reason):
    checks = quality_checks(candidate, baseline, GATE)
    assert [c.metric for c in checks if not c.passed] == failed
    if reason:
        assert reason in next(c.reason() for c in checks if not c.passed)


def test_metrics_the_model_does_not_report_are_not_checked():
    checks = quality_checks(manifest(), None, GateConfig({"f1_positive": 0.9}, 0.02, 1e-6))
    assert [c.metric for c in checks] == ["accuracy", "f1_macro", "roc_auc"]
    assert all(c.passed for c in checks)


def test_table_shows_before_after_and_verdict():
    checks = quality_checks(manifest(f1_macro=0.91), manifest(f1_macro=0.96, version="old"), GATE)
    table = markdown_table(manifest(f1_macro=0.91), manifest(version="old"), checks, PARITY_OK)
    assert table.startswith("### Model gate: FAIL")
    assert "| f1_macro | 0.9600 | 0.9100 | -0.0500 | 0.9000 | regressed |" in table
    assert "0 label mismatches" in table
    assert "other data" not in table


@pytest.mark.parametrize(
    ("baseline", "reason"),
    [
        (manifest(data={"sha256": "e" * 64}), "data `eeeeeeeeeeee` -> `dddddddddddd`"),
        (manifest(data={"target": "species"}), "target 'species' -> 'label'"),
        (manifest(classes=["a", "b", "c"]), "another set of classes"),
    ],
)
def test_a_model_of_other_data_is_held_to_the_floors_only(baseline, reason):
    """Worse than the committed model, but that one was trained on other data: no comparison."""
    candidate = manifest(accuracy=0.91, f1_macro=0.91, roc_auc=0.96)
    better = dict(baseline, metrics={"accuracy": 1.0, "f1_macro": 1.0, "roc_auc": 1.0})
    checks = quality_checks(candidate, better, GATE)
    assert all(c.passed and c.baseline is None for c in checks)
    table = markdown_table(candidate, better, checks, PARITY_OK)
    assert table.startswith("### Model gate: PASS")
    assert f"trained on other data ({reason})" in table
    assert "only the floors apply" in table
    assert "| accuracy | - | 0.9100 | - | 0.9000 | pass |" in table


def test_parity_result_fails_on_any_label_mismatch_or_drift():
    assert PARITY_OK.passed
    assert not ParityResult(100, 1, 0.0, 1e-6).passed
    assert not ParityResult(100, 0, 2e-6, 1e-6).passed


def test_gate_cli_passes_on_a_fresh_model_and_fails_on_a_better_baseline(small_project, tmp_path):
    args = ["--config", str(small_project["config"]), "--models-dir", str(small_project["models"])]
    runner = CliRunner()
    assert runner.invoke(main, args).exit_code == 0

    candidate = json.loads((small_project["models"] / "manifest.json").read_text())
    report = tmp_path / "gate.md"
    own = str(small_project["models"] / "manifest.json")
    ok = runner.invoke(main, ["gate", *args, "--baseline", own, "--report", str(report)])
    assert ok.exit_code == 0, ok.output
    assert "Model gate: PASS" in report.read_text()

    baseline = tmp_path / "baseline.json"
    better = dict(candidate["metrics"], f1_macro=1.0)
    baseline.write_text(json.dumps(dict(candidate, metrics=better)))
    worse = dict(candidate, metrics=dict(candidate["metrics"], f1_macro=0.9))
    (small_project["models"] / "manifest.json").write_text(json.dumps(worse))
    failed = runner.invoke(main, ["gate", *args, "--baseline", str(baseline)])
    assert failed.exit_code == 1
    assert "regressed more than" in failed.output


def test_gate_refuses_a_model_trained_on_other_data(small_project):
    args = ["--config", str(small_project["config"]), "--models-dir", str(small_project["models"])]
    CliRunner().invoke(main, args)
    with small_project["data"].open("a") as f:
        f.write("0.1,0.2,0.3,yes\n")
    result = CliRunner().invoke(main, ["gate", *args])
    assert result.exit_code == 2
    assert "changed since the model was trained" in result.output


def test_gate_without_a_model_is_a_clear_error(small_project):
    args = ["--config", str(small_project["config"]), "--models-dir", str(small_project["models"])]
    result = CliRunner().invoke(main, ["gate", *args])
    assert result.exit_code == 2
    assert "manifest not found" in result.output


def test_baseline_comes_from_the_committed_manifest():
    from train.gate import committed_manifest

    manifest = committed_manifest("HEAD")  # the tests run in a git checkout with a committed model
    assert len(manifest["model_version"]) == 12
    assert manifest["artifacts"]["onnx"]["file"].endswith(".onnx")


def test_an_unknown_baseline_revision_is_an_error_not_a_skipped_check(small_project):
    args = ["--config", str(small_project["config"]), "--models-dir", str(small_project["models"])]
    CliRunner().invoke(main, args)
    result = CliRunner().invoke(main, ["gate", *args, "--baseline-ref", "no-such-branch"])
    assert result.exit_code == 2
    assert "unknown git revision 'no-such-branch'" in result.output
