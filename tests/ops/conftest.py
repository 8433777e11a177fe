"""Fixtures for the ops tests: moto's in-process AWS, a CLI runner, and the real app on loopback."""

import threading

import boto3
import pytest
from click.testing import CliRunner
from moto import mock_aws
from werkzeug.serving import make_server

import project
from app import create_app
from ops import paths
from ops.cli import main

SHA = "0123456789abcdef0123456789abcdef01234567"
REGION = "us-east-1"
API_KEY = "test-key-value-0123456789abcdef"


@pytest.fixture(autouse=True)
def isolated(monkeypatch, tmp_path):
    """Dummy credentials, no real endpoint, a fixed commit, and build/ output under tmp_path."""
    for name in (
        "AWS_PROFILE",
        "AWS_ENDPOINT_URL",
        "ZAPPA_S3_BUCKET",
        "AWS_SESSION_TOKEN",
        "AWS_REGION",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("GIT_SHA", SHA)
    monkeypatch.setattr(paths, "BUILD", tmp_path / "build")


@pytest.fixture
def aws():
    with mock_aws():
        yield


@pytest.fixture
def cli():
    runner = CliRunner()

    def invoke(*args, env=None):
        return runner.invoke(main, list(args), env=env, catch_exceptions=False)

    return invoke


def keyed(cli, command: str, url: str, *extra: str, key: str = API_KEY):
    """`ops COMMAND dev` against a served stage, with its API key from the environment and no
    settle window (the stage is ready)."""
    args = [command, "dev", "--url", url, "--api-key-env", "SMOKE_KEY", "--wait", "0", *extra]
    return cli(*args, env={"SMOKE_KEY": key})


def make_rest_api(stage: str = "dev") -> str:
    """The REST API `zappa deploy` would have created for the stage."""
    client = boto3.client("apigateway", region_name=REGION)
    return client.create_rest_api(name=project.function_name(stage))["id"]


def make_role_and_bucket(stage: str = "dev", bucket: bool = True) -> None:
    """What iam/ creates before the first deploy."""
    boto3.client("iam", region_name=REGION).create_role(
        RoleName=f"{paths.PROJECT}-{stage}-lambda", AssumeRolePolicyDocument="{}"
    )
    if bucket:
        boto3.client("s3", region_name=REGION).create_bucket(
            Bucket=f"{paths.PROJECT}-{stage}-123456789012"
        )


class KeyedGateway:
    """API Gateway's key check in front of the real app: 403 {"message": "Forbidden"} without it."""

    def __init__(self, app, key: str | None):
        self.app, self.key = app, key

    def __call__(self, environ, start_response):
        if self.key is not None and environ.get("HTTP_X_API_KEY") != self.key:
            start_response("403 Forbidden", [("Content-Type", "application/json")])
            return [b'{"message": "Forbidden"}']
        return self.app(environ, start_response)


@pytest.fixture
def stage_server():
    """Serve the real app (create_app) on 127.0.0.1 behind a key check; yields (url, app)."""
    servers = []

    def start(git_sha: str = SHA, key: str | None = API_KEY, model_dir=None):
        config = {"GIT_SHA": git_sha, "STAGE": "dev"}
        app = create_app(config | ({"MODEL_DIR": model_dir} if model_dir else {}))
        server = make_server("127.0.0.1", 0, KeyedGateway(app, key), threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_port}", app

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


# The zappa subprocess replaced by its effect on moto (after REGION: stage_state imports it).
from .stage_state import recorded  # noqa: E402, F401
