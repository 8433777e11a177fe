"""Command-line options the rehearsal's commands share."""

import click

loopback_port = click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=0,
    show_default=True,
    help="Loopback port; 0 picks a free one.",
)
