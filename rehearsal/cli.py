"""`python -m rehearsal COMMAND`: the rehearsal, and its local AWS endpoint and stage gateway alone.

The same lazily imported group as `python -m ops` (moto and the gateway load only when needed).
"""

import click

from ops.cli import LazyGroup

COMMANDS = {
    "run": "rehearsal.pipeline:rehearse",
    "local-aws": "rehearsal.local_aws.cli:local_aws_command",
    "local-stage": "rehearsal.gateway.cli:local_stage",
    "key-drill": "rehearsal.key_drill:key_drill",
}


class RehearsalCommands(LazyGroup):
    lazy_commands = COMMANDS


@click.group(cls=RehearsalCommands, context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Rehearse the pipeline on loopback: moto for AWS, a local API Gateway + Lambda per stage."""
