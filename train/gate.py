"""Quality gate: floors per metric, and no regression beyond a tolerance vs the committed model.

Metrics are compared only when the committed model was trained on the same data (same data hash,
target and classes): numbers from another dataset's held-out rows say nothing about this one, so
a forker's first model, or a model after a data change, is held to the floors alone. One floor
comes from the data itself, whatever the configuration: accuracy must beat always answering the
most frequent class, which on imbalanced data can clear any fixed accuracy floor.
"""

import json
import subprocess
from dataclasses import dataclass

from project import ROOT
from train.config import GateConfig
from train.errors import ArtifactError
from train.evaluate import METRICS
from train.parity import ParityResult


@dataclass(frozen=True)
class MetricCheck:
    metric: str
    candidate: float
    baseline: float | None
    floor: float | None
    max_regression: float

    @property
    def meets_floor(self) -> bool:
        return self.floor is None or self.candidate >= self.floor

    @property
    def regressed(self) -> bool:
        return self.baseline is not None and self.candidate < self.baseline - self.max_regression

    @property
    def passed(self) -> bool:
        return self.meets_floor and not self.regressed

    def reason(self) -> str | None:
        if not self.meets_floor:
            return f"{self.metric} {self.candidate:.4f} is below the floor {self.floor:.4f}"
        if self.regressed:
            return (
                f"{self.metric} {self.candidate:.4f} regressed more than {self.max_regression} "
                f"from the committed model's {self.baseline:.4f}"
            )
        return None


def other_data(candidate: dict, baseline: dict | None) -> str | None:
    """Why the committed model's metrics are not comparable, or None when they are."""
    if baseline is None:
        return None
    new, old = candidate.get("data", {}), baseline.get("data", {})
    reasons = []
    if new.get("sha256") != old.get("sha256"):
        reasons.append(f"data `{str(old.get('sha256'))[:12]}` -> `{str(new.get('sha256'))[:12]}`")
    if new.get("target") != old.get("target"):
        reasons.append(f"target {old.get('target')!r} -> {new.get('target')!r}")
    if sorted(map(str, candidate.get("classes", []))) != sorted(
        map(str, baseline.get("classes", []))
    ):
        reasons.append("another set of classes")
    return ", ".join(reasons) or None


MAJORITY = "accuracy > majority class"


def quality_checks(candidate: dict, baseline: dict | None, cfg: GateConfig) -> list[MetricCheck]:
    """One check per metric the candidate reports, then the majority-class one; baselines only
    from the same data."""
    comparable = baseline if other_data(candidate, baseline) is None else None
    base_metrics = comparable["metrics"] if comparable else {}
    checks = [
        MetricCheck(
            metric=name,
            candidate=candidate["metrics"][name],
            baseline=base_metrics.get(name),
            floor=cfg.floors.get(name),
            max_regression=cfg.max_regression,
        )
        for name in METRICS
        if name in candidate["metrics"]
    ]
    floor = majority_floor(candidate["metrics"])
    if floor is not None:
        checks.append(MetricCheck(MAJORITY, candidate["metrics"]["accuracy"], None, floor, 0.0))
    return checks


def majority_floor(metrics: dict) -> float | None:
    """The accuracy of right on one held-out row more than always answering the most frequent
    class (from the confusion matrix), or None without one."""
    matrix = (metrics.get("confusion_matrix") or {}).get("rows_true_columns_predicted")
    if not matrix:
        return None
    per_class = [sum(row) for row in matrix]
    return min(1.0, (max(per_class) + 1) / sum(per_class))


def committed_manifest(ref: str = "HEAD") -> dict | None:
    """The manifest as committed at `ref`; None when `ref` has none yet (the first model).

    An unknown revision is an error rather than "no baseline": silently skipping the regression
    check would let a worse model through.
    """

    def git(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, timeout=30)

    try:
        if git("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}").returncode != 0:
            raise ArtifactError(f"unknown git revision {ref!r}: fetch it, or pass --baseline FILE")
        shown = git("show", f"{ref}:models/manifest.json")
    except (OSError, subprocess.TimeoutExpired):
        return None  # not a git checkout: nothing committed to compare against
    return json.loads(shown.stdout) if shown.returncode == 0 else None


def markdown_table(
    candidate: dict, baseline: dict | None, checks: list[MetricCheck], parity: ParityResult
) -> str:
    """Ready for a pull-request comment or $GITHUB_STEP_SUMMARY."""
    passed = all(c.passed for c in checks) and parity.passed
    before = baseline["model_version"] if baseline else "none"
    lines = [
        f"### Model gate: {'PASS' if passed else 'FAIL'}",
        "",
        f"Candidate `{candidate['model_version']}` (data `{candidate['data']['sha256'][:12]}`, "
        f"{len(candidate['classes'])} classes) vs committed `{before}`.",
    ]
    elsewhere = other_data(candidate, baseline)
    if elsewhere:
        lines += [
            "",
            f"The committed model was trained on other data ({elsewhere}): metrics are not "
            "compared across datasets, only the floors apply.",
        ]
    lines += [
        "",
        "| metric | committed | candidate | change | floor | result |",
        "| --- | ---: | ---: | ---: | ---: | --- |",
    ]
    for c in checks:
        base = f"{c.baseline:.4f}" if c.baseline is not None else "-"
        change = f"{c.candidate - c.baseline:+.4f}" if c.baseline is not None else "-"
        floor = f"{c.floor:.4f}" if c.floor is not None else "-"
        result = "pass" if c.passed else ("below floor" if not c.meets_floor else "regressed")
        lines.append(f"| {c.metric} | {base} | {c.candidate:.4f} | {change} | {floor} | {result} |")
    lines += [
        "",
        f"ONNX parity on {parity.rows} held-out rows: {parity.label_mismatches} label mismatches, "
        f"max probability difference {parity.max_probability_diff:.1e} "
        f"(tolerance {parity.tolerance:.0e}): {'pass' if parity.passed else 'FAIL'}.",
    ]
    return "\n".join(lines) + "\n"
