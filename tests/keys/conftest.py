"""Fixtures for the key tests: moto in-process, a stage as `ops usage-plan` leaves it after the
first deploy, a clock the tests move, and the real app on loopback behind the local gateway's key
check (rehearsal.gateway.auth), which reads keys and usage plans from moto like API Gateway
would."""

import functools
import json
import threading
from datetime import timedelta

import boto3
import pytest
from click.testing import CliRunner
from moto import mock_aws
from werkzeug.serving import make_server

import project
from app import create_app
from ops import http, paths, stage_key, usage_plan
from ops.cli import main
from ops.keys import clock, policy, verify
from ops.keys.ratelimit import RateLimiter
from ops.keys.rotation import Rotation
from ops.stage import Stage
from rehearsal.gateway.auth import StageKeys

REGION = "us-east-1"
STAGE = "dev"
SECRET = project.api_key_secret_name(STAGE)


@pytest.fixture(autouse=True)
def isolated(monkeypatch, tmp_path):
    """Dummy credentials and no real endpoint: everything below talks to moto; build/ output
    (the rendered Zappa settings) goes under tmp_path."""
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(paths, "BUILD", tmp_path / "build")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


class Clock:
    """Starts at the real time (moto stamps keys with it) and moves only when told."""

    def __init__(self):
        self.now = clock.utcnow()

    def __call__(self):
        return self.now

    def advance(self, **delta) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def now():
    return Clock()


@functools.cache
def apigw():
    """The tests' own view of API Gateway (moto intercepts a client whenever a mock is active)."""
    return boto3.client("apigateway", region_name=REGION)


@functools.cache
def secrets():
    return boto3.client("secretsmanager", region_name=REGION)


def zappa_deploy(stage: str = STAGE) -> str:
    """What `zappa deploy` does to API Gateway with `api_key` set: a REST API with the stage,
    and the stage added to that key (moto's update_api_key can't `add /stages`; the rehearsal's
    shim can). Returns the API id."""
    settings = json.loads(paths.rendered_settings_path(stage).read_text())[stage]
    api_id = apigw().create_rest_api(name=project.function_name(stage))["id"]
    assert settings["api_key"], "ops renders the stage's key before zappa deploy"
    return api_id


def deploy_stage(stage: str = STAGE) -> str:
    """What a first `ops deploy` leaves: ops' key, Zappa's REST API, `ops usage-plan`'s plan."""
    stage_key.prepare_first_deploy(Stage.resolve(stage), {})
    api_id = zappa_deploy(stage)
    usage_plan.ensure(Stage.resolve(stage), dry_run=False)
    return api_id


@pytest.fixture
def stage(now):
    with mock_aws():
        deploy_stage()
        yield


def stored(label: str = "AWSCURRENT") -> dict:
    raw = secrets().get_secret_value(SecretId=SECRET, VersionStage=label)
    return json.loads(raw["SecretString"])


class KeyCheck:
    """API Gateway's answer to a key, from rehearsal.gateway: 403 {"message": "Forbidden"} unless
    the key exists, is enabled, and is in a usage plan of this API stage (read from moto each
    time)."""

    def __init__(self, app, stage: str):
        self.app, self.stage, self.prefix = app, stage, f"/{stage}"

    def __call__(self, environ, start_response):
        keys = StageKeys(apigw(), project.function_name(self.stage), self.stage, ttl=0)
        if keys.authorize(environ.get("HTTP_X_API_KEY")) is None:
            start_response("403 Forbidden", [("Content-Type", "application/json")])
            return [b'{"message": "Forbidden"}']
        environ["PATH_INFO"] = environ.get("PATH_INFO", "").removeprefix(self.prefix) or "/"
        return self.app(environ, start_response)


@pytest.fixture(scope="session")
def stage_url():
    """http://127.0.0.1:PORT/dev: the real app behind the key check, for the whole session
    (it answers from whichever moto state the running test has)."""
    app = create_app({"GIT_SHA": "a" * 40, "STAGE": STAGE})
    server = make_server("127.0.0.1", 0, KeyCheck(app, STAGE), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/{STAGE}"
    server.shutdown()
    server.server_close()
    thread.join()


def no_sleep(seconds: float) -> None:
    """Tests never wait: backoff pauses are skipped (the calls still happen)."""


class PausedTime:
    """A clock that moves only when the code sleeps: a backoff runs its course without waiting."""

    def __init__(self):
        self.now = 0.0

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def make_rotation(url: str, now: Clock, wrap=None, rules=None) -> Rotation:
    """A rotation verifying on `url`, with the test clock; `wrap` may decorate the verify step."""
    rules = rules or policy.load(Stage.resolve(STAGE))

    def on_stage(value):
        time = PausedTime()
        return verify.probe(url, value, rules.verify_timeout, sleep=time.sleep, clock=time.clock)

    limiter = RateLimiter(clock=lambda: 0.0, sleep=no_sleep)
    check = wrap(on_stage) if wrap else on_stage
    return Rotation(Stage.resolve(STAGE), rules, check, now, limiter)


def status(url: str, value: str | None) -> int | None:
    """What the stage answers to GET /health with this key."""
    return http.call("GET", f"{url}/health", value).status


@pytest.fixture
def cli(now, monkeypatch):
    """`python -m ops keys ...` in-process, on the test clock; returns click's Result."""
    monkeypatch.setattr(clock, "utcnow", now)
    runner = CliRunner()

    def invoke(*args):
        return runner.invoke(main, ["keys", *args])

    return invoke
