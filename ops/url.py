"""`python -m ops url STAGE`: print the stage's base URL (the load tests read it)."""

import click

from ops import restapi
from ops.stage import Stage, argument


@click.command("url")
@argument
def url(stage: Stage) -> None:
    """Print https://{apiId}.execute-api.{region}.amazonaws.com/{stage}."""
    click.echo(restapi.stage_url(stage, restapi.require_api_id(stage)))
