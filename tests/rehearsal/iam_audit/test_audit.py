"""The audit engine: call -> IAM request mapping, policy evaluation, the CLI, and the recorder."""

import json

import pytest
from click.testing import CliRunner

from iam.actions import Mapper, Request, apigateway_path
from iam.template import render_roles
from rehearsal.iam_audit.audit import audit, format_report, main, read_records
from rehearsal.iam_audit.evaluate import condition_holds, evaluate, moto_pattern, statement_matches
from tests.rehearsal.iam_audit.calls import call

ACCOUNT = "123456789012"
API = "arn:aws:apigateway:us-east-1::"
FN = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:sklearn-zappa-ml-dev"
PARAMS = {"GitHubOrg": "acme", "GitHubRepo": "ml-api"}


@pytest.fixture(scope="module")
def roles():
    return render_roles(PARAMS, account_id=ACCOUNT)


def record(operation, service="lambda", **fields):
    return call(operation, service, **fields)


# -- mapping ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("operation", "params", "expected"),
    [
        ("GetRestApis", {}, ("GET", "/restapis")),
        ("GetRestApi", {"restApiId": "a1"}, ("GET", "/restapis/a1")),
        (
            "UpdateStage",
            {"restApiId": "a1", "stageName": "dev"},
            ("PATCH", "/restapis/a1/stages/dev"),
        ),
        ("CreateDeployment", {"restApiId": "a1"}, ("POST", "/restapis/a1/deployments")),
        ("CreateUsagePlanKey", {"usagePlanId": "p1"}, ("POST", "/usageplans/p1/keys")),
        ("DeleteApiKey", {"apiKey": "k1"}, ("DELETE", "/apikeys/k1")),
        ("GetApiKeys", {"nameQuery": "dev_a1"}, ("GET", "/apikeys")),
    ],
)
def test_apigateway_calls_are_http_verbs_on_paths(operation, params, expected):
    assert apigateway_path(operation, params) == expected


@pytest.mark.parametrize(
    ("rec", "expected"),
    [
        (record("HeadBucket", "s3", Bucket="b"), [("s3:ListBucket", "arn:aws:s3:::b")]),
        (
            record("UploadPart", "s3", Bucket="b", Key="k.zip"),
            [("s3:PutObject", "arn:aws:s3:::b/k.zip")],
        ),
        (
            record("GetFunction", FunctionName="function:sklearn-zappa-ml-dev:3"),
            [("lambda:GetFunction", f"{FN}:3")],
        ),
        (
            record("DeleteFunction", FunctionName="sklearn-zappa-ml-dev", Qualifier="2"),
            [("lambda:DeleteFunction", f"{FN}:2")],
        ),
        (
            record("GetSecretValue", "secretsmanager", SecretId="sklearn-zappa-ml/dev/api-key"),
            [
                (
                    "secretsmanager:GetSecretValue",
                    f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:sklearn-zappa-ml/dev/api-key-AbCdEf",
                )
            ],
        ),
        (record("GetCallerIdentity", "sts"), []),
        (record("GetMetricData", "cloudwatch"), [("cloudwatch:GetMetricData", "*")]),
    ],
)
def test_calls_map_to_action_and_resource(rec, expected):
    found = Mapper(ACCOUNT).requests(rec)
    assert [(r.action, r.resource) for r in found] == expected


def test_create_function_also_passes_the_role_and_reads_the_code_from_s3():
    role = f"arn:aws:iam::{ACCOUNT}:role/sklearn-zappa-ml-dev-lambda"
    rec = record(
        "CreateFunction",
        FunctionName="sklearn-zappa-ml-dev",
        Role=role,
        Code={"S3Bucket": "bkt", "S3Key": "sklearn-zappa-ml-dev-1.zip"},
    )
    found = Mapper(ACCOUNT).requests(rec)
    assert found[1] == Request(
        "iam:PassRole",
        role,
        {"iam:PassedToService": ("lambda.amazonaws.com",)},
        "lambda:CreateFunction",
    )
    assert (found[2].action, found[2].resource) == (
        "s3:GetObject",
        "arn:aws:s3:::bkt/sklearn-zappa-ml-dev-1.zip",
    )


