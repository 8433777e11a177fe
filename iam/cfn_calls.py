"""What CloudFormation calls with the deployer's credentials for Zappa's API Gateway stack.

Zappa passes no service role, so CloudFormation's resource handlers call API Gateway as the deploy
role, and no recorder sees those calls. Their permissions come from CloudFormation's resource
provider schemas (`handlers.create/update/delete.permissions`), which cfn-lint ships; the resource
types and properties come from Zappa 0.63's own template (`Zappa.create_stack_template`, built
offline here with the settings in zappa_settings.json). Each schema permission is either turned
into the concrete requests AWS authorizes (`REQUESTS`: HTTP verb on an API Gateway path, or
iam:PassRole) or excluded with a reason tied to the properties Zappa sets (`EXCLUDED`);
tests/iam fails when a schema lists a permission that neither table names.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import boto3
from cfnlint.schema import PROVIDER_SCHEMA_MANAGER

from project import SETTINGS_FILE, zappa_stages

HANDLERS = {"CreateStack": ("create",), "UpdateStack": ("update",), "DeleteStack": ("delete",)}

# (resource type, permission) -> {handler: [path templates]}. Paths are relative to
# arn:PARTITION:apigateway:REGION:: and use {api} (REST API id), {root} (its root resource id),
# {resource} (the {proxy+} resource id), {method} (HTTP method of an AWS::ApiGateway::Method) and
# {tags} (the url-encoded ARN of the REST API). "PassRole" passes the integration's Credentials.
REQUESTS: dict[tuple[str, str], dict[str, list[str]]] = {
    ("AWS::ApiGateway::RestApi", "apigateway:POST"): {"create": ["/restapis"]},
    # Tags are applied as PUT on the tags path, at creation too (the stack's tags), and re-applied
    # on update when the stack's tags change. The SAR's Tags resource has no condition keys.
    ("AWS::ApiGateway::RestApi", "apigateway:PUT"): {
        "create": ["/tags/{tags}"],
        "update": ["/tags/{tags}"],
    },
    ("AWS::ApiGateway::RestApi", "apigateway:GET"): {
        "create": ["/restapis/{api}"],
        "update": ["/restapis/{api}"],
    },
    ("AWS::ApiGateway::RestApi", "apigateway:PATCH"): {
        "create": ["/restapis/{api}"],
        "update": ["/restapis/{api}"],
    },
    # Untagging (a tag removed from the stack) is DELETE on the tags path.
    ("AWS::ApiGateway::RestApi", "apigateway:DELETE"): {
        "update": ["/tags/{tags}"],
        "delete": ["/restapis/{api}"],
    },
    ("AWS::ApiGateway::Resource", "apigateway:POST"): {
        "create": ["/restapis/{api}/resources/{root}"]
    },
    ("AWS::ApiGateway::Resource", "apigateway:GET"): {
        "update": ["/restapis/{api}/resources/{resource}"]
    },
    ("AWS::ApiGateway::Resource", "apigateway:PATCH"): {
        "update": ["/restapis/{api}/resources/{resource}"]
    },
    ("AWS::ApiGateway::Resource", "apigateway:DELETE"): {
        "delete": ["/restapis/{api}/resources/{resource}"]
    },
    # PutMethod and PutIntegration (the method's Integration property).
    ("AWS::ApiGateway::Method", "apigateway:PUT"): {
        "create": [
            "/restapis/{api}/resources/{resource}/methods/{method}",
            "/restapis/{api}/resources/{resource}/methods/{method}/integration",
        ],
        "update": [
            "/restapis/{api}/resources/{resource}/methods/{method}",
            "/restapis/{api}/resources/{resource}/methods/{method}/integration",
        ],
    },
    ("AWS::ApiGateway::Method", "apigateway:GET"): {
        "create": ["/restapis/{api}/resources/{resource}/methods/{method}"],
        "update": ["/restapis/{api}/resources/{resource}/methods/{method}"],
    },
    ("AWS::ApiGateway::Method", "apigateway:DELETE"): {
        "update": ["/restapis/{api}/resources/{resource}/methods/{method}"],
        "delete": ["/restapis/{api}/resources/{resource}/methods/{method}"],
    },
    ("AWS::ApiGateway::Method", "iam:PassRole"): {"create": ["PassRole"], "update": ["PassRole"]},
}

EXCLUDED: dict[tuple[str, str], str] = {
    ("AWS::ApiGateway::RestApi", "s3:GetObject"): (
        "reads an OpenAPI definition from BodyS3Location; Zappa sets no Body or BodyS3Location"
    ),
    ("AWS::ApiGateway::RestApi", "iam:PassRole"): (
        "passes roles named in an imported OpenAPI Body; Zappa's RestApi has no Body, and the "
        "integration's Credentials are passed by the Method (mapped)"
    ),
    ("AWS::ApiGateway::RestApi", "apigateway:UpdateRestApiPolicy"): (
        "sets the Policy property; Zappa sets it only with apigateway_policy, which "
        "zappa_settings.json does not use"
    ),
}


@cache
def schema_permissions(resource_type: str, region: str = "us-east-1") -> dict[str, list[str]]:
    """handler -> permissions, from cfn-lint's copy of the resource provider schema."""
    schema = PROVIDER_SCHEMA_MANAGER.get_resource_schema(region, resource_type).schema
    return {name: list(h.get("permissions", [])) for name, h in schema.get("handlers", {}).items()}


