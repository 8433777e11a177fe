"""`python -m rehearsal local-aws`: run the local AWS endpoint in the foreground until Ctrl-C."""

import threading

import click

from rehearsal.local_aws.clients import DEFAULT_REGION, aws_env
from rehearsal.local_aws.provision import provision
from rehearsal.local_aws.server import local_aws
from rehearsal.options import loopback_port


@click.command("local-aws")
@loopback_port
@click.option("--region", default=DEFAULT_REGION, show_default=True)
@click.option(
    "--provision/--no-provision",
    "do_provision",
    default=True,
    show_default=True,
    help="Create what iam/bootstrap.yaml would (execution roles, Zappa buckets).",
)
def local_aws_command(port: int, region: str, do_provision: bool) -> None:
    """Serve moto (with the shims Zappa needs) on 127.0.0.1 and print how to point tools at it."""
    try:
        with local_aws(port=port, region=region) as endpoint:
            if do_provision:
                for line in provision(endpoint, region=region).lines():
                    click.echo(line)
            click.echo(f"local AWS endpoint: {endpoint}  (Ctrl-C stops it)")
            click.echo("in another shell:")
            for name, value in aws_env(endpoint, region).items():
                click.echo(f"  export {name}={value}")
            threading.Event().wait()
    except (KeyboardInterrupt, SystemExit):
        click.echo("local AWS endpoint stopped")
