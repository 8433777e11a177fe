"""A stand-in for what the Lambda Python runtime provides besides the standard library.

The runtime ships boto3 and botocore (and their dependencies), which the package leaves out. The
layer is installed once per Python and version pair into .cache/ with the dev venv's pins, and
reused.
"""

import os
import shutil
import subprocess
import sys
import tempfile
from importlib import metadata
from pathlib import Path

import click

from ops import paths

PROVIDED = ("boto3", "botocore")
# How a local stand-in for Lambda starts Python: isolated (-I: no user site, no PYTHON* variables),
# no site-packages (-S: only the package and the layer on sys.path) and no bytecode writes (-B:
# /var/task is read-only on Lambda, so every module without a shipped .pyc compiles at each cold
# start, and a check that let Python cache it would measure a warmer start than Lambda's).
PYTHON_FLAGS = ("-I", "-S", "-B")


def pins() -> list[str]:
    """The dev venv's boto3 and botocore versions (what the ops code itself was tested with)."""
    return [f"{name}=={metadata.version(name)}" for name in PROVIDED]


def ensure_layer() -> Path:
    """Install the runtime layer if this version pair isn't cached yet; return its directory."""
    requirements = pins()
    # Per Python version too: pip compiles the layer's bytecode for the interpreter that installs
    # it, as the runtime's own boto3 comes compiled; a layer without it would compile at each start.
    python = f"py{sys.version_info.major}{sys.version_info.minor}"
    name = "-".join([python, *(r.replace("==", "-") for r in requirements)])
    target = paths.CACHE / "lambda-runtime" / name
    if (target / ".complete").exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".layer-", dir=target.parent))
    env = dict(os.environ, PIP_CACHE_DIR=str(paths.CACHE / "pip"))
    command = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    command += ["--target", str(work), *requirements]
    done = subprocess.run(
        command, env=env, capture_output=True, text=True, check=False, timeout=900
    )
    if done.returncode != 0:
        shutil.rmtree(work, ignore_errors=True)
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise click.ClickException(
            f"installing the runtime layer ({' '.join(requirements)}) failed: {last}"
        )
    (work / ".complete").write_text("\n".join(requirements) + "\n")
    shutil.rmtree(target, ignore_errors=True)
    os.replace(work, target)
    return target
