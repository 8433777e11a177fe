"""iam/required-calls.json: generated from recorded calls, and checked against them."""

import json

import pytest
from click.testing import CliRunner

from iam.actions import Request
from iam.needs import Generalizer, Need
from rehearsal.iam_audit.audit import read_records
from rehearsal.iam_audit.required_calls import (
    REQUIRED_CALLS,
    RequiredCallsError,
    build,
    load,
    main,
    must_deny,
    recorded_needs,
    unlisted,
)
from tests.conftest import ROOT

FIXTURES = [
    "tests/rehearsal/recordings/rehearsal-calls.jsonl",
    "tests/rehearsal/recordings/zappa-prod-calls.jsonl",
]
ACCOUNT = "123456789012"
GENERAL = Generalizer(ACCOUNT, "us-east-1", "sklearn-zappa-ml", ("dev", "test", "prod"))
API = "arn:aws:apigateway:us-east-1::"


def records():
    return read_records([ROOT / f for f in FIXTURES])


def test_the_committed_file_is_what_the_committed_recordings_generate():
    """`make required-calls` copies the last rehearsal's calls next to Zappa's own and writes
    the file from both: regenerating from the committed copies must give the committed file."""
    assert build(records(), FIXTURES) == json.loads(REQUIRED_CALLS.read_text())


def test_the_file_lists_every_need_of_the_recordings():
    assert unlisted(records(), load()) == []


def test_check_fails_on_a_need_the_file_does_not_list(tmp_path):
    extra = {
        "step": "dev: deploy",
        "role": "sklearn-zappa-ml-dev-deploy",
        "service": "lambda",
        "operation": "PutFunctionConcurrency",
        "region": "us-east-1",
        "params": {"FunctionName": "sklearn-zappa-ml-dev"},
        "response": {},
        "error": None,
    }
    calls = tmp_path / "calls.jsonl"
    calls.write_text(json.dumps(extra) + "\n")
    result = CliRunner().invoke(main, ["check", str(calls)])
    assert result.exit_code == 1
    assert (
        "{project}-{stage}-deploy: lambda:PutFunctionConcurrency on "
        "arn:{partition}:lambda:{region}:{account}:function:{project}-{stage}"
    ) in result.output
    fine = CliRunner().invoke(main, ["check", *(str(ROOT / f) for f in FIXTURES)])
    assert fine.exit_code == 0, fine.output


def test_every_role_the_pipeline_assumes_is_listed_with_its_stages():
    roles = {r.role: r.stages for r in load()}
    assert roles == {
        "{project}-{stage}-deploy": ("dev", "test", "prod"),
        "{project}-key-rotation": ("dev", "test", "prod"),
        "{project}-loadtest-read": ("test",),
    }


def test_the_issues_least_privilege_examples_are_expected_denials():
    deny = {
        r.role: {(e.need.action, e.need.resource, e.need.context) for e in r.deny} for r in load()
    }
    function = "arn:{partition}:lambda:{region}:{account}:function:{project}-{other_stage}"
    assert ("lambda:UpdateFunctionCode", function, ()) in deny["{project}-{stage}-deploy"]
    key = "arn:{partition}:apigateway:{region}::/apikeys/{api_key_id}"
    for owner in ("{project}-{other_stage}", "another-project-{stage}"):
        context = (("aws:ResourceTag/ZappaProject", (owner,)),)
        assert ("apigateway:DELETE", key, context) in deny["{project}-{stage}-deploy"]
    any_function = function.replace("{other_stage}", "{stage}")
    rotation = {(a, r) for a, r, _ in deny["{project}-key-rotation"]}
    assert ("lambda:UpdateFunctionCode", any_function) in rotation
    assert ("lambda:UpdateFunctionConfiguration", any_function) in rotation
    # The load-test role may change nothing the pipeline changes: every write of every role.
    loadtest = {a for a, _, _ in deny["{project}-loadtest-read"]}
    assert {"lambda:UpdateFunctionCode", "cloudformation:UpdateStack", "s3:PutObject"} <= loadtest
    assert {"secretsmanager:PutSecretValue", "apigateway:PATCH", "iam:PassRole"} <= loadtest
    assert not any(a.endswith((":GetSecretValue", ":GET")) for a in loadtest)


def test_a_shared_role_must_say_which_stages_it_serves():
    metrics = {
        "step": "s",
        "role": "sklearn-zappa-ml-newjob",
        "service": "cloudwatch",
        "operation": "GetMetricData",
        "region": "us-east-1",
    }
    with pytest.raises(RequiredCallsError, match="SHARED_ROLE_STAGES"):
        build([metrics], [])


def test_no_other_role_gets_expected_denials():
    assert must_deny("{project}-auditor", {}) == []


