"""Ship bytecode: compile every module in a built zip with the runtime's Python, unchecked-hash.

Lambda's /var/task is read-only, so Python cannot cache bytecode there: without .pyc files every
cold start compiles every module it imports. An unchecked-hash .pyc records a hash of its source
instead of the source's mtime and size, and Python loads it without looking at the source, so it
does not depend on the timestamps inside the zip (Zappa sets its own). The sources stay, for
tracebacks. The zip is updated in a copy next to itself, which then replaces it in one step.

A few modules are compiled with postponed evaluation of annotations (PEP 563), so that loading
them does not read the names their annotations mention: zappa/utilities.py annotates with
`boto3.Session`, which would import the boto3 that `app/lambda_entry.py` defers. Their sources are
unchanged, and only the annotations, which nothing reads, become strings. This file is also run as
a script by the runtime's Python to write those (standard library only).
"""

import __future__

import importlib.util
import marshal
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

# Where Lambda unzips the code: what the compiled files name as their source path.
TASK_ROOT = "/var/task"
# Package-relative paths of the modules compiled with postponed annotations (see above).
POSTPONED_ANNOTATIONS = ("zappa/utilities.py",)
# PEP 552: a hash-based .pyc whose source Python does not check.
UNCHECKED_HASH = 0b01
# A fixed time for the added entries, so the same sources give the same zip entries.
ENTRY_TIME = (1980, 1, 1, 0, 0, 0)


class BytecodeError(Exception):
    """The runtime's Python could not compile the package."""


def run(command: list[str]) -> None:
    done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=600)
    if done.returncode != 0:
        lines = (done.stdout + done.stderr).strip().splitlines() or ["no output"]
        raise BytecodeError(f"compiling the package failed: {lines[-1]}")


def compile_tree(root: Path, python: Path) -> None:
    """Write __pycache__/*.cpython-XY.pyc next to every .py under root."""
    command = [str(python), "-I", "-m", "compileall", "-q", "-j", "0"]
    command += ["--invalidation-mode", "unchecked-hash", "-s", str(root), "-p", TASK_ROOT]
    run([*command, str(root)])
    postponed = [name for name in POSTPONED_ANNOTATIONS if (root / name).exists()]
    if postponed:
        run([str(python), "-I", __file__, str(root), *postponed])


def write_postponed(root: Path, names: list[str]) -> None:
    """Recompile each module with PEP 563 annotations into the .pyc compileall wrote for it."""
    for name in names:
        source = (root / name).read_bytes()
        code = compile(
            source,
            f"{TASK_ROOT}/{name}",
            "exec",
            flags=__future__.annotations.compiler_flag,
            dont_inherit=True,
        )
        header = importlib.util.MAGIC_NUMBER + UNCHECKED_HASH.to_bytes(4, "little")
        pyc = Path(importlib.util.cache_from_source(str(root / name)))
        pyc.write_bytes(header + importlib.util.source_hash(source) + marshal.dumps(code))


def added_entry(name: str, like: zipfile.ZipInfo) -> zipfile.ZipInfo:
    """A .pyc entry with the permissions Zappa gives every file."""
    info = zipfile.ZipInfo(name, date_time=ENTRY_TIME)
    info.create_system, info.external_attr = like.create_system, like.external_attr
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


def add_bytecode(zip_path: Path, python: Path) -> int:
    """Add a .pyc for every .py in zip_path, compiled by `python`; return how many were added.

    Only the sources are unzipped, and the new entries are appended to a copy of the zip, so the
    entries already there are not compressed again.
    """
    with tempfile.TemporaryDirectory(prefix="bytecode-", dir=zip_path.parent) as tmp:
        tree = Path(tmp) / "tree"
        with zipfile.ZipFile(zip_path) as archive:
            present = set(archive.namelist())
            sources = [info for info in archive.infolist() if info.filename.endswith(".py")]
            for info in sources:
                archive.extract(info, tree)
        if not sources:
            return 0
        compile_tree(tree, python)
        compiled = sorted(
            name
            for name in (str(path.relative_to(tree)) for path in tree.rglob("*.pyc"))
            if name not in present
        )
        updated = Path(tmp) / "updated.zip"
        shutil.copyfile(zip_path, updated)
        with zipfile.ZipFile(updated, "a") as out:
            for name in compiled:
                out.writestr(added_entry(name, sources[0]), (tree / name).read_bytes())
        os.replace(updated, zip_path)
    return len(compiled)


if __name__ == "__main__":
    write_postponed(Path(sys.argv[1]), sys.argv[2:])
