"""Read zappa_settings.json, resolve each stage through `extends`, validate it, render it.

The committed file holds placeholders for what differs per account or commit ({stage},
{git_sha}, {account_id}); `render` fills them into build/zappa_settings.STAGE.json, which is what
zappa gets with `-s`, without our own tables (usage_plan, api_keys: project.zappa_stages), so
Zappa's file holds Zappa's settings only. The committed file is never edited by a deploy.
"""

import json
import os
import re

import click

import project
from ops import paths
from project import STAGES, atomic, zappa_stages

ZAPPA_HANDLER = "handler.lambda_handler"  # Zappa's default `lambda_handler` setting
PLACEHOLDER = re.compile(r"\{(stage|git_sha|account_id)\}")


def lambda_handler(config: dict) -> str:
    """The function's Handler, as Zappa deploys it: its own handler.py unless the stage says."""
    return config.get("lambda_handler", ZAPPA_HANDLER)


def runtime() -> str:
    """The Lambda runtime: the project's one Python, as .python-version names it (python3.13)."""
    return "python" + paths.PYTHON_VERSION_FILE.read_text().strip()


# What every deployable stage must say, and why (see README "Stages and packaging").
REQUIRED = {
    "app_function": "app.wsgi.app",
    "app_type": "wsgi",
    "lambda_handler": "app.lambda_entry.lambda_handler",
    "runtime": runtime(),
    "project_name": paths.PROJECT,
    "manage_roles": False,
    "api_key_required": True,
    "endpoint_configuration": ["REGIONAL"],
    "slim_handler": False,
    "use_precompiled_packages": False,
}
PRESENT = ("aws_region", "s3_bucket", "role_name", "memory_size", "timeout_seconds", "tags")
ENVIRONMENT = ("STAGE", "GIT_SHA")
# Kept out of every package: the Lambda runtime brings boto3/botocore; the rest is never imported.
EXCLUDED = ("boto3", "botocore", "tests", "train", "data", "loadtest", "project", "rehearsal")
EXCLUDED += ("docs", "*.joblib", ".cache")
PERIODS = ("DAY", "WEEK", "MONTH")  # API Gateway's quota periods (usage_plan.quota_period)
# Rendered for a local AWS endpoint (AWS_ENDPOINT_URL set), whatever the stage says: a local
# endpoint (moto) has no real execute-api host to "touch" after a deploy and no reason for a
# keep-warm schedule, and its bucket is local too, so no account id is needed.
LOCAL = {"touch": False, "keep_warm": False, "s3_bucket": f"{project.NAME}-{{stage}}-local"}


class SettingsError(click.ClickException):
    """zappa_settings.json is missing something a deploy needs."""


def load(path=None) -> dict:
    path = path or paths.SETTINGS_FILE
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        raise SettingsError(f"{path} not found") from None
    except json.JSONDecodeError as exc:
        raise SettingsError(f"{path} is not valid JSON: {exc}") from None


def resolve(settings: dict, stage: str) -> dict:
    """Zappa's `extends` semantics (project.zappa_stages), as one line when a stage is wrong."""
    try:
        return zappa_stages.resolve(settings, stage)
    except zappa_stages.StageError as exc:
        raise SettingsError(str(exc)) from None


def problems(stage: str, config: dict) -> list[str]:
    """Everything wrong with one resolved stage; empty when it can be deployed."""
    found = [
        f"{key} must be {want!r} (is {config.get(key)!r})"
        for key, want in REQUIRED.items()
        if config.get(key) != want
    ]
    found += [f"{key} is missing" for key in PRESENT if key not in config]
    mappings = config.get("context_header_mappings", {})
    if mappings.get("X-Apigw-Request-Id") != "requestId":
        found.append("context_header_mappings must map X-Apigw-Request-Id to requestId")
    environment = config.get("environment_variables", {})
    found += [
        f"environment_variables lacks {name}" for name in ENVIRONMENT if name not in environment
    ]
    excluded = set(config.get("exclude", []))
    found += [f"exclude lacks {pattern!r}" for pattern in EXCLUDED if pattern not in excluded]
    if "keep_warm" not in config:
        found.append("keep_warm must be set (Zappa's default is on)")
    if "api_key" in config:
        found.append("api_key must not be committed: ops renders the stage's own key at deploy")
    if "{git_sha}" in json.dumps(config.get("tags", {})):
        found.append("tags must not carry {git_sha}: every zappa update would re-tag the stack")
    for name in zappa_stages.TABLES:
        found += table_problems(config, name)
    return [f"stage {stage}: {problem}" for problem in found]


def table_problems(config: dict, name: str) -> list[str]:
    """What is wrong with our own table `name` (usage_plan, api_keys) of a resolved stage."""
    found = zappa_stages.table_problems(name, config.get(name))
    if name == "usage_plan" and not found and config[name]["quota_period"] not in PERIODS:
        period = config[name]["quota_period"]
        found.append(f"usage_plan.quota_period must be one of {', '.join(PERIODS)} (is {period!r})")
    return found


def table(stage: str, config: dict, name: str) -> dict:
    """Our own table `name` of a resolved stage, or a SettingsError with one line per problem."""
    found = table_problems(config, name)
    if found:
        raise SettingsError(report([f"stage {stage}: {problem}" for problem in found]))
    return config[name]


def report(found: list[str]) -> str:
    """One line per problem, so each can be read (and fixed) on its own."""
    return "zappa_settings.json:\n" + "\n".join(f"  {problem}" for problem in found)


def validate(settings: dict) -> None:
    found = []
    for stage in STAGES:
        if stage not in settings:
            found.append(f"stage {stage} is missing")
            continue
        found += problems(stage, resolve(settings, stage))
    if found:
        raise SettingsError(report(found))


def _fill(value, values: dict):
    if isinstance(value, str):
        return PLACEHOLDER.sub(lambda m: values[m.group(1)], value)
    if isinstance(value, list):
        return [_fill(item, values) for item in value]
    if isinstance(value, dict):
        return {key: _fill(item, values) for key, item in value.items()}
    return value


def is_local() -> bool:
    """A stage is rendered for a local endpoint when AWS_ENDPOINT_URL points somewhere."""
    return bool(os.environ.get("AWS_ENDPOINT_URL"))


def render(stage, git_sha: str, account_id: str | None, local: bool = False) -> dict:
    """The stage's (an ops.stage.Stage) settings for Zappa: our own tables left out, every
    placeholder filled, ready for `zappa -s`. The whole file is validated first."""
    validate(load())
    config = {k: v for k, v in stage.settings.items() if k not in zappa_stages.TABLES}
    if local:
        config.update(LOCAL)
    bucket = os.environ.get("ZAPPA_S3_BUCKET")
    if bucket:
        config["s3_bucket"] = bucket
    config["aws_region"] = stage.region
    values = {"stage": stage.name, "git_sha": git_sha, "account_id": account_id or "no-account"}
    return _fill(config, values)


def with_api_key(config: dict, key_id: str) -> dict:
    """The settings with the stage's ops key: `zappa deploy` then adds its API stage to that key
    (UpdateApiKey) instead of creating an untagged key of its own."""
    return {**config, "api_key": key_id}


def write_rendered(stage, config: dict):
    """Write {stage: config} atomically to build/ and return its path."""
    target = paths.rendered_settings_path(stage.name)
    atomic.write_json(target, {stage.name: config})
    return target
