"""Wait until Lambda has finished applying a code or configuration change.

`zappa rollback` and `zappa update` (with `touch: false`) return as soon as Lambda accepted the
change; until LastUpdateStatus is Successful, Lambda keeps serving the previous code, so a smoke
test run at once would judge the old build.
"""

import click
from botocore.exceptions import WaiterError

from ops import aws
from ops.stage import Stage

POLL_SECONDS = 2
TIMEOUT_SECONDS = 300


def wait_until_updated(stage: Stage) -> None:
    """Block (bounded) until the function's last update succeeded; one line if it failed."""
    name = stage.function_name
    waiter = stage.client("lambda").get_waiter("function_updated_v2")
    attempts = max(1, TIMEOUT_SECONDS // max(POLL_SECONDS, 1))
    with aws.aws_errors():  # anything but the waiter's own verdict (credentials, endpoint)
        try:
            waiter.wait(
                FunctionName=name, WaiterConfig={"Delay": POLL_SECONDS, "MaxAttempts": attempts}
            )
        except WaiterError as exc:
            raise click.ClickException(explain(name, exc)) from None
    click.echo(f"function {name}: update finished (LastUpdateStatus Successful)")


def explain(name: str, exc: WaiterError) -> str:
    response = exc.last_response or {}
    config = response.get("Configuration", {})
    status = config.get("LastUpdateStatus")
    if status == "Failed":
        code = config.get("LastUpdateStatusReasonCode", "")
        reason = config.get("LastUpdateStatusReason", "no reason given")
        return f"function {name}: the update failed ({code}: {reason})".replace("(: ", "(")
    if "Error" in response:
        error = response["Error"]
        return f"function {name}: cannot read its update status ({error.get('Code')})"
    return (
        f"function {name} still has LastUpdateStatus {status} after {TIMEOUT_SECONDS} s: "
        "check it in the Lambda console before smoke-testing"
    )
