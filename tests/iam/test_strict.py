"""The proof is as strict as AWS: request contexts come from the SAR, CloudFormation's calls from
its resource schemas, and no conditioned Allow statement uses a key AWS never provides."""

import urllib.parse

import pytest
from click.testing import CliRunner

from iam import cfn_calls, conditions
from iam.actions import Mapper, Request, restrict
from iam.conditions import main as conditions_main
from iam.conditions import never_matching
from iam.sar import INHERITED_KEY, INHERITED_TAGS, key_supported, load_sar
from iam.template import Role, render_roles
from rehearsal.iam_audit.audit import audit
from rehearsal.iam_audit.evaluate import evaluate
from tests.rehearsal.iam_audit.calls import call

ACCOUNT = "123456789012"
API = "arn:aws:apigateway:us-east-1::"
PARAMS = {"GitHubOrg": "acme", "GitHubRepo": "ml-api", "SubjectFormat": "classic"}
DEV = "sklearn-zappa-ml-dev"
TAGS = {"project": "sklearn-zappa-ml", "stage": "dev", "ZappaProject": DEV}


@pytest.fixture(scope="module")
def roles():
    return render_roles(PARAMS, account_id=ACCOUNT)


def record(operation, service="apigateway", **fields):
    return call(operation, service, **fields)


def tags_path(resource: str) -> str:
    return f"{API}/tags/" + urllib.parse.quote(f"{API}{resource}", safe="")


# -- the SAR ---------------------------------------------------------------------------------


def test_the_sar_gives_api_gateway_tags_no_resource_tag():
    sar = load_sar()
    keys = sar.request_keys("apigateway:PUT", tags_path("/restapis/a1"))
    assert [t.name for t in sar.matching_types("apigateway:PUT", tags_path("/restapis/a1"))] == [
        "Tags"
    ]
    assert key_supported("aws:RequestTag/ZappaProject", keys)
    assert key_supported("aws:TagKeys", keys)
    assert not key_supported("aws:ResourceTag/ZappaProject", keys)
    assert key_supported(
        "aws:ResourceTag/ZappaProject", sar.request_keys("apigateway:GET", f"{API}/restapis/a1")
    )


def test_restrict_drops_keys_the_sar_does_not_list():
    request = Request(
        "apigateway:PUT",
        tags_path("/restapis/a1"),
        {"aws:ResourceTag/ZappaProject": (DEV,), "aws:RequestTag/ZappaProject": (DEV,)},
    )
    assert restrict(request).context == {"aws:RequestTag/ZappaProject": (DEV,)}


def test_tag_resource_carries_request_tags_but_never_the_resource_tags():
    mapper = Mapper(ACCOUNT)
    mapper.learn(
        record("CreateRestApi", name=DEV, tags={"ZappaProject": DEV}, response={"id": "a1"})
    )
    (req,) = mapper.requests(
        record("TagResource", resourceArn=f"{API}/restapis/a1", tags={"ZappaProject": DEV})
    )
    assert req.resource == tags_path("/restapis/a1")
    assert req.context == {"aws:RequestTag/ZappaProject": (DEV,), "aws:TagKeys": ("ZappaProject",)}


def test_a_create_with_tags_is_also_a_put_on_the_new_resources_tags():
    found = Mapper(ACCOUNT).requests(
        record("CreateApiKey", name="k", tags={"ZappaProject": DEV}, response={"id": "k1"})
    )
    assert [(r.action, r.resource) for r in found] == [
        ("apigateway:POST", f"{API}/apikeys"),
        ("apigateway:PUT", tags_path("/apikeys/k1")),
    ]
    assert found[1].context["aws:RequestTag/ZappaProject"] == (DEV,)


# -- the one supplement: API Gateway V1 tag inheritance (documented, not in the SAR's rows) ------

METHOD = "/restapis/a1/resources/r1/methods/ANY"
# (operation, its parameters, the IAM request AWS authorizes) that the SAR's rows alone leave
# without aws:ResourceTag: PUT's row lists no Method or Integration, and POST's lists `Resources`,
# not the parent `Resource` that CreateResource posts to.
INHERITING = [
    ("PutMethod", {"resourceId": "r1", "httpMethod": "ANY", "authorizationType": "NONE"}, METHOD),
    (
        "PutIntegration",
        {"resourceId": "r1", "httpMethod": "ANY", "type": "AWS_PROXY"},
        f"{METHOD}/integration",
    ),
    ("CreateResource", {"parentId": "root", "pathPart": "x"}, "/restapis/a1/resources/root"),
]


