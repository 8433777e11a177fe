"""`python -m ops COMMAND`: one small module per command, registered here."""

import click

from ops.deploy import deploy
from ops.gateway.cli import local_stage
from ops.keys.commands import keys
from ops.latency_bench import bench
from ops.local_aws.cli import local_aws_command
from ops.package import package
from ops.package_check import package_check
from ops.rehearse.cli import rehearse
from ops.rollback import rollback
from ops.smoke import smoke
from ops.status import status
from ops.url import url
from ops.usage_plan import usage_plan


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Operate the stages: the same commands run in the workflows, the rehearsal and the tests."""


main.add_command(bench)
main.add_command(package)
main.add_command(package_check)
main.add_command(deploy)
main.add_command(usage_plan)
main.add_command(smoke)
main.add_command(rollback)
main.add_command(status)
main.add_command(url)
main.add_command(keys)
main.add_command(local_aws_command)
main.add_command(local_stage)
main.add_command(rehearse)
