"""The bootstrap template's trust policies and permission scoping, rendered like CloudFormation."""

import json
import re

import pytest

from iam.template import (
    TEMPLATE_PATH,
    TemplateError,
    check_rules,
    load_template,
    render_roles,
)
from project import STAGES

AUD = "token.actions.githubusercontent.com:aud"
SUB = "token.actions.githubusercontent.com:sub"
ACCOUNT = "210987654321"
PROVIDER = f"arn:aws:iam::{ACCOUNT}:oidc-provider/token.actions.githubusercontent.com"
CLASSIC = {"GitHubOrg": "acme", "GitHubRepo": "ml-api", "SubjectFormat": "classic"}
IMMUTABLE = {
    "GitHubOrg": "acme",
    "GitHubRepo": "ml-api",
    "GitHubOrgId": "111",
    "GitHubRepoId": "222",
}
EXISTING = {**CLASSIC, "ExistingOidcProviderArn": PROVIDER}


def subject(params: dict, env: str) -> str:
    if params.get("SubjectFormat", "immutable") == "immutable":
        org = f"{params['GitHubOrg']}@{params['GitHubOrgId']}"
        return f"repo:{org}/{params['GitHubRepo']}@{params['GitHubRepoId']}:environment:{env}"
    return f"repo:{params['GitHubOrg']}/{params['GitHubRepo']}:environment:{env}"


def federated_trust(role) -> tuple[str, set[str]]:
    """The single web-identity statement's provider and exact `sub` set, checked on the way."""
    (statement,) = role.trust["Statement"]
    assert statement["Effect"] == "Allow"
    assert statement["Action"] == "sts:AssumeRoleWithWebIdentity"
    assert set(statement["Condition"]) == {"StringEquals"}, "only exact matches, no StringLike"
    condition = statement["Condition"]["StringEquals"]
    assert set(condition) == {AUD, SUB}
    assert condition[AUD] == "sts.amazonaws.com"
    subs = condition[SUB] if isinstance(condition[SUB], list) else [condition[SUB]]
    for sub in subs:
        assert "*" not in sub
        assert "?" not in sub
    return statement["Principal"]["Federated"], set(subs)


@pytest.fixture(scope="module")
def template():
    return load_template()


@pytest.mark.parametrize(
    "params", [CLASSIC, IMMUTABLE, EXISTING], ids=["classic", "immutable", "existing"]
)
def test_every_github_role_trusts_exact_aud_and_sub(template, params):
    roles = render_roles(params, account_id=ACCOUNT, template=template)
    expected = {
        **{f"sklearn-zappa-ml-{s}-deploy": {subject(params, s)} for s in STAGES},
        "sklearn-zappa-ml-key-rotation": {subject(params, "keys")},
        "sklearn-zappa-ml-loadtest-read": {subject(params, "test")},
        "sklearn-zappa-ml-auditor": {subject(params, "audit")},
    }
    federated = {
        name for name, r in roles.items() if "Federated" in r.trust["Statement"][0]["Principal"]
    }
    assert federated == set(expected)
    for name, subs in expected.items():
        provider, trusted = federated_trust(roles[name])
        assert provider == PROVIDER
        assert trusted == subs, name


@pytest.mark.parametrize("stage", STAGES)
def test_deploy_role_trusts_only_its_own_environment(template, stage):
    roles = render_roles(CLASSIC, account_id=ACCOUNT, template=template)
    _, trusted = federated_trust(roles[f"sklearn-zappa-ml-{stage}-deploy"])
    assert trusted == {f"repo:acme/ml-api:environment:{stage}"}
    for other in set(STAGES) - {stage}:
        assert not any(sub.endswith(f":environment:{other}") for sub in trusted)


@pytest.mark.parametrize("params", [CLASSIC, IMMUTABLE], ids=["classic", "immutable"])
def test_prod_environment_is_trusted_only_by_prod_deploy(template, params):
    roles = render_roles(params, account_id=ACCOUNT, template=template)
    prod = subject(params, "prod")
    trusting = {n for n, r in roles.items() if f'"{prod}"' in json.dumps(r.trust)}
    assert trusting == {"sklearn-zappa-ml-prod-deploy"}


@pytest.mark.parametrize("params", [CLASSIC, IMMUTABLE], ids=["classic", "immutable"])
def test_the_key_jobs_environment_is_trusted_only_by_the_key_rotation_role(template, params):
    """The unattended key jobs run in `keys` (no reviewers), never in a stage's environment."""
    roles = render_roles(params, account_id=ACCOUNT, template=template)
    _, trusted = federated_trust(roles["sklearn-zappa-ml-key-rotation"])
    assert trusted == {subject(params, "keys")}
    keys = subject(params, "keys")
    assert {n for n, r in roles.items() if f'"{keys}"' in json.dumps(r.trust)} == {
        "sklearn-zappa-ml-key-rotation"
    }


