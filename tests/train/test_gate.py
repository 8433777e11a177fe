"""The quality gate fails on floors and regressions, the parity gate on ONNX drift: with reasons."""

import json

import pytest
from click.testing import CliRunner

from train.cli import main
from train.config import GateConfig
from train.gate import markdown_table, quality_checks
from train.parity import ParityResult

GATE = GateConfig(
    min_accuracy=0.9, min_f1=0.9, min_roc_auc=0.95, max_regression=0.02, parity_tolerance=1e-6
)
PARITY_OK = ParityResult(rows=100, label_mismatches=0, max_probability_diff=5e-8, tolerance=1e-6)


def manifest(accuracy=0.95, f1=0.94, roc_auc=0.99, version="abc"):
    return {
        "model_version": version,
        "data": {"sha256": "d" * 64},
        "metrics": {"accuracy": accuracy, "f1": f1, "roc_auc": roc_auc},
    }


@pytest.mark.parametrize(
    ("candidate", "baseline", "failed", "reason"),
    [
        (manifest(), None, [], None),
        (manifest(), manifest(), [], None),
        (manifest(accuracy=0.85), None, ["accuracy"], "below the floor"),
        (manifest(f1=0.91), manifest(f1=0.96), ["f1"], "regressed more than 0.02"),
        (manifest(roc_auc=0.975), manifest(roc_auc=0.99), [], None),  # within tolerance
    ],
)
def test_quality_checks(candidate, baseline, failed, reason):
    checks = quality_checks(candidate, baseline, GATE)
    assert [c.metric for c in checks if not c.passed] == failed
    if reason:
        assert reason in next(c.reason() for c in checks if not c.passed)


def test_table_shows_before_after_and_verdict():
    checks = quality_checks(manifest(f1=0.91), manifest(f1=0.96, version="old"), GATE)
    table = markdown_table(manifest(f1=0.91), manifest(version="old"), checks, PARITY_OK)
    assert table.startswith("### Model gate: FAIL")
    assert "| f1 | 0.9600 | 0.9100 | -0.0500 | 0.9000 | regressed |" in table
    assert "0 label mismatches" in table


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
    baseline.write_text(json.dumps(dict(candidate, metrics=dict(candidate["metrics"], f1=1.0))))
    worse = dict(candidate, metrics=dict(candidate["metrics"], f1=0.9))
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
