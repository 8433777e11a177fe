"""The pipeline's shape: triggers, the promotion chain, environments, and what every step runs."""

import shlex

import pytest

from ops.cli import main as ops_cli
from project import ROOT
from tests.project.test_layout import imported_modules
from tests.workflows.conftest import all_workflows, make_targets, steps

STAGE_WORKFLOW = "./.github/workflows/deploy-stage.yml"


def test_promotion_chain_dev_test_loadtest_prod(workflows):
    jobs = workflows["deploy.yml"]["jobs"]
    assert "needs" not in jobs["dev"]
    assert jobs["test"]["needs"] == "dev"
    assert jobs["loadtest"]["needs"] == "test"
    assert jobs["prod"]["needs"] == "loadtest"
    for stage in ("dev", "test", "prod"):
        assert jobs[stage]["uses"] == STAGE_WORKFLOW
        assert jobs[stage]["with"]["stage"] == stage
        assert jobs[stage]["with"]["sha"] == "${{ inputs.sha || github.sha }}"


def test_each_stage_deploys_in_its_own_environment_one_at_a_time(workflows):
    job = workflows["deploy-stage.yml"]["jobs"]["deploy"]
    assert job["environment"] == "${{ inputs.stage }}"
    assert job["concurrency"] == {
        "group": "deploy-${{ inputs.stage }}",
        "cancel-in-progress": False,
    }


def test_the_load_test_and_the_test_deploy_exclude_each_other(workflows):
    deploy = workflows["deploy-stage.yml"]["jobs"]["deploy"]["concurrency"]
    load = workflows["deploy.yml"]["jobs"]["loadtest"]["concurrency"]
    stage = workflows["deploy.yml"]["jobs"]["test"]["with"]["stage"]
    assert deploy["group"].replace("${{ inputs.stage }}", stage) == load["group"] == "deploy-test"
    assert deploy["cancel-in-progress"] is False
    assert load["cancel-in-progress"] is False


def test_load_test_runs_against_test_in_the_test_environment(workflows):
    job = workflows["deploy.yml"]["jobs"]["loadtest"]
    assert job["environment"] == "test"
    runs = [s["run"] for s in job["steps"] if "run" in s]
    assert runs == ["make loadtest STAGE=test"]
    uploads = [s for s in job["steps"] if s.get("uses", "").startswith("actions/upload-artifact@")]
    assert uploads
    assert uploads[0]["if"] == "always()"


def test_a_changed_stage_that_did_not_pass_its_smoke_test_rolls_back(workflows):
    deploy_steps = workflows["deploy-stage.yml"]["jobs"]["deploy"]["steps"]
    deploy = next(s for s in deploy_steps if s.get("id") == "deploy")
    smoke = next(s for s in deploy_steps if s.get("id") == "smoke")
    rollback = deploy_steps[deploy_steps.index(smoke) + 1]
    assert deploy["run"].startswith("make deploy ")
    assert smoke["run"].startswith("make smoke ")
    assert 'EXPECT_SHA="$GIT_SHA"' in smoke["run"]
    # Not only a failed smoke test: a failed usage plan or a timeout after the function changed
    # leaves unsmoked code serving too. No previous version (a first deploy): nothing to go back to.
    assert rollback["if"] == (
        "failure() && steps.smoke.outcome != 'success'"
        " && steps.deploy.outputs.previous-version != ''"
    )
    assert rollback["env"] == {"PREVIOUS_VERSION": "${{ steps.deploy.outputs.previous-version }}"}
    assert rollback["run"] == 'make rollback STAGE="$STAGE" TO_VERSION="$PREVIOUS_VERSION"'


def test_a_hung_step_fails_in_time_for_the_rollback(workflows):
    # A job that reaches its timeout-minutes is cancelled and `failure()` steps do not run; a step
    # that reaches its own timeout fails, and the rollback still runs.
    job = workflows["deploy-stage.yml"]["jobs"]["deploy"]
    run_steps = [s for s in job["steps"] if "run" in s]
    assert all("timeout-minutes" in s for s in run_steps)
    assert sum(s["timeout-minutes"] for s in run_steps) < job["timeout-minutes"]


