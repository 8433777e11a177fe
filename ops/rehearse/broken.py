"""Deliberately broken builds, each of which the smoke test must catch and the rollback undo.

- A tampered model: the package's model file no longer matches its manifest, so the app refuses
  to start and the stage answers 5xx. The real pipeline's package check would catch this build
  before deploy; the rehearsal skips that check for it to show the last line of defence.
- A wrong commit: a sound build that answers 200 but reports another git SHA than the one the
  pipeline deploys (what a stage still serving old code looks like). The smoke test retries
  until its settle window ends, then fails on the SHA.
"""

import hashlib
import os
import zipfile
from pathlib import Path


def broken_sha(good_sha: str, kind: str = "broken build") -> str:
    """A stand-in commit id for a broken build, so the rollback visibly changes what's served."""
    return hashlib.sha1(
        f"rehearsal {kind} of {good_sha}".encode(), usedforsecurity=False
    ).hexdigest()


def tamper_model(package: Path) -> str:
    """Flip one byte of the ONNX model inside the zip (rewritten atomically); returns its name."""
    tmp = package.with_suffix(".tampered.tmp")
    tampered = None
    with zipfile.ZipFile(package) as source, zipfile.ZipFile(tmp, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if (
                tampered is None
                and info.filename.startswith("models/")
                and info.filename.endswith(".onnx")
            ):
                data = data[:-1] + bytes([data[-1] ^ 0xFF])
                tampered = info.filename
            target.writestr(info, data)
    if tampered is None:
        tmp.unlink()
        raise RuntimeError(f"{package} contains no models/*.onnx to tamper with")
    os.replace(tmp, package)
    return tampered
