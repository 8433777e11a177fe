"""`ops rollback`: `zappa rollback STAGE -n 1`, then the smoke test of what is served then."""

import pytest

from ops import paths, zappa

from .conftest import API_KEY, SHA, make_role_and_bucket

pytestmark = pytest.mark.slow
OLD = "a" * 40


def rollback(cli, url, *extra):
    return cli(
        "rollback",
        "dev",
        "--url",
        url,
        "--api-key-env",
        "SMOKE_KEY",
        "--wait",
        "0",
        *extra,
        env={"SMOKE_KEY": API_KEY},
    )


@pytest.fixture
def served(aws, stage_server, monkeypatch):
    """A stage serving SHA whose fake `zappa rollback` switches it to OLD (or not, if asked)."""
    make_role_and_bucket()
    url, app = stage_server(git_sha=SHA)
    calls = []

    def fake_run(argv, switch=True):
        calls.append(argv)
        app.config["GIT_SHA"] = OLD

    monkeypatch.setattr(zappa, "run", fake_run)
    return url, app, calls


def test_rollback_runs_zappa_and_smoke_tests_the_previous_commit(cli, served):
    url, _, calls = served
    result = rollback(cli, url, "--expect-sha", OLD)
    assert result.exit_code == 0, result.output
    settings_file = str(paths.BUILD / "zappa_settings.dev.json")
    expected = ["rollback", "dev", "-s", settings_file, "--json", "-n", "1"]
    assert [call[1:] for call in calls] == [expected]
    assert f"serves git {SHA} before the rollback" in result.output
    assert f"smoke test passed: git {OLD}" in result.output


def test_without_an_expected_sha_the_served_sha_must_change(cli, served, monkeypatch):
    url, _, calls = served
    monkeypatch.setattr(zappa, "run", lambda argv: calls.append(argv))  # code stays the same
    result = rollback(cli, url)
    assert result.exit_code == 1
    assert f"still serves git {SHA}" in result.output


def test_dry_run_runs_nothing(cli, served):
    url, app, calls = served
    result = rollback(cli, url, "--dry-run", "-n", "2")
    assert result.exit_code == 0, result.output
    assert calls == []
    assert "[dry-run] would run: zappa rollback dev -s " in result.output
    assert result.output.rstrip().endswith("[dry-run] would then smoke-test the stage")
    assert "-n 2" in result.output
    assert app.config["GIT_SHA"] == SHA