@pytest.mark.parametrize("params", [CLASSIC, IMMUTABLE], ids=["classic", "immutable"])
def test_the_audit_environment_is_trusted_only_by_the_auditor_role(template, params):
    """verify-account.yml runs in `audit`; no pipeline role trusts it, and the auditor trusts
    nothing else."""
    roles = render_roles(params, account_id=ACCOUNT, template=template)
    _, trusted = federated_trust(roles["sklearn-zappa-ml-auditor"])
    assert trusted == {subject(params, "audit")}
    audit = subject(params, "audit")
    assert {n for n, r in roles.items() if f'"{audit}"' in json.dumps(r.trust)} == {
        "sklearn-zappa-ml-auditor"
    }


def test_the_auditor_only_reads_the_stack_and_simulates_the_pipeline_roles(template):
    roles = render_roles(CLASSIC, account_id=ACCOUNT, template=template)
    granted = {
        (action, resource)
        for _, st in statements(roles["sklearn-zappa-ml-auditor"])
        for action in as_list(st["Action"])
        for resource in as_list(st["Resource"])
    }
    pipeline = [
        *(f"sklearn-zappa-ml-{s}-deploy" for s in STAGES),
        "sklearn-zappa-ml-key-rotation",
        "sklearn-zappa-ml-loadtest-read",
    ]
    stack = f"arn:aws:cloudformation:us-east-1:{ACCOUNT}:stack/sklearn-zappa-ml-bootstrap/*"
    assert granted == {
        ("cloudformation:DescribeStacks", stack),
        *(
            (a, roles[n].arn)
            for n in pipeline
            for a in ("iam:GetRole", "iam:SimulatePrincipalPolicy")
        ),
    }


def test_immutable_subjects_are_the_default_and_need_both_ids(template):
    assert template["Parameters"]["SubjectFormat"]["Default"] == "immutable"
    with pytest.raises(TemplateError, match="needs GitHubOrgId"):
        check_rules({"GitHubOrg": "acme", "GitHubRepo": "ml-api"}, template=template)
    with pytest.raises(TemplateError, match="needs GitHubRepoId"):
        check_rules({**IMMUTABLE, "GitHubRepoId": ""}, template=template)
    check_rules(IMMUTABLE, template=template)
    check_rules(CLASSIC, template=template)


def test_service_roles_trust_only_their_services(template):
    roles = render_roles(CLASSIC, account_id=ACCOUNT, template=template)
    for stage in STAGES:
        (st,) = roles[f"sklearn-zappa-ml-{stage}-lambda"].trust["Statement"]
        assert st["Principal"] == {"Service": ["lambda.amazonaws.com", "apigateway.amazonaws.com"]}
    (st,) = roles["sklearn-zappa-ml-apigateway-logs"].trust["Statement"]
    assert st["Principal"] == {"Service": "apigateway.amazonaws.com"}
    assert st["Condition"] == {"StringEquals": {"aws:SourceAccount": ACCOUNT}}


def test_existing_provider_is_used_and_not_created(template):
    assert "GitHubOidcProvider" in template["Resources"]
    roles = render_roles(EXISTING, account_id="999999999999", template=template)
    provider, _ = federated_trust(roles["sklearn-zappa-ml-dev-deploy"])
    assert provider == PROVIDER  # the given ARN, not one built from the stack's account


def statements(role):
    for name, doc in role.policies.items():
        for st in doc["Statement"]:
            yield name, st


def as_list(value):
    return value if isinstance(value, list) else [value]


def test_no_wildcard_actions_and_no_role_management(template):
    roles = render_roles(CLASSIC, template=template)
    for role in roles.values():
        for _, st in statements(role):
            assert "NotAction" not in st
            assert "NotResource" not in st
            for action in as_list(st["Action"]):
                assert re.fullmatch(r"[a-z0-9-]+:[A-Za-z0-9]+", action), action
                if action == "iam:SimulatePrincipalPolicy":
                    assert role.name == "sklearn-zappa-ml-auditor", role.name
                elif action.startswith("iam:"):
                    assert action in ("iam:PassRole", "iam:GetRole"), action


