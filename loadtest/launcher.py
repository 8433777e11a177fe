"""Run Locust headless in a child process with the CSV, history and HTML outputs the gate reads.

A child process, not an import: Locust monkey-patches the standard library with gevent, which
would leak into boto3, matplotlib and the local server management of the calling process.
"""

import os
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from loadtest.config import Profile
from loadtest.errors import LoadTestError
from loadtest.paths import CSV_PREFIX, LOCUST_HTML, LOCUST_LOG, LOCUSTFILE
from project import ROOT

GRACE_S = 60  # start-up, stopping users and writing reports, on top of the steps' total
STOP_WAIT_S = 30


@dataclass(frozen=True)
class Distribution:
    """How to generate more load than one process can: Locust's own distributed mode.

    processes: fork this many local workers (`--processes`, one per core is Locust's advice).
    expect_workers: run as a master and wait for this many `--worker` processes, possibly on
    other machines (see loadtest/README.md).
    """

    processes: int = 0
    expect_workers: int = 0

    def options(self) -> list[str]:
        if self.processes and self.expect_workers:
            raise LoadTestError("choose --processes (one machine) or --expect-workers, not both")
        if self.processes:
            return ["--processes", str(self.processes)]
        if self.expect_workers:
            return [
                "--master",
                "--expect-workers",
                str(self.expect_workers),
                "--expect-workers-max-wait",
                str(GRACE_S),
            ]
        return []


def locust_command(host: str, out_dir: Path, distribution: Distribution) -> list[str]:
    return [
        sys.executable,
        "-m",
        "locust",
        "--locustfile",
        str(LOCUSTFILE),
        "--headless",
        "--host",
        host,
        "--csv",
        str(out_dir / CSV_PREFIX),
        "--csv-full-history",
        "--html",
        str(out_dir / LOCUST_HTML),
        "--only-summary",
        "--exit-code-on-error",
        "0",  # failures are the gate's call; a non-zero exit then means Locust itself failed
        *distribution.options(),
    ]


def run_locust(
    profile: Profile,
    host: str,
    out_dir: Path,
    *,
    stage: str | None = None,
    api_key: str | None = None,
    config_path: Path | None = None,
    distribution: Distribution | None = None,
) -> None:
    """Blocks until the step load has finished; raises LoadTestError if Locust did not finish."""
    distribution = distribution or Distribution()
    env = os.environ | {"LOADTEST_PROFILE": profile.name, "PYTHONUNBUFFERED": "1"}
    if config_path:
        env["LOADTEST_CONFIG"] = str(config_path)
    if stage:
        env["LOADTEST_STAGE"] = stage
    if api_key:
        env["API_KEY"] = api_key  # passed through the environment, never on the command line
    timeout = profile.total_seconds + GRACE_S * (2 if distribution.expect_workers else 1)
    log_path = out_dir / LOCUST_LOG
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            locust_command(host, out_dir, distribution),
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            code = process.wait(timeout)
        except subprocess.TimeoutExpired:
            _stop(process)
            raise LoadTestError(
                f"Locust ran over {timeout} s and was stopped; see {log_path}"
            ) from None
        finally:
            _stop(process)  # Ctrl-C or SIGTERM while waiting: don't leave Locust running
    if code != 0:
        raise LoadTestError(f"Locust exited with {code}: {_last_line(log_path)} (see {log_path})")


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)  # Locust's handler writes its reports and exits
    try:
        process.wait(STOP_WAIT_S)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _last_line(path: Path) -> str:
    lines = [line for line in path.read_text(errors="replace").splitlines() if line.strip()]
    return lines[-1][:300] if lines else "no output"
