"""One local AWS endpoint for the whole run; a fresh stage name per test, so tests sharing the
endpoint never see each other's state; gateways stopped (with their workers) after each test."""

import contextlib
import json

import pytest

from rehearsal.gateway import start_gateway
from rehearsal.local_aws import local_aws, local_client
from tests.rehearsal.local.helpers import Stage, numbers


@pytest.fixture(scope="session")
def endpoint():
    """Not exported: tests pass the URL explicitly, so no other test sees AWS_ENDPOINT_URL."""
    with local_aws(export=False) as url:
        yield url


@pytest.fixture
def role_arn(endpoint):
    iam = local_client("iam", endpoint)
    trust = {
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "sts:AssumeRole",
                "Principal": {"Service": "lambda.amazonaws.com"},
            }
        ]
    }
    name = f"local-tests-{next(numbers)}-lambda"
    role = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))
    return role["Role"]["Arn"]


@pytest.fixture
def stage(endpoint, role_arn):
    return Stage(endpoint, role_arn, f"t{next(numbers)}")


@pytest.fixture
def gateway(endpoint, tmp_path):
    """gateway(stage, **options) -> base URL. ttl=0 unless given: every request reads keys, plans
    and code live, so no test has to wait for a cache to expire."""
    with contextlib.ExitStack() as stack:

        def start(stage: Stage, **options) -> str:
            options = {"ttl": 0.0, "cache": tmp_path / "code", **options}
            options.setdefault("log_path", tmp_path / f"{stage.function}.log")
            return stack.enter_context(start_gateway(stage.name, endpoint, **options))

        yield start
