"""The API key the load test sends as `x-api-key`: $API_KEY, else the stage's secret.

The secret (`PROJECT/STAGE/api-key`, JSON `{"key_id", "value"}`) is the one key rotation
keeps current. The value is never printed or logged; errors name the secret, not its contents.
"""

import os

from botocore.exceptions import BotoCoreError, ClientError

import project
from loadtest.aws_clients import make_client
from loadtest.errors import LoadTestError
from ops.keys import store

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


def read_secret_key(stage: str, client=None) -> str:
    """The current key's value, read by ops' one reader of the secret (ops.keys.store.fetch);
    every failure is one line that says what the load-test user can do about it."""
    secret_id = project.api_key_secret_name(stage)
    client = client or make_client("secretsmanager")
    try:
        key = store.fetch(client, secret_id)
    except store.SecretDenied as exc:
        raise LoadTestError(
            f"cannot read secret {secret_id} ({exc.code}): this role may not "
            f"secretsmanager:GetSecretValue on it; use the load-test role or set API_KEY"
        ) from None
    except store.NotOurKey:
        raise LoadTestError(
            f'secret {secret_id} is not JSON of the form {{"key_id": ..., "value": ...}}'
        ) from None
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "ClientError")
        raise LoadTestError(
            f"cannot read secret {secret_id} ({code}); set API_KEY or deploy the stage's key"
        ) from None
    except BotoCoreError as exc:
        raise LoadTestError(f"cannot read secret {secret_id}: {exc}") from None
    if key is None:
        raise LoadTestError(
            f"cannot read secret {secret_id} (ResourceNotFoundException): it does not exist yet; "
            f"deploy the stage (its first deploy creates the key) or set API_KEY"
        )
    return key.value
