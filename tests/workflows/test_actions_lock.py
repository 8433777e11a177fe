"""Every pinned action is one whose tag, runtime and inputs were read from its own git history."""

import subprocess

import pytest
import yaml

from tests.conftest import ROOT
from tests.workflows import actions_lock
from tests.workflows.conftest import all_workflows, steps

LOCK = actions_lock.load()
PINS = actions_lock.pins()


def step_uses():
    """(where, action@sha, with) for every step that uses a remote action."""
    for name, workflow in all_workflows().items():
        for job_id, _, step in steps(workflow):
            uses = step.get("uses", "")
            if uses and not uses.startswith("./"):
                yield f"{name}:{job_id}", uses, step.get("with") or {}


USES = list(step_uses())


@pytest.mark.parametrize("pin", PINS, ids=[p["where"] for p in PINS])
def test_every_pin_is_recorded_with_the_version_in_its_comment(pin):
    key = f"{pin['action']}@{pin['sha']}"
    assert key in LOCK, f"{pin['where']}: {key} is not in actions.lock.json (run make actions-lock)"
    assert LOCK[key]["version"] == pin["version"], pin["where"]


@pytest.mark.parametrize("pin", PINS, ids=[p["where"] for p in PINS])
def test_pinned_actions_run_on_node24_or_are_composite(pin):
    entry = LOCK.get(f"{pin['action']}@{pin['sha']}", {"using": "not recorded"})
    assert entry["using"] in actions_lock.RUNTIMES, (
        f"{pin['where']}: {pin['action']} {pin['version']} runs on {entry['using']}"
    )


@pytest.mark.parametrize(("where", "uses", "inputs"), USES, ids=[u[0] for u in USES])
def test_every_with_key_is_an_input_the_pinned_action_declares(where, uses, inputs):
    entry = LOCK.get(uses)
    assert entry, f"{where}: {uses} is not in actions.lock.json"
    unknown = set(inputs) - set(entry["inputs"])
    assert not unknown, f"{where}: {uses.split('@')[0]} {entry['version']} has no input {unknown}"
    missing = set(entry["required"]) - set(inputs)
    assert not missing, f"{where}: required inputs {sorted(missing)} not passed"


def test_the_lock_records_only_pins_in_use():
    assert set(LOCK) == {f"{p['action']}@{p['sha']}" for p in PINS}


def test_calls_of_reusable_workflows_pass_only_declared_inputs(workflows):
    for name, workflow in workflows.items():
        for job_id, job in workflow["jobs"].items():
            if not job.get("uses", "").startswith("./"):
                continue
            called = workflows[job["uses"].rsplit("/", 1)[1]]["on"]["workflow_call"]["inputs"]
            assert set(job.get("with", {})) <= set(called), f"{name}:{job_id}"
            required = {k for k, v in called.items() if v.get("required")}
            assert required <= set(job.get("with", {})), f"{name}:{job_id}"


def test_dependabot_keeps_the_pins_current_and_says_how_to_refresh_the_lock():
    text = (ROOT / ".github" / "dependabot.yml").read_text()
    ecosystems = {u["package-ecosystem"]: u for u in yaml.safe_load(text)["updates"]}
    assert ecosystems["github-actions"]["directory"] == "/"
    assert "make actions-lock" in text


# The generator against a small action repository made here: it must refuse what GitHub would
# resolve differently from what the comment says.


def git(repo, *args):
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)


def rev(repo, ref):
    return subprocess.run(
        ["git", "-C", str(repo), "rev-parse", ref], check=True, capture_output=True, text=True
    ).stdout.strip()


@pytest.fixture
def action_repo(tmp_path):
    repo = tmp_path / "action"
    repo.mkdir()
    git(repo, "init", "-q")
    git(repo, "config", "user.email", "t@example.com")
    git(repo, "config", "user.name", "t")
    for version, using in (("v1.0.0", "node20"), ("v2.0.0", "node24")):
        (repo / "action.yml").write_text(
            yaml.safe_dump(
                {
                    "name": "a",
                    "inputs": {"token": {"default": "x"}, "path": {"required": True}},
                    "runs": {"using": using, "main": "index.js"},
                }
            )
        )
        git(repo, "add", "action.yml")
        git(repo, "commit", "-q", "-m", version)
        git(repo, "tag", "-a", version, "-m", version)
    return repo


def lock_for(tmp_path, repo, line):
    workflows = tmp_path / "workflows"
    workflows.mkdir(exist_ok=True)
    (workflows / "w.yml").write_text(f"jobs:\n  j:\n    steps:\n      - uses: {line}\n")
    return actions_lock.build({"o/a": repo}, workflows)


def test_generator_records_a_verified_pin(tmp_path, action_repo):
    sha = rev(action_repo, "v2.0.0^{commit}")
    lock = lock_for(tmp_path, action_repo, f"o/a@{sha} # v2.0.0")
    assert lock == {
        f"o/a@{sha}": {
            "version": "v2.0.0",
            "tag_object": True,
            "commit_date": lock[f"o/a@{sha}"]["commit_date"],
            "using": "node24",
            "inputs": ["path", "token"],
            "required": ["path"],
        }
    }


@pytest.mark.parametrize(
    ("ref", "comment", "reason"),
    [
        ("v2.0.0^{commit}", "v1.0.0", "tag v1.0.0 is commit"),
        ("v2.0.0", "v2.0.0", "is a tag object"),
        ("v2.0.0^{commit}", "v2", "exact tag"),
        (None, "v2.0.0", "not in the action's repository"),
    ],
)
def test_generator_refuses_a_pin_its_history_does_not_confirm(
    tmp_path, action_repo, ref, comment, reason
):
    sha = rev(action_repo, ref) if ref else "0123456789abcdef0123456789abcdef01234567"
    with pytest.raises(actions_lock.LockError, match=reason):
        lock_for(tmp_path, action_repo, f"o/a@{sha} # {comment}")
