"""The one atomic file writer: readers see the old file or the new one, never half of either.

The bytes go to a temp file in the target's directory (same filesystem, so the rename is atomic),
are synced, and replace the target with os.replace; a failure leaves the target as it was.
"""

import json
import os
import tempfile
from pathlib import Path


def write_bytes(path: Path, data: bytes) -> None:
    """Write `data` to `path` atomically, creating its directory; the file is 0644."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, 0o644)  # mkstemp's 0600 would make committed and packaged files unreadable
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_text(path: Path, text: str) -> None:
    write_bytes(path, text.encode("utf-8"))


def write_json(path: Path, document, sort_keys: bool = False) -> None:
    """Indented JSON with a final newline, the format of every JSON file the tools write."""
    write_text(path, json.dumps(document, indent=2, sort_keys=sort_keys) + "\n")
