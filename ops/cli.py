"""`python -m ops COMMAND`: one small module per command, registered here.

Each command's module is imported only when that command runs (click's "lazily loading
subcommands" pattern): the workflows and the rehearsal start `python -m ops` for every step, and
importing every command cost each step seconds (the bench loads scikit-learn). The rehearsal's own
commands (package `rehearsal`) reuse this group.
"""

import importlib
from typing import ClassVar

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
}


class LazyGroup(click.Group):
    """A group whose commands (`lazy_commands`: name -> "module:attribute") are imported when one
    is looked up."""

    lazy_commands: ClassVar[dict[str, str]] = {}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(self.lazy_commands)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        target = self.lazy_commands.get(name)
        if target is None:
            return None
        module, attribute = target.split(":")
        return getattr(importlib.import_module(module), attribute)


class OpsCommands(LazyGroup):
    lazy_commands = COMMANDS


@click.group(cls=OpsCommands, context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Operate the stages: the same commands run in the workflows, the rehearsal and the tests."""
