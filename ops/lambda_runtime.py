"""A stand-in for what the Lambda Python runtime provides besides the standard library.

The runtime ships boto3 and botocore (and their dependencies), which the package leaves out. The
layer is a copy of them, and of what they require, from the dev venv (installed from uv.lock, hashes
checked), made once per Python and version pair into .cache/ and reused: no second download, and
nothing unlocked.
"""

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from importlib import metadata
from pathlib import Path

import click
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

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


def closure(names: tuple[str, ...]) -> list[metadata.Distribution]:
    """The installed distributions `names` need, themselves included (markers for this Python)."""
    found: dict[str, metadata.Distribution] = {}
    pending = list(names)
    while pending:
        name = canonicalize_name(pending.pop())
        if name in found:
            continue
        found[name] = distribution = metadata.distribution(name)
        for line in distribution.requires or []:
            requirement = Requirement(line)
            if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
                pending.append(requirement.name)
    return [found[name] for name in sorted(found)]


def copy_distribution(distribution: metadata.Distribution, target: Path) -> None:
    """Its files under site-packages (not its scripts, not bytecode: compiled afterwards)."""
    for file in distribution.files or []:
        if file.parts[0] == ".." or "__pycache__" in file.parts:
            continue
        destination = target / file
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(distribution.locate_file(file), destination)


def ensure_layer() -> Path:
    """Make the runtime layer if this set of versions isn't cached yet; return its directory."""
    requirements = pins()
    distributions = closure(PROVIDED)
    # Per Python version too: the layer is compiled by the interpreter that makes it, as the
    # runtime's own boto3 comes compiled; a layer without .pyc would compile at each start. The
    # dependencies' versions count as well (a new urllib3 alone must make a new layer).
    python = f"py{sys.version_info.major}{sys.version_info.minor}"
    versions = " ".join(f"{d.metadata['Name']}=={d.version}" for d in distributions)
    digest = hashlib.sha256(versions.encode()).hexdigest()[:12]
    name = "-".join([python, *(r.replace("==", "-") for r in requirements), digest])
    target = paths.CACHE / "lambda-runtime" / name
    if (target / ".complete").exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".layer-", dir=target.parent))
    try:
        for distribution in distributions:
            copy_distribution(distribution, work)
        done = subprocess.run(
            [sys.executable, "-I", "-m", "compileall", "-q", "-j", "0", str(work)],
            capture_output=True,
            text=True,
            check=False,
            timeout=600,
        )
        if done.returncode != 0:
            last = ((done.stdout + done.stderr).strip().splitlines() or ["no output"])[-1]
            raise click.ClickException(f"compiling the runtime layer failed: {last}")
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    (work / ".complete").write_text("\n".join(requirements) + "\n")
    shutil.rmtree(target, ignore_errors=True)
    os.replace(work, target)
    return target
