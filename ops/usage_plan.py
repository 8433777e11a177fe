"""`python -m ops usage-plan STAGE`: the stage's usage plan, its API stage, and its API key.

Zappa never creates a usage plan, and without one every keyed request is 403. Throttle and quota
come from the stage's `usage_plan` in zappa_settings.json. The plan is created once and patched
only where it differs, so running this twice changes nothing the second time. The key is ops'
(see ops/stage_key.py).
"""

import click

import project
from ops import aws, changes, restapi, stage_key, zappa_settings
from ops.stage import Stage
from ops.stage import argument as stage_argument


def wanted(stage: Stage) -> dict:
    """Throttle and quota for the stage (its `usage_plan`), checked before anything is sent to
    AWS."""
    plan = zappa_settings.table(stage.name, stage.settings, "usage_plan")
    return {
        "throttle": {"rateLimit": float(plan["rate_limit"]), "burstLimit": plan["burst_limit"]},
        "quota": {"limit": plan["quota_limit"], "period": plan["quota_period"]},
    }


def find_plan(client, name: str) -> dict | None:
    plans = aws.listed(client, "get_usage_plans")
    return next((plan for plan in plans if plan.get("name") == name), None)


def patches(current: dict, want: dict, api_id: str, stage: str) -> list[dict]:
    """The patch operations that turn the current plan into the wanted one (none if equal)."""
    ops = []
    throttle = current.get("throttle", {})
    for key in ("rateLimit", "burstLimit"):
        if float(throttle.get(key, -1)) != float(want["throttle"][key]):
            ops.append(
                {"op": "replace", "path": f"/throttle/{key}", "value": f"{want['throttle'][key]:g}"}
            )
    quota = current.get("quota", {})
    if int(quota.get("limit", -1)) != want["quota"]["limit"]:
        ops.append({"op": "replace", "path": "/quota/limit", "value": str(want["quota"]["limit"])})
    if quota.get("period") != want["quota"]["period"]:
        ops.append({"op": "replace", "path": "/quota/period", "value": want["quota"]["period"]})
    stages = {(s.get("apiId"), s.get("stage")) for s in current.get("apiStages", [])}
    if (api_id, stage) not in stages:
        ops.append({"op": "add", "path": "/apiStages", "value": f"{api_id}:{stage}"})
    return ops


def plan_actions(stage: Stage, api_id: str) -> tuple[changes.Actions, dict]:
    """What to change so the plan exists as configured; `state['plan_id']` is set once known."""
    client = stage.client("apigateway")
    name, want = stage.usage_plan_name, wanted(stage)
    todo, state = changes.Actions(), {}
    with aws.aws_errors():
        current = find_plan(client, name)
    limits = (
        f"rate {want['throttle']['rateLimit']:g}/s, burst {want['throttle']['burstLimit']}, "
        f"quota {want['quota']['limit']}/{want['quota']['period']}"
    )
    if current is None:

        def create():
            with aws.aws_errors():
                plan = client.create_usage_plan(
                    name=name,
                    description=(
                        f"{project.NAME} {stage.name}: managed by `python -m ops usage-plan`"
                    ),
                    apiStages=[{"apiId": api_id, "stage": stage.name}],
                    tags=stage.resource_tags,
                    **want,
                )
            state["plan_id"] = plan["id"]

        todo.add(f"create usage plan {name} ({limits}) for API {api_id} stage {stage.name}", create)
        return todo, state
    state["plan_id"] = current["id"]
    patch = patches(current, want, api_id, stage.name)
    if patch:

        def update():
            with aws.aws_errors():
                client.update_usage_plan(usagePlanId=current["id"], patchOperations=patch)

        paths_changed = ", ".join(f"{op['path']}={op['value']}" for op in patch)
        todo.add(f"update usage plan {name} ({current['id']}): {paths_changed}", update)
    return todo, state


def ensure(stage: Stage, dry_run: bool) -> list[str]:
    """Plan, API stage and key; used by this command and by `ops deploy` after Zappa."""
    api_id = restapi.require_api_id(stage)
    todo, state = plan_actions(stage, api_id)
    done = todo.apply(dry_run)
    key_todo, _ = stage_key.key_actions(stage, state)
    done += key_todo.apply(dry_run)
    if not done:
        click.echo(f"usage plan {stage.usage_plan_name} and its key are up to date")
    stage_key.note_zappa_keys(stage, api_id)
    return done


@click.command("usage-plan")
@stage_argument
@click.option("--dry-run", is_flag=True, help="Print the changes without making them.")
def usage_plan(stage: Stage, dry_run: bool) -> None:
    """Create or update the stage's usage plan, attach the API stage, and ensure its API key."""
    ensure(stage, dry_run)
