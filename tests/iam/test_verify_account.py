"""`make verify-account` against a stubbed account: botocore's Stubber validates every request
against the service model and answers it; nothing reaches AWS."""

import pytest
from click.testing import CliRunner

from iam import verify_account
from iam.actions import Request
from iam.bootstrap_stack import Bootstrap, StackError, read_stack
from iam.required_calls import load
from iam.simulate import Check, context_entries, deciding, simulate
from iam.verify_account import role_checks
from tests.iam.stubbed_account import (
    ACCOUNT,
    REGION,
    STACK,
    STACK_ID,
    StubbedAws,
    get_role_response,
    not_found,
    queue_template_answers,
    rendered_outputs,
    stack_response,
    statement,
)

ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/sklearn-zappa-ml-dev-deploy"
FUNCTION = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:sklearn-zappa-ml-dev"
PROD_FUNCTION = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:sklearn-zappa-ml-prod"


def full_account(aws: StubbedAws, outputs=None) -> list:
    """Queue the stack, GetRole for every role and the template's answer to every simulation."""
    aws.stub("cloudformation").add_response(
        "describe_stacks", stack_response(outputs), {"StackName": STACK}
    )
    stack = read_stack(lambda r: _preview_client(), STACK, REGION)
    roles = role_checks(Bootstrap.of(stack), load())
    for role in roles:
        aws.stub("iam").add_response(
            "get_role", get_role_response(role.arn), {"RoleName": role.arn.rsplit("/", 1)[-1]}
        )
    for role in roles:
        queue_template_answers(aws, role.arn, role.checks)
    return roles


def _preview_client():
    """A second stubbed CloudFormation, so the test can compute the checks verify will make."""
    preview = StubbedAws()
    preview.stub("cloudformation").add_response(
        "describe_stacks", stack_response(), {"StackName": STACK}
    )
    return preview.client("cloudformation")


# -- the whole account ------------------------------------------------------------------------


def test_every_required_call_allowed_and_every_forbidden_one_denied_exits_0(monkeypatch):
    aws = StubbedAws()
    roles = full_account(aws)
    monkeypatch.setattr(verify_account, "Aws", lambda session: aws)
    result = CliRunner().invoke(verify_account.main, ["--region", REGION])
    assert result.exit_code == 0, result.output
    aws.assert_all_answered()
    assert {r.name for r in roles} == {
        "sklearn-zappa-ml-dev-deploy",
        "sklearn-zappa-ml-test-deploy",
        "sklearn-zappa-ml-prod-deploy",
        "sklearn-zappa-ml-key-rotation",
        "sklearn-zappa-ml-loadtest-read",
    }
    for role in roles:
        assert f"role {role.name} ({role.arn})" in result.output
    assert "FAIL" not in result.output
    assert "testing" not in result.output  # the stubbed credentials are never printed
    assert "answers as expected" in result.output
    # The issue's own examples of least privilege are among the expected denials.
    prod_code = ["ok", "deny", "implicitDeny", "lambda:UpdateFunctionCode", PROD_FUNCTION]
    test_table = result.output.split("role sklearn-zappa-ml-test-deploy")[1].split("\nrole ")[0]
    assert prod_code in [line.split()[:5] for line in test_table.splitlines()]
    rotation = result.output.split("role sklearn-zappa-ml-key-rotation")[1].split("\nrole ")[0]
    assert "lambda:UpdateFunctionCode" in rotation
    assert "aws:ResourceTag/ZappaProject=another-project-dev" in rotation


def test_a_required_call_the_account_denies_fails_with_no_statement_matched(monkeypatch):
    """An account whose dev deploy role lost a grant: the simulator's implicit deny is shown."""
    aws = StubbedAws()
    aws.stub("cloudformation").add_response(
        "describe_stacks", stack_response(), {"StackName": STACK}
    )
    check = Check(ROLE_ARN, "allow", Request("lambda:UpdateFunctionCode", FUNCTION), "deploy")
    aws.stub("iam").add_response(
        "simulate_principal_policy",
        {
            "EvaluationResults": [
                {
                    "EvalActionName": "lambda:UpdateFunctionCode",
                    "EvalResourceName": FUNCTION,
                    "EvalDecision": "implicitDeny",
                    "MatchedStatements": [],
                    "MissingContextValues": [],
                }
            ],
            "IsTruncated": False,
        },
        {
            "PolicySourceArn": ROLE_ARN,
            "ActionNames": ["lambda:UpdateFunctionCode"],
            "ResourceArns": [FUNCTION],
        },
    )
    (outcome,) = simulate(aws.client("iam"), ROLE_ARN, [check])
    assert not outcome.as_expected
    assert outcome.deciding == "no statement matched"


# -- request shapes, answers, pagination -------------------------------------------------------


