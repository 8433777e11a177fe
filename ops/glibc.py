"""Which glibc a package's compiled files need, against the one the Lambda runtime has.

A wheel built for a newer glibc imports fine here and fails on Lambda with "GLIBC_2.xx not
found"; the versions are read from the symbol-version strings in each shared object.
"""

import re
from pathlib import Path

# The operating system under each managed Python runtime: python3.9 to 3.11 run on Amazon Linux 2
# (glibc 2.26), python3.12 and later on Amazon Linux 2023 (glibc 2.34). See "Lambda runtimes" in
# the AWS Lambda developer guide.
RUNTIME_GLIBC = {
    "python3.9": (2, 26),
    "python3.10": (2, 26),
    "python3.11": (2, 26),
    "python3.12": (2, 34),
    "python3.13": (2, 34),
    "python3.14": (2, 34),
}
_VERSION = re.compile(rb"GLIBC_(\d+)\.(\d+)")


def required(root: Path) -> dict[str, tuple[int, int]]:
    """The newest glibc version each shared object under root asks for."""
    needs = {}
    for path in sorted(root.rglob("*.so*")):
        if not path.is_file():
            continue
        with path.open("rb") as f:
            if f.read(4) != b"\x7fELF":
                continue
            versions = {(int(a), int(b)) for a, b in _VERSION.findall(f.read())}
        if versions:
            needs[str(path.relative_to(root))] = max(versions)
    return needs


def incompatible(root: Path, runtime: str) -> tuple[tuple[int, int], dict[str, tuple[int, int]]]:
    """(the runtime's glibc, the files that need a newer one)."""
    have = RUNTIME_GLIBC.get(runtime)
    if have is None:
        raise ValueError(f"no glibc version known for runtime {runtime!r}")
    return have, {name: need for name, need in required(root).items() if need > have}
