"""The commands the rehearsal runs: the deploy workflow's `run:` steps, as argv lists.

Kept as data so tests can check that every step of .github/workflows/deploy*.yml and
rotate-keys.yml is rehearsed (tests/rehearsal/test_fidelity.py).
"""

import sys
from pathlib import Path


def build(stage: str) -> list[str]:
    return ["make", "package", "package-check", f"STAGE={stage}"]


def deploy(stage: str) -> list[str]:
    return ["make", "deploy", f"STAGE={stage}"]


def usage_plan(stage: str) -> list[str]:
    return ["make", "usage-plan", f"STAGE={stage}"]


def smoke(stage: str, sha: str, url: str) -> list[str]:
    return ["make", "smoke", f"STAGE={stage}", f"EXPECT_SHA={sha}", f"URL={url}"]


def rollback(stage: str, to_version: str, url: str) -> list[str]:
    """As deploy-stage.yml runs it after a failed smoke test: back to the version the deploy step
    reported (previous-version) before it changed anything."""
    return ["make", "rollback", f"STAGE={stage}", f"TO_VERSION={to_version}", f"URL={url}"]


def loadtest(stage: str, url: str, out: str) -> list[str]:
    args = f"--profile rehearsal --out {out}"
    return ["make", "loadtest", f"STAGE={stage}", f"HOST={url}", f"LOADTEST_ARGS={args}"]


def rotate_keys(stage: str, url: str) -> list[str]:
    return ["make", "rotate-keys", f"STAGE={stage}", f"URL={url}"]


def prune_keys(stage: str) -> list[str]:
    return ["make", "prune-keys", f"STAGE={stage}"]


def key_drill(stage: str, url: str) -> list[str]:
    """Rehearsal only: shows the previous key working in its overlap, then refused once revoked."""
    return [sys.executable, "-m", "rehearsal", "key-drill", stage, "--url", url]


def train() -> list[str]:
    return ["make", "train"]


def gate() -> list[str]:
    return ["make", "gate"]


def iam_audit(calls: Path, report: Path) -> list[str]:
    """Rehearsal only: every recorded call against the policy of the role its step assumes."""
    return [sys.executable, "-m", "rehearsal.iam_audit.audit", str(calls), "--json", str(report)]


def required_calls_check(calls: Path) -> list[str]:
    """Rehearsal only: iam/required-calls.json lists every need the run recorded (it cannot
    drift from what the pipeline does)."""
    return [sys.executable, "-m", "rehearsal.iam_audit.required_calls", "check", str(calls)]
