"""Run Zappa from the packaging virtualenv, the only way ops calls it.

Zappa zips the virtualenv named by VIRTUAL_ENV (else pyenv's global Python), so every call sets
VIRTUAL_ENV and PATH to .venv-package and runs from the project root with `-s` pointing at the
rendered settings file.
"""

import os
import subprocess
import sys

import click
from botocore.exceptions import ClientError

from ops import aws, paths


def executable():
    return paths.PACKAGE_VENV / "bin" / "zappa"


def environment() -> dict:
    bin_dir = paths.PACKAGE_VENV / "bin"
    env = dict(os.environ)
    env.pop("PYTHONHOME", None)
    if not env.get("IAM_AUDIT_LOG"):  # the rehearsal's recorder (iam/autorecord) rides on it
        env.pop("PYTHONPATH", None)
    env["VIRTUAL_ENV"] = str(paths.PACKAGE_VENV)
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    return env


def command(verb: str, stage: str, settings_file, *extra: str) -> list[str]:
    """`--json` also stops Zappa from asking pypi.org for a newer version on every command."""
    return [str(executable()), verb, stage, "-s", str(settings_file), "--json", *extra]


def run(argv: list[str]) -> None:
    """Run one zappa command, its output streaming to ours; fail with one line if it fails."""
    if not executable().exists():
        raise click.ClickException(
            f"{executable()} not found: build the packaging virtualenv with `make package-venv`"
        )
    sys.stdout.flush()
    try:
        done = subprocess.run(argv, cwd=paths.ROOT, env=environment(), check=False, timeout=3600)
    except subprocess.TimeoutExpired:
        raise click.ClickException(f"zappa {argv[1]} timed out after an hour") from None
    if done.returncode != 0:
        raise click.ClickException(
            f"zappa {argv[1]} {argv[2]} failed (exit {done.returncode}); Zappa's output is above"
        )


def function_exists(stage: str, region: str) -> bool:
    """Ask Lambda whether the stage's function exists: deploy the first time, update after."""
    client = aws.make_client("lambda", region)
    with aws.aws_errors():
        try:
            client.get_function(FunctionName=paths.function_name(stage))
        except ClientError as exc:
            if aws.error_code(exc) == "ResourceNotFoundException":
                return False
            raise
    return True