def test_deploys_trigger_on_what_the_lambda_serves_not_on_raw_data(workflows):
    push = workflows["deploy.yml"]["on"]["push"]
    assert push["branches"] == ["main"]
    assert {"app/**", "models/**", "zappa_settings.json"} <= set(push["paths"])
    assert not any(path.startswith(("data/", "train/")) for path in push["paths"])
    assert "workflow_dispatch" in workflows["deploy.yml"]["on"]


def test_a_change_to_any_package_the_deploy_steps_import_deploys(workflows):
    """ops and loadtest run the deploy, and import these packages of ours: a change to any of
    them, merged, must run deploy.yml. Only `ops bench`, never a deploy step, imports train/."""
    ours = {path.name for path in ROOT.iterdir() if (path / "__init__.py").exists()}
    imported = {
        module.split(".")[0]
        for package in ("app", "ops", "loadtest")
        for path in (ROOT / package).rglob("*.py")
        for module in imported_modules(path)
    }
    deployed = (imported & ours) - {"train"}
    assert {"app", "ops", "loadtest", "project"} <= deployed
    paths = set(workflows["deploy.yml"]["on"]["push"]["paths"])
    assert {f"{package}/**" for package in deployed} <= paths


def test_data_changes_retrain_through_a_pull_request(workflows):
    retrain = workflows["retrain.yml"]
    assert retrain["on"]["push"] == {"branches": ["main"], "paths": ["data/**", "train/**"]}
    job = retrain["jobs"]["retrain"]
    pr = next(
        s for s in job["steps"] if s.get("uses", "").startswith("peter-evans/create-pull-request@")
    )
    assert pr["with"]["title"].startswith("Retrain model on data ")
    assert pr["with"]["add-paths"] == "models/**"
    assert not any("git push" in s.get("run", "") for s in job["steps"])


def test_ci_runs_each_check_once(workflows):
    """`make test` runs every linter, and its rehearsal builds and checks every stage's package, so
    no other job runs them again; the model job only gates a changed model against the base
    branch, which nothing else does."""
    runs = {
        job_id: [step["run"] for step in job.get("steps", []) if "run" in step]
        for job_id, job in workflows["ci.yml"]["jobs"].items()
    }
    assert runs.pop("test") == ["make test"]
    goals = {
        word
        for commands in runs.values()
        for command in commands
        for word in shlex.split(command)[1:]
        if "=" not in word
    }
    assert goals == {"model-changed", "train", "gate"}


def test_ci_has_one_required_job_that_needs_all_others(workflows):
    jobs = workflows["ci.yml"]["jobs"]
    assert set(jobs["all-checks"]["needs"]) == set(jobs) - {"all-checks"}
    assert jobs["all-checks"]["if"] == "always()"
    # workflow_dispatch: how retrain.yml starts CI on a pull request GITHUB_TOKEN opened.
    assert set(workflows["ci.yml"]["on"]) == {"pull_request", "push", "workflow_dispatch"}


def test_a_dispatched_ci_run_compares_the_model_against_the_default_branch(workflows):
    model = workflows["ci.yml"]["jobs"]["model"]["steps"]
    bases = [s["env"]["BASE_REF"] for s in model if "BASE_REF" in s.get("env", {})]
    assert bases
    for base in bases:  # a dispatch has neither a pull request base nor a previous push head
        assert base.endswith("|| format('origin/{0}', github.event.repository.default_branch) }}")


