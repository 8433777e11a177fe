"""Run Zappa from the packaging virtualenv, the only way ops calls it.

Zappa zips the virtualenv named by VIRTUAL_ENV (else pyenv's global Python), so every call sets
VIRTUAL_ENV and PATH to .venv-package and runs from the project root with `-s` pointing at the
rendered settings file.
"""

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import click
from botocore.exceptions import ClientError

from ops import aws, paths
from ops.stage import Stage


def executable():
    return paths.PACKAGE_VENV / "bin" / "zappa"


def environment() -> dict:
    bin_dir = paths.PACKAGE_VENV / "bin"
    env = dict(os.environ)
    env.pop("PYTHONHOME", None)
    # The rehearsal's call recorder (rehearsal/iam_audit/autorecord) rides on PYTHONPATH.
    if not env.get("IAM_AUDIT_LOG"):
        env.pop("PYTHONPATH", None)
    env["VIRTUAL_ENV"] = str(paths.PACKAGE_VENV)
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    return env


def command(verb: str, stage: Stage, settings_file, *extra: str) -> list[str]:
    """`--json` also stops Zappa from asking pypi.org for a newer version on every command."""
    return [str(executable()), verb, stage.name, "-s", str(settings_file), "--json", *extra]


WATCH_SECONDS = 5.0  # how often a watched run asks AWS whether waiting can still succeed
TIMEOUT_SECONDS = 3600
STOP_GRACE_SECONDS = 10


def run(argv: list[str], watch: Callable[[], str | None] | None = None) -> None:
    """Run one zappa command, its output streaming to ours; fail with one line if it fails.

    `watch` is asked every few seconds while Zappa runs: a message means Zappa is waiting for
    something that can no longer happen (its stack wait loop doesn't know every failure state),
    so Zappa is stopped and the message becomes the error."""
    if not Path(argv[0]).exists():  # argv[0] is executable() but for tests that run a stand-in
        raise click.ClickException(
            f"{argv[0]} not found: build the packaging virtualenv with `make package-venv`"
        )
    sys.stdout.flush()
    process = subprocess.Popen(argv, cwd=paths.ROOT, env=environment())
    deadline = time.monotonic() + TIMEOUT_SECONDS
    while True:
        try:
            returncode = process.wait(timeout=WATCH_SECONDS)
            break
        except subprocess.TimeoutExpired:
            pass
        problem = watch() if watch else None
        if problem or time.monotonic() > deadline:
            stop(process)
            why = problem or f"timed out after {TIMEOUT_SECONDS} s"
            raise click.ClickException(f"zappa {argv[1]} {argv[2]} stopped: {why}")
    if returncode != 0:
        problem = watch() if watch else None
        raise click.ClickException(
            f"zappa {argv[1]} {argv[2]} failed (exit {returncode})"
            + (f": {problem}" if problem else "; Zappa's output is above")
        )


def stop(process: subprocess.Popen) -> None:
    """SIGTERM, then SIGKILL if Zappa has not exited within the grace period."""
    process.terminate()
    try:
        process.wait(timeout=STOP_GRACE_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def function_exists(stage: Stage) -> bool:
    """Ask Lambda whether the stage's function exists: deploy the first time, update after."""
    with aws.aws_errors():
        try:
            stage.client("lambda").get_function(FunctionName=stage.function_name)
        except ClientError as exc:
            if aws.error_code(exc) == "ResourceNotFoundException":
                return False
            raise
    return True
