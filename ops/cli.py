"""`python -m ops COMMAND`: one small module per command, registered here."""

import click

from ops.bench import bench


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Operate the stages: the same commands run in the workflows, the rehearsal and the tests."""


main.add_command(bench)
