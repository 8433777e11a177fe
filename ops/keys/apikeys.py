"""The API Gateway keys of one stage: find, create, attach, disable, delete; never print values.

A key belongs to the stage when it is tagged ZappaProject=PROJECT-STAGE (what the IAM policies
of the deploy and key-rotation roles condition on), named PROJECT-STAGE-..., attached to the
stage's usage plan, or referenced by the stage's secret. Tags are set once, at creation (moto can't
tag a key later); what changes over a key's life (promoted, disabled, revoked) is kept as JSON in
its description, which `update_api_key` can replace.
"""

import json
from dataclasses import dataclass, field

from botocore.exceptions import ClientError

from ops import aws, usage_plan
from ops.keys import clock
from ops.keys.policy import Policy
from ops.keys.ratelimit import SHARED, RateLimiter
from ops.keys.redact import KeysError, Refused, aws_guard, remember
from ops.stage import Stage

TAG_ROTATION, TAG_CREATED = "rotation-id", "created-at"  # besides Stage.resource_tags


@dataclass
class StageKey:
    id: str
    name: str
    enabled: bool
    tags: dict = field(default_factory=dict)
    meta: dict = field(default_factory=dict)
    aws_created: str = ""
    attached: bool = False

    @property
    def rotation_id(self) -> str | None:
        return self.tags.get(TAG_ROTATION)

    @property
    def created(self) -> str:
        return self.tags.get(TAG_CREATED) or self.aws_created

    @property
    def unborn(self) -> bool:
        """Made by a rotation that never promoted it: its value was never handed to anyone."""
        return bool(self.rotation_id) and "promoted_at" not in self.meta


def _meta(description: str | None) -> dict:
    try:
        meta = json.loads(description or "")
    except ValueError:
        return {}
    return meta if isinstance(meta, dict) else {}


