"""`python -m rehearsal local-stage STAGE`: serve a stage deployed locally until Ctrl-C."""

import logging
import threading
from pathlib import Path

import click

from ops import paths, zappa_settings
from ops.aws import aws_errors
from ops.stage import Stage
from rehearsal.gateway.gateway import DEFAULT_CONCURRENCY, DEFAULT_TTL
from rehearsal.gateway.server import start_gateway
from rehearsal.local_aws.server import exit_on_signals
from rehearsal.options import loopback_port


@click.command("local-stage")
@click.argument("stage", type=click.Choice(zappa_settings.STAGES))
@loopback_port
@click.option(
    "--endpoint",
    envvar="AWS_ENDPOINT_URL",
    show_envvar=True,
    help="The local AWS endpoint the stage is deployed in (loopback only).",
)
@click.option(
    "--concurrency",
    type=click.IntRange(1, 64),
    default=DEFAULT_CONCURRENCY,
    show_default=True,
    help="Worker cap when the function reserves no concurrency (the account's unreserved pool, "
    "from the endpoint's GetAccountSettings, applies too).",
)
@click.option(
    "--ttl",
    type=click.FloatRange(0, 1),
    default=DEFAULT_TTL,
    show_default=True,
    help="Seconds a read of keys, usage plans and function state is reused.",
)
@click.option("--region", help="Defaults to the stage's aws_region in zappa_settings.json.")
@click.option(
    "--cache-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=paths.CACHE / "local-stage",
    show_default=True,
    help="Where unzipped packages (code/) and the worker log (FUNCTION.log) go.",
)
def local_stage(
    stage: str,
    port: int,
    endpoint: str | None,
    concurrency: int,
    ttl: float,
    region: str | None,
    cache_dir: Path,
) -> None:
    """Serve STAGE at http://127.0.0.1:PORT/STAGE like API Gateway + Lambda (keys, usage plans,
    concurrency), running the deployed package in isolated worker processes."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    resolved = Stage.resolve(stage)
    region = region or resolved.region
    try:
        with (
            aws_errors(),
            exit_on_signals(),
            start_gateway(
                stage,
                endpoint,
                port=port,
                concurrency=concurrency,
                ttl=ttl,
                region=region,
                cache=cache_dir / "code",
                log_path=cache_dir / f"{resolved.function_name}.log",
            ) as base_url,
        ):
            click.echo(f"local stage {stage}: {base_url}  (Ctrl-C stops it)")
            threading.Event().wait()
    except (KeyboardInterrupt, SystemExit):
        click.echo(f"local stage {stage} stopped")