@pytest.mark.parametrize(("operation", "params", "path"), INHERITING)
def test_the_sar_rows_alone_omit_the_child_types_aws_documents(operation, params, path):
    (request,) = Mapper(ACCOUNT).requests(record(operation, restApiId="a1", **params))
    assert request.resource == API + path
    assert load_sar().matching_types(request.action, request.resource) == []


@pytest.mark.parametrize(("operation", "params", "path"), INHERITING)
def test_a_rest_api_child_carries_the_parents_resource_tags(operation, params, path):
    mapper = Mapper(ACCOUNT)
    mapper.learn(
        record("CreateRestApi", name=DEV, tags={"ZappaProject": DEV}, response={"id": "a1"})
    )
    (request,) = mapper.requests(record(operation, restApiId="a1", **params))
    assert request.context == {"aws:ResourceTag/ZappaProject": (DEV,)}


@pytest.mark.parametrize("resource", ["/restapis/a1", "/apikeys/k1", "/usageplans/p1"])
def test_the_supplement_gives_a_tags_path_nothing(resource):
    sar = load_sar()
    arn = tags_path(resource)
    assert not any(rt.regex.fullmatch(arn) for rt in sar.inheriting_types("apigateway:PUT"))
    assert not key_supported(
        "aws:ResourceTag/ZappaProject", sar.request_keys("apigateway:PUT", arn)
    )


def test_the_supplement_is_api_gateway_v1_only():
    sar = load_sar()
    assert sar.inheriting_types("lambda:InvokeFunction") == []
    v2_route = f"{API}/apis/a1/routes/r1"
    assert not any(rt.regex.fullmatch(v2_route) for rt in sar.inheriting_types("apigateway:PUT"))
    assert {
        rt.arn.split("::", 1)[1].split("/")[1] for rt in sar.inheriting_types("apigateway:GET")
    } == {
        "restapis",
        "usageplans",
    }


def test_every_documented_child_type_is_in_the_sar_and_lists_the_resource_tag():
    """Fails when the SAR copy renames or drops a type the API Gateway guide names, or gains a
    type for `ResourcePolicy` or `Setting` (then map it)."""
    sar = load_sar()
    v1 = {
        name: [rt for rt in types if "::/restapis" in rt.arn or "::/usageplans" in rt.arn]
        for name, types in sar.resources["apigateway"].items()
    }
    for parent, children in INHERITED_TAGS.items():
        (parent_type,) = v1[parent]
        for documented, names in children.items():
            if not names:
                assert not v1.get(documented), f"the SAR now has {documented}: map it"
            for name in names:
                (child,) = v1.get(name) or [None]
                assert child is not None, f"{documented} ({name}) is not in the SAR copy"
                assert child.arn.startswith(parent_type.arn + "/"), name
                assert INHERITED_KEY in child.condition_keys, name
    assert len(sar.inheriting_types("apigateway:PUT")) == 11


# -- CloudFormation's calls from the resource schemas -----------------------------------------


def test_every_schema_permission_of_zappas_stack_is_mapped_or_excluded():
    for _, kind, _ in cfn_calls.zappa_stack_resources():
        for handler in ("create", "update", "delete"):
            for permission in cfn_calls.schema_permissions(kind).get(handler, []):
                key = (kind, permission)
                if key in cfn_calls.EXCLUDED:
                    continue
                assert key in cfn_calls.REQUESTS, (
                    f"{kind} {handler} needs {permission}: map or exclude it"
                )
                assert handler in cfn_calls.REQUESTS[key], f"{kind} {permission} in {handler}"


def test_the_tables_name_nothing_the_schemas_do_not_list():
    listed = {
        (kind, p)
        for _, kind, _ in cfn_calls.zappa_stack_resources()
        for perms in cfn_calls.schema_permissions(kind).values()
        for p in perms
    }
    assert set(cfn_calls.REQUESTS) | set(cfn_calls.EXCLUDED) <= listed


def test_zappas_stack_is_a_rest_api_a_proxy_resource_and_two_any_methods():
    assert sorted((k, m) for _, k, m in cfn_calls.zappa_stack_resources()) == [
        ("AWS::ApiGateway::Method", "ANY"),
        ("AWS::ApiGateway::Method", "ANY"),
        ("AWS::ApiGateway::Resource", ""),
        ("AWS::ApiGateway::RestApi", ""),
    ]


def test_create_stack_tags_the_new_rest_api_with_a_put_on_its_tags_path():
    stack_tags = [{"Key": k, "Value": v} for k, v in TAGS.items()]
    found = Mapper(ACCOUNT).requests(
        record("CreateStack", "cloudformation", StackName=DEV, Tags=stack_tags)
    )
    (tagging,) = [r for r in found if "/tags/" in r.resource]
    assert tagging.action == "apigateway:PUT"
    assert tagging.context["aws:RequestTag/ZappaProject"] == (DEV,)
    assert set(tagging.context["aws:TagKeys"]) == set(TAGS)
    assert not any(k.startswith("aws:ResourceTag") for k in tagging.context)