def test_create_stack_implies_the_api_gateway_calls_cloudformation_makes_with_stack_tags():
    tags = [{"Key": "ZappaProject", "Value": "sklearn-zappa-ml-dev"}]
    rec = record(
        "CreateStack",
        "cloudformation",
        StackName="sklearn-zappa-ml-dev",
        Tags=tags,
        TemplateURL="https://s3.amazonaws.com/bkt/sklearn-zappa-ml-dev-template-1.json",
    )
    found = Mapper(ACCOUNT).requests(rec)
    create = next(r for r in found if r.resource == f"{API}/restapis")
    assert create.action == "apigateway:POST"
    assert create.context["aws:RequestTag/ZappaProject"] == ("sklearn-zappa-ml-dev",)
    assert any(
        r.action == "iam:PassRole"
        and r.context["iam:PassedToService"] == ("apigateway.amazonaws.com",)
        for r in found
    )
    assert ("s3:GetObject", "arn:aws:s3:::bkt/sklearn-zappa-ml-dev-template-1.json") in [
        (r.action, r.resource) for r in found
    ]


def test_rest_api_tags_are_learned_from_the_stack_that_owns_it():
    mapper = Mapper(ACCOUNT)
    tags = [{"Key": "ZappaProject", "Value": "sklearn-zappa-ml-prod"}]
    mapper.learn(
        record(
            "DescribeStacks",
            "cloudformation",
            StackName="x",
            response={"Stacks": [{"StackName": "sklearn-zappa-ml-prod", "Tags": tags}]},
        )
    )
    detail = {
        "StackName": "sklearn-zappa-ml-prod",
        "LogicalResourceId": "Api",
        "PhysicalResourceId": "p9",
        "ResourceType": "AWS::ApiGateway::RestApi",
    }
    mapper.learn(
        record("DescribeStackResource", "cloudformation", response={"StackResourceDetail": detail})
    )
    (req,) = mapper.requests(record("GetRestApi", "apigateway", restApiId="p9"))
    assert req.context == {"aws:ResourceTag/ZappaProject": ("sklearn-zappa-ml-prod",)}


# -- evaluation ------------------------------------------------------------------------------


def test_moto_pattern_keeps_iam_wildcards_and_escapes_regex():
    st = {"Action": "secretsmanager:GetSecretValue", "Resource": "arn:s:secret:a.b-??????"}
    assert moto_pattern("a.b-??????") == r"a\.b\-......"
    assert statement_matches(
        st, Request("secretsmanager:GetSecretValue", "arn:s:secret:a.b-XyZ123")
    )
    assert not statement_matches(
        st, Request("secretsmanager:GetSecretValue", "arn:s:secret:a.b-XyZ12")
    )
    assert not statement_matches(
        st, Request("secretsmanager:GetSecretValue", "arn:s:secret:aXb-XyZ123")
    )
    assert statement_matches(
        st, Request("SecretsManager:getsecretvalue", "arn:s:secret:a.b-XyZ123")
    )


@pytest.mark.parametrize(
    ("condition", "context", "holds"),
    [
        ({"StringEquals": {"k": ["a", "b"]}}, {"k": ("b",)}, True),
        ({"StringEquals": {"k": "a"}}, {"k": ("b",)}, False),
        ({"StringEquals": {"k": "a"}}, {}, False),
        ({"StringEqualsIfExists": {"k": "a"}}, {}, True),
        ({"Null": {"k": "true"}}, {}, True),
        ({"Null": {"k": "true"}}, {"k": ("x",)}, False),
        (
            {"ArnEquals": {"k": "arn:aws:lambda:r:1:function:f"}},
            {"k": ("arn:aws:lambda:r:1:function:f",)},
            True,
        ),
        (
            {"ArnEquals": {"k": "arn:aws:lambda:r:1:function:f"}},
            {"k": ("arn:aws:lambda:r:1:function:g",)},
            False,
        ),
        ({"StringLike": {"k": "a*"}}, {"k": ("abc",)}, True),
        ({"StringEquals": {"k": "a", "j": "b"}}, {"j": ("b",)}, False),
        ({"Bool": {"aws:SecureTransport": "false"}}, {"aws:SecureTransport": ("true",)}, False),
    ],
)
def test_conditions(condition, context, holds):
    assert condition_holds(condition, context) is holds


def test_a_failed_allow_condition_does_not_deny_what_another_statement_allows():
    policies = {
        "p": {
            "Statement": [
                {
                    "Sid": "Tagged",
                    "Effect": "Allow",
                    "Action": "apigateway:GET",
                    "Resource": "*",
                    "Condition": {"StringEquals": {"aws:ResourceTag/T": "x"}},
                },
                {"Sid": "Open", "Effect": "Allow", "Action": "apigateway:GET", "Resource": "*"},
            ]
        }
    }
    decision = evaluate("r", policies, Request("apigateway:GET", f"{API}/restapis/a"))
    assert decision.allowed
    assert [ref.sid for ref in decision.allowed_by] == ["Open"]


