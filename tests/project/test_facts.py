"""The project's facts have one definition; the copies a file format forces on us must agree."""

import json
import subprocess
import sys

import project
from app.settings import DEFAULTS
from iam.template import load_template, render_roles
from project import git


def test_the_name_is_zappa_settings_project_name_in_every_stage():
    settings = json.loads(project.SETTINGS_FILE.read_text())
    for stage in project.STAGES:
        assert project.zappa_stages.resolve(settings, stage)["project_name"] == project.NAME


def test_the_iam_template_and_the_app_default_to_the_same_name():
    """CloudFormation can't read zappa_settings.json, and the Lambda package doesn't ship
    `project`: these two copies stay, and must agree."""
    assert load_template()["Parameters"]["ProjectName"]["Default"] == project.NAME
    assert DEFAULTS["SERVICE_NAME"] == project.NAME
    assert f"{project.NAME}-bootstrap" == project.BOOTSTRAP_STACK


def test_the_package_pulls_in_no_tool_dependencies():
    code = (
        "import sys, project, project.atomic, project.git\n"
        "heavy = {'boto3', 'botocore', 'click', 'flask', 'numpy', 'sklearn', 'app', 'ops'}\n"
        "print(sorted(heavy & {name.split('.')[0] for name in sys.modules}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=project.ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"


def test_the_head_sha_is_a_full_commit_hash():
    sha = git.head_sha()
    assert sha is None or len(sha) == 40


def test_the_iam_template_serves_each_stage_as_zappa_settings_describes_it():
    """The template has what each stage's settings name (CloudFormation can't read them): the
    execution role `role_name`, a deploy role, and X-Ray rights exactly where tracing is on."""
    template = load_template()
    roles = render_roles({"GitHubOrg": "o", "GitHubRepo": "r", "SubjectFormat": "classic"})
    tracing_default = template["Parameters"]["ProdXRayTracing"]["Default"] == "true"
    for stage in project.STAGES:
        settings = project.stage_settings(stage)
        execution = settings["role_name"].replace("{stage}", stage)
        assert execution in roles, stage
        assert f"{project.NAME}-{stage}-deploy" in roles, stage
        traced = "xray" in roles[execution].policies
        assert settings.get("xray_tracing", False) == traced, stage
    assert project.stage_settings("prod").get("xray_tracing", False) == tracing_default
