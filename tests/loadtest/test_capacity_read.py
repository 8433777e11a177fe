"""What capacity_read records: Lambda's answers through botocore's Stubber (moto has no
GetAccountSettings in-process), API Gateway's usage plan under moto."""

import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws

from loadtest import capacity_read

PROD = "sklearn-zappa-ml-prod"
ACCOUNT = {"AccountLimit": {"ConcurrentExecutions": 1000, "UnreservedConcurrentExecutions": 900}}


def stubbed_lambda(*answers):
    client = boto3.client("lambda", region_name="us-east-1")
    stubber = Stubber(client)
    for method, response, params in answers:
        if isinstance(response, str):
            stubber.add_client_error(method, service_error_code=response, expected_params=params)
        else:
            stubber.add_response(method, response, params)
    stubber.activate()
    return client, stubber


@pytest.fixture
def apigateway(aws_env):
    with mock_aws():
        yield boto3.client("apigateway", region_name="us-east-1")


def test_reads_the_account_the_functions_reservations_and_the_plan(apigateway):
    apigateway.create_usage_plan(name=PROD, throttle={"rateLimit": 100.0, "burstLimit": 200})
    client, stubber = stubbed_lambda(
        ("get_account_settings", ACCOUNT, {}),
        ("get_function_concurrency", {"ReservedConcurrentExecutions": 50}, {"FunctionName": PROD}),
        (
            "list_provisioned_concurrency_configs",
            {
                "ProvisionedConcurrencyConfigs": [
                    {
                        "FunctionArn": f"arn:aws:lambda:us-east-1:1:function:{PROD}:live",
                        "AllocatedProvisionedConcurrentExecutions": 5,
                    }
                ]
            },
            {"FunctionName": PROD},
        ),
    )
    record = capacity_read.read("prod", client, apigateway)
    stubber.assert_no_pending_responses()
    assert record["errors"] == []
    assert record["account"] == {
        "concurrent_executions": 1000,
        "unreserved_concurrent_executions": 900,
    }
    assert record["function_concurrency"] == {"exists": True, "reserved": 50, "provisioned": 5}
    assert record["usage_plan"] == {
        "name": PROD,
        "rate_limit": 100.0,
        "burst_limit": 200,
        "source": "API Gateway",
    }


def test_before_prods_first_deploy_the_plan_comes_from_zappa_settings(apigateway):
    client, _ = stubbed_lambda(
        ("get_account_settings", ACCOUNT, {}),
        ("get_function_concurrency", "ResourceNotFoundException", {"FunctionName": PROD}),
    )
    record = capacity_read.read("prod", client, apigateway)
    assert record["function_concurrency"] == {"exists": False, "reserved": None, "provisioned": 0}
    plan = record["usage_plan"]
    assert (plan["rate_limit"], plan["burst_limit"]) == (100.0, 200)
    assert plan["source"] == "zappa_settings.json (the plan is not created yet)"


def test_a_refused_read_is_recorded_not_raised(apigateway):
    client, _ = stubbed_lambda(
        ("get_account_settings", "AccessDeniedException", {}),
        ("get_function_concurrency", "AccessDeniedException", {"FunctionName": PROD}),
    )
    record = capacity_read.read("prod", client, apigateway)
    assert record["account"] is None
    assert record["function_concurrency"] is None
    assert record["errors"] == [
        "lambda GetAccountSettings: AWS refused the read (AccessDeniedException)",
        f"lambda concurrency of {PROD}: AWS refused the read (AccessDeniedException)",
    ]
