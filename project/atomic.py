"""The one atomic file writer: readers see the old file or the new one, never half of either.

The new file is built under a temporary name in the target's directory (same filesystem, so the
rename is atomic) and replaces the target with os.replace; a failure leaves the target as it was
and no temporary file behind. `replacing` is for what is built by other code (a zip written entry
by entry, Zappa's package, a symlink); the write_* functions are for content in memory.
"""

import contextlib
import json
import os
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def replacing(path: Path) -> Iterator[Path]:
    """Yield a path next to `path` (nothing there yet) to build the new file at; it replaces
    `path` when the block ends, and is removed if the block raises."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_bytes(path: Path, data: bytes) -> None:
    """Write `data` to `path` atomically, creating its directory; the file is 0644."""
    with replacing(path) as tmp, tmp.open("wb") as f:
        os.fchmod(f.fileno(), 0o644)  # whatever the umask: committed and packaged files
        f.write(data)
        f.flush()
        os.fsync(f.fileno())


def write_text(path: Path, text: str) -> None:
    write_bytes(path, text.encode("utf-8"))


def write_json(path: Path, document, sort_keys: bool = False) -> None:
    """Indented JSON with a final newline, the format of every JSON file the tools write."""
    write_text(path, json.dumps(document, indent=2, sort_keys=sort_keys) + "\n")
