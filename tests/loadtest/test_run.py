"""`python -m loadtest.run` refuses bad input before starting anything (full runs: tests/locust)."""

import subprocess

import pytest
from click.testing import CliRunner
from moto import mock_aws

from loadtest import run, target
from loadtest.errors import LoadTestError


@pytest.fixture
def invoke(monkeypatch, tmp_path):
    monkeypatch.setattr(run.signal, "signal", lambda *_args: None)  # leave pytest's handlers be

    def invoke_(*args):
        return CliRunner().invoke(run.main, ["--out", str(tmp_path / "out"), *args])

    return invoke_


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--profile", "nope"], "no profile 'nope'"),
        (["--processes", "2", "--expect-workers", "2"], "not both"),
        (["--host", "127.0.0.1:8000"], "must be an http:// or https:// URL"),
        (["--host", "http://127.0.0.1:9"], "GET http://127.0.0.1:9/version failed"),
    ],
)
def test_bad_input_exits_2_with_one_line(invoke, args, message):
    result = invoke(*args)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output


def test_a_stage_without_a_key_stops_before_any_load(invoke, aws_env):
    with mock_aws():
        result = invoke("--stage", "test", "--host", "http://127.0.0.1:9")
    assert result.exit_code == 2
    assert "cannot read secret sklearn-zappa-ml/test/api-key (ResourceNotFoundException)" in (
        result.output
    )


def fake_ops(monkeypatch, returncode, stdout, stderr=""):
    def fake_run(command, **_kwargs):
        assert command[1:] == ["-m", "ops", "url", "test"]
        return subprocess.CompletedProcess(command, returncode, stdout, stderr)

    monkeypatch.setattr(target.subprocess, "run", fake_run)


def test_the_stage_url_comes_from_the_ops_cli(monkeypatch):
    fake_ops(monkeypatch, 0, "https://abc.execute-api.eu-west-1.amazonaws.com/test/\n")
    assert target.stage_url("test") == "https://abc.execute-api.eu-west-1.amazonaws.com/test"


def test_an_ops_failure_says_how_to_pass_the_host(monkeypatch):
    fake_ops(monkeypatch, 1, "", "Error: no AWS credentials found\n")
    with pytest.raises(LoadTestError) as error:
        target.stage_url("test")
    assert error.value.message == (
        "could not get the URL of stage test from `python -m ops url test` "
        "(Error: no AWS credentials found); pass --host URL (make: HOST=URL)"
    )