# -- the template against the strict engine ---------------------------------------------------


def test_no_conditioned_allow_statement_uses_a_key_aws_never_provides(roles):
    assert never_matching(roles) == []


def dead_tagging_role():
    """The template's old tagging grant: PUT on /tags/ under aws:ResourceTag (never present)."""
    statement = {
        "Sid": "TagOfStage",
        "Effect": "Allow",
        "Action": "apigateway:PUT",
        "Resource": f"{API}/tags/*",
        "Condition": {"StringEquals": {"aws:ResourceTag/ZappaProject": DEV}},
    }
    policy = {"Version": "2012-10-17", "Statement": [statement]}
    return Role("R", "r", "arn:aws:iam::1:role/r", {}, {"deploy": policy})


def test_the_static_check_finds_a_grant_aws_can_never_match():
    (dead,) = never_matching({"r": dead_tagging_role()})
    assert (dead.sid, dead.action, dead.key) == (
        "TagOfStage",
        "apigateway:PUT",
        "aws:ResourceTag/ZappaProject",
    )


def test_the_static_check_cli_fails_on_a_dead_condition_and_passes_the_template(monkeypatch):
    result = CliRunner().invoke(conditions_main, [])
    assert result.exit_code == 0, result.output
    assert "0 condition keys AWS never provides" in result.output
    monkeypatch.setattr(conditions, "render_roles", lambda params: {"r": dead_tagging_role()})
    result = CliRunner().invoke(conditions_main, [])
    assert result.exit_code == 1
    assert "TagOfStage: apigateway:PUT never carries aws:ResourceTag/ZappaProject" in result.output


STACK_TAGS = [{"Key": k, "Value": v} for k, v in TAGS.items()]


def test_the_first_zappa_deploy_and_an_update_may_tag_their_own_rest_api(roles):
    stack = {
        "StackName": DEV,
        "StackResourceDetail": {
            "StackName": DEV,
            "PhysicalResourceId": "a1",
            "ResourceType": "AWS::ApiGateway::RestApi",
        },
    }
    records = [
        record("CreateStack", "cloudformation", StackName=DEV, Tags=STACK_TAGS),
        record(
            "DescribeStackResource",
            "cloudformation",
            StackName=DEV,
            LogicalResourceId="Api",
            response=stack,
        ),
        record("UpdateStack", "cloudformation", StackName=DEV, Tags=STACK_TAGS),
    ]
    report = audit(records, roles, ACCOUNT)
    assert report.denials == []


def untagging(old_tags, new_tags):
    """CloudFormation's DELETEs on the REST API's tags path for an update from old to new."""
    records = [
        record("CreateStack", "cloudformation", StackName=DEV, Tags=old_tags),
        record("UpdateStack", "cloudformation", StackName=DEV, Tags=new_tags),
    ]
    mapper = Mapper(ACCOUNT)
    mapper.learn(records[0])
    return [
        r
        for r in mapper.requests(records[1])
        if r.action == "apigateway:DELETE" and "/tags/" in r.resource
    ]


def test_an_update_that_keeps_the_stack_tags_untags_nothing():
    assert untagging(STACK_TAGS, STACK_TAGS) == []


def test_an_update_that_drops_the_old_git_sha_tag_may_untag_it(roles):
    old = [*STACK_TAGS, {"Key": "git_sha", "Value": "abc123"}]
    (request,) = untagging(old, STACK_TAGS)  # a stack created before git_sha was dropped
    assert request.context == {"aws:TagKeys": ("git_sha",)}
    role = roles[f"{DEV}-deploy"]
    assert evaluate(role.name, role.policies, request).allowed


def test_an_update_may_never_drop_zappa_project(roles):
    kept = [t for t in STACK_TAGS if t["Key"] != "ZappaProject"]
    (request,) = untagging(STACK_TAGS, kept)
    assert request.context == {"aws:TagKeys": ("ZappaProject",)}
    role = roles[f"{DEV}-deploy"]
    assert not evaluate(role.name, role.policies, request).allowed


def test_ops_may_create_its_tagged_usage_plan_and_key(roles):
    tags = {"ZappaProject": DEV}
    records = [
        record("CreateUsagePlan", name=DEV, tags=tags, response={"id": "p1"}),
        record("CreateApiKey", name="k", enabled=True, tags=tags, response={"id": "k1"}),
        record(
            "CreateApiKey",
            role="sklearn-zappa-ml-key-rotation",
            name="k",
            tags=tags,
            response={"id": "k2"},
        ),
    ]
    assert audit(records, roles, ACCOUNT).denials == []


