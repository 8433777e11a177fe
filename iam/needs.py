"""A need: one IAM request the pipeline makes, written with placeholders so it holds in any account.

The audit (iam.actions) turns a recorded call into concrete requests: this account, this region,
the REST API id this run happened to get. `generalize` writes such a request as a template
(`arn:{partition}:lambda:{region}:{account}:function:{project}-{stage}`), so the required
permissions can be committed as data (iam/required-calls.json) and filled in later with the facts
of a real account (`Need.fill`). Ids nobody knows before the first deploy (REST API, API key,
usage plan, deployment, function version, the random suffix of a secret's ARN) become
placeholders with a sample value (`SAMPLES`): the roles grant them by wildcard or by tag, so any
value of the right shape is decided the same way.
"""

from __future__ import annotations

import re
import urllib.parse
from dataclasses import dataclass
from typing import Any

from iam.actions import SECRET_ARN_SUFFIX, Request

# Placeholder -> (sample value, why it is not known in advance). Every sample has the shape AWS
# gives the real value.
SAMPLES: dict[str, tuple[str, str]] = {
    "rest_api_id": ("a1b2c3d4e5", "created by the stage's first deploy (Zappa's stack)"),
    "resource_id": ("f6g7h8", "a REST API resource id, created with the REST API"),
    "deployment_id": ("d1e2f3", "a new API Gateway deployment per update"),
    "api_key_id": ("k1l2m3n4o5", "created by ops before the first deploy and by each rotation"),
    "usage_plan_id": ("p1q2r3", "created by ops on the first deploy"),
    "version": ("7", "a Lambda version number, one per update"),
    "secret_suffix": (SECRET_ARN_SUFFIX, "Secrets Manager appends 6 random characters"),
    "timestamp": ("1700000000", "Zappa names its uploads with the time"),
    "rule_prefix": (
        "0123456789abcdef01234",
        "Zappa prefixes the keep-warm rule with a SHA-1 of the function name when the full name "
        "would reach 64 characters (test, prod)",
    ),
    "tag_value": ("example", "a tag value ops sets per rotation (time, rotation id)"),
}
# Placeholders a real account fills in from the bootstrap stack (iam.bootstrap_stack).
ACCOUNT_FACTS = ("partition", "account", "region", "project", "stage", "bucket")
# API Gateway path segment -> the placeholder for the id that follows it.
APIGW_IDS = {
    "restapis": "rest_api_id",
    "resources": "resource_id",
    "deployments": "deployment_id",
    "apikeys": "api_key_id",
    "usageplans": "usage_plan_id",
    "keys": "api_key_id",
}
TAG_PREFIXES = ("aws:requesttag/", "aws:resourcetag/")
_PLACEHOLDER = re.compile(r"\{([a-z_0-9]+)\}")


