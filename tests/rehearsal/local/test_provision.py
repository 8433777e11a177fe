"""Provisioning: iam/bootstrap.yaml through moto's CloudFormation, and direct creation only for
what the stack did not create (each listed with its reason)."""

import json

import click
import pytest

from rehearsal.local_aws import local_client, provision
from rehearsal.local_aws.provision import TEMPLATE
from tests.rehearsal.local.helpers import numbers

# moto warns about each resource type its CloudFormation skips (OIDC provider, bucket policy); the
# warning fires inside the server thread, where pytest's "error" filter would fail the request.
pytestmark = pytest.mark.filterwarnings(
    "ignore:Tried to parse AWS.* but it's not supported:UserWarning"
)


def trusted_services(endpoint, role_name: str) -> set[str]:
    role = local_client("iam", endpoint).get_role(RoleName=role_name)["Role"]
    document = role["AssumeRolePolicyDocument"]
    document = json.loads(document) if isinstance(document, str) else document
    services = set()
    for statement in document["Statement"]:
        if statement["Effect"] == "Allow" and statement["Action"] == "sts:AssumeRole":
            principal = statement["Principal"]["Service"]
            services.update([principal] if isinstance(principal, str) else principal)
    return services


def bucket_exists(endpoint, name: str) -> bool:
    names = [b["Name"] for b in local_client("s3", endpoint).list_buckets()["Buckets"]]
    return name in names


@pytest.mark.skipif(not TEMPLATE.exists(), reason="iam/bootstrap.yaml is not written yet")
def test_bootstrap_template_through_cloudformation(endpoint):
    first = provision(endpoint)
    assert first.stack == "sklearn-zappa-ml-bootstrap"
    assert first.direct == []  # moto's CloudFormation made every role and bucket
    for stage in ("dev", "test", "prod"):
        assert first.roles[stage].endswith(f":role/sklearn-zappa-ml-{stage}-lambda")
        assert "lambda.amazonaws.com" in trusted_services(
            endpoint, f"sklearn-zappa-ml-{stage}-lambda"
        )
        assert bucket_exists(endpoint, f"sklearn-zappa-ml-{stage}-123456789012")
    again = provision(endpoint)
    assert (again.roles, again.buckets, again.direct) == (first.roles, first.buckets, [])


@pytest.mark.skipif(not TEMPLATE.exists(), reason="iam/bootstrap.yaml is not written yet")
def test_what_the_stack_lacks_is_created_directly(endpoint):
    stage = f"p{next(numbers)}"
    result = provision(endpoint, stages=("dev", stage))
    assert result.direct == [
        f"role sklearn-zappa-ml-{stage}-lambda (not created by moto's CloudFormation)",
        f"bucket sklearn-zappa-ml-{stage}-123456789012 (not created by moto's CloudFormation)",
    ]


def test_without_a_template_everything_is_created_directly(endpoint, tmp_path):
    stage = f"p{next(numbers)}"
    result = provision(endpoint, stages=(stage,), template=tmp_path / "missing.yaml")
    assert result.stack is None
    assert len(result.direct) == 2
    assert all("missing.yaml does not exist" in line for line in result.direct)
    assert trusted_services(endpoint, f"sklearn-zappa-ml-{stage}-lambda") >= {
        "lambda.amazonaws.com"
    }
    assert bucket_exists(endpoint, f"sklearn-zappa-ml-{stage}-123456789012")
    assert provision(endpoint, stages=(stage,), template=tmp_path / "missing.yaml").direct == []


def test_a_parameter_without_a_local_value_is_a_clear_error(endpoint, tmp_path):
    template = tmp_path / "needs.yaml"
    template.write_text(
        "Parameters:\n  Needed: {Type: String}\nResources:\n  Bucket: {Type: AWS::S3::Bucket}\n"
    )
    with pytest.raises(click.ClickException, match="needs Needed"):
        provision(endpoint, stages=(), template=template, stack=f"needs-{next(numbers)}")
