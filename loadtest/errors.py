"""Errors a user can fix: the CLIs print one line and exit 2 (a failed gate exits 1)."""

import click


class LoadTestError(click.ClickException):
    """Bad input or an unusable environment, not a failed gate."""

    exit_code = 2
