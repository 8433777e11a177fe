"""Facts about this repository that every part needs: where it is, what it is called, its stages.

A small, dependency-free package (standard library only), so training, ops, the load test and the
IAM tools import it without pulling in each other's dependencies (boto3, click, scikit-learn).
The Lambda package neither ships nor imports it: app/ imports only app/ and its serve dependencies.

The project name is read from zappa_settings.json, the file a forker edits anyway: `project_name`
there names the functions, stacks, usage plans, keys and secrets.
"""

import json
from pathlib import Path

from project.zappa_stages import StageError, resolve

ROOT = Path(__file__).resolve().parent.parent  # the checkout: data/, models/, zappa_settings.json
SETTINGS_FILE = ROOT / "zappa_settings.json"
STAGES = ("dev", "test", "prod")  # the pipeline's order; iam/bootstrap.yaml has one role per stage
# The hosts a local run may reach: the rehearsal's endpoint and gateways, local load tests, drills.
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


def stage_settings(stage: str) -> dict:
    """One stage of zappa_settings.json, resolved (project.zappa_stages): Zappa's settings and our
    own tables (usage_plan, api_keys). Raises StageError for a stage the file lacks."""
    return resolve(json.loads(SETTINGS_FILE.read_text(encoding="utf-8")), stage)


def _project_name() -> str:
    """zappa_settings.json's project_name for the first stage (ops.zappa_settings checks that every
    stage agrees); one line instead of a traceback when the file can't say."""
    try:
        name = stage_settings(STAGES[0])["project_name"]
    except (OSError, ValueError, KeyError, TypeError, StageError) as exc:
        raise SystemExit(f"{SETTINGS_FILE.name}: cannot read project_name ({exc})") from None
    return name


NAME = _project_name()
BOOTSTRAP_STACK = f"{NAME}-bootstrap"  # the IAM bootstrap's stack name (iam/README.md deploys it)


# The names of what a stage owns in AWS, here (not in ops) because the load test reads them too.
def function_name(stage: str) -> str:
    """Zappa's naming: the Lambda function, the CloudFormation stack and the REST API."""
    return f"{NAME}-{stage}"


def usage_plan_name(stage: str) -> str:
    """The usage plan ops creates for the stage (Zappa creates none)."""
    return f"{NAME}-{stage}"


def api_key_secret_name(stage: str) -> str:
    """The Secrets Manager secret holding the stage's API key (ops.keys.store)."""
    return f"{NAME}/{stage}/api-key"


__all__ = [
    "BOOTSTRAP_STACK",
    "LOOPBACK",
    "NAME",
    "ROOT",
    "SETTINGS_FILE",
    "STAGES",
    "api_key_secret_name",
    "function_name",
    "stage_settings",
    "usage_plan_name",
]
