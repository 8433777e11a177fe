"""The one place boto3 clients are made, lists are paged, and AWS errors become one clear line.

`make_client` honours AWS_ENDPOINT_URL (boto3 does natively), so the same code runs against AWS,
a local moto server, and moto's in-process `mock_aws` in the tests.
"""

import contextlib
from collections.abc import Iterator

import boto3
import click
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    EndpointConnectionError,
    NoCredentialsError,
    NoRegionError,
    PartialCredentialsError,
)

# API Gateway's control plane allows little per account: UpdateUsagePlan once per 20 s,
# CreateDeployment once per 5 s, CreateApiKey and DeleteApiKey 5 per second, and it answers 429
# TooManyRequestsException above that. botocore's standard mode retries exactly those answers (its
# throttling codes include TooManyRequestsException, Throttling(Exception) and
# LimitExceededException) with exponential backoff and full jitter capped at 20 s per pause, so
# 10 attempts outlast a 20 s window. Adaptive mode would add a client-side token bucket, but it
# lives in one client object and ops makes short-lived clients, so it would add nothing here.
MAX_ATTEMPTS = 10
RETRIES = Config(
    retries={"total_max_attempts": MAX_ATTEMPTS, "mode": "standard"},
    connect_timeout=10,
    read_timeout=60,
)
# API Gateway's largest page for get_api_keys, get_usage_plans, get_usage_plan_keys and
# get_rest_apis (its default is 25): an account may hold 10,000 keys.
PAGE_SIZE = 500

ACCESS_DENIED = {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation"}
THROTTLING = {
    "Throttling",
    "ThrottlingException",
    "TooManyRequestsException",
    "RequestLimitExceeded",
}


class AwsError(click.ClickException):
    """An AWS call failed; the message says what to do about it."""


def make_client(service: str, region: str):
    """Every AWS client of the ops commands comes from here, through ops.stage.Stage.client (tests
    patch this one name)."""
    return boto3.client(service, region_name=region, config=RETRIES)


def listed(client, operation: str, **params) -> list[dict]:
    """Every item of an API Gateway list, PAGE_SIZE per request (the paginator follows
    `position` to the last page)."""
    pages = client.get_paginator(operation).paginate(
        **params, PaginationConfig={"PageSize": PAGE_SIZE}
    )
    return [item for page in pages for item in page.get("items", [])]


def secret_denied(action: str, name: str) -> str:
    """AccessDenied on a secret, as one line naming the permission; never "no secret yet".

    AWS authorizes a request for a secret that does not exist yet against its ARN without the
    random suffix, so a role allowed only `secret:NAME-??????` is denied where the code expects
    ResourceNotFoundException.
    """
    return (
        f"access denied: this role may not secretsmanager:{action} on secret {name}; allow it on "
        f"arn:aws:secretsmanager:REGION:ACCOUNT:secret:{name}-?????? and, for a secret not "
        f"created yet, on ...:secret:{name} (see iam/)"
    )


def explain(exc: Exception) -> str:
    """One line for an AWS failure: what happened and the likely fix."""
    if isinstance(exc, NoCredentialsError | PartialCredentialsError):
        return (
            "no AWS credentials found: assume the stage's deploy role (in CI) or set AWS_PROFILE; "
            "for a local endpoint set AWS_ENDPOINT_URL and dummy AWS_ACCESS_KEY_ID/SECRET"
        )
    if isinstance(exc, NoRegionError):
        return "no AWS region: set AWS_REGION (the stage's aws_region is in zappa_settings.json)"
    if isinstance(exc, EndpointConnectionError):
        return f"cannot reach the AWS endpoint ({exc}); is AWS_ENDPOINT_URL right?"
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        code, message = error.get("Code", "?"), error.get("Message", "")
        operation = exc.operation_name
        if code in THROTTLING:
            return f"AWS kept throttling {operation} after retries with backoff; try again later"
        if code in {"ExpiredToken", "ExpiredTokenException", "InvalidClientTokenId"}:
            return f"AWS credentials are expired or invalid ({code}); sign in again"
        if code in ACCESS_DENIED:
            return (
                f"access denied to {operation}: the deploy role lacks this permission ({message})"
            )
        if code == "NoSuchBucket":
            return f"S3 bucket missing ({message}); deploy iam/ first or set ZAPPA_S3_BUCKET"
        if code == "NoSuchEntity" and "role" in message.lower():
            return f"IAM role missing ({message}); deploy iam/ first, it creates the execution role"
        return f"{operation} failed: {code}: {message}"
    return f"AWS call failed: {exc}"


@contextlib.contextmanager
def aws_errors() -> Iterator[None]:
    """Translate botocore's exceptions into one-line ClickExceptions (no tracebacks)."""
    try:
        yield
    except (ClientError, BotoCoreError) as exc:
        raise AwsError(explain(exc)) from None


def error_code(exc: ClientError) -> str:
    return exc.response.get("Error", {}).get("Code", "")


def account_id(stage) -> str:
    """The account the credentials for `stage` (an ops.stage.Stage) belong to (names the
    per-account Zappa bucket)."""
    with aws_errors():
        return stage.client("sts").get_caller_identity()["Account"]