@pytest.mark.parametrize(
    ("tags", "why"),
    [
        ({"ZappaProject": "sklearn-zappa-ml-prod"}, "another stage"),
        ({"ZappaProject": DEV, "owner": "x"}, "a tag key outside the list"),
    ],
)
def test_a_stage_role_cannot_put_other_tags(roles, tags, why):
    records = [record("TagResource", resourceArn=f"{API}/restapis/a1", tags=tags)]
    assert [d.request.action for d in audit(records, roles, ACCOUNT).denials] == [
        "apigateway:PUT"
    ], why


def test_residual_risk_a_stage_can_put_its_tag_on_another_stages_api(roles):
    """Documented in iam/README.md ("Residual risk"): a tagging request carries no
    aws:ResourceTag, so IAM cannot stop dev from tagging prod's REST API as its own and then using
    it. If this ever fails, the template closed the gap: update the README."""
    prod = {"ZappaProject": "sklearn-zappa-ml-prod"}
    created = record(
        "CreateRestApi",
        name="p",
        tags=prod,
        role="sklearn-zappa-ml-prod-deploy",
        response={"id": "p1"},
    )
    read = record("GetRestApi", restApiId="p1")
    assert len(audit([created, read], roles, ACCOUNT).denials) == 1  # prod's API is prod's
    retag = record("TagResource", resourceArn=f"{API}/restapis/p1", tags={"ZappaProject": DEV})
    assert audit([created, retag, read], roles, ACCOUNT).denials == []


def test_the_first_secret_read_gets_not_found_instead_of_access_denied(roles):
    name = "sklearn-zappa-ml/dev/api-key"
    records = [
        record(
            "DescribeSecret", "secretsmanager", error="ResourceNotFoundException", SecretId=name
        ),
        record(
            "GetSecretValue", "secretsmanager", error="ResourceNotFoundException", SecretId=name
        ),
        record("CreateSecret", "secretsmanager", Name=name),
        record(
            "GetSecretValue",
            "secretsmanager",
            role="sklearn-zappa-ml-loadtest-read",
            error="ResourceNotFoundException",
            SecretId="sklearn-zappa-ml/test/api-key",
        ),
    ]
    report = audit(records, roles, ACCOUNT)
    assert report.denials == []
    suffixless = Mapper(ACCOUNT).requests(records[1])[0].resource
    assert suffixless.endswith(f"secret:{name}")


def test_a_missing_secret_of_another_stage_is_still_denied(roles):
    records = [
        record(
            "GetSecretValue",
            "secretsmanager",
            error="ResourceNotFoundException",
            SecretId="sklearn-zappa-ml/prod/api-key",
        )
    ]
    assert len(audit(records, roles, ACCOUNT).denials) == 1


# -- least privilege on API keys ----------------------------------------------------------------


def key_records(key_tags):
    listing = {"items": [{"id": "k9", "name": "x", **({"tags": key_tags} if key_tags else {})}]}
    return [record("GetApiKeys", response=listing)]


def test_a_deploy_role_may_attach_its_own_tagged_key_to_the_stage(roles):
    records = [
        *key_records({"ZappaProject": DEV}),
        record(
            "UpdateApiKey",
            apiKey="k9",
            patchOperations=[{"op": "add", "path": "/stages", "value": "a1/dev"}],
        ),
    ]
    assert audit(records, roles, ACCOUNT).denials == []


@pytest.mark.parametrize(
    "key_tags", [None, {"ZappaProject": "sklearn-zappa-ml-prod"}], ids=["untagged", "prod's"]
)
def test_a_deploy_role_cannot_delete_an_untagged_or_another_stages_key(roles, key_tags):
    records = [*key_records(key_tags), record("DeleteApiKey", apiKey="k9")]
    assert [d.request.action for d in audit(records, roles, ACCOUNT).denials] == [
        "apigateway:DELETE"
    ]


def test_the_key_rotation_role_cannot_deploy_or_update_a_function(roles):
    rotation = "sklearn-zappa-ml-key-rotation"
    records = [
        record("UpdateFunctionCode", "lambda", role=rotation, FunctionName="sklearn-zappa-ml-prod"),
        record("CreateStack", "cloudformation", role=rotation, StackName="sklearn-zappa-ml-prod"),
        record("CreateDeployment", role=rotation, restApiId="a1"),
    ]
    report = audit(records, roles, ACCOUNT)
    assert {d.operation for d in report.denials} == {
        "lambda:UpdateFunctionCode",
        "cloudformation:CreateStack",
        "apigateway:CreateDeployment",
    }
