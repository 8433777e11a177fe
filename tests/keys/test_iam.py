"""The key-rotation role of iam/bootstrap.yaml allows every call `ops keys` makes.

Recorded and judged by rehearsal.iam_audit (the IAM engineer's engine): rotations that
retire and delete keys, a revocation, a prune and a read, all as `sklearn-zappa-ml-key-rotation`.
"""

import pytest
from click.testing import CliRunner
from moto import mock_aws

import project
from iam.template import render_roles
from ops import paths, stage_key, usage_plan
from ops.cli import main
from ops.keys import clock
from ops.stage import Stage
from rehearsal.iam_audit.audit import audit, format_report, read_records
from rehearsal.iam_audit.recorder import CallRecorder
from tests.keys.conftest import REGION, STAGE, Clock, apigw, make_rotation, stored

ACCOUNT = "123456789012"
ROLE = f"{paths.PROJECT}-key-rotation"


@pytest.fixture(scope="module")
def report(stage_url, tmp_path_factory):
    recorder = CallRecorder(tmp_path_factory.mktemp("iam") / "calls.jsonl")
    now, runner = Clock(), CliRunner()
    recorder.install()
    try:
        with pytest.MonkeyPatch.context() as patch, mock_aws():
            patch.setenv("AWS_ACCESS_KEY_ID", "testing")
            patch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
            patch.setenv("AWS_DEFAULT_REGION", REGION)
            patch.delenv("AWS_ENDPOINT_URL", raising=False)
            patch.setattr(clock, "utcnow", now)
            tags = Stage.resolve(STAGE).resource_tags
            with recorder.step("first deploy", role=f"{paths.PROJECT}-{STAGE}-deploy"):
                stage_key.prepare_first_deploy(Stage.resolve(STAGE), {})  # before `zappa deploy`
                apigw().create_rest_api(name=project.function_name(STAGE), tags=tags)
                usage_plan.ensure(Stage.resolve(STAGE), dry_run=False)
            with recorder.step("rotate", role=ROLE):
                for days in (0, 2, 8):
                    now.advance(days=days)
                    make_rotation(stage_url, now).run()
                previous = stored("AWSPREVIOUS")["key_id"]
                for args in (["revoke", STAGE, previous], ["prune", STAGE], ["get", STAGE]):
                    assert runner.invoke(main, ["keys", *args]).exit_code == 0
    finally:
        recorder.uninstall()
    roles = render_roles({"GitHubOrg": "acme", "GitHubRepo": "ml-api"}, account_id=ACCOUNT)
    return audit(read_records([recorder.path]), roles, ACCOUNT)


def test_every_rotation_call_is_allowed_by_the_role_that_makes_it(report):
    assert report.calls > 50
    assert report.denials == [], format_report(report)
