"""`python -m ops COMMAND`: one small module per command, registered here.

Each command's module is imported only when that command runs (click's "lazily loading
subcommands" pattern): the workflows and the rehearsal start `python -m ops` for every step, and
importing every command (the rehearsal's training checks load scikit-learn, the local stage loads
moto) cost each step about 6 s.
"""

import importlib

import click

# command name -> "module:attribute" of its click command
COMMANDS = {
    "bench": "ops.latency_bench:bench",
    "package": "ops.package:package",
    "package-check": "ops.package_check:package_check",
    "deploy": "ops.deploy:deploy",
    "usage-plan": "ops.usage_plan:usage_plan",
    "smoke": "ops.smoke:smoke",
    "rollback": "ops.rollback:rollback",
    "status": "ops.status:status",
    "url": "ops.url:url",
    "keys": "ops.keys.commands:keys",
    "local-aws": "ops.local_aws.cli:local_aws_command",
    "local-stage": "ops.gateway.cli:local_stage",
    "rehearse": "ops.rehearse.cli:rehearse",
}


class LazyGroup(click.Group):
    """A group whose commands are imported when one is looked up."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        target = COMMANDS.get(name)
        if target is None:
            return None
        module, attribute = target.split(":")
        return getattr(importlib.import_module(module), attribute)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Operate the stages: the same commands run in the workflows, the rehearsal and the tests."""
