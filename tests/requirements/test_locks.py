"""uv.lock is what every virtualenv installs: fresh, exact, and the Lambda package gets serve only.

The checks ask uv itself (offline: the lock carries everything they need), so they test what
`uv sync --locked` will do, not our reading of the lock format.
"""

import os
import re
import subprocess
import tomllib

import pytest

from requirements.uv_requirement import requirement
from tests.conftest import ROOT

UV = ROOT / ".venv-uv" / "bin" / "uv"
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
GROUPS = PYPROJECT["dependency-groups"]
EXACT = re.compile(r"^[A-Za-z0-9_.-]+(\[[a-z0-9,_-]+\])?==[0-9][A-Za-z0-9.+!-]*$")
# Never in the Lambda package: training, tests, linters, the AWS SDK (the runtime brings it).
NOT_SERVED = {
    "scikit-learn", "scipy", "joblib", "skl2onnx", "onnx", "pytest", "hypothesis", "moto", "ruff",
    "locust", "matplotlib", "gunicorn", "parliament", "zappa", "boto3", "botocore", "uv",
}  # fmt: skip


def uv(*args: str) -> str:
    done = subprocess.run(
        [str(UV), *args, "--offline"],
        cwd=ROOT,
        env=os.environ | {"UV_PYTHON_DOWNLOADS": "never"},
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def locked(group: str) -> dict[str, str]:
    """name -> version of what `uv sync --only-group GROUP` installs on Linux."""
    text = uv("export", "--frozen", "--only-group", group, "--no-hashes", "--no-header")
    found = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "sys_platform == 'win32'" in line:
            continue
        name, version = line.split(";")[0].strip().split("==")
        found[name] = version
    return found


def test_the_lock_matches_pyproject():
    uv("lock", "--check")


@pytest.mark.parametrize("group", sorted(GROUPS))
def test_every_direct_dependency_is_pinned_exactly(group):
    for entry in GROUPS[group]:
        if isinstance(entry, dict):
            assert set(entry) == {"include-group"}
            continue
        assert EXACT.match(entry), f"{group}: not an exact pin: {entry!r}"


def test_the_serve_group_holds_nothing_but_what_the_function_imports():
    serve = locked("serve")
    assert {"flask", "numpy", "onnxruntime"} <= set(serve)
    assert not set(serve) & NOT_SERVED


def test_the_package_venv_is_serve_plus_zappa_and_its_build_tools():
    serve, package = locked("serve"), locked("package")
    assert {name: package.get(name) for name in serve} == serve
    assert not set(package) & (NOT_SERVED - {"zappa", "boto3", "botocore"})


@pytest.mark.parametrize("group", ["train", "dev"])
def test_shared_packages_have_one_version(group):
    serve, other = locked("serve"), locked(group)
    assert {name: other.get(name) for name in serve} == serve


def test_the_bootstrap_requirement_for_uv_carries_the_locks_hashes():
    lock = tomllib.loads((ROOT / "uv.lock").read_text())
    line = requirement(lock)
    version = next(p["version"] for p in lock["package"] if p["name"] == "uv")
    assert line.startswith(f"uv=={version} --hash=sha256:")
    assert line.count("--hash=") >= 2


def test_a_lock_without_uv_cannot_bootstrap():
    with pytest.raises(SystemExit, match="exactly one uv"):
        requirement({"package": [{"name": "numpy", "version": "2.4.6"}]})
