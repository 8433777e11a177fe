"""`python -m ops url STAGE`: print the stage's base URL (the load tests read it)."""

import click

from ops import restapi, zappa_settings


@click.command("url")
@click.argument("stage", type=click.Choice(zappa_settings.STAGES))
def url(stage: str) -> None:
    """Print https://{apiId}.execute-api.{region}.amazonaws.com/{stage}."""
    region = zappa_settings.stage_region(stage)
    click.echo(restapi.stage_url(restapi.require_api_id(stage, region), region, stage))