def test_explicit_deny_wins():
    policies = {
        "p": {
            "Statement": [
                {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},
                {"Effect": "Deny", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"},
            ]
        }
    }
    assert not evaluate("r", policies, Request("s3:GetObject", "arn:aws:s3:::b/k")).allowed
    assert evaluate("r", policies, Request("s3:GetObject", "arn:aws:s3:::c/k")).allowed


# -- the roles, through the engine -----------------------------------------------------------


def test_a_stage_cannot_touch_another_stages_function_api_or_secret(roles):
    tags = {"ZappaProject": "sklearn-zappa-ml-prod"}
    records = [
        record("UpdateFunctionCode", FunctionName="sklearn-zappa-ml-prod"),
        record("CreateUsagePlan", "apigateway", tags=tags),
        record("PutSecretValue", "secretsmanager", SecretId="sklearn-zappa-ml/prod/api-key"),
        record("UpdateFunctionCode", FunctionName="sklearn-zappa-ml-dev"),
        record("CreateUsagePlan", "apigateway", tags={"ZappaProject": "sklearn-zappa-ml-dev"}),
    ]
    report = audit(records, roles, ACCOUNT)
    assert [d.request.action for d in report.denials] == [
        "lambda:UpdateFunctionCode",
        "apigateway:POST",
        "apigateway:PUT",  # the tags on create
        "secretsmanager:PutSecretValue",
    ]


def test_untagged_usage_plan_is_denied_and_pass_role_to_another_service_too(roles):
    role = f"arn:aws:iam::{ACCOUNT}:role/sklearn-zappa-ml-dev-lambda"
    records = [
        record("CreateUsagePlan", "apigateway", name="sklearn-zappa-ml-dev"),
        record(
            "PutRule", "events", Name="x-zappa-keep-warm-handler.keep_warm_callback", RoleArn=role
        ),
        record(
            "PutTargets",
            "events",
            Rule="x-zappa-keep-warm-handler.keep_warm_callback",
            Targets=[{"Id": "1", "Arn": FN.replace("dev", "prod")}],
        ),
    ]
    report = audit(records, roles, ACCOUNT)
    assert [d.request.action for d in report.denials] == ["apigateway:POST", "events:PutTargets"]


def test_loadtest_role_reads_the_test_secret_and_what_prod_can_carry_only(roles):
    reader = "sklearn-zappa-ml-loadtest-read"
    prod = "sklearn-zappa-ml-prod"
    records = [
        record(
            "GetSecretValue",
            "secretsmanager",
            role=reader,
            SecretId="sklearn-zappa-ml/test/api-key",
        ),
        record("GetMetricData", "cloudwatch", role=reader),
        record("GetMetricStatistics", "cloudwatch", role=reader),
        record("GetRestApis", "apigateway", role=reader),  # `ops url test`
        # the capacity check (loadtest.capacity_read)
        record("GetAccountSettings", "lambda", role=reader),
        record("GetFunctionConcurrency", "lambda", role=reader, FunctionName=prod),
        record("ListProvisionedConcurrencyConfigs", "lambda", role=reader, FunctionName=prod),
        record("GetUsagePlans", "apigateway", role=reader),
        # ... and nothing more
        record(
            "GetSecretValue",
            "secretsmanager",
            role=reader,
            SecretId="sklearn-zappa-ml/prod/api-key",
        ),
        record(
            "GetFunctionConcurrency", "lambda", role=reader, FunctionName="sklearn-zappa-ml-dev"
        ),
        record("PutFunctionConcurrency", "lambda", role=reader, FunctionName=prod),
        record("GetUsagePlan", "apigateway", role=reader, usagePlanId="abc123"),
    ]
    report = audit(records, roles, ACCOUNT)
    assert [d.request.resource.split(":")[-1] for d in report.denials] == [
        "sklearn-zappa-ml/prod/api-key-AbCdEf",
        "sklearn-zappa-ml-dev",
        prod,
        "/usageplans/abc123",
    ]
    assert report.unused == []


def test_ops_may_read_the_events_of_its_own_failed_stack_only(roles):
    """ops.stack.failure_reason names the failed resource (often an AccessDenied) from the stack's
    events; without the grant it would silently fall back to the stack's generic reason."""
    records = [
        record("DescribeStackEvents", "cloudformation", StackName=f"sklearn-zappa-ml-{stage}")
        for stage in ("dev", "prod")
    ]
    report = audit(records, roles, ACCOUNT)
    assert [d.request.resource.split(":")[-1] for d in report.denials] == [
        "stack/sklearn-zappa-ml-prod/*"
    ]


def test_unused_grants_are_listed_for_the_roles_used(roles):
    report = audit([record("GetFunction", FunctionName="sklearn-zappa-ml-dev")], roles, ACCOUNT)
    unused = {(sid, action) for _, _, sid, action in report.unused}
    assert ("Function", "lambda:GetFunction") not in unused
    assert ("Function", "lambda:CreateFunction") in unused
    assert {r for r, _, _, _ in report.unused} == {"sklearn-zappa-ml-dev-deploy"}


def test_the_report_counts_calls_requests_and_denials_per_role(roles):
    reader = "sklearn-zappa-ml-loadtest-read"
    records = [
        record("GetFunction", FunctionName="sklearn-zappa-ml-dev"),
        record("UpdateFunctionCode", FunctionName="sklearn-zappa-ml-prod"),  # another stage's
        record(  # one call, two IAM requests: CreateFunction also passes the execution role
            "CreateFunction",
            FunctionName="sklearn-zappa-ml-dev",
            Role=f"arn:aws:iam::{ACCOUNT}:role/sklearn-zappa-ml-dev-lambda",
        ),
        record("GetMetricData", "cloudwatch", role=reader),
    ]
    report = audit(records, roles, ACCOUNT)
    counts = {name: (c.calls, c.requests, c.denied) for name, c in report.per_role.items()}
    assert counts == {"sklearn-zappa-ml-dev-deploy": (3, 4, 1), reader: (1, 1, 0)}
    text = format_report(report)
    table = [line.split() for line in text.splitlines()[1:4]]
    assert table == [
        ["role", "calls", "requests", "denied"],
        ["sklearn-zappa-ml-dev-deploy", "3", "4", "1"],
        [reader, "1", "1", "0"],
    ]
    assert text.splitlines()[4].split() == ["total", "4", "5", "1"]
    assert "DENIED (1):" in text
    assert "lambda:UpdateFunctionCode" in text
    assert "granted but unused" in text
    assert report.to_json()["roles"] == {
        reader: {"calls": 1, "requests": 1, "denied": 0},
        "sklearn-zappa-ml-dev-deploy": {"calls": 3, "requests": 4, "denied": 1},
    }


# -- CLI -------------------------------------------------------------------------------------


def write(path, records):
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


def test_cli_exits_1_on_a_denied_call_and_writes_json(tmp_path):
    calls = write(
        tmp_path / "c.jsonl", [record("GetFunction", FunctionName="sklearn-zappa-ml-prod")]
    )
    result = CliRunner().invoke(main, [str(calls), "--json", str(tmp_path / "r.json")])
    assert result.exit_code == 1
    assert "DENIED (1):" in result.output
    assert "lambda:GetFunction" in result.output
    assert (
        json.loads((tmp_path / "r.json").read_text())["denied"][0]["action"] == "lambda:GetFunction"
    )


def test_cli_exits_0_when_every_call_is_allowed(tmp_path):
    calls = write(
        tmp_path / "c.jsonl", [record("GetFunction", FunctionName="sklearn-zappa-ml-dev")]
    )
    result = CliRunner().invoke(main, [str(calls)])
    assert result.exit_code == 0, result.output
    assert "DENIED: none" in result.output


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json\n", "c.jsonl:1: not JSON"),
        ('{"step": "s"}\n', "c.jsonl:1: missing operation, role, service"),
        (json.dumps(record("GetFunction", role="admin")) + "\n", "uses role 'admin'"),
    ],
)
def test_cli_bad_input_is_a_one_line_error(tmp_path, content, message):
    (tmp_path / "c.jsonl").write_text(content)
    result = CliRunner().invoke(main, [str(tmp_path / "c.jsonl")])
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output


def test_read_records_skips_blank_lines(tmp_path):
    calls = write(tmp_path / "c.jsonl", [record("GetFunction", FunctionName="f")])
    calls.write_text(calls.read_text() + "\n\n")
    assert len(read_records([calls])) == 1
