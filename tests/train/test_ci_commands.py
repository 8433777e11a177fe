"""`python -m train describe` and `changed`: what the CI and retrain workflows read."""

from click.testing import CliRunner

from tests.conftest import COMMITTED_MODELS
from train.cli import main


def test_describe_prints_and_appends_to_github_output(tmp_path, monkeypatch):
    output = tmp_path / "github_output"
    monkeypatch.setenv("GITHUB_OUTPUT", str(output))
    result = CliRunner().invoke(main, ["describe", "--models-dir", str(COMMITTED_MODELS)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("model_version=")
    assert lines[1].startswith("data_sha12=")
    assert len(lines[1]) == len("data_sha12=") + 12
    assert output.read_text().splitlines() == lines


def test_describe_without_a_model_is_a_one_line_error(tmp_path):
    result = CliRunner().invoke(main, ["describe", "--models-dir", str(tmp_path)])
    assert result.exit_code == 2
    assert "cannot describe the model" in result.output


def test_changed_compares_data_and_train_with_a_base_commit(tmp_path, monkeypatch):
    output = tmp_path / "github_output"
    monkeypatch.setenv("GITHUB_OUTPUT", str(output))
    same = CliRunner().invoke(main, ["changed", "--base", "HEAD"])
    assert same.exit_code == 0, same.output
    assert same.output.splitlines()[0] == "changed=false"
    first_push = CliRunner().invoke(main, ["changed", "--base", "0" * 40])
    assert first_push.output.splitlines()[0] == "changed=true"
    assert output.read_text().splitlines() == ["changed=false", "changed=true"]


def test_changed_against_an_unknown_base_is_an_error():
    result = CliRunner().invoke(main, ["changed", "--base", "no-such-commit"])
    assert result.exit_code == 2
    assert "git diff against 'no-such-commit' failed" in result.output
