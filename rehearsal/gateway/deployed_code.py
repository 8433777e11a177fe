"""Fetch a function's deployed zip from the local endpoint and unzip it once per CodeSha256,
read-only as Lambda's /var/task (ops.readonly)."""

import base64
import hashlib
import os
import tempfile
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

from ops import readonly
from rehearsal.local_aws.clients import require_loopback

COMPLETE = ".complete"
# Unzipped packages kept (each about 90 MB for the app); every commit and stage adds one.
KEEP = 10


class PackageError(Exception):
    """The deployed code cannot be fetched or does not match its CodeSha256."""


def cache_name(code_sha256: str) -> str:
    """Lambda's CodeSha256 is base64; a hex name is safe on every filesystem."""
    return base64.b64decode(code_sha256).hex()


def download(location: str, code_sha256: str, target: Path) -> None:
    """GET Code.Location (a loopback URL on the local endpoint) and check the digest."""
    require_loopback(location)
    digest = hashlib.sha256()
    try:
        with urllib.request.urlopen(location, timeout=60) as answer, target.open("wb") as out:  # noqa: S310
            while chunk := answer.read(1 << 20):
                digest.update(chunk)
                out.write(chunk)
    except (urllib.error.URLError, OSError) as exc:
        raise PackageError(f"cannot download the function code from {location}: {exc}") from None
    if base64.b64encode(digest.digest()).decode() != code_sha256:
        raise PackageError(f"the code at {location} does not match CodeSha256 {code_sha256}")


def unpacked(location: str, code_sha256: str, cache: Path) -> Path:
    """The directory holding this exact code, unzipped (reused when already there)."""
    target = cache / cache_name(code_sha256)
    if (target / COMPLETE).exists():
        (target / COMPLETE).touch()  # recently used: kept by prune()
        return target
    cache.mkdir(parents=True, exist_ok=True)
    prune(cache)
    work = Path(tempfile.mkdtemp(prefix=".unpack-", dir=cache))
    try:
        archive = work / "code.zip"
        download(location, code_sha256, archive)
        root = work / "task"
        try:
            with zipfile.ZipFile(archive) as zipped:
                zipped.extractall(root)  # extractall drops absolute and ".." member paths
        except zipfile.BadZipFile as exc:
            raise PackageError(f"the function code is not a zip file: {exc}") from None
        (root / COMPLETE).write_text(code_sha256 + "\n")
        # The top folder stays writable until it has moved (a rename updates its "..").
        readonly.freeze(root, keep_top_writable=True)
        if not (target / COMPLETE).exists():
            readonly.remove(target)
            try:
                os.replace(root, target)
            except OSError:
                if not (target / COMPLETE).exists():  # else another gateway just unpacked it
                    raise
            else:
                readonly.freeze(target)
    finally:
        readonly.remove(work)
    return target


def prune(cache: Path, keep: int = KEEP) -> None:
    """Remove all but the `keep - 1` most recently used packages, making room for one more."""
    entries = sorted(
        (path for path in cache.iterdir() if (path / COMPLETE).exists()),
        key=lambda path: (path / COMPLETE).stat().st_mtime,
        reverse=True,
    )
    for stale in entries[max(keep - 1, 0) :]:
        readonly.remove(stale)
