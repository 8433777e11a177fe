"""What `ops deploy` has to do, read from Lambda and CloudFormation before anything changes.

Zappa creates the function first and the stack (REST API) second. A function whose stack failed
to create or is missing serves nothing (no API fronts it), yet makes `zappa deploy` refuse and
`zappa update` fail, so such a failed first deploy is cleaned up and deployed anew. Stacks that
AWS must first repair (UPDATE_ROLLBACK_FAILED, ...) or that are busy stop the deploy with the
command to run.
"""

from dataclasses import dataclass, field

import click

from ops import aws, stack, zappa
from ops.stage import Stage


@dataclass(frozen=True)
class DeployPlan:
    verb: str  # the zappa command: "deploy" or "update"
    reason: str
    # The function's newest published version before this deploy: what a failed deploy rolls back
    # to. Empty when the stage served nothing (no function, or no working API in front of it).
    previous_version: str = ""
    delete_stack: stack.Stack | None = None
    delete_function: bool = False
    cleanup: list[str] = field(default_factory=list)


def latest_published_version(client, name: str) -> str:
    """The highest published version number ("" when only $LATEST exists), all pages read."""
    pages = client.get_paginator("list_versions_by_function").paginate(FunctionName=name)
    numbers = [
        int(v["Version"]) for page in pages for v in page["Versions"] if v["Version"].isdigit()
    ]
    return str(max(numbers)) if numbers else ""


def plan_deploy(stage: Stage) -> DeployPlan:
    """Choose deploy or update, and the cleanup a failed first deploy needs; stop with one line
    when the stack is in a state only a person (or time) can resolve."""
    function = stage.function_name
    exists = zappa.function_exists(stage)
    cloudformation = stage.client("cloudformation")
    with aws.aws_errors():
        current = stack.describe(cloudformation, stage.function_name)
        previous = latest_published_version(stage.client("lambda"), function) if exists else ""
    failed = current is not None and current.status in stack.FAILED_CREATION
    if current is not None and not failed and current.status not in stack.HEALTHY:
        if current.status.endswith("_IN_PROGRESS"):
            raise click.ClickException(
                f"stack {current.name} is {current.status}: another deploy is running; "
                f"wait for it, then `make deploy STAGE={stage.name}`"
            )
        with aws.aws_errors():
            why = stack.failure_reason(cloudformation, current)
        raise click.ClickException(
            f"stack {current.name} is {current.status} ({why}); {stack.next_step(stage, current)}"
        )
    if not exists:
        return DeployPlan(
            "deploy",
            "does not exist yet",
            delete_stack=current if failed else None,
            cleanup=[f"delete stack {current.name} ({current.status})"] if failed else [],
        )
    if current is not None and not failed:
        return DeployPlan("update", "exists", previous_version=previous)
    state = f"stack {current.name} is {current.status}" if current else "its stack is missing"
    cleanup = [f"delete stack {current.name} ({current.status})"] if current else []
    cleanup.append(f"delete function {function} (no API serves it)")
    return DeployPlan(
        "deploy",
        f"exists but {state} (a failed first deploy)",
        delete_stack=current,
        delete_function=True,
        cleanup=cleanup,
    )


def clean_up(plan: DeployPlan, stage: Stage) -> None:
    """Remove what a failed first deploy left, so `zappa deploy` starts from nothing."""
    with aws.aws_errors():
        if plan.delete_stack is not None:
            stack.delete(stage.client("cloudformation"), plan.delete_stack)
        if plan.delete_function:
            stage.client("lambda").delete_function(FunctionName=stage.function_name)
    for step in plan.cleanup:
        click.echo(f"done: {step}")
