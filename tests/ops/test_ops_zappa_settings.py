"""zappa_settings.json: every stage resolves, says what a deploy needs, and renders cleanly."""

import fnmatch
import json
import subprocess

import pytest

from ops import paths, zappa_settings
from ops.package_report import PROJECT_ENTRIES
from ops.stage import Stage

from .conftest import SHA


@pytest.mark.parametrize("stage", zappa_settings.STAGES)
def test_every_stage_resolves_and_validates(stage):
    committed = zappa_settings.load()
    config = zappa_settings.resolve(committed, stage)
    assert committed[stage]["extends"] == "base"
    assert zappa_settings.problems(stage, config) == []
    assert config["slim_handler"] is False
    assert config["api_key_required"] is True
    assert isinstance(config["memory_size"], int)
    assert isinstance(config["timeout_seconds"], int)


def test_keep_warm_and_tracing_per_stage():
    committed = zappa_settings.load()
    dev, prod = zappa_settings.resolve(committed, "dev"), zappa_settings.resolve(committed, "prod")
    assert dev["keep_warm"] is False
    assert prod["keep_warm"] is True
    assert prod["xray_tracing"] is True


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"slim_handler": True}, "slim_handler must be False"),
        ({"api_key_required": False}, "api_key_required must be True"),
        ({"manage_roles": True}, "manage_roles must be False"),
        ({"exclude": ["tests"]}, "exclude lacks 'boto3'"),
        ({"context_header_mappings": {}}, "must map X-Apigw-Request-Id"),
        ({"environment_variables": {"STAGE": "dev"}}, "environment_variables lacks GIT_SHA"),
    ],
)
def test_problems_name_what_is_wrong(change, message):
    config = zappa_settings.resolve(zappa_settings.load(), "dev") | change
    found = zappa_settings.problems("dev", config)
    assert any(message in problem for problem in found), found


def test_missing_keep_warm_is_a_problem():
    config = zappa_settings.resolve(zappa_settings.load(), "dev")
    del config["keep_warm"]
    assert any("keep_warm" in problem for problem in zappa_settings.problems("dev", config))


@pytest.mark.parametrize(
    ("broken", "message"),
    [
        ({"a": {"extends": "b"}, "b": {"extends": "a"}}, "circular extends"),
        ({"a": {"extends": "nowhere"}}, "unknown stage 'nowhere'"),
    ],
)
def test_resolve_rejects_bad_extends(broken, message):
    with pytest.raises(zappa_settings.SettingsError, match=message):
        zappa_settings.resolve(broken, "a")


def test_extends_is_a_shallow_merge_where_the_stage_wins():
    merged = zappa_settings.resolve(
        {"b": {"x": 1, "y": {"k": 1}}, "s": {"extends": "b", "y": {}}}, "s"
    )
    assert merged == {"x": 1, "y": {}}


@pytest.mark.parametrize("stage", zappa_settings.STAGES)
def test_render_fills_every_placeholder(stage):
    config = zappa_settings.render(Stage.resolve(stage), SHA, "123456789012")
    text = json.dumps(config)
    assert zappa_settings.PLACEHOLDER.search(text) is None
    assert config["s3_bucket"] == f"sklearn-zappa-ml-{stage}-123456789012"
    assert config["role_name"] == f"sklearn-zappa-ml-{stage}-lambda"
    assert config["environment_variables"]["STAGE"] == stage
    assert config["environment_variables"]["GIT_SHA"] == SHA
    assert config["tags"] == {"project": "sklearn-zappa-ml", "stage": stage}
    assert config.get("touch", True) is True
    assert "api_key" not in config  # ops adds the stage's key before the first deploy only


@pytest.mark.parametrize(
    ("change", "message"),
    [
        # Issue 13, defect 1: a per-commit tag re-tagged the stack and its REST API on every
        # `zappa update`; the commit is in the description and in GIT_SHA already.
        ({"tags": {"project": "p", "git_sha": "{git_sha}"}}, "tags must not carry {git_sha}"),
        # Issue 13, defect 12: the key is the stage's own, rendered by ops, never committed.
        ({"api_key": "abc123"}, "api_key must not be committed"),
    ],
)
def test_settings_that_cost_a_permission_are_refused(change, message):
    committed = zappa_settings.load()
    committed["base"] = {**committed["base"], **change}
    with pytest.raises(zappa_settings.SettingsError, match=message):
        zappa_settings.validate(committed)


