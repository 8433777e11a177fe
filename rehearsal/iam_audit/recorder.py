"""Record every AWS API call botocore makes in this process, as JSON lines, for audit.py.

A record names the step and the role that step would use in GitHub Actions, the service, the
operation, the region, the identifying parameters (names, ids, ARNs, S3 keys, tags) and the ids,
names and tags found in the response. Secret material never reaches the file: only whitelisted
fields are kept (no SecretString, no API key value, no ZipFile, no presigned Code.Location).

    recorder = CallRecorder("calls.jsonl")
    recorder.install()                 # every botocore session created from now on, and boto3's
    with recorder.step("deploy dev", role="sklearn-zappa-ml-dev-deploy"):
        ...                            # zappa deploy, ops usage-plan, ...
    recorder.uninstall()

Calls made outside a step (test setup, the rehearsal's own fixtures) are not recorded.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import botocore.session

# Request parameters worth keeping besides the URI and query-string members (always identifiers).
PARAM_KEYS = frozenset(
    {
        "Bucket", "Key", "CopySource", "FunctionName", "Qualifier", "Role", "RoleArn", "RoleName",
        "Principal", "SourceArn", "StatementId", "Resource", "S3Bucket", "S3Key", "StackName",
        "LogicalResourceId", "TemplateURL", "Name", "Rule", "TargetArn", "SecretId", "Tags",
        "tags", "name", "nameQuery", "restApiId", "usagePlanId", "keyId", "apiKey", "stageName",
        "logGroupName", "Namespace", "MetricName",
    }
)  # fmt: skip
# Containers walked in responses, and the scalar fields kept inside them.
RESPONSE_CONTAINERS = frozenset({"items", "Stacks", "StackResourceDetail", "Configuration"})
RESPONSE_KEYS = frozenset(
    {
        "id", "name", "StackName", "StackId", "LogicalResourceId", "PhysicalResourceId",
        "ResourceType", "FunctionArn", "FunctionName", "Role", "Version", "RuleArn", "ARN", "Name",
    }
)  # fmt: skip
TAG_KEYS = frozenset({"Tags", "tags"})


def project_params(params: dict[str, Any], uri_members: set[str]) -> dict[str, Any]:
    """The identifying subset of a call's parameters."""
    kept: dict[str, Any] = {}
    for key, value in params.items():
        if key == "Code" and isinstance(value, dict):
            code = {k: v for k, v in value.items() if k in ("S3Bucket", "S3Key")}
            if code:
                kept["Code"] = code
        elif key == "Targets" and isinstance(value, list):
            kept["Targets"] = [{"Id": t.get("Id"), "Arn": t.get("Arn")} for t in value]
        elif (key in PARAM_KEYS or key in uri_members) and (
            isinstance(value, (str, int, bool)) or key in TAG_KEYS or key == "CopySource"
        ):
            kept[key] = value
    return kept


def project_response(parsed: Any) -> dict[str, Any]:
    """Ids, names and tags from a parsed response, walking only known containers."""
    if not isinstance(parsed, dict):
        return {}
    kept: dict[str, Any] = {}
    for key, value in parsed.items():
        if key in TAG_KEYS or (key in RESPONSE_KEYS and isinstance(value, (str, int, bool))):
            kept[key] = value
        elif key in RESPONSE_CONTAINERS:
            if isinstance(value, list):
                kept[key] = [project_response(item) for item in value]
            elif isinstance(value, dict):
                kept[key] = project_response(value)
    return kept


def _uri_members(model: Any) -> set[str]:
    shape = model.input_shape
    if shape is None:
        return set()
    return {
        name
        for name, member in shape.members.items()
        if member.serialization.get("location") in ("uri", "querystring")
    }


class CallRecorder:
    """Appends one JSON line per AWS API call to a file; thread-safe (s3transfer uses threads)."""

    def __init__(self, path: str | os.PathLike[str]):
        self.path = Path(path)
        self.step_name: str | None = None
        self.role: str | None = None
        self._lock = threading.Lock()
        self._original_init: Any = None

    @contextlib.contextmanager
    def step(self, name: str, role: str) -> Iterator[None]:
        """Calls made inside are attributed to this step and this role."""
        previous = (self.step_name, self.role)
        self.step_name, self.role = name, role
        try:
            yield
        finally:
            self.step_name, self.role = previous

    def attach(self, session: Any) -> None:
        """Hook one botocore session, or boto3 session, into this recorder."""
        events = (
            session.events
            if isinstance(session, boto3.Session)
            else session.get_component("event_emitter")
        )
        events.register("provide-client-params", self._on_params, unique_id=f"iam-rec-{id(self)}-p")
        events.register("after-call", self._on_after, unique_id=f"iam-rec-{id(self)}-a")
        events.register("after-call-error", self._on_error, unique_id=f"iam-rec-{id(self)}-e")

    def install(self) -> None:
        """Hook boto3's default session and every botocore session created until uninstall()."""
        if self._original_init is not None:
            return
        original = botocore.session.Session.__init__
        recorder = self

        def init(session: botocore.session.Session, *args: Any, **kwargs: Any) -> None:
            original(session, *args, **kwargs)
            recorder.attach(session)

        self._original_init = original
        botocore.session.Session.__init__ = init  # type: ignore[method-assign]
        if boto3.DEFAULT_SESSION is None:
            boto3.setup_default_session()
        else:
            self.attach(boto3.DEFAULT_SESSION)

    def uninstall(self) -> None:
        """Stop hooking new sessions (sessions already hooked keep recording)."""
        if self._original_init is not None:
            botocore.session.Session.__init__ = self._original_init  # type: ignore[method-assign]
            self._original_init = None

    def _on_params(self, params: dict[str, Any], model: Any, context: dict, **_: Any) -> None:
        if self.step_name is None:
            return  # outside any step: setup, not something a workflow role does
        context["iam_audit"] = {
            "step": self.step_name,
            "role": self.role,
            "service": model.service_model.service_name,
            "operation": model.name,
            "region": context.get("client_region"),
            "params": project_params(params, _uri_members(model)),
        }

    def _on_after(self, http_response: Any, parsed: Any, context: dict, **_: Any) -> None:
        record = context.pop("iam_audit", None)
        if record is None:
            return
        error = parsed.get("Error", {}).get("Code") if isinstance(parsed, dict) else None
        record["status"] = getattr(http_response, "status_code", None)
        record["error"] = error
        record["response"] = {} if error else project_response(parsed)
        self._write(record)

    def _on_error(self, context: dict, exception: Exception, **_: Any) -> None:
        record = context.pop("iam_audit", None)
        if record is None:
            return
        record.update(status=None, error=type(exception).__name__, response={})
        self._write(record)

    def _write(self, record: dict[str, Any]) -> None:
        line = json.dumps(record, sort_keys=True, default=str)
        with self._lock, self.path.open("a", encoding="utf-8") as fh:
            fh.write(line + "\n")
