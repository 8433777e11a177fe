"""The stage's API key: ops owns it, Secrets Manager holds it, Zappa's own key is removed.

On its first deploy Zappa creates a key named `<stage>_<apiId>`, tied to nothing ops manages and
never rotated. Instead ops creates `PROJECT-STAGE-<UTC time>`, attaches it to the stage's usage
plan and stores {"key_id", "value"} in the secret PROJECT/STAGE/api-key (AWSCURRENT); the
key-rotation job replaces it later the same way. Zappa's key is deleted. Values are never printed.
"""

import json
from datetime import UTC, datetime

from botocore.exceptions import ClientError

from ops import actions, aws, paths


def read_secret(stage: str, region: str) -> dict | None:
    """The stage's current key as {"key_id", "value"}, or None when no secret exists yet."""
    client = aws.make_client("secretsmanager", region)
    with aws.aws_errors():
        try:
            raw = client.get_secret_value(
                SecretId=paths.api_key_secret_name(stage), VersionStage="AWSCURRENT"
            )["SecretString"]
        except ClientError as exc:
            if aws.error_code(exc) == "ResourceNotFoundException":
                return None
            raise
    try:
        secret = json.loads(raw)
    except json.JSONDecodeError:
        return {}
    return secret if isinstance(secret, dict) else {}


def _key_exists(client, key_id: str) -> bool:
    try:
        client.get_api_key(apiKey=key_id)
    except ClientError as exc:
        if aws.error_code(exc) == "NotFoundException":
            return False
        raise
    return True


def plan_key_ids(client, plan_id: str) -> set[str]:
    pages = client.get_paginator("get_usage_plan_keys").paginate(usagePlanId=plan_id)
    return {key["id"] for page in pages for key in page.get("items", [])}


def zappa_keys(client, stage: str, api_id: str) -> list[dict]:
    """The key(s) `zappa deploy` created for this API stage, matched by their exact name."""
    name = f"{stage}_{api_id}"
    found = client.get_api_keys(nameQuery=name, limit=500).get("items", [])
    return [key for key in found if key.get("name") == name]


def _store(client, stage: str, secret_exists: bool, value: dict) -> None:
    name, body = paths.api_key_secret_name(stage), json.dumps(value)
    if secret_exists:
        client.put_secret_value(SecretId=name, SecretString=body)  # becomes AWSCURRENT
    else:
        client.create_secret(
            Name=name,
            SecretString=body,
            Description=f"API key of {paths.PROJECT} {stage}: JSON key_id and value",
        )


def key_actions(stage: str, region: str, api_id: str, plan: dict) -> actions.Actions:
    """Steps leaving one ops key attached and stored; `plan['plan_id']` may be set later."""
    apigw = aws.make_client("apigateway", region)
    secrets = aws.make_client("secretsmanager", region)
    plan_name, secret_name = paths.usage_plan_name(stage), paths.api_key_secret_name(stage)
    secret = read_secret(stage, region)
    key_id = (secret or {}).get("key_id")
    todo = actions.Actions()
    with aws.aws_errors():
        have_key = bool(key_id) and _key_exists(apigw, key_id)
        attached = have_key and "plan_id" in plan and key_id in plan_key_ids(apigw, plan["plan_id"])
        stale = [key for key in zappa_keys(apigw, stage, api_id) if key["id"] != key_id]
    new: dict = {}

    def create():
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        with aws.aws_errors():
            made = apigw.create_api_key(
                name=f"{paths.PROJECT}-{stage}-{stamp}",
                description=f"{paths.PROJECT} {stage}: managed by ops, stored in {secret_name}",
                enabled=True,
                tags=paths.resource_tags(stage),
            )
        new.update(key_id=made["id"], value=made["value"])

    def attach():
        with aws.aws_errors():
            apigw.create_usage_plan_key(
                usagePlanId=plan["plan_id"], keyId=new.get("key_id", key_id), keyType="API_KEY"
            )

    def store():
        with aws.aws_errors():
            _store(secrets, stage, secret is not None, new)

    if not have_key:
        todo.add(f"create API key {paths.PROJECT}-{stage}-<UTC time>", create)
        todo.add(f"attach the new key to usage plan {plan_name}", attach)
        todo.add(f"store the new key in secret {secret_name} (AWSCURRENT)", store)
    elif not attached:
        todo.add(f"attach API key {key_id} to usage plan {plan_name}", attach)
    for key in stale:

        def delete(key_id=key["id"]):
            with aws.aws_errors():
                apigw.delete_api_key(apiKey=key_id)

        todo.add(f"delete Zappa's API key {key['id']} ({key['name']}): ops owns the keys", delete)
    return todo