# -- generalizing one request -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("resource", "stage", "template"),
    [
        (
            f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:sklearn-zappa-ml-dev:3",
            "dev",
            "arn:{partition}:lambda:{region}:{account}:function:{project}-{stage}:{version}",
        ),
        (
            f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:sklearn-zappa-ml/prod/api-key-AbCdEf",
            "prod",
            "arn:{partition}:secretsmanager:{region}:{account}:secret:{project}/{stage}/api-key-{secret_suffix}",
        ),
        (
            f"{API}/restapis/x1/resources/NEW/methods/ANY",
            "dev",
            "arn:{partition}:apigateway:{region}::/restapis/{rest_api_id}/resources/{resource_id}/methods/ANY",
        ),
        (
            f"{API}/restapis/x1/stages/test",
            "test",
            "arn:{partition}:apigateway:{region}::/restapis/{rest_api_id}/stages/{stage}",
        ),
        (
            f"{API}/usageplans/u1/keys/k1",
            "dev",
            "arn:{partition}:apigateway:{region}::/usageplans/{usage_plan_id}/keys/{api_key_id}",
        ),
        (
            f"{API}/tags/arn%3Aaws%3Aapigateway%3Aus-east-1%3A%3A%2Fapikeys%2Fk1",
            "dev",
            "arn:{partition}:apigateway:{region}::/tags/"
            "arn%3A{partition}%3Aapigateway%3A{region}%3A%3A%2Fapikeys%2F{api_key_id}",
        ),
        (
            "arn:aws:s3:::any-bucket/sklearn-zappa-ml-prod-template-1796204969.json",
            "prod",
            "arn:{partition}:s3:::{bucket}/{project}-{stage}-template-{timestamp}.json",
        ),
        (
            f"arn:aws:events:us-east-1:{ACCOUNT}:rule/5b9de59049ad5462bb5a0-zappa-keep-warm-handler.keep_warm_callback",
            "prod",
            "arn:{partition}:events:{region}:{account}:rule/{rule_prefix}-zappa-keep-warm-handler.keep_warm_callback",
        ),
        ("*", "dev", "*"),
    ],
)
def test_ids_nobody_knows_in_advance_become_placeholders(resource, stage, template):
    assert GENERAL.resource(resource, stage) == template


def test_tag_values_keep_project_and_stage_and_hide_per_run_values():
    request = Request(
        "apigateway:POST",
        f"{API}/apikeys",
        {
            "aws:RequestTag/ZappaProject": ("sklearn-zappa-ml-dev",),
            "aws:RequestTag/stage": ("dev",),
            "aws:RequestTag/created-at": ("2026-12-02T09:50:46Z",),
            "aws:TagKeys": ("ZappaProject", "created-at", "stage"),
        },
    )
    need = GENERAL.need(request, "dev")
    assert dict(need.context) == {
        "aws:RequestTag/ZappaProject": ("{project}-{stage}",),
        "aws:RequestTag/stage": ("{stage}",),
        "aws:RequestTag/created-at": ("{tag_value}",),
        "aws:TagKeys": ("ZappaProject", "created-at", "stage"),
    }


def test_a_need_filled_with_the_runs_own_facts_is_the_request_again():
    request = Request(
        "iam:PassRole",
        f"arn:aws:iam::{ACCOUNT}:role/sklearn-zappa-ml-test-lambda",
        {"iam:PassedToService": ("apigateway.amazonaws.com",)},
    )
    need = GENERAL.need(request, "test")
    assert need == Need(
        "iam:PassRole",
        "arn:{partition}:iam::{account}:role/{project}-{stage}-lambda",
        (("iam:PassedToService", ("apigateway.amazonaws.com",)),),
    )
    facts = {"partition": "aws", "account": ACCOUNT, "project": "sklearn-zappa-ml", "stage": "test"}
    assert need.fill(facts) == request


def test_a_shared_roles_request_belongs_to_the_stage_it_names():
    request = Request(
        "secretsmanager:GetSecretValue",
        f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:sklearn-zappa-ml/prod/api-key-AbCdEf",
    )
    assert GENERAL.stage_of("sklearn-zappa-ml-key-rotation", request) == "prod"
    assert GENERAL.stage_of("sklearn-zappa-ml-dev-deploy", request) == "dev"
    assert GENERAL.role("sklearn-zappa-ml-dev-deploy") == "{project}-{stage}-deploy"
    assert GENERAL.role("sklearn-zappa-ml-key-rotation") == "{project}-key-rotation"


def test_needs_are_collected_per_role_with_the_calls_that_needed_them():
    found = recorded_needs(records())
    deploy = found["{project}-{stage}-deploy"]
    get_role = Need("iam:GetRole", "arn:{partition}:iam::{account}:role/{project}-{stage}-lambda")
    assert deploy[get_role] == {"iam:GetRole"}
    put_rule = [n for n in deploy if n.action == "events:PutTargets"]
    assert put_rule, "Zappa's keep-warm (prod settings) is part of the file"


def test_a_shared_role_reading_a_stage_it_does_not_serve_keeps_that_stage_literal():
    """The load-test role serves test but reads prod's concurrency for the capacity check: the
    need names prod, not {stage} (which would become test's function when expanded)."""
    record = {
        "step": "load test",
        "role": "sklearn-zappa-ml-loadtest-read",
        "service": "lambda",
        "operation": "GetFunctionConcurrency",
        "region": "us-east-1",
        "params": {"FunctionName": "sklearn-zappa-ml-prod"},
    }
    [need] = recorded_needs([record])["{project}-loadtest-read"]
    assert need.resource == "arn:{partition}:lambda:{region}:{account}:function:{project}-prod"
