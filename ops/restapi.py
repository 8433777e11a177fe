"""Find a stage's REST API (Zappa names it PROJECT-STAGE) and its invoke URL."""

import click

from ops import aws, paths


def api_ids_named(client, name: str) -> list[str]:
    """Ids of the REST APIs called `name` (API Gateway allows duplicates; callers decide)."""
    return [api["id"] for api in aws.listed(client, "get_rest_apis") if api.get("name") == name]


def rest_api_id(stage: str, region: str) -> str | None:
    client = aws.make_client("apigateway", region)
    name = paths.function_name(stage)
    with aws.aws_errors():
        found = api_ids_named(client, name)
    if len(found) > 1:
        raise click.ClickException(
            f"{len(found)} REST APIs are named {name}: remove the stale ones"
        )
    return found[0] if found else None


def require_api_id(stage: str, region: str) -> str:
    api_id = rest_api_id(stage, region)
    if api_id is None:
        raise click.ClickException(
            f"no REST API named {paths.function_name(stage)} in {region}: deploy the stage first"
        )
    return api_id


def stage_url(api_id: str, region: str, stage: str) -> str:
    """The regional endpoint API Gateway serves the stage on (the smoke and load tests' base)."""
    return f"https://{api_id}.execute-api.{region}.amazonaws.com/{stage}"
