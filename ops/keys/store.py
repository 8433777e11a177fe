"""The stage's secret `PROJECT/STAGE/api-key`: JSON {"key_id", "value"} per version, and the
staging labels Secrets Manager's own rotation protocol uses.

AWSCURRENT is the key clients use, AWSPREVIOUS the one before it (still valid during the overlap
window), AWSPENDING the key of a rotation in flight, on the version whose id is the rotation id
(put_secret_value's ClientRequestToken). Promotion moves AWSCURRENT with RemoveFromVersionId set
to the version we saw as current: Secrets Manager refuses the move if another run moved it first.
"""

import json
from dataclasses import dataclass, field

from botocore.exceptions import ClientError

from ops import aws
from ops.keys.redact import KeysError, Refused, aws_guard, remember
from ops.stage import Stage

CURRENT, PREVIOUS, PENDING = "AWSCURRENT", "AWSPREVIOUS", "AWSPENDING"


@dataclass(frozen=True)
class StoredKey:
    """One secret version's content; the value is left out of repr so it can't be printed."""

    key_id: str
    value: str = field(repr=False)

    def body(self) -> str:
        return json.dumps({"key_id": self.key_id, "value": self.value})


@dataclass(frozen=True)
class Version:
    version_id: str
    labels: tuple[str, ...]
    key: StoredKey | None  # None when the content isn't {"key_id", "value"} (not ours)


def parse(secret_string: str | None) -> StoredKey | None:
    try:
        document = json.loads(secret_string or "")
        key_id, value = document["key_id"], document["value"]
    except (ValueError, TypeError, KeyError):
        return None
    if not (isinstance(key_id, str) and isinstance(value, str) and key_id and value):
        return None
    return StoredKey(key_id, remember(value))


class SecretDenied(aws.AwsError):
    """AccessDenied on the secret: the role's missing permission, never "no secret yet"."""

    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.code = code


class NotOurKey(KeysError):
    """The secret holds something other than {"key_id", "value"}."""


def refuse_denied(exc: ClientError, action: str, name: str) -> None:
    """AccessDenied is never "no secret": for a secret that does not exist yet AWS checks the ARN
    without its random suffix, so a role scoped to NAME-?????? gets AccessDenied instead."""
    code = aws.error_code(exc)
    if code in aws.ACCESS_DENIED:
        raise SecretDenied(aws.secret_denied(action, name), code) from None


class SecretStore:
    """One stage's secret, as the key rotation reads and moves it."""

    def __init__(self, stage: Stage):
        self.name = stage.api_key_secret_name
        self.client = stage.client("secretsmanager")

    def labels(self) -> dict[str, tuple[str, ...]]:
        """Version id -> staging labels; versions without labels are left out."""
        with aws_guard():
            try:
                described = self.client.describe_secret(SecretId=self.name)
            except ClientError as exc:
                refuse_denied(exc, "DescribeSecret", self.name)
                if aws.error_code(exc) != "ResourceNotFoundException":
                    raise
                raise KeysError(
                    f"secret {self.name} does not exist: deploy the stage first "
                    f"(`python -m ops usage-plan STAGE` creates the first key)"
                ) from None
        versions = described.get("VersionIdsToStages", {})
        return {version: tuple(labels) for version, labels in versions.items() if labels}

    def version(self, version_id: str, labels: tuple[str, ...] = ()) -> Version:
        with aws_guard():
            raw = self.client.get_secret_value(SecretId=self.name, VersionId=version_id)
        return Version(version_id, labels, parse(raw.get("SecretString")))

    def put_pending(self, rotation_id: str, key: StoredKey) -> None:
        """Idempotent for the same rotation id and content (Secrets Manager's request token)."""
        with aws_guard():
            self.client.put_secret_value(
                SecretId=self.name,
                ClientRequestToken=rotation_id,
                SecretString=key.body(),
                VersionStages=[PENDING],
            )

    def promote(self, version_id: str, seen_current: str) -> None:
        """Move AWSCURRENT from the version we saw to ours (AWSPREVIOUS follows, by AWS)."""
        with aws_guard():
            try:
                self.client.update_secret_version_stage(
                    SecretId=self.name,
                    VersionStage=CURRENT,
                    MoveToVersionId=version_id,
                    RemoveFromVersionId=seen_current,
                )
            except ClientError as exc:
                if aws.error_code(exc) != "InvalidParameterException":
                    raise
                raise Refused(
                    f"AWSCURRENT of {self.name} moved while this rotation ran (another rotation "
                    f"promoted its key); this rotation's key is withdrawn"
                ) from None

    def drop_label(self, label: str, version_id: str) -> None:
        with aws_guard():
            self.client.update_secret_version_stage(
                SecretId=self.name, VersionStage=label, RemoveFromVersionId=version_id
            )


def fetch(client, name: str, label: str = CURRENT) -> StoredKey | None:
    """The one reader of a stage's key, secret `name` (deploy, smoke, status, rotation, the load
    test with its own client, scripts).

    None when the secret, or a version with `label`, does not exist yet. Raises SecretDenied on
    AccessDenied and NotOurKey for content not in our format; other botocore errors go to the
    caller, whose guard words them for its users.
    """
    try:
        raw = client.get_secret_value(SecretId=name, VersionStage=label)
    except ClientError as exc:
        refuse_denied(exc, "GetSecretValue", name)
        if aws.error_code(exc) == "ResourceNotFoundException":
            return None
        raise
    key = parse(raw.get("SecretString"))
    if key is None:
        raise NotOurKey(f'secret {name} ({label}) is not JSON {{"key_id": ..., "value": ...}}')
    return key


def of_stage(stage: Stage, label: str = CURRENT) -> StoredKey | None:
    """fetch() for a stage: its secret, with its client."""
    return fetch(stage.client("secretsmanager"), stage.api_key_secret_name, label)


def current(stage: Stage) -> StoredKey | None:
    """The key clients use (AWSCURRENT), or None when there is none we could use."""
    with aws.aws_errors():
        try:
            return of_stage(stage)
        except NotOurKey:
            return None


def read(stage: Stage, label: str = CURRENT) -> StoredKey:
    """A stage's key by staging label, which must exist (key rotation and scripts)."""
    with aws_guard():
        key = of_stage(stage, label)
    if key is None:
        raise KeysError(f"secret {stage.api_key_secret_name} has no {label} version")
    return key
