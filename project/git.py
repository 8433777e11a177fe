"""The checkout's commit: `git rev-parse HEAD`, asked in one place."""

import subprocess

from project import ROOT


def head_sha(timeout: float = 30) -> str | None:
    """HEAD's full SHA, or None outside a git checkout (or without git)."""
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
            timeout=timeout,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None if out.returncode == 0 else None
