"""Find a stage's REST API (Zappa names it PROJECT-STAGE) and its invoke URL."""

import click

from ops import aws


def api_ids_named(client, name: str) -> list[str]:
    """Ids of the REST APIs called `name` (API Gateway allows duplicates; callers decide)."""
    return [api["id"] for api in aws.listed(client, "get_rest_apis") if api.get("name") == name]


def rest_api_id(stage) -> str | None:
    """The id of the stage's (an ops.stage.Stage) REST API, None before its first deploy."""
    name = stage.function_name
    with aws.aws_errors():
        found = api_ids_named(stage.client("apigateway"), name)
    if len(found) > 1:
        raise click.ClickException(
            f"{len(found)} REST APIs are named {name}: remove the stale ones"
        )
    return found[0] if found else None


def require_api_id(stage) -> str:
    api_id = rest_api_id(stage)
    if api_id is None:
        raise click.ClickException(
            f"no REST API named {stage.function_name} in {stage.region}: deploy the stage first"
        )
    return api_id


def stage_url(stage, api_id: str) -> str:
    """The regional endpoint API Gateway serves the stage on (the smoke and load tests' base)."""
    return f"https://{api_id}.execute-api.{stage.region}.amazonaws.com/{stage.name}"
