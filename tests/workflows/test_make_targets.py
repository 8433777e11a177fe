"""The make targets the CI and retrain workflows call for their outputs, run through make itself."""

import os
import subprocess

from tests.conftest import ROOT


def make(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["make", "--no-print-directory", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=env,
    )


def test_model_describe_writes_the_retrain_pull_request_fields(tmp_path):
    output = tmp_path / "github_output"
    result = make("model-describe", env=os.environ | {"GITHUB_OUTPUT": str(output)})
    assert result.returncode == 0, result.stderr
    fields = dict(line.split("=", 1) for line in output.read_text().splitlines())
    assert set(fields) == {"model_version", "data_sha12"}


def test_model_changed_tells_ci_whether_to_retrain(tmp_path):
    output = tmp_path / "github_output"
    result = make("model-changed", "BASE=HEAD", env=os.environ | {"GITHUB_OUTPUT": str(output)})
    assert result.returncode == 0, result.stderr
    assert output.read_text() == "changed=false\n"
