"""What AWS says the promoted stage can carry, recorded in capacity.json for loadtest.capacity.

Reads, as the load-test role (iam/bootstrap.yaml): the account's concurrency (Lambda
GetAccountSettings: the limit and the unreserved pool), the stage function's reserved concurrency
(GetFunctionConcurrency) and provisioned concurrency (ListProvisionedConcurrencyConfigs), and its
usage plan's throttle (API Gateway, the plan ops names and creates from the stage's `usage_plan`
in zappa_settings.json). Before the stage's first deploy there is no function and no plan yet: the
function then starts without a reservation, and the plan ops will create is the one
zappa_settings.json describes, so that is what counts.
A read that fails is recorded with its reason: the gate then fails the capacity check, because
nobody could tell whether the stage can carry its peak.
"""

from botocore.exceptions import BotoCoreError, ClientError

import project
from loadtest.aws_clients import make_client
from project import function_name, usage_plan_name
from project.zappa_stages import StageError, table_problems

NOT_FOUND = "ResourceNotFoundException"


def read(stage: str, lambda_client=None, apigateway=None) -> dict:
    function = function_name(stage)
    record: dict = {"stage": stage, "function": function, "errors": []}
    try:
        lambda_client = lambda_client or make_client("lambda")
        apigateway = apigateway or make_client("apigateway")
    except BotoCoreError as exc:
        record["errors"].append(f"no AWS client: {exc}")
        return record
    record["account"] = _guard(record, "lambda GetAccountSettings", _account, lambda_client)
    record["function_concurrency"] = _guard(
        record, f"lambda concurrency of {function}", _function, lambda_client, function
    )
    record["usage_plan"] = _guard(
        record, f"usage plan {usage_plan_name(stage)}", _usage_plan, apigateway, stage
    )
    return record


def _guard(record: dict, what: str, reader, *args):
    try:
        return reader(*args)
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "ClientError")
        record["errors"].append(f"{what}: AWS refused the read ({code})")
    except BotoCoreError as exc:
        record["errors"].append(f"{what}: AWS could not be reached ({exc})")
    except StageError as exc:
        record["errors"].append(f"{what}: {exc}")
    return None


def _account(client) -> dict:
    limit = client.get_account_settings()["AccountLimit"]
    return {
        "concurrent_executions": limit["ConcurrentExecutions"],
        "unreserved_concurrent_executions": limit["UnreservedConcurrentExecutions"],
    }


def _function(client, function: str) -> dict:
    try:
        reserved = client.get_function_concurrency(FunctionName=function)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") != NOT_FOUND:
            raise
        return {"exists": False, "reserved": None, "provisioned": 0}
    provisioned = 0
    for page in client.get_paginator("list_provisioned_concurrency_configs").paginate(
        FunctionName=function
    ):
        for config in page.get("ProvisionedConcurrencyConfigs", []):
            provisioned += int(config.get("AllocatedProvisionedConcurrentExecutions") or 0)
    return {
        "exists": True,
        "reserved": reserved.get("ReservedConcurrentExecutions"),
        "provisioned": provisioned,
    }


def _usage_plan(client, stage: str) -> dict:
    name = usage_plan_name(stage)
    pages = client.get_paginator("get_usage_plans").paginate(
        PaginationConfig={"PageSize": 500}  # API Gateway's largest page: fewest requests
    )
    plan = next((p for page in pages for p in page.get("items", []) if p.get("name") == name), None)
    if plan is None:
        committed = _committed_plan(stage)
        throttle = {"rateLimit": committed["rate_limit"], "burstLimit": committed["burst_limit"]}
        source = f"{project.SETTINGS_FILE.name} (the plan is not created yet)"
    else:
        throttle = plan.get("throttle") or {}
        source = "API Gateway"
    return {
        "name": name,
        "rate_limit": throttle.get("rateLimit"),
        "burst_limit": throttle.get("burstLimit"),
        "source": source,
    }


def _committed_plan(stage: str) -> dict:
    """The stage's `usage_plan` in zappa_settings.json: what ops will create."""
    plan = project.stage_settings(stage).get("usage_plan")
    problems = table_problems("usage_plan", plan)
    if problems:
        raise StageError(f"stage {stage} in {project.SETTINGS_FILE.name}: {'; '.join(problems)}")
    return plan
