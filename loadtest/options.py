"""Command-line options shared by the load-test commands (run, gate, bench)."""

from pathlib import Path

import click

from loadtest.paths import CONFIG_FILE

config_option = click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path, dir_okay=False),
    default=CONFIG_FILE,
    show_default=True,
    help="The profiles file (step load and SLOs).",
)
