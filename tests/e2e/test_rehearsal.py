"""`make rehearse` end to end (a few minutes): every stage deployed and smoke-tested on the
commit, the load test gated, two broken builds (5xx, wrong SHA) rolled back, a key rotated and
revoked."""

import json
import shlex
import subprocess
import sys
import zipfile

import pytest

from ops import paths
from ops.package_report import zappa_settings as baked_settings
from rehearsal import broken
from tests.conftest import ROOT
from tests.rehearsal.test_fidelity import REHEARSED_WORKFLOWS, make_goals_and_variables
from tests.workflows.conftest import all_workflows, steps


@pytest.fixture(scope="module")
def rehearsal(tmp_path_factory):
    logs = tmp_path_factory.mktemp("rehearsal")
    result = subprocess.run(
        [sys.executable, "-m", "rehearsal", "run", "--log-dir", str(logs)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,  # the gateway reports worker failures on stderr
        text=True,
        timeout=900,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-6000:]
    summary = json.loads((logs / "summary.json").read_text())
    summary["iam"] = json.loads((logs / "iam-audit.json").read_text())
    calls = (logs / "aws-calls.jsonl").read_text().splitlines()
    summary["calls"] = [json.loads(line) for line in calls]
    commands = (logs / "commands.txt").read_text().splitlines()
    summary["log_dir"] = logs
    return result.stdout, summary, commands


def rehearsed_sha(summary) -> str:
    """The commit the rehearsal deployed: HEAD when it started (others may commit meanwhile)."""
    sha = summary["sha"]
    ancestor = subprocess.run(
        ["git", "merge-base", "--is-ancestor", sha, "HEAD"], cwd=ROOT, check=False
    )
    assert ancestor.returncode == 0, f"{sha} is not in this checkout's history"
    return sha


def test_every_stage_serves_this_commit_and_model(rehearsal):
    _, summary, _ = rehearsal
    manifest = json.loads((ROOT / "models" / "manifest.json").read_text())
    stages = {s["stage"]: s for s in summary["stages"]}
    assert list(stages) == ["dev", "test", "prod"]
    for stage in stages.values():
        assert stage["sha"] == rehearsed_sha(summary)
        assert stage["model"] == manifest["model_version"]
        assert stage["smoke"] == "pass"


def test_the_load_test_gated_test_before_prod(rehearsal):
    output, summary, _ = rehearsal
    stages = {s["stage"]: s for s in summary["stages"]}
    assert stages["test"]["load"] == "PASS"
    assert output.index("load test and scaling gate") < output.index("prod approval")
    assert output.index("prod approval") < output.index("prod: deploy")


def test_both_broken_builds_failed_their_smoke_test_and_were_rolled_back(rehearsal):
    output, summary, commands = rehearsal
    head = rehearsed_sha(summary)
    for name in (build.name for build in broken.BUILDS):
        assert f"dev ({name}): smoke test" in output
        line = next(x for x in output.splitlines() if f"dev ({name}): smoke test" in x)
        assert "failed, as expected" in line
    assert "does not match the manifest" in output  # the 5xx build's app refuses its model
    wrong = next(build for build in broken.BUILDS if not build.tampered).sha(head)
    smoke_log = next(summary["log_dir"].glob("*-dev-wrong-sha-build-smoke-test.log")).read_text()
    assert f"serves git {wrong}, expected {head} (still, after the 5 s settle window)" in smoke_log
    # Each rollback goes to the version its deploy reported, as deploy-stage.yml runs it.
    rollbacks = [c for c in commands if c.startswith("make rollback ")]
    assert len(rollbacks) == 2
    assert all(" TO_VERSION=" in c for c in rollbacks)
    assert len(summary["rollbacks"]) == 2
    dev = summary["stages"][0]
    assert dev["rollback"] == f"2 builds -> {head[:8]}"
    assert output.index("automatic rollback") < output.index("smoke test of the previous commit")
    assert output.count("smoke test of the previous commit") == 2
    with zipfile.ZipFile(paths.package_zip("dev")) as archive:  # what `make deploy` would deploy
        assert baked_settings(archive)["ENVIRONMENT_VARIABLES"]["GIT_SHA"] == head


def test_the_old_key_works_in_the_overlap_and_is_refused_after_revocation(rehearsal):
    output, _, _ = rehearsal
    assert "previous key during the overlap: 200 (expected 200)" in output
    assert "previous key after revocation: 403 (expected 403)" in output


def test_the_rehearsal_ran_every_deploy_workflow_step(rehearsal):
    _, _, commands = rehearsal
    executed = {
        goal
        for line in commands
        if line.startswith("make ")
        for goal in make_goals_and_variables(shlex.split(line))[0]
    }
    for name in REHEARSED_WORKFLOWS:
        for job_id, _, step in steps(all_workflows()[name]):
            if "run" in step:
                goals, _ = make_goals_and_variables(shlex.split(step["run"]))
                assert set(goals) <= executed, f"{name}:{job_id}: {step['run']}"


def test_every_recorded_aws_call_is_allowed_by_its_steps_role(rehearsal):
    _, summary, _ = rehearsal
    roles = {call["role"] for call in summary["calls"]}
    steps_seen = {call["step"] for call in summary["calls"]}
    assert {"sklearn-zappa-ml-dev-deploy", "sklearn-zappa-ml-prod-deploy"} <= roles
    assert {"sklearn-zappa-ml-key-rotation", "sklearn-zappa-ml-loadtest-read"} <= roles
    assert "dev: deploy" in steps_seen  # Zappa's own calls, from its subprocess
    assert any(call["service"] == "cloudformation" for call in summary["calls"])
    assert summary["iam"]["calls"] == len(summary["calls"])
    assert summary["iam"]["denied"] == []


def test_the_required_calls_file_lists_every_need_the_rehearsal_recorded(rehearsal):
    """What `make verify-account` simulates cannot drift from what the pipeline does."""
    output, _, _ = rehearsal
    line = next(x for x in output.splitlines() if "iam/required-calls.json lists every" in x)
    assert line.rstrip().split()[-2] == "ok", line