class KeyRing:
    def __init__(self, stage: Stage, policy: Policy, limiter: RateLimiter = SHARED):
        """The keys of `stage`; `self.stage` is its name (messages and key metadata)."""
        self.stage, self.policy, self.limiter = stage.name, policy, limiter
        self.tags = stage.resource_tags
        self.prefix = f"{stage.function_name}-"  # PROJECT-STAGE-...: ops' key names
        self.client = stage.client("apigateway")
        plan_name = stage.usage_plan_name
        with aws_guard():
            plan = usage_plan.find_plan(self.client, plan_name)
        if plan is None:
            raise KeysError(
                f"usage plan {plan_name} not found: run "
                f"`python -m ops usage-plan {stage.name}` first"
            )
        self.plan_id = plan["id"]
        self._ids: set[str] | None = None  # the stage's keys, once the account was listed
        self._account_keys = 0

    def _candidates(self, ids: set[str]) -> list[dict]:
        """The account's keys, listed once per run (API Gateway has no tag filter, and may hold
        10,000 keys); after that only the keys known to be the stage's, or in `ids`, by id."""
        if self._ids is None:
            with aws_guard():
                found = aws.listed(self.client, "get_api_keys", includeValues=False)
            self._account_keys = len(found)
            return found
        found = []
        for key_id in sorted(self._ids | ids):
            with aws_guard():
                try:
                    found.append(self.client.get_api_key(apiKey=key_id, includeValue=False))
                except ClientError as exc:
                    if aws.error_code(exc) != "NotFoundException":
                        raise
        return found

    def _plan_keys(self) -> set[str]:
        with aws_guard():
            items = aws.listed(self.client, "get_usage_plan_keys", usagePlanId=self.plan_id)
        return {item["id"] for item in items}

    def keys(self, referenced: set[str] = frozenset()) -> dict[str, StageKey]:
        """Every key of the stage by id (see the module docstring for what belongs)."""
        attached, found = self._plan_keys(), {}
        for item in self._candidates(attached | referenced):
            tags, meta = item.get("tags") or {}, _meta(item.get("description"))
            ours = (
                tags.items() >= self.tags.items()
                or meta.get("stage") == self.stage
                or (item.get("name") or "").startswith(self.prefix)
            )
            if ours or item["id"] in attached or item["id"] in referenced:
                created = item.get("createdDate")
                found[item["id"]] = StageKey(
                    id=item["id"],
                    name=item.get("name") or "",
                    enabled=bool(item.get("enabled")),
                    tags=tags,
                    meta=meta,
                    aws_created=clock.stamp(created) if created else "",
                    attached=item["id"] in attached,
                )
        self._ids = set(found)
        return found

    def value(self, key_id: str) -> str:
        with aws_guard():
            return remember(self.client.get_api_key(apiKey=key_id, includeValue=True)["value"])

    def check_quota(self) -> None:
        """Refuse before CreateApiKey would fail: the account shares 10,000 keys per region."""
        if self._ids is None:
            self.keys()
        count, limit = self._account_keys, self.policy.account_key_limit
        if count >= limit - self.policy.quota_margin:
            raise Refused(
                f"the account has {count} API keys of its {limit} in this region: delete unused "
                f"keys (`python -m ops keys prune STAGE` for each stage) or raise the quota"
            )

    def create(self, rotation_id: str, created_at: str) -> tuple[StageKey, str]:
        """A new enabled key tagged with the stage, rotation and time; returns (key, value)."""
        self.check_quota()
        tags = {
            **self.tags,
            TAG_ROTATION: rotation_id,
            TAG_CREATED: created_at,
        }
        meta = {"stage": self.stage, "rotation_id": rotation_id}
        self.limiter.wait("CreateApiKey")
        with aws_guard():
            try:
                made = self.client.create_api_key(
                    name=f"{self.prefix}{rotation_id}",
                    description=json.dumps(meta),
                    enabled=True,
                    tags=tags,
                )
            except ClientError as exc:
                if aws.error_code(exc) != "LimitExceededException":
                    raise
                raise Refused(
                    "API Gateway refused a new key: the account's API key quota is reached"
                ) from None
        value = remember(made["value"])
        self._ids.add(made["id"])
        self._account_keys += 1
        key = StageKey(made["id"], made["name"], True, tags, meta, created_at)
        return key, value

    def attach(self, key: StageKey) -> None:
        if key.attached:
            return
        with aws_guard():
            try:
                self.client.create_usage_plan_key(
                    usagePlanId=self.plan_id, keyId=key.id, keyType="API_KEY"
                )
            except ClientError as exc:
                if aws.error_code(exc) != "ConflictException":  # attached already
                    raise
        key.attached = True

    def detach(self, key: StageKey) -> None:
        if not key.attached:
            return
        with aws_guard():
            try:
                self.client.delete_usage_plan_key(usagePlanId=self.plan_id, keyId=key.id)
            except ClientError as exc:
                if aws.error_code(exc) != "NotFoundException":
                    raise
        key.attached = False

    def annotate(self, key: StageKey, enabled: bool | None = None, **meta: str) -> None:
        """Record lifecycle facts in the description (and flip `enabled`) in one PATCH."""
        new_meta = {"stage": self.stage, **key.meta, **meta}
        ops = [{"op": "replace", "path": "/description", "value": json.dumps(new_meta)}]
        if enabled is not None:
            ops.append({"op": "replace", "path": "/enabled", "value": str(enabled).lower()})
        with aws_guard():
            self.client.update_api_key(apiKey=key.id, patchOperations=ops)
        key.meta = new_meta
        if enabled is not None:
            key.enabled = enabled

    def disable(self, key: StageKey, at: str, **meta: str) -> None:
        """Disabled and out of the usage plan: API Gateway answers 403 to it either way."""
        if key.enabled or clock.parse(key.meta.get("disabled_at")) is None:
            self.annotate(key, enabled=False, disabled_at=at, **meta)
        self.detach(key)

    def delete(self, key: StageKey) -> None:
        self.detach(key)
        self.limiter.wait("DeleteApiKey")
        with aws_guard():
            try:
                self.client.delete_api_key(apiKey=key.id)
            except ClientError as exc:
                if aws.error_code(exc) != "NotFoundException":
                    raise
        if self._ids is not None and key.id in self._ids:
            self._ids.discard(key.id)
            self._account_keys -= 1
