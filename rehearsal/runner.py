"""Run one rehearsal step: one line on the terminal, the full output in a log file."""

import os
import re
import shlex
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import click

from ops import paths

TAIL_LINES = 25
# Put first on PYTHONPATH, its sitecustomize.py records every AWS call of a step's processes.
AUTORECORD = Path(__file__).resolve().parent / "iam_audit" / "autorecord"
T = TypeVar("T")


class StepFailed(click.ClickException):
    """A step that had to pass did not; its log's tail is already on the terminal."""


@dataclass
class Runner:
    log_dir: Path
    env: dict[str, str] = field(default_factory=dict)
    started: float = field(default_factory=time.monotonic)
    count: int = 0
    last_log: Path | None = None
    audit_log: Path | None = None

    def run(
        self,
        name: str,
        argv: list[str],
        expect_failure: bool = False,
        role: str | None = None,
        **env,
    ) -> bool:
        """Run argv from the project root; True when it exited 0. Raises unless the outcome is
        the expected one (a step expected to fail, like the broken build's smoke test, may).

        `role` is the IAM role the step uses in GitHub Actions: its AWS calls are recorded for
        the IAM audit (rehearsal/iam_audit/autorecord) when the runner has an audit log."""
        if role and self.audit_log:
            env |= {
                "IAM_AUDIT_LOG": str(self.audit_log),
                "IAM_AUDIT_STEP": name,
                "IAM_AUDIT_ROLE": role,
                "PYTHONPATH": os.pathsep.join([str(AUTORECORD), str(paths.ROOT)]),
            }
        log = self.last_log = self._log_path(name)
        began = time.monotonic()
        with (self.log_dir / "commands.txt").open("a") as record:
            record.write(shlex.join(argv) + "\n")  # what the fidelity test compares
        with log.open("w") as out:
            out.write(f"$ {' '.join(argv)}\n")
            out.flush()
            result = subprocess.run(
                argv,
                cwd=paths.ROOT,
                env=os.environ | self.env | env,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                check=False,
            )
        passed = result.returncode == 0
        outcome = "ok" if passed else ("failed, as expected" if expect_failure else "FAILED")
        self._line(name, outcome, time.monotonic() - began)
        if passed == expect_failure:
            self._tail(log)
            verdict = "passed but should have failed" if passed else "failed"
            raise StepFailed(f"{name} {verdict}; full log: {log}")
        return passed

    def call(self, name: str, action: Callable[[], T], describe: Callable[[T], str] = str) -> T:
        """An in-process step (local AWS, gateways, the broken build): same one-line report;
        returns what the action returned."""
        began = time.monotonic()
        result = action()
        self._line(name, f"ok ({describe(result)})", time.monotonic() - began)
        return result

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def _line(self, name: str, outcome: str, seconds: float) -> None:
        click.echo(f"  [{self.elapsed():6.1f}s] {name:<44} {outcome} ({seconds:.1f}s)")

    def _log_path(self, name: str) -> Path:
        self.count += 1
        slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
        self.log_dir.mkdir(parents=True, exist_ok=True)
        return self.log_dir / f"{self.count:02d}-{slug}.log"

    def _tail(self, log: Path) -> None:
        lines = log.read_text(errors="replace").splitlines()[-TAIL_LINES:]
        click.echo("\n".join(f"      | {line}" for line in lines), err=True)