def test_with_api_key_names_the_stage_key_for_zappa():
    config = zappa_settings.render(Stage.resolve("dev"), SHA, "1")
    assert zappa_settings.with_api_key(config, "k3y1d")["api_key"] == "k3y1d"
    assert "api_key" not in config


def test_every_stage_has_its_own_bucket_and_role():
    rendered = [
        zappa_settings.render(Stage.resolve(stage), SHA, "1") for stage in zappa_settings.STAGES
    ]
    assert len({c["s3_bucket"] for c in rendered}) == len(zappa_settings.STAGES)
    assert len({c["role_name"] for c in rendered}) == len(zappa_settings.STAGES)


def test_local_render_never_touches_real_hosts():
    config = zappa_settings.render(Stage.resolve("prod"), SHA, None, local=True)
    assert config["touch"] is False
    assert config["keep_warm"] is False
    assert config["s3_bucket"] == "sklearn-zappa-ml-prod-local"


def test_render_keeps_our_own_tables_out_of_zappas_file():
    config = zappa_settings.render(Stage.resolve("prod"), SHA, "1")
    assert "usage_plan" not in config
    assert "api_keys" not in config
    assert zappa_settings.load()["prod"]["usage_plan"]["rate_limit"] == 100.0


def test_our_tables_merge_field_by_field_through_extends():
    settings = {
        "base": {
            "tags": {"a": "1", "b": "2"},
            "api_keys": {"overlap_hours": 24, "quota_margin": 5},
        },
        "prod": {"extends": "base", "tags": {"a": "3"}, "api_keys": {"overlap_hours": 48}},
    }
    prod = zappa_settings.resolve(settings, "prod")
    assert prod["api_keys"] == {"overlap_hours": 48, "quota_margin": 5}
    assert prod["tags"] == {"a": "3"}  # Zappa's own keys keep Zappa's shallow merge


def test_every_problem_is_one_line():
    committed = zappa_settings.load()
    committed["test"]["usage_plan"] = {"rate_limit": 1}
    committed["base"]["api_keys"] = {**committed["base"]["api_keys"], "colour": "red"}
    with pytest.raises(zappa_settings.SettingsError) as raised:
        zappa_settings.validate(committed)
    lines = raised.value.message.splitlines()
    assert lines[0] == "zappa_settings.json:"
    assert "  stage dev: api_keys.colour is unknown" in lines
    assert "  stage test: usage_plan.burst_limit is missing" in lines
    assert "  stage prod: api_keys.colour is unknown" in lines
    assert len(lines) == 1 + 3 + 3  # test lacks burst, quota limit and period; one per stage


def test_bucket_override(monkeypatch):
    monkeypatch.setenv("ZAPPA_S3_BUCKET", "my-own-bucket")
    assert zappa_settings.render(Stage.resolve("dev"), SHA, "1")["s3_bucket"] == "my-own-bucket"


def test_aws_region_overrides_the_committed_region(monkeypatch):
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    assert zappa_settings.render(Stage.resolve("dev"), SHA, "1")["aws_region"] == "eu-west-1"
    assert Stage.resolve("dev").region == "eu-west-1"


def test_unknown_stage_is_refused():
    with pytest.raises(zappa_settings.SettingsError, match="unknown stage 'qa'; choose one of"):
        Stage.resolve("qa")


def test_write_rendered_writes_the_stage_only():
    target = zappa_settings.write_rendered(Stage.resolve("dev"), {"aws_region": "us-east-1"})
    assert target == paths.BUILD / "zappa_settings.dev.json"
    assert json.loads(target.read_text()) == {"dev": {"aws_region": "us-east-1"}}
    assert not list(target.parent.glob("*.tmp"))


def test_the_exclude_list_keeps_every_committed_project_path_out():
    """A new top-level file or folder must be excluded on purpose, or listed as packaged."""
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=paths.ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    exclude = zappa_settings.resolve(zappa_settings.load(), "dev")["exclude"]
    top = {name.split("/", 1)[0] for name in tracked}
    leaking = sorted(
        name
        for name in top - PROJECT_ENTRIES
        if not any(fnmatch.fnmatch(name, pattern) for pattern in exclude)
    )
    assert leaking == []