@dataclass(frozen=True)
class Need:
    """An IAM request as a template: action, resource ARN and context with {placeholders}."""

    action: str
    resource: str
    context: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def placeholders(self) -> set[str]:
        texts = [self.resource, *(v for _, values in self.context for v in values)]
        return {name for text in texts for name in _PLACEHOLDER.findall(text)}

    def fill(self, values: dict[str, str]) -> Request:
        """The concrete request for one account and stage (KeyError names a missing fact)."""

        def sub(text: str) -> str:
            return fill_text(text, values)

        context = {key: tuple(sub(v) for v in vals) for key, vals in self.context}
        return Request(self.action, sub(self.resource), context)

    def to_json(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "resource": self.resource,
            "context": {key: list(values) for key, values in self.context},
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Need:
        context = tuple(sorted((k, tuple(v)) for k, v in data.get("context", {}).items()))
        return cls(data["action"], data["resource"], context)


def fill_text(text: str, values: dict[str, str]) -> str:
    """Replace every {placeholder} (KeyError names a missing one)."""
    return _PLACEHOLDER.sub(lambda m: values[m.group(1)], text)


def sample_values() -> dict[str, str]:
    return {name: sample for name, (sample, _) in SAMPLES.items()}


@dataclass(frozen=True)
class Generalizer:
    """Rewrites one run's concrete requests as templates (the run's account, region, project)."""

    account: str
    region: str
    project: str
    stages: tuple[str, ...]
    partition: str = "aws"

    def need(self, request: Request, stage: str | None) -> Need:
        """The request as a template; `stage` is the stage the request belongs to, if any."""
        context = tuple(
            sorted(
                (key, tuple(self._context_value(key, v, stage) for v in values))
                for key, values in request.context.items()
            )
        )
        return Need(request.action, self.resource(request.resource, stage), context)

    def stage_of(self, role: str, request: Request) -> str | None:
        """The stage a request serves: the one its role is for, else the one it names."""
        own = self._role_stage(role)
        if own is not None:
            return own
        text = " ".join([request.resource, *(v for vs in request.context.values() for v in vs)])
        text = urllib.parse.unquote(text)
        project = re.escape(self.project)
        named = [s for s in self.stages if re.search(rf"{project}[-/]{s}\b", text)]
        return named[0] if len(named) == 1 else None

    def role(self, role: str) -> str:
        """A role name as a template: `{project}-{stage}-deploy`, `{project}-key-rotation`."""
        return self._names(role, self._role_stage(role))

    def _role_stage(self, role: str) -> str | None:
        return next((s for s in self.stages if role.startswith(f"{self.project}-{s}-")), None)

    def resource(self, arn: str, stage: str | None) -> str:
        if arn == "*":
            return arn
        parts = arn.split(":", 5)
        if len(parts) < 6:
            return self._names(arn, stage)
        _, _, service, region, account, rest = parts
        region = "{region}" if region == self.region else region
        account = "{account}" if account == self.account else account
        if service == "s3":
            rest = self._s3(rest)
        elif service == "apigateway":
            rest = self._apigateway_path(rest, stage)
        else:
            rest = self._names(rest, stage)
            if service == "lambda":
                rest = re.sub(r"^(function:[^:]+):\d+$", r"\1:{version}", rest)
            if service == "secretsmanager":
                rest = re.sub(rf"-{SECRET_ARN_SUFFIX}$", "-{secret_suffix}", rest)
            if service == "events":
                rest = re.sub(r"^rule/[0-9a-f]{8,}-", "rule/{rule_prefix}-", rest)
        return f"arn:{{partition}}:{service}:{region}:{account}:{rest}"

    def _names(self, text: str, stage: str | None) -> str:
        """Project and stage in names: PROJECT-STAGE, PROJECT/STAGE/, PROJECT."""
        if stage is not None:
            text = re.sub(rf"{re.escape(self.project)}([-/]){stage}\b", r"{project}\1{stage}", text)
        return text.replace(self.project, "{project}")

    def _s3(self, rest: str) -> str:
        """The stage's Zappa bucket, and the time in Zappa's upload names."""
        _, _, key = rest.partition("/")
        if not key:
            return "{bucket}"
        key = self._names(key, self._key_stage(key))
        return "{bucket}/" + re.sub(r"\d{6,}", "{timestamp}", key)

    def _key_stage(self, key: str) -> str | None:
        return next((s for s in self.stages if key.startswith(f"{self.project}-{s}-")), None)

    def _apigateway_path(self, path: str, stage: str | None) -> str:
        if path.startswith("/tags/"):
            inner = self.resource(urllib.parse.unquote(path.removeprefix("/tags/")), stage)
            return "/tags/" + urllib.parse.quote(inner, safe="{}")
        segments = path.split("/")
        for index in range(1, len(segments)):
            previous = segments[index - 1]
            if previous in APIGW_IDS:
                segments[index] = "{" + APIGW_IDS[previous] + "}"
            elif previous == "stages" and segments[index] == stage:
                segments[index] = "{stage}"
        return "/".join(segments)

    def _context_value(self, key: str, value: str, stage: str | None) -> str:
        if value.startswith("arn:"):
            return self.resource(value, stage)
        if key.lower().startswith(TAG_PREFIXES):
            if value == stage:
                return "{stage}"
            named = self._names(value, stage)
            return named if "{" in named else "{tag_value}"
        return self._names(value, stage)
