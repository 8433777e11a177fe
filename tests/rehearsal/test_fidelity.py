"""The rehearsal runs what the deploy and key-rotation workflows run: same make targets, and at
least the same make variables (it adds URL= for its local gateway)."""

import shlex

import pytest

from rehearsal import plan
from tests.workflows.conftest import all_workflows, steps

# Workflows whose steps the rehearsal reproduces; CI checks (ci.yml) and retraining (retrain.yml)
# run their targets in `make test` and in the tests of train/ instead.
REHEARSED_WORKFLOWS = ("deploy.yml", "deploy-stage.yml", "rotate-keys.yml")
SHA, URL = "0" * 40, "http://127.0.0.1:1/dev"


def make_goals_and_variables(argv: list[str]) -> tuple[list[str], set[str]]:
    assert argv[0] == "make", argv
    goals = [word for word in argv[1:] if "=" not in word]
    variables = {word.split("=", 1)[0] for word in argv[1:] if "=" in word}
    return goals, variables


def rehearsed() -> dict[str, set[str]]:
    """make goal -> the variables the rehearsal passes with it."""
    commands = [
        plan.build("dev"),
        plan.deploy("dev"),
        plan.usage_plan("dev"),
        plan.smoke("dev", SHA, URL),
        plan.rollback("dev", "1", URL),
        plan.loadtest("test", URL, "out"),
        plan.rotate_keys("dev", URL),
        plan.prune_keys("dev"),
        plan.train(),
        plan.gate(),
    ]
    found: dict[str, set[str]] = {}
    for argv in commands:
        goals, variables = make_goals_and_variables(argv)
        for goal in goals:
            found.setdefault(goal, set()).update(variables)
    return found


def workflow_steps():
    for name in REHEARSED_WORKFLOWS:
        for job_id, _, step in steps(all_workflows()[name]):
            if "run" in step:
                yield f"{name}:{job_id}", shlex.split(step["run"])


@pytest.mark.parametrize(("where", "argv"), list(workflow_steps()))
def test_every_deploy_step_is_rehearsed(where, argv):
    goals, variables = make_goals_and_variables(argv)
    done = rehearsed()
    for goal in goals:
        assert goal in done, f"{where}: make {goal} never runs in the rehearsal"
        missing = variables - done[goal]
        assert not missing, f"{where}: the rehearsal runs make {goal} without {sorted(missing)}"
