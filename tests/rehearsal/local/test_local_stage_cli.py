"""`python -m rehearsal local-stage STAGE`: serves until SIGTERM, then stops its workers; bad
endpoints are one-line errors."""

import os
import re
import signal
import subprocess
import sys

import pytest
from click.testing import CliRunner

from rehearsal.gateway.cli import local_stage
from tests.rehearsal.local.helpers import Stage, call, echo_zip, serving, stopped


@pytest.mark.parametrize(
    ("endpoint", "message"),
    [
        (None, "no local AWS endpoint"),
        ("https://lambda.us-east-1.amazonaws.com", "is not a loopback URL"),
    ],
)
def test_refuses_a_missing_or_remote_endpoint(endpoint, message):
    args = ["dev"] if endpoint is None else ["dev", "--endpoint", endpoint]
    result = CliRunner().invoke(local_stage, args, env={"AWS_ENDPOINT_URL": None})
    assert result.exit_code == 1
    assert message in result.output


def test_serves_until_sigterm(endpoint, role_arn, tmp_path):
    stage = Stage(endpoint, role_arn, "dev").deploy(echo_zip())
    stage.plan()
    _, key = stage.key()
    command = [sys.executable, "-m", "rehearsal", "local-stage", "dev", "--endpoint", endpoint]
    command += ["--cache-dir", str(tmp_path)]
    with serving(command, stderr=subprocess.DEVNULL) as process:
        match = re.search(
            r"local stage dev: (http://127\.0\.0\.1:\d+/dev)", process.stdout.readline()
        )
        assert match
        answer = call("GET", f"{match.group(1)}/", key)
        assert answer.status_code == 200
        output = stopped(process, signal.SIGTERM)
    assert "local stage dev stopped" in output
    with pytest.raises(ProcessLookupError):
        os.kill(answer.json()["pid"], 0)  # the worker stopped with it
