"""Print uv's pin from uv.lock as a hash-checked pip requirement: how `make` installs the resolver.

uv installs everything else from uv.lock, checking each download's sha256; uv itself comes first,
through pip, so its version and hashes are read from the same lock (pyproject.toml's `uv` group,
which Dependabot's uv updates move like any other package). Standard library only: it runs on the
bare project Python. Usage: python requirements/uv_requirement.py [uv.lock]
"""

import sys
import tomllib
from pathlib import Path


def requirement(lock: dict) -> str:
    found = [package for package in lock.get("package", []) if package["name"] == "uv"]
    if len(found) != 1:
        raise SystemExit(f"uv.lock must lock exactly one uv, found {len(found)}")
    package = found[0]
    files = [*package.get("wheels", []), *([package["sdist"]] if "sdist" in package else [])]
    hashes = sorted({entry["hash"] for entry in files})
    if not hashes:
        raise SystemExit("uv.lock has no hashes for uv")
    return " ".join([f"uv=={package['version']}", *(f"--hash={h}" for h in hashes)])


if __name__ == "__main__":
    path = Path(sys.argv[1] if len(sys.argv) > 1 else "uv.lock")
    print(requirement(tomllib.loads(path.read_text())))
