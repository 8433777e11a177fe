"""What a build is: the commit it came from and the model it serves (both checked after deploy)."""

import os
import re

import click

from app.manifest import ManifestError, read_manifest, sample_rows
from ops import paths
from project import git

_SHA = re.compile(r"^[0-9a-f]{7,40}$")


def git_sha() -> str:
    """GIT_SHA from the environment (CI, Makefile), else the checkout's HEAD."""
    sha = os.environ.get("GIT_SHA", "").strip() or git.head_sha()
    if not sha:
        raise click.ClickException("no GIT_SHA set and `git rev-parse HEAD` failed")
    if not _SHA.match(sha):
        raise click.ClickException(f"GIT_SHA {sha!r} is not a git commit hash")
    return sha


def manifest() -> dict:
    """The committed model's manifest (app.manifest is its one reader), or one line."""
    try:
        return read_manifest(paths.MANIFEST_FILE)
    except ManifestError as exc:
        raise click.ClickException(str(exc)) from None


def model_sha256(backend: str = "onnx") -> str:
    """The sha256 of the committed model artifact the stage must serve."""
    try:
        return manifest()["artifacts"][backend]["sha256"]
    except KeyError:
        raise click.ClickException(f"models/manifest.json lists no {backend} artifact") from None


def sample_row() -> list[float]:
    """A real held-out row the manifest keeps: a valid /predict input for every check."""
    try:
        return sample_rows(manifest())[0]
    except ManifestError as exc:
        raise click.ClickException(str(exc)) from None