def test_context_entries_are_typed_as_the_sar_types_the_keys():
    request = Request(
        "apigateway:PUT",
        "arn:aws:apigateway:us-east-1::/tags/x",
        {"aws:RequestTag/ZappaProject": ("p-dev",), "aws:TagKeys": ("ZappaProject", "stage")},
    )
    assert context_entries(request) == [
        {
            "ContextKeyName": "aws:RequestTag/ZappaProject",
            "ContextKeyValues": ["p-dev"],
            "ContextKeyType": "string",
        },
        {
            "ContextKeyName": "aws:TagKeys",
            "ContextKeyValues": ["ZappaProject", "stage"],
            "ContextKeyType": "stringList",
        },
    ]


def test_a_recorded_allowed_and_a_denied_answer_name_their_statements():
    """Answers in the shape AWS documents for SimulatePrincipalPolicy."""
    pass_role = Request(
        "iam:PassRole",
        f"arn:aws:iam::{ACCOUNT}:role/sklearn-zappa-ml-dev-lambda",
        {"iam:PassedToService": ("lambda.amazonaws.com",)},
    )
    aws = StubbedAws()
    aws.stub("iam").add_response(
        "simulate_principal_policy",
        {
            "EvaluationResults": [
                {
                    "EvalActionName": "iam:PassRole",
                    "EvalResourceName": pass_role.resource,
                    "EvalDecision": "allowed",
                    "MatchedStatements": [statement("deploy", 48)],
                    "MissingContextValues": [],
                    "EvalDecisionDetails": {"IAM Policy": "allowed"},
                },
                {
                    "EvalActionName": "iam:CreateRole",
                    "EvalResourceName": pass_role.resource,
                    "EvalDecision": "explicitDeny",
                    "MatchedStatements": [
                        {**statement("no-role-writes", 3), "SourcePolicyType": "user-managed"}
                    ],
                    "MissingContextValues": [],
                },
            ],
            "IsTruncated": False,
        },
        {
            "PolicySourceArn": ROLE_ARN,
            "ActionNames": ["iam:PassRole", "iam:CreateRole"],
            "ResourceArns": [pass_role.resource],
            "ContextEntries": [
                {
                    "ContextKeyName": "iam:PassedToService",
                    "ContextKeyValues": ["lambda.amazonaws.com"],
                    "ContextKeyType": "string",
                }
            ],
        },
    )
    create = Request("iam:CreateRole", pass_role.resource, pass_role.context)
    allowed, denied = simulate(
        aws.client("iam"),
        ROLE_ARN,
        [Check(ROLE_ARN, "allow", pass_role, "x"), Check(ROLE_ARN, "deny", create, "y")],
    )
    aws.assert_all_answered()
    assert (allowed.decision, allowed.deciding) == ("allowed", "deploy (role policy) line 48")
    assert allowed.as_expected
    assert denied.decision == "explicitDeny"
    assert denied.deciding == "no-role-writes (user-managed policy) line 3"
    assert denied.as_expected


def test_every_page_of_the_answer_is_read():
    aws = StubbedAws()
    checks = [
        Check(ROLE_ARN, "allow", Request(action, FUNCTION), "x")
        for action in ("lambda:GetFunction", "lambda:UpdateFunctionCode")
    ]
    asked = {
        "PolicySourceArn": ROLE_ARN,
        "ActionNames": ["lambda:GetFunction", "lambda:UpdateFunctionCode"],
        "ResourceArns": [FUNCTION],
    }
    for action, more in (("lambda:GetFunction", True), ("lambda:UpdateFunctionCode", False)):
        page = {
            "EvaluationResults": [
                {
                    "EvalActionName": action,
                    "EvalResourceName": FUNCTION,
                    "EvalDecision": "allowed",
                    "MatchedStatements": [statement("deploy", 5)],
                }
            ],
            "IsTruncated": more,
        }
        if more:
            page["Marker"] = "page-2"
        aws.stub("iam").add_response(
            "simulate_principal_policy", page, asked if more else {**asked, "Marker": "page-2"}
        )
    outcomes = simulate(aws.client("iam"), ROLE_ARN, checks)
    aws.assert_all_answered()
    assert [o.decision for o in outcomes] == ["allowed", "allowed"]


@pytest.mark.parametrize(
    ("result", "expected"),
    [
        ({"OrganizationsDecisionDetail": {"AllowedByOrganizations": False}}, "an SCP"),
        (
            {"PermissionsBoundaryDecisionDetail": {"AllowedByPermissionsBoundary": False}},
            "permissions boundary",
        ),
        ({"MissingContextValues": ["aws:ResourceTag/ZappaProject"]}, "missing context"),
    ],
)
def test_a_denial_without_statements_says_what_decided(result, expected):
    assert expected in deciding({"EvalDecision": "implicitDeny", **result})


# -- usage errors: one line, exit 2 ------------------------------------------------------------


def run_cli(monkeypatch, aws, *args):
    monkeypatch.setattr(verify_account, "Aws", lambda session: aws)
    result = CliRunner().invoke(verify_account.main, list(args))
    assert result.exit_code == 2, result.output
    assert len(result.output.strip().splitlines()) == 1, result.output
    assert "Traceback" not in result.output
    return result.output


def test_missing_credentials(monkeypatch):
    assert "no AWS credentials" in run_cli(monkeypatch, StubbedAws(credentials=False))