def test_star_resources_are_on_the_documented_allow_list(template):
    allow = template["Metadata"]["StarResourceAllowList"]
    readme = TEMPLATE_PATH.with_name("README.md").read_text()
    for action, reason in allow.items():
        assert len(reason) > 30, f"{action} needs a reason"
        assert f"`{action}`" in readme, f"{action} is not listed in iam/README.md"
    used = set()
    for role in render_roles(CLASSIC, template=template).values():
        for _, st in statements(role):
            if "*" in as_list(st["Resource"]):
                assert as_list(st["Resource"]) == ["*"]
                assert set(as_list(st["Action"])) <= set(allow), st
                used |= set(as_list(st["Action"]))
    assert used == set(allow), "allow-list entries no policy needs"


@pytest.mark.parametrize("stage", STAGES)
def test_pass_role_only_the_stages_execution_role_to_the_services_zappa_uses(template, stage):
    roles = render_roles(CLASSIC, account_id=ACCOUNT, template=template)
    passing = [
        (role.name, st)
        for role in roles.values()
        for _, st in statements(role)
        if "iam:PassRole" in as_list(st["Action"])
    ]
    assert {name for name, _ in passing} == {f"sklearn-zappa-ml-{s}-deploy" for s in STAGES}
    (st,) = [st for name, st in passing if name == f"sklearn-zappa-ml-{stage}-deploy"]
    assert as_list(st["Action"]) == ["iam:PassRole"]
    assert st["Resource"] == roles[f"sklearn-zappa-ml-{stage}-lambda"].arn
    assert st["Condition"] == {
        "StringEquals": {
            "iam:PassedToService": [
                "lambda.amazonaws.com",
                "apigateway.amazonaws.com",
                "events.amazonaws.com",
            ]
        }
    }


@pytest.mark.parametrize("stage", STAGES)
def test_stage_roles_name_no_other_stage(template, stage):
    roles = render_roles(CLASSIC, template=template)
    others = set(STAGES) - {stage}
    for kind in ("deploy", "lambda"):
        text = json.dumps(roles[f"sklearn-zappa-ml-{stage}-{kind}"].policies)
        for other in others:
            assert f"sklearn-zappa-ml-{other}" not in text
            assert f"sklearn-zappa-ml/{other}/" not in text


def test_stage_policies_differ_only_by_stage_name(template):
    roles = render_roles(CLASSIC, template=template)
    dev = json.dumps(roles["sklearn-zappa-ml-dev-deploy"].policies, sort_keys=True)
    for stage in ("test", "prod"):
        other = json.dumps(roles[f"sklearn-zappa-ml-{stage}-deploy"].policies, sort_keys=True)
        assert other == dev.replace("-dev", f"-{stage}").replace("/dev/", f"/{stage}/")


def test_xray_only_for_prod_and_only_when_enabled(template):
    roles = render_roles(CLASSIC, template=template)
    assert set(roles["sklearn-zappa-ml-prod-lambda"].policies) == {"execution", "xray"}
    assert set(roles["sklearn-zappa-ml-dev-lambda"].policies) == {"execution"}
    off = render_roles({**CLASSIC, "ProdXRayTracing": "false"}, template=template)
    assert set(off["sklearn-zappa-ml-prod-lambda"].policies) == {"execution"}


def test_buckets_block_public_access_encrypt_and_require_tls(template):
    resources = template["Resources"]
    for stage in STAGES:
        props = resources[f"{stage.capitalize()}Bucket"]["Properties"]
        assert set(props["PublicAccessBlockConfiguration"].values()) == {True}
        assert props["BucketEncryption"]["ServerSideEncryptionConfiguration"]
        (deny,) = resources[f"{stage.capitalize()}BucketPolicy"]["Properties"]["PolicyDocument"][
            "Statement"
        ]
        assert deny["Effect"] == "Deny"
        assert deny["Principal"] == "*"
        assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_outputs_name_the_workflow_variables(template):
    descriptions = " ".join(o["Description"] for o in template["Outputs"].values())
    for variable in (
        "AWS_DEPLOY_ROLE_ARN",
        "ZAPPA_S3_BUCKET",
        "AWS_REGION",
        "AWS_KEY_ROTATION_ROLE_ARN",
        "AWS_LOADTEST_ROLE_ARN",
        "AWS_AUDIT_ROLE_ARN",
    ):
        assert variable in descriptions


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({**CLASSIC, "Nope": "x"}, "unknown parameters: Nope"),
        ({"GitHubRepo": "r", "SubjectFormat": "classic"}, "GitHubOrg has no default"),
        ({**CLASSIC, "SubjectFormat": "other"}, "is not one of"),
        ({**CLASSIC, "GitHubOrg": "bad org"}, "does not match"),
    ],
)
def test_bad_parameters_are_refused(template, params, message):
    with pytest.raises(TemplateError, match=message):
        render_roles(params, template=template)
