"""The deploy-side state of a stage in moto, and `zappa` replaced by its effect on it.

`recorded` (registered in conftest) stands in for the zappa subprocess: `deploy` creates the
function (version 1) and its stack, `update` publishes new code, as Zappa does to AWS.
"""

import io
import os
import zipfile
from pathlib import Path

import boto3
import pytest

import project
from ops import deploy as deploy_module
from ops import paths, zappa

from .conftest import REGION
from .failed_stacks import make_stack


@pytest.fixture
def recorded(monkeypatch):
    """The zappa subprocess boundary replaced by its effect on (moto's) AWS: `deploy` creates the
    function (version 1) and its stack, `update` publishes new code. The usage-plan step and what
    $GITHUB_OUTPUT held when Zappa started are recorded."""
    calls = {"zappa": [], "usage_plan": [], "output_when_zappa_ran": []}

    def zappa_effect(argv, watch=None):
        calls["zappa"].append(argv)
        output = os.environ.get("GITHUB_OUTPUT")
        if output:
            calls["output_when_zappa_ran"].append(Path(output).read_text())
        if argv[1] == "deploy":
            make_function(argv[2])
            make_stack(project.function_name(argv[2]))
        elif argv[1] == "update":
            publish_code(argv[2], "update")

    monkeypatch.setattr(zappa, "run", zappa_effect)
    monkeypatch.setattr(
        deploy_module.usage_plan,
        "ensure",
        lambda stage, **k: calls["usage_plan"].append((stage.name, stage.region)),
    )
    return calls


def code(marker: str) -> bytes:
    """A function zip; the same marker gives the same bytes (and CodeSha256)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        handler = zipfile.ZipInfo("handler.py", date_time=(2026, 1, 1, 0, 0, 0))
        archive.writestr(handler, f"def lambda_handler(e, c):\n    return {marker!r}\n")
    return buffer.getvalue()


def make_function(stage="dev"):
    """The function as `zappa deploy` creates it: published as version 1."""
    role = boto3.client("iam", region_name=REGION).get_role(
        RoleName=f"{paths.PROJECT}-{stage}-lambda"
    )["Role"]["Arn"]
    boto3.client("lambda", region_name=REGION).create_function(
        FunctionName=project.function_name(stage),
        Runtime="python3.13",
        Role=role,
        Handler="handler.lambda_handler",
        Code={"ZipFile": code("first")},
        Publish=True,
    )


def publish_code(stage: str, marker: str) -> str:
    """New code, published as the next version (as `zappa update` and `zappa rollback` do)."""
    return boto3.client("lambda", region_name=REGION).update_function_code(
        FunctionName=project.function_name(stage), ZipFile=code(marker), Publish=True
    )["Version"]


def deployed_stage(stage="dev", versions=1):
    """A stage that deployed fine `versions` times: function, published versions and stack."""
    make_function(stage)
    for number in range(2, versions + 1):
        publish_code(stage, f"build {number}")
    make_stack(project.function_name(stage))
