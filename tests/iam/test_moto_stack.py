"""The template also creates in moto's CloudFormation, which the rehearsal may use."""

import boto3
import pytest
from moto import mock_aws

from iam.template import TEMPLATE_PATH

PROVIDER = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"


# moto 5.2.5 skips AWS::ApiGateway::Account and AWS::S3::BucketPolicy with this warning (and the
# OIDC provider with a log line): the rest of the stack is still created.
@pytest.mark.filterwarnings(
    r"ignore:Tried to parse AWS\W+\w+\W+\w+ but it's not supported:UserWarning"
)
def test_stack_creates_roles_buckets_and_outputs_in_moto(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        cf = boto3.client("cloudformation", region_name="us-east-1")
        parameters = {
            "GitHubOrg": "acme",
            "GitHubRepo": "ml",
            "SubjectFormat": "classic",
            "ExistingOidcProviderArn": PROVIDER,
        }
        cf.create_stack(
            StackName="sklearn-zappa-ml-bootstrap",
            TemplateBody=TEMPLATE_PATH.read_text(),
            Capabilities=["CAPABILITY_NAMED_IAM"],
            Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in parameters.items()],
        )
        (stack,) = cf.describe_stacks(StackName="sklearn-zappa-ml-bootstrap")["Stacks"]
        outputs = {o["OutputKey"]: o["OutputValue"] for o in stack["Outputs"]}
        trust = boto3.client("iam").get_role(RoleName="sklearn-zappa-ml-prod-deploy")["Role"][
            "AssumeRolePolicyDocument"
        ]
    assert stack["StackStatus"] == "CREATE_COMPLETE"
    assert (
        outputs["ProdDeployRoleArn"]
        == "arn:aws:iam::123456789012:role/sklearn-zappa-ml-prod-deploy"
    )
    assert outputs["DevZappaBucket"] == "sklearn-zappa-ml-dev-123456789012"
    (statement,) = trust["Statement"]
    assert statement["Principal"] == {"Federated": PROVIDER}
    assert statement["Condition"]["StringEquals"]["token.actions.githubusercontent.com:sub"] == (
        "repo:acme/ml:environment:prod"
    )
