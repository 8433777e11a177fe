"""Quality gate: absolute floors, and no regression beyond a tolerance vs the committed model."""

import json
import subprocess
from dataclasses import dataclass

from train.config import GateConfig
from train.errors import ArtifactError
from train.evaluate import GATED_METRICS
from train.parity import ParityResult
from train.paths import PROJ_ROOT

FLOORS = {"accuracy": "min_accuracy", "f1": "min_f1", "roc_auc": "min_roc_auc"}


@dataclass(frozen=True)
class MetricCheck:
    metric: str
    candidate: float
    baseline: float | None
    floor: float
    max_regression: float

    @property
    def meets_floor(self) -> bool:
        return self.candidate >= self.floor

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


def quality_checks(candidate: dict, baseline: dict | None, cfg: GateConfig) -> list[MetricCheck]:
    return [
        MetricCheck(
            metric=name,
            candidate=candidate["metrics"][name],
            baseline=baseline["metrics"][name] if baseline else None,
            floor=getattr(cfg, FLOORS[name]),
            max_regression=cfg.max_regression,
        )
        for name in GATED_METRICS
    ]


def committed_manifest(ref: str = "HEAD") -> dict | None:
    """The manifest as committed at `ref`; None when `ref` has none yet (the first model).

    An unknown revision is an error rather than "no baseline": silently skipping the regression
    check would let a worse model through.
    """

    def git(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(["git", *args], cwd=PROJ_ROOT, capture_output=True, timeout=30)

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
        f"Candidate `{candidate['model_version']}` (data `{candidate['data']['sha256'][:12]}`) "
        f"vs committed `{before}`.",
        "",
        "| metric | committed | candidate | change | floor | result |",
        "| --- | ---: | ---: | ---: | ---: | --- |",
    ]
    for c in checks:
        base = f"{c.baseline:.4f}" if c.baseline is not None else "-"
        change = f"{c.candidate - c.baseline:+.4f}" if c.baseline is not None else "-"
        result = "pass" if c.passed else ("below floor" if not c.meets_floor else "regressed")
        lines.append(
            f"| {c.metric} | {base} | {c.candidate:.4f} | {change} | {c.floor:.4f} | {result} |"
        )
    lines += [
        "",
        f"ONNX parity on {parity.rows} held-out rows: {parity.label_mismatches} label mismatches, "
        f"max probability difference {parity.max_probability_diff:.1e} "
        f"(tolerance {parity.tolerance:.0e}): {'pass' if parity.passed else 'FAIL'}.",
    ]
    return "\n".join(lines) + "\n"
