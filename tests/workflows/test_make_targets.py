"""The make targets the CI and retrain workflows call for their outputs, run through make itself."""

import os
import subprocess

import pytest

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


@pytest.mark.slow
def test_model_describe_writes_the_retrain_pull_request_fields(tmp_path):
    output = tmp_path / "github_output"
    result = make("model-describe", env=os.environ | {"GITHUB_OUTPUT": str(output)})
    assert result.returncode == 0, result.stderr
    fields = dict(line.split("=", 1) for line in output.read_text().splitlines())
    assert set(fields) == {"model_version", "data_sha12"}


@pytest.mark.slow
def test_model_changed_tells_ci_whether_to_retrain(tmp_path):
    output = tmp_path / "github_output"
    result = make("model-changed", "BASE=HEAD", env=os.environ | {"GITHUB_OUTPUT": str(output)})
    assert result.returncode == 0, result.stderr
    assert output.read_text() == "changed=false\n"


def fake_gh(tmp_path) -> dict:
    """An environment whose `gh` records its arguments instead of calling GitHub."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    gh = bin_dir / "gh"
    gh.write_text('#!/bin/sh\necho "$@" >> "$GH_LOG"\n')
    gh.chmod(0o755)
    return os.environ | {"PATH": f"{bin_dir}:{os.environ['PATH']}", "GH_LOG": str(tmp_path / "log")}


@pytest.mark.parametrize(
    ("operation", "token", "dispatched"),
    [
        ("created", "GITHUB_TOKEN", True),
        ("updated", "GITHUB_TOKEN", True),  # a push by GITHUB_TOKEN starts no CI either
        ("created", "RETRAIN_PR_TOKEN", False),  # its pull_request event runs CI
        ("closed", "GITHUB_TOKEN", False),
        ("none", "GITHUB_TOKEN", False),
        ("", "GITHUB_TOKEN", False),
    ],
)
def test_retrain_ci_dispatches_ci_only_when_nothing_else_starts_it(
    tmp_path, operation, token, dispatched
):
    env = fake_gh(tmp_path) | {
        "PR_OPERATION": operation,
        "PR_TOKEN": token,
        "PR_BRANCH": "retrain/data-0123456789ab",
    }
    result = make("retrain-ci", env=env)
    assert result.returncode == 0, result.stderr
    log = tmp_path / "log"
    calls = log.read_text().splitlines() if log.exists() else []
    assert calls == (["workflow run ci.yml --ref retrain/data-0123456789ab"] if dispatched else [])


def test_retrain_ci_fails_without_the_branch(tmp_path):
    env = fake_gh(tmp_path) | {
        "PR_OPERATION": "created",
        "PR_TOKEN": "GITHUB_TOKEN",
        "PR_BRANCH": "",
    }
    result = make("retrain-ci", env=env)
    assert result.returncode != 0
    assert "PR_BRANCH is empty" in result.stderr
    assert not (tmp_path / "log").exists()
