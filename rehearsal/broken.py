"""Deliberately broken builds, each of which the smoke test must catch and the rollback undo.

Both are derived from dev's package of this commit, built and checked moments before, instead of
being built again (Zappa's build takes about 10 s): only what makes them broken differs.

- A tampered model: the package's model file no longer matches its manifest, so the app refuses
  to start and the stage answers 5xx. The real pipeline's package check would catch this build
  before deploy; the rehearsal deploys it anyway to show the last line of defence.
- A wrong commit: a sound build that answers 200 but reports another git SHA than the one the
  pipeline deploys (what a stage still serving old code looks like). The smoke test retries
  until its settle window ends, then fails on the SHA.
"""

import hashlib
import importlib.util
import zipfile
from dataclasses import dataclass
from pathlib import Path

from project.atomic import replacing

# What Zappa bakes into the package: the stage's settings, GIT_SHA among its environment variables.
BAKED_SETTINGS = "zappa_settings.py"
# Its shipped bytecode (ops.bytecode): unchecked-hash, so Python would load it without looking at
# a changed source. A derived build drops it; Python compiles the new source at import. (This
# interpreter is the runtime's version: .python-version names both.)
BAKED_SETTINGS_PYC = importlib.util.cache_from_source(BAKED_SETTINGS)


@dataclass(frozen=True)
class BrokenBuild:
    name: str
    answers: str  # what the stage answers once it is deployed
    tampered: bool  # its model no longer matches the manifest (else only its SHA differs)

    def sha(self, good_sha: str) -> str:
        """A stand-in commit id, so the rollback visibly changes what's served."""
        return hashlib.sha1(
            f"rehearsal {self.name} of {good_sha}".encode(), usedforsecurity=False
        ).hexdigest()


BUILDS = (
    BrokenBuild("5xx build", "tampered model: answers 5xx", tampered=True),
    BrokenBuild("wrong-SHA build", "answers 200 with another SHA", tampered=False),
)


def derive(good: Path, target: Path, good_sha: str, bad_sha: str, tamper: bool) -> str:
    """Write target (atomically): the good package as a build of bad_sha; with tamper, one byte
    of its ONNX model flipped too. Returns what was changed, for the step's line."""
    settings_found, tampered = False, None
    with replacing(target) as tmp:
        with zipfile.ZipFile(good) as source, zipfile.ZipFile(tmp, "w") as out:
            for info in source.infolist():
                if info.filename == BAKED_SETTINGS_PYC:
                    continue
                data = source.read(info)
                if info.filename == BAKED_SETTINGS:
                    data, settings_found = _with_sha(data, good_sha, bad_sha), True
                elif tamper and tampered is None and _is_model(info.filename):
                    data, tampered = data[:-1] + bytes([data[-1] ^ 0xFF]), info.filename
                # Level 1: the rewrite takes a second instead of several; the zip grows a little.
                out.writestr(info, data, compresslevel=1)
        if not settings_found or (tamper and tampered is None):
            raise RuntimeError(f"{good} lacks {BAKED_SETTINGS} or a models/*.onnx to break")
    return f"reports {bad_sha[:8]}" + (f", one byte of {tampered} flipped" if tampered else "")


def _with_sha(settings: bytes, good_sha: str, bad_sha: str) -> bytes:
    text = settings.decode()
    if good_sha not in text:
        raise RuntimeError(f"{BAKED_SETTINGS} in the package was not built from {good_sha}")
    return text.replace(good_sha, bad_sha).encode()


def _is_model(name: str) -> bool:
    return name.startswith("models/") and name.endswith(".onnx")
