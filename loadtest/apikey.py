"""The API key the load test sends as `x-api-key`: $API_KEY, else the stage's secret.

The secret (`sklearn-zappa-ml/STAGE/api-key`, JSON `{"key_id", "value"}`) is the one key rotation
keeps current. The value is never printed or logged; errors name the secret, not its contents.
"""

import json
import os

from botocore.exceptions import BotoCoreError, ClientError

from loadtest.aws import api_key_secret_id, make_client
from loadtest.errors import LoadTestError

HEADER = "x-api-key"
ENV_VAR = "API_KEY"


def resolve_api_key(stage: str | None) -> str | None:
    """$API_KEY wins; with a stage, read its secret; without either, send no key (loopback)."""
    value = os.environ.get(ENV_VAR, "")
    if value:
        return value
    if not stage:
        return None
    return read_secret_key(stage)


def unreadable(secret_id: str, exc: ClientError) -> str:
    """Why the secret could not be read. AccessDenied is the role's missing permission, never
    "no key yet" (AWS answers it for a missing secret too when the role only covers NAME-??????)."""
    code = exc.response.get("Error", {}).get("Code", "ClientError")
    if code == "ResourceNotFoundException":
        return (
            f"cannot read secret {secret_id} ({code}): it does not exist yet; deploy the stage "
            f"(its first deploy creates the key) or set API_KEY"
        )
    if code in {"AccessDenied", "AccessDeniedException"}:
        return (
            f"cannot read secret {secret_id} ({code}): this role may not "
            f"secretsmanager:GetSecretValue on it; use the load-test role or set API_KEY"
        )
    return f"cannot read secret {secret_id} ({code}); set API_KEY or deploy the stage's key"


def read_secret_key(stage: str, client=None) -> str:
    secret_id = api_key_secret_id(stage)
    client = client or make_client("secretsmanager")
    try:
        secret = client.get_secret_value(SecretId=secret_id, VersionStage="AWSCURRENT")
    except ClientError as exc:
        raise LoadTestError(unreadable(secret_id, exc)) from None
    except BotoCoreError as exc:
        raise LoadTestError(f"cannot read secret {secret_id}: {exc}") from None
    try:
        document = json.loads(secret.get("SecretString") or "")
        value = document["value"]
    except (ValueError, TypeError, KeyError):
        raise LoadTestError(
            f'secret {secret_id} is not JSON of the form {{"key_id": ..., "value": ...}}'
        ) from None
    if not isinstance(value, str) or not value:
        raise LoadTestError(f"secret {secret_id} has an empty or non-string value")
    return value
