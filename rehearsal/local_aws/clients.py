"""boto3 clients bound to a loopback endpoint with dummy credentials, so they never reach AWS."""

import os
from urllib.parse import urlsplit

import boto3
import click
from botocore.config import Config

from project import LOOPBACK

DEFAULT_REGION = "us-east-1"
# moto accepts any credentials; these are not secrets.
DUMMY_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
# Loopback answers fast or not at all: fail in seconds, and never retry a local bug for a minute.
CONFIG = Config(retries={"max_attempts": 2, "mode": "standard"}, connect_timeout=3, read_timeout=60)


class NotLocal(click.ClickException):
    """The endpoint is not on this machine: refuse instead of touching a real account."""


def require_loopback(endpoint: str | None) -> str:
    """Return endpoint if it is an http(s) URL on loopback, else fail with one line."""
    if not endpoint:
        raise NotLocal("no local AWS endpoint: pass --endpoint or set AWS_ENDPOINT_URL")
    parts = urlsplit(endpoint)
    if parts.scheme not in {"http", "https"} or parts.hostname not in LOOPBACK:
        raise NotLocal(f"{endpoint} is not a loopback URL (http://127.0.0.1:PORT)")
    return endpoint.rstrip("/")


def region_from_env() -> str:
    return os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or DEFAULT_REGION


def local_client(service: str, endpoint: str, region: str | None = None):
    """The one place local clients are made: explicit endpoint and credentials, no profile."""
    session = boto3.session.Session(
        aws_access_key_id=DUMMY_CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=DUMMY_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        region_name=region or region_from_env(),
    )
    return session.client(service, endpoint_url=require_loopback(endpoint), config=CONFIG)


def aws_env(endpoint: str, region: str = DEFAULT_REGION) -> dict[str, str]:
    """What a child process (zappa, ops, locust) needs to talk to the local endpoint only."""
    return {
        "AWS_ENDPOINT_URL": require_loopback(endpoint),
        **DUMMY_CREDENTIALS,
        "AWS_REGION": region,
        "AWS_DEFAULT_REGION": region,
        # No instance-metadata lookups, and loopback never goes through a proxy.
        "AWS_EC2_METADATA_DISABLED": "true",
        "NO_PROXY": _no_proxy(os.environ.get("NO_PROXY") or os.environ.get("no_proxy")),
        "no_proxy": _no_proxy(os.environ.get("no_proxy") or os.environ.get("NO_PROXY")),
    }


# Variables that could point a child at a real account instead of the dummy credentials above.
REAL_ACCOUNT_VARIABLES = (
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
)


def _no_proxy(current: str | None) -> str:
    names = [name for name in (current or "").split(",") if name]
    return ",".join(names + [name for name in ("127.0.0.1", "localhost") if name not in names])
