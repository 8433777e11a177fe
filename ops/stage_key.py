"""The stage's API key: ops owns it, Secrets Manager holds it, Zappa never creates one.

Before a stage's first `zappa deploy`, ops creates `PROJECT-STAGE-<UTC time>` (tagged
ZappaProject=PROJECT-STAGE at creation, the tag the IAM roles check), stores {"key_id", "value"}
in the secret PROJECT/STAGE/api-key (AWSCURRENT), and renders the key's id into the stage's
settings as `api_key`: Zappa then only adds the API stage to that key (UpdateApiKey) instead of
creating an untagged `<stage>_<apiId>` that ops would have to delete. After Zappa, `ops usage-plan`
attaches the key to the stage's usage plan. The key-rotation job replaces it later the same way.
Values are never printed.
"""

import json
from datetime import UTC, datetime
from pathlib import Path

import click
from botocore.exceptions import ClientError

import project
from ops import aws, changes, zappa_settings
from ops.keys import store as key_store
from ops.stage import Stage


def _stored_key(stage: Stage) -> tuple[bool, str | None]:
    """(whether the stage's secret exists, its current key id).

    Only "no such secret" means "no key yet" (store.fetch): AccessDenied taken for "missing" would
    create a second key on every deploy. A secret holding something else gets our key put over it.
    """
    with aws.aws_errors():
        try:
            key = key_store.of_stage(stage)
        except key_store.NotOurKey:
            return True, None
    return key is not None, key.key_id if key else None


def _key_exists(client, key_id: str) -> bool:
    try:
        client.get_api_key(apiKey=key_id)
    except ClientError as exc:
        if aws.error_code(exc) == "NotFoundException":
            return False
        raise
    return True


def plan_key_ids(client, plan_id: str) -> set[str]:
    return {key["id"] for key in aws.listed(client, "get_usage_plan_keys", usagePlanId=plan_id)}


def zappa_keys(client, stage: str, api_id: str) -> list[dict]:
    """Keys an older `zappa deploy` created for this API stage, matched by their exact name."""
    name = f"{stage}_{api_id}"
    found = aws.listed(client, "get_api_keys", nameQuery=name)
    return [key for key in found if key.get("name") == name]


def _store(stage: Stage, secret_exists: bool, value: dict) -> None:
    client, name = stage.client("secretsmanager"), stage.api_key_secret_name
    body = json.dumps(value)
    if secret_exists:
        client.put_secret_value(SecretId=name, SecretString=body)  # becomes AWSCURRENT
    else:
        client.create_secret(
            Name=name,
            SecretString=body,
            Description=f"API key of {project.NAME} {stage.name}: JSON key_id and value",
        )


def key_actions(stage: Stage, plan: dict | None) -> tuple[changes.Actions, dict]:
    """Steps leaving one ops key stored (AWSCURRENT) and, given a plan, attached to it.

    `plan` is None before the first deploy (no usage plan yet); `plan['plan_id']` may be set
    later. `state['key_id']` is the stage's key once known.
    """
    apigw = stage.client("apigateway")
    plan_name, secret_name = stage.usage_plan_name, stage.api_key_secret_name
    secret_exists, key_id = _stored_key(stage)
    todo, state, new = changes.Actions(), {}, {}
    with aws.aws_errors():
        have_key = bool(key_id) and _key_exists(apigw, key_id)
        attached = (
            have_key
            and plan is not None
            and "plan_id" in plan
            and key_id in plan_key_ids(apigw, plan["plan_id"])
        )
    if have_key:
        state["key_id"] = key_id

    def create():
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        with aws.aws_errors():
            made = apigw.create_api_key(
                name=f"{stage.function_name}-{stamp}",
                description=f"{project.NAME} {stage.name}: managed by ops, stored in {secret_name}",
                enabled=True,
                tags=stage.resource_tags,
            )
        new.update(key_id=made["id"], value=made["value"])

    def store():
        with aws.aws_errors():
            _store(stage, secret_exists, new)
        state["key_id"] = new["key_id"]

    def attach():
        with aws.aws_errors():
            apigw.create_usage_plan_key(
                usagePlanId=plan["plan_id"], keyId=state["key_id"], keyType="API_KEY"
            )

    if not have_key:
        todo.add(f"create API key {stage.function_name}-<UTC time>", create)
        todo.add(f"store the new key in secret {secret_name} (AWSCURRENT)", store)
    if plan is not None and not attached:
        shown = key_id if have_key else "the new key"
        todo.add(f"attach {shown} to usage plan {plan_name}", attach)
    return todo, state


def prepare_first_deploy(stage: Stage, config: dict) -> Path:
    """Before the stage's first `zappa deploy`: its ops key exists, and Zappa is told to use it
    (`api_key` in build/zappa_settings.STAGE.json), so Zappa never creates a key of its own."""
    todo, state = key_actions(stage, plan=None)
    todo.apply(dry_run=False)
    click.echo(f"zappa deploy adds the API stage to the stage's key {state['key_id']}")
    return zappa_settings.write_rendered(
        stage, zappa_settings.with_api_key(config, state["key_id"])
    )


def note_zappa_keys(stage: Stage, api_id: str) -> None:
    """Name a key an older `zappa deploy` left: it is in no usage plan, so API Gateway refuses
    it (403), and ops no longer deletes keys it did not create (no untagged-key permission)."""
    with aws.aws_errors():
        found = zappa_keys(stage.client("apigateway"), stage.name, api_id)
    for key in found:
        click.echo(
            f"note: {key['id']} ({key['name']}) is Zappa's key from an older deploy; it works "
            f"nowhere. An administrator may delete it: aws apigateway delete-api-key "
            f"--api-key {key['id']}"
        )
