"""The local endpoint: reachable by child processes through the exported variables, one per
process, and stopped (with the CLI's exit message) on SIGTERM and Ctrl-C."""

import os
import re
import signal
import subprocess
import sys

import pytest
import requests

from rehearsal.local_aws import LocalAwsServer
from rehearsal.local_aws.clients import REAL_ACCOUNT_VARIABLES, NotLocal, aws_env, local_client
from rehearsal.local_aws.server import exit_on_signals, exported
from tests.rehearsal.local.helpers import TIMEOUT, serving, stopped

CHILD = "import boto3; print(boto3.client('sts').get_caller_identity()['Account'])"


def test_children_reach_the_endpoint_through_the_environment(endpoint, monkeypatch):
    """What local_aws() exports (it does exactly this) is all a child process needs."""
    monkeypatch.setenv("AWS_PROFILE", "a-real-account")
    with exported(aws_env(endpoint), remove=REAL_ACCOUNT_VARIABLES):
        done = subprocess.run(
            [sys.executable, "-c", CHILD], capture_output=True, text=True, timeout=60, check=True
        )
    assert done.stdout.strip() == "123456789012"  # moto's account, so not a real one


def test_one_endpoint_per_process(endpoint):
    with pytest.raises(RuntimeError, match="already runs"):
        LocalAwsServer().start()


@pytest.mark.parametrize(
    "url", [None, "https://lambda.us-east-1.amazonaws.com", "http://10.0.0.1:4566", "file:///x"]
)
def test_clients_refuse_anything_but_loopback(url):
    with pytest.raises(NotLocal):
        local_client("sts", url)


def test_exported_restores_the_environment(monkeypatch):
    monkeypatch.setenv("AWS_PROFILE", "real-account")
    monkeypatch.delenv("LOCAL_AWS_TEST_VARIABLE", raising=False)
    with exported({"LOCAL_AWS_TEST_VARIABLE": "1"}, remove=("AWS_PROFILE",)):
        assert os.environ["LOCAL_AWS_TEST_VARIABLE"] == "1"
        assert "AWS_PROFILE" not in os.environ
    assert "LOCAL_AWS_TEST_VARIABLE" not in os.environ
    assert os.environ["AWS_PROFILE"] == "real-account"


def test_sigterm_becomes_system_exit_and_the_handler_is_restored():
    before = signal.getsignal(signal.SIGTERM)
    with pytest.raises(SystemExit), exit_on_signals():
        os.kill(os.getpid(), signal.SIGTERM)
    assert signal.getsignal(signal.SIGTERM) == before


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_cli_serves_until_signalled(signum):
    command = [sys.executable, "-m", "rehearsal", "local-aws", "--no-provision"]
    with serving(command, stderr=subprocess.STDOUT) as process:
        line = process.stdout.readline()
        match = re.search(r"local AWS endpoint: (http://127\.0\.0\.1:\d+)", line)
        assert match, line
        url = match.group(1)
        assert requests.get(f"{url}/moto-api/data.json", timeout=TIMEOUT).status_code == 200
        output = stopped(process, signum)
    assert "local AWS endpoint stopped" in output
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{url}/moto-api/data.json", timeout=TIMEOUT)
