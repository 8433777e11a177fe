"""`python -m ops status STAGE`: what is deployed, read from AWS (key ids only, never values)."""

import click
from botocore.exceptions import ClientError

from ops import aws, http, restapi, smoke, stage_key, usage_plan
from ops.keys import store
from ops.stage import Stage
from ops.stage import argument as stage_argument


def function_lines(stage: Stage) -> list[str]:
    name, client = stage.function_name, stage.client("lambda")
    try:
        config = client.get_function(FunctionName=name)
    except ClientError as exc:
        if aws.error_code(exc) == "ResourceNotFoundException":
            return [f"function   {name}: not deployed"]
        raise
    conf, tags = config["Configuration"], config.get("Tags", {})
    pages = client.get_paginator("list_versions_by_function").paginate(FunctionName=name)
    versions = [
        v["Version"] for page in pages for v in page["Versions"] if v["Version"] != "$LATEST"
    ]
    latest = max(versions, key=int) if versions else "$LATEST only"
    return [
        f"function   {name}: version {latest} of {len(versions)} kept, {conf.get('Runtime')}, "
        f"{conf.get('MemorySize')} MB, {conf.get('Timeout')} s, "
        f"modified {conf.get('LastModified')}",
        f"code       sha256 {conf.get('CodeSha256')}, {conf.get('CodeSize', 0) / 1e6:.1f} MB, "
        f"deployed from git {tags.get('git_sha', 'unknown')}",
    ]


def plan_lines(stage: Stage, api_id: str | None) -> list[str]:
    client = stage.client("apigateway")
    plan = usage_plan.find_plan(client, stage.usage_plan_name)
    if plan is None:
        return [f"usage plan {stage.usage_plan_name}: missing (run `ops usage-plan {stage.name}`)"]
    attached = any(s.get("apiId") == api_id for s in plan.get("apiStages", []))
    throttle, quota = plan.get("throttle", {}), plan.get("quota", {})
    key_ids = sorted(stage_key.plan_key_ids(client, plan["id"]))
    return [
        f"usage plan {plan['name']} ({plan['id']}): rate {throttle.get('rateLimit')}/s, burst "
        f"{throttle.get('burstLimit')}, quota {quota.get('limit')}/{quota.get('period')}, "
        f"{'attached to' if attached else 'NOT attached to'} the API stage",
        f"plan keys  {', '.join(key_ids) or 'none'}",
    ]


@click.command("status")
@stage_argument
@click.option("--live", is_flag=True, help="Also ask the stage's /version what it serves.")
@smoke.target_options
def status(stage: Stage, live: bool, url, api_key_env, wait) -> None:
    """Show the function version, git SHA, usage plan and key ids of STAGE."""
    lines = []
    with aws.aws_errors():
        lines += function_lines(stage)
        api_id = restapi.rest_api_id(stage)
        base = restapi.stage_url(stage, api_id) if api_id else None
        lines.append(f"api        {base or 'no REST API'}")
        lines += plan_lines(stage, api_id)
    key = store.current(stage)
    current = key.key_id if key else None
    lines.append(
        f"secret     {stage.api_key_secret_name}: "
        f"{'current key ' + current if current else 'missing'}"
    )
    for line in lines:
        click.echo(line)
    if live:
        base, key = smoke.resolve_target(stage, url, api_key_env)
        served = http.call("GET", f"{base.rstrip('/')}/version", key)
        click.echo(
            f"serving    {served.error or served.status}: git {served.body.get('git_sha')}, "
            f"model {served.body.get('model_version')} ({served.body.get('model_sha256')})"
        )
