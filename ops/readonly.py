"""Unzipped packages kept read-only, as Lambda's /var/task is.

Removing the write bits stops a non-root user's Python from writing `__pycache__` next to the code;
root ignores them, so the interpreters that run a package also get `-B`
(`lambda_runtime.PYTHON_FLAGS`), and the package check compares the tree before and after a run to
prove nothing was written.
"""

import os
import shutil
import stat
from pathlib import Path

WRITE_BITS = stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH


def freeze(root: Path, *, keep_top_writable: bool = False) -> None:
    """Remove every write bit under root (files first, then folders, root last)."""
    for folder, dirs, files in os.walk(root, topdown=False):
        for name in files:
            _chmod(Path(folder) / name, lambda mode: mode & ~WRITE_BITS)
        for name in dirs:
            _chmod(Path(folder) / name, lambda mode: mode & ~WRITE_BITS)
    if not keep_top_writable:
        _chmod(root, lambda mode: mode & ~WRITE_BITS)


def thaw(root: Path) -> None:
    """Give the owner write access to every folder again, so the tree can be removed."""
    if not root.exists():
        return
    _chmod(root, lambda mode: mode | stat.S_IWUSR)
    for folder, dirs, _ in os.walk(root):
        for name in dirs:
            _chmod(Path(folder) / name, lambda mode: mode | stat.S_IWUSR)


def remove(root: Path) -> None:
    """rmtree that also works on a frozen tree (no one but root may unlink in a frozen folder)."""
    thaw(root)
    shutil.rmtree(root, ignore_errors=True)


def listing(root: Path) -> set[str]:
    """Every path under root, relative: what a run must leave unchanged."""
    return {str(path.relative_to(root)) for path in root.rglob("*")}


def _chmod(path: Path, change) -> None:
    if path.is_symlink():
        return
    os.chmod(path, change(path.stat().st_mode))