def test_the_retrain_pull_request_works_with_the_default_token(workflows):
    job = workflows["retrain.yml"]["jobs"]["retrain"]
    pr = next(s for s in job["steps"] if s.get("id") == "pr")
    assert (
        "labels" not in pr["with"]
    )  # a label the fork lacks fails; creating one needs issues: write
    after = job["steps"][job["steps"].index(pr) + 1]
    assert after["run"] == "make retrain-ci"
    assert after["env"]["PR_OPERATION"] == "${{ steps.pr.outputs.pull-request-operation }}"
    assert after["env"]["PR_BRANCH"] == "${{ steps.pr.outputs.pull-request-branch }}"
    assert after["env"]["GH_TOKEN"] == "${{ github.token }}"
    assert job["permissions"]["actions"] == "write"  # POST .../workflows/ci.yml/dispatches


def test_key_jobs_run_unattended_in_the_keys_environment_only(workflows):
    # prod's environment has required reviewers, which gate scheduled jobs too: key jobs must not
    # use a deploy environment, and deploys must not use `keys` (the rotation role trusts it).
    key_envs = {job["environment"] for job in workflows["rotate-keys.yml"]["jobs"].values()}
    assert key_envs == {"keys"}
    for name in ("deploy.yml", "deploy-stage.yml", "ci.yml", "retrain.yml"):
        for job in workflows[name]["jobs"].values():
            assert job.get("environment") != "keys", name


def test_the_account_check_runs_on_demand_with_the_auditor_role_only(workflows):
    """verify-account.yml: `make verify-account` in `audit`, the only environment the auditor
    role trusts; no other workflow runs in `audit`, and it assumes no other role."""
    workflow = workflows["verify-account.yml"]
    assert set(workflow["on"]) == {"workflow_dispatch"}
    (job,) = workflow["jobs"].values()
    assert job["environment"] == "audit"
    runs = [step["run"] for step in job["steps"] if "run" in step]
    assert runs == ["make verify-account"]
    (assume,) = [s for s in job["steps"] if "configure-aws-credentials" in s.get("uses", "")]
    assert assume["with"]["role-to-assume"] == "${{ vars.AWS_AUDIT_ROLE_ARN }}"
    for name, other in workflows.items():
        if name != "verify-account.yml":
            assert all(j.get("environment") != "audit" for j in other["jobs"].values()), name


def test_keys_rotate_weekly_per_stage(workflows):
    rotate = workflows["rotate-keys.yml"]
    assert rotate["on"]["schedule"][0]["cron"]
    assert rotate["on"]["workflow_dispatch"]["inputs"]["stage"]["options"] == [
        "all",
        "dev",
        "test",
        "prod",
    ]
    crons = [entry["cron"] for entry in rotate["on"]["schedule"]]
    job = rotate["jobs"]["rotate"]
    assert crons[0] in job["if"]
    assert [s["run"] for s in job["steps"] if "run" in s] == ['make rotate-keys STAGE="$STAGE"']
    prune = rotate["jobs"]["prune"]
    assert prune["if"] == f"github.event.schedule == '{crons[1]}'"
    assert prune["strategy"]["matrix"]["stage"] == ["dev", "test", "prod"]
    assert [s["run"] for s in prune["steps"] if "run" in s] == ['make prune-keys STAGE="$STAGE"']


def run_commands():
    for name, workflow in all_workflows().items():
        for job_id, _, step in steps(workflow):
            if "run" in step:
                yield f"{name}:{job_id}", step["run"]


@pytest.mark.parametrize(("where", "script"), list(run_commands()))
def test_every_run_step_is_a_make_target_or_ops_command_that_exists(where, script):
    lines = [line for line in script.strip().splitlines() if line.strip()]
    assert len(lines) == 1, f"{where}: keep run: steps to one command"
    words = shlex.split(lines[0])
    if words[0] == "make":
        goals = [w for w in words[1:] if "=" not in w and not w.startswith("-")]
        assert goals, f"{where}: make without a target"
        missing = set(goals) - make_targets()
        assert not missing, f"{where}: unknown make targets {sorted(missing)}"
    else:
        assert words[:3] == [".venv/bin/python", "-m", "ops"], f"{where}: not make or ops: {script}"
        assert ops_cli.get_command(None, words[3]), f"{where}: unknown ops command {words[3]}"