def test_missing_credentials_with_the_real_credential_chain(monkeypatch, tmp_path):
    """boto3's own chain, with every source empty (instance metadata off: no network)."""
    for name in (
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_PROFILE",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
        "AWS_ROLE_ARN",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    result = CliRunner().invoke(verify_account.main, ["--region", REGION])
    assert result.exit_code == 2
    assert result.output.startswith("Error: no AWS credentials")
    assert len(result.output.strip().splitlines()) == 1


def test_no_region(monkeypatch):
    assert "no AWS region" in run_cli(monkeypatch, StubbedAws(region=None))


def test_no_such_stack_anywhere(monkeypatch):
    aws = StubbedAws(regions=(REGION, "eu-west-1"))
    not_found(aws.stub("cloudformation"))
    not_found(aws.stub("cloudformation", "eu-west-1"))
    output = run_cli(monkeypatch, aws)
    assert f"no stack {STACK} in {REGION}" in output


def test_the_stack_is_in_another_region(monkeypatch):
    aws = StubbedAws(regions=(REGION, "eu-west-1", "ap-south-1"))
    not_found(aws.stub("cloudformation"))
    aws.stub("cloudformation", "eu-west-1").add_response(
        "describe_stacks", stack_response(), {"StackName": STACK}
    )
    aws.stub("cloudformation", "ap-south-1").add_client_error(
        "describe_stacks", service_error_code="AccessDenied", http_status_code=403
    )
    output = run_cli(monkeypatch, aws)
    assert f"is not in {REGION} but in eu-west-1: pass --region eu-west-1" in output


def test_the_stack_says_it_is_in_another_region(monkeypatch):
    aws = StubbedAws()
    outputs = rendered_outputs(region="eu-west-1")
    aws.stub("cloudformation").add_response(
        "describe_stacks", stack_response(outputs), {"StackName": STACK}
    )
    assert "its region is eu-west-1 (output AwsRegion)" in run_cli(monkeypatch, aws)


def test_a_stack_name_given_on_the_command_line(monkeypatch):
    aws = StubbedAws()
    not_found(aws.stub("cloudformation"), "mine")
    assert "no stack mine" in run_cli(monkeypatch, aws, "--stack", "mine")


def test_a_role_the_stack_does_not_report(monkeypatch):
    aws = StubbedAws()
    outputs = rendered_outputs()
    del outputs["ProdDeployRoleArn"]
    aws.stub("cloudformation").add_response(
        "describe_stacks", stack_response(outputs), {"StackName": STACK}
    )
    output = run_cli(monkeypatch, aws)
    assert "has no output ProdDeployRoleArn for role sklearn-zappa-ml-prod-deploy" in output


def test_a_role_that_no_longer_exists(monkeypatch):
    aws = StubbedAws()
    aws.stub("cloudformation").add_response(
        "describe_stacks", stack_response(), {"StackName": STACK}
    )
    aws.stub("iam").add_client_error(
        "get_role", service_error_code="NoSuchEntity", http_status_code=404
    )
    assert "does not exist" in run_cli(monkeypatch, aws)


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("AccessDenied", "not allowed: cloudformation:DescribeStacks"),
        ("ExpiredToken", "AWS rejected the credentials (ExpiredToken)"),
    ],
)
def test_credentials_that_may_not_read_the_stack(monkeypatch, code, message):
    aws = StubbedAws()
    aws.stub("cloudformation").add_client_error(
        "describe_stacks", service_error_code=code, http_status_code=403
    )
    assert message in run_cli(monkeypatch, aws)


def test_a_failed_stack(monkeypatch):
    aws = StubbedAws()
    aws.stub("cloudformation").add_response(
        "describe_stacks", stack_response(status="ROLLBACK_COMPLETE"), {"StackName": STACK}
    )
    assert "is ROLLBACK_COMPLETE" in run_cli(monkeypatch, aws)


def test_credentials_that_may_not_simulate(monkeypatch):
    aws = StubbedAws()
    aws.stub("iam").add_client_error(
        "simulate_principal_policy", service_error_code="AccessDenied", http_status_code=403
    )
    check = Check(ROLE_ARN, "allow", Request("lambda:GetFunction", FUNCTION), "x")
    with pytest.raises(StackError, match="not allowed: iam:SimulatePrincipalPolicy on"):
        simulate(aws.client("iam"), ROLE_ARN, [check])


def test_the_account_facts_come_from_the_stack():
    aws = StubbedAws()
    aws.stub("cloudformation").add_response(
        "describe_stacks", stack_response(), {"StackName": STACK}
    )
    stack = read_stack(lambda region: aws.client("cloudformation", region), STACK, REGION)
    boot = Bootstrap.of(stack)
    assert (stack.partition, stack.account, stack.region) == ("aws", ACCOUNT, REGION)
    assert stack.project == "sklearn-zappa-ml"
    assert boot.bucket("test") == f"sklearn-zappa-ml-test-{ACCOUNT}"
    assert boot.role_arn("sklearn-zappa-ml-key-rotation") == (
        f"arn:aws:iam::{ACCOUNT}:role/sklearn-zappa-ml-key-rotation"
    )
    assert STACK_ID.endswith("example")
