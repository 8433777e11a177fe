"""`ops smoke` against the real app on 127.0.0.1 behind an API-key check like API Gateway's."""

import json

import boto3
import pytest
from flask import request

import project
from ops import paths, release

from .conftest import API_KEY, REGION, SHA, keyed

pytestmark = pytest.mark.slow


def smoke(cli, url, *extra, key=API_KEY):
    return keyed(cli, "smoke", url, *extra, key=key)


def test_the_expected_commit_and_model_pass(cli, stage_server):
    url, _ = stage_server()
    result = smoke(cli, url, "--expect-sha", SHA)
    assert result.exit_code == 0, result.output
    assert "smoke test passed: git " + SHA in result.output
    assert "ok   GET /health without a key -> 403" in result.output
    assert API_KEY not in result.output


@pytest.mark.parametrize("kind", ["binary", "multiclass"])
def test_any_model_s_manifest_drives_the_smoke_test(cli, stage_server, synthetic_models, kind):
    """The row it sends, the model hash and the classes it expects all come from the manifest."""
    models = synthetic_models[kind]
    url, _ = stage_server(model_dir=models)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(paths, "MANIFEST_FILE", models / "manifest.json")
        result = smoke(cli, url, "--expect-sha", SHA)
        assert result.exit_code == 0, result.output
        assert release.sample_row() in release.manifest()["samples"]
    assert f"(sha256 {release.model_sha256()})" not in result.output  # not the committed model's
    committed = stage_server()[0]  # the committed model's stage fails this model's smoke test
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(paths, "MANIFEST_FILE", models / "manifest.json")
        assert smoke(cli, committed, "--expect-sha", SHA).exit_code == 1


def test_another_commit_fails(cli, stage_server):
    url, _ = stage_server(git_sha="f" * 40)
    result = smoke(cli, url, "--expect-sha", SHA)
    assert result.exit_code == 1
    assert f"serves git {'f' * 40}, expected {SHA}" in result.output


def test_another_model_fails(cli, stage_server, monkeypatch):
    url, _ = stage_server()
    monkeypatch.setattr(release, "model_sha256", lambda backend="onnx": "0" * 64)
    result = smoke(cli, url, "--expect-sha", SHA)
    assert result.exit_code == 1
    assert "serves model sha256" in result.output


def test_a_stage_that_admits_requests_without_a_key_fails(cli, stage_server):
    url, _ = stage_server(key=None)
    result = smoke(cli, url, "--expect-sha", SHA)
    assert result.exit_code == 1
    assert "GET /health without a key: status 200, expected 403" in result.output


def test_a_wrong_key_fails_and_is_never_printed(cli, stage_server):
    url, _ = stage_server()
    result = smoke(cli, url, "--expect-sha", SHA, key="wrong-key-value-123456789")
    assert result.exit_code == 1
    assert "GET /health: status 403, expected 200" in result.output
    assert "wrong-key-value" not in result.output


def test_an_unreachable_stage_fails(cli):
    result = smoke(cli, "http://127.0.0.1:9", "--expect-sha", SHA)
    assert result.exit_code == 1
    assert "unreachable" in result.output


def test_the_key_comes_from_the_stage_secret(aws, cli, stage_server):
    url, _ = stage_server()
    boto3.client("secretsmanager", region_name=REGION).create_secret(
        Name=project.api_key_secret_name("dev"),
        SecretString=json.dumps({"key_id": "abc", "value": API_KEY}),
    )
    result = cli("smoke", "dev", "--url", url, "--wait", "0")
    assert result.exit_code == 0, result.output
    assert API_KEY not in result.output


def test_without_a_secret_it_says_how_to_make_one(aws, cli):
    result = cli("smoke", "dev", "--url", "http://127.0.0.1:9")
    assert result.exit_code == 1
    assert "no API key in secret sklearn-zappa-ml/dev/api-key" in result.output


def test_an_empty_key_variable_is_an_error(cli):
    result = smoke(cli, "http://127.0.0.1:9", key="")
    assert result.exit_code == 1
    assert "SMOKE_KEY is empty or unset" in result.output


def test_a_stage_still_serving_the_previous_commit_is_waited_for(cli, stage_server):
    """Issue 13, defect 4: right after a deploy or rollback Lambda may answer 200 from the old
    code; the smoke test retries /version until the expected commit, within its window."""
    url, app = stage_server(git_sha="f" * 40)
    answered = []

    @app.after_request
    def new_code_after_the_first_version_answer(response):
        if request.path == "/version":
            answered.append(app.config["GIT_SHA"])
            app.config["GIT_SHA"] = SHA
        return response

    result = smoke(cli, url, "--expect-sha", SHA, "--wait", "30")
    assert result.exit_code == 0, result.output
    assert answered == ["f" * 40, SHA]
    assert "smoke test passed: git " + SHA in result.output


def test_a_stage_that_keeps_the_wrong_commit_fails_after_the_window(cli, stage_server):
    url, app = stage_server(git_sha="f" * 40)
    answered = []

    @app.after_request
    def count(response):
        if request.path == "/version":
            answered.append(app.config["GIT_SHA"])
        return response

    result = smoke(cli, url, "--expect-sha", SHA, "--wait", "2")
    assert result.exit_code == 1
    assert len(answered) >= 2  # retried, not failed at once
    assert result.output.strip().splitlines()[-1] == (
        f"Error: smoke test failed: GET /version: serves git {'f' * 40}, expected {SHA} "
        "(still, after the 2 s settle window)"
    )