def zappa_settings(stage: str) -> dict[str, Any]:
    """A stage's settings with `extends` applied (only what the stack template reads)."""
    settings = json.loads(SETTINGS_FILE.read_text(encoding="utf-8"))
    return zappa_stages.resolve(settings, stage)


@cache
def zappa_stack_resources(stage: str = "dev") -> tuple[tuple[str, str, str], ...]:
    """(logical id, type, HTTP method or "") of the stack Zappa 0.63 builds for our settings."""
    from zappa.core import Zappa  # heavy import, only when a stack is audited

    cfg = zappa_settings(stage)
    session = boto3.Session(
        region_name=cfg.get("aws_region", "us-east-1"),
        aws_access_key_id="offline",
        aws_secret_access_key="offline",  # noqa: S106 - no AWS call is made
    )
    zappa = Zappa(boto_session=session, load_credentials=False, runtime=cfg["runtime"])
    zappa.boto_session = session
    zappa.credentials_arn = "arn:aws:iam::123456789012:role/offline"
    template = zappa.create_stack_template(
        lambda_arn="arn:aws:lambda:us-east-1:123456789012:function:offline",
        lambda_name="offline",
        api_key_required=cfg.get("api_key_required", False),
        iam_authorization=cfg.get("iam_authorization", False),
        authorizer=cfg.get("authorizer"),
        cors_options=cfg.get("cors"),
        description="offline",
        endpoint_configuration=cfg.get("endpoint_configuration"),
        apigateway_version=cfg.get("apigateway_version", "v1"),
    )
    resources = json.loads(template.to_json())["Resources"]
    return tuple(
        (lid, r["Type"], r["Properties"].get("HttpMethod", ""))
        for lid, r in sorted(resources.items())
    )


def stack_paths(operation: str, stage: str = "dev") -> list[tuple[str, str, str]]:
    """(resource type, action, path template or "PassRole") that CloudFormation needs for a
    stack operation."""
    found = []
    for _, kind, method in zappa_stack_resources(stage):
        for handler in HANDLERS.get(operation, ()):
            for permission in schema_permissions(kind).get(handler, []):
                if (kind, permission) in EXCLUDED:
                    continue
                for path in REQUESTS.get((kind, permission), {}).get(handler, []):
                    found.append((kind, permission, path.replace("{method}", method or "ANY")))
    return list(dict.fromkeys(found))
