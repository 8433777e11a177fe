"""The stage's CloudFormation stack (Zappa names it after the function: Stage.function_name).

ops reads the stack itself because Zappa does not cope with a failed one: it creates the function
before the stack, so after a failed first deploy `zappa update` meets a stack it cannot update and
`zappa deploy` refuses because the function exists; and its wait loop (core.py `update_stack`)
does not know ROLLBACK_COMPLETE or the *_FAILED states, so it polls them until a timeout.
"""

from dataclasses import dataclass

import click
from botocore.exceptions import BotoCoreError, ClientError, WaiterError

from ops import aws
from ops.stage import Stage

# Stable states a stack can be updated from (Zappa waits for the first two itself).
HEALTHY = {"CREATE_COMPLETE", "UPDATE_COMPLETE", "UPDATE_ROLLBACK_COMPLETE", "IMPORT_COMPLETE"}
# Creation failed: the stack never fronted the function, and deleting it is the only way on.
FAILED_CREATION = {"ROLLBACK_COMPLETE", "ROLLBACK_FAILED", "CREATE_FAILED"}
# States no deploy can leave by itself, which Zappa's wait loop does not treat as failure.
TERMINAL_FAILURES = FAILED_CREATION | {
    "UPDATE_ROLLBACK_FAILED",
    "UPDATE_FAILED",
    "DELETE_FAILED",
    "IMPORT_ROLLBACK_COMPLETE",
    "IMPORT_ROLLBACK_FAILED",
}
DELETE_POLL_SECONDS = 5
DELETE_TIMEOUT_SECONDS = 600


@dataclass(frozen=True)
class Stack:
    name: str
    status: str
    reason: str = ""


def describe(client, name: str) -> Stack | None:
    """The stack's status, or None when there is none (a deleted stack counts as none)."""
    try:
        stacks = client.describe_stacks(StackName=name)["Stacks"]
    except ClientError as exc:
        if aws.error_code(exc) == "ValidationError" and "does not exist" in str(exc):
            return None
        raise
    if not stacks or stacks[0]["StackStatus"] == "DELETE_COMPLETE":
        return None
    return Stack(name, stacks[0]["StackStatus"], stacks[0].get("StackStatusReason", ""))


def failure_reason(client, stack: Stack) -> str:
    """The first resource failure of the stack's last operation: usually the real cause (an
    AccessDenied, a quota). Falls back to the stack's own reason when events can't be read."""
    try:
        events = client.describe_stack_events(StackName=stack.name)["StackEvents"]
    except (ClientError, BotoCoreError):
        return stack.reason
    for event in reversed(events):  # AWS lists the newest first
        reason = event.get("ResourceStatusReason", "")
        if event.get("ResourceStatus", "").endswith("_FAILED") and reason:
            return f"{event.get('LogicalResourceId')}: {reason}"
    return stack.reason


def delete(client, stack: Stack) -> None:
    """Delete a stack that failed to create and wait (bounded) until it is gone."""
    client.delete_stack(StackName=stack.name)
    attempts = DELETE_TIMEOUT_SECONDS // DELETE_POLL_SECONDS
    try:
        client.get_waiter("stack_delete_complete").wait(
            StackName=stack.name,
            WaiterConfig={"Delay": DELETE_POLL_SECONDS, "MaxAttempts": attempts},
        )
    except WaiterError as exc:
        raise click.ClickException(
            f"stack {stack.name} was not deleted within {DELETE_TIMEOUT_SECONDS} s ({exc}): "
            f"see `aws cloudformation describe-stack-events --stack-name {stack.name}`"
        ) from None


def failure_watch(stage: Stage):
    """A check to run while Zappa waits for the stack: a one-line reason once the stack is in a
    state no waiting will change, else None (read errors count as "not yet")."""
    client = stage.client("cloudformation")

    def check() -> str | None:
        try:
            stack = describe(client, stage.function_name)
        except (ClientError, BotoCoreError):
            return None
        if stack is None or stack.status not in TERMINAL_FAILURES:
            return None
        return (
            f"stack {stack.name} is {stack.status} ({failure_reason(client, stack)}); "
            f"{next_step(stage, stack)}"
        )

    return check


def next_step(stage: Stage, stack: Stack) -> str:
    """What a person (or the next deploy) does about a stack in a terminal failure state."""
    name = stack.name
    if stack.status in FAILED_CREATION:
        return (
            f"fix the cause, then `make deploy STAGE={stage.name}` deletes the stack and redeploys"
        )
    if stack.status == "UPDATE_ROLLBACK_FAILED":
        command = f"aws cloudformation continue-update-rollback --stack-name {name}"
    elif stack.status == "UPDATE_FAILED":
        command = f"aws cloudformation rollback-stack --stack-name {name}"
    elif stack.status == "DELETE_FAILED":
        command = f"aws cloudformation delete-stack --stack-name {name}"
    else:
        command = f"aws cloudformation describe-stack-events --stack-name {name}"
    return f"run `{command}`, then `make deploy STAGE={stage.name}`"
