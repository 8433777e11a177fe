"""Create in the local endpoint what iam/bootstrap.yaml creates in a real account.

The template goes through moto's CloudFormation, so the local roles and buckets are the template's
own. moto skips the resource types it does not support, with a warning; what a Zappa deploy needs
and the stack did not create is then made directly, and the report says so.
"""

import json
from dataclasses import dataclass, field
from pathlib import Path

import click
from botocore.exceptions import ClientError

from ops import paths
from project import BOOTSTRAP_STACK, STAGES
from rehearsal.local_aws.clients import local_client

TEMPLATE = paths.ROOT / "iam" / "bootstrap.yaml"
# Values for the template's parameters that have no default. No GitHub token ever reaches the
# local endpoint (moto's assume_role_with_web_identity checks none), so any valid name will do.
LOCAL_PARAMETERS = {"GitHubOrg": "local", "GitHubRepo": "rehearsal"}
# What iam/ gives each stage's execution role to trust (Zappa passes the role to both).
LAMBDA_TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": ["lambda.amazonaws.com", "apigateway.amazonaws.com"]},
            "Action": "sts:AssumeRole",
        }
    ],
}
# Not needed locally, so never created directly when moto's CloudFormation skips them:
# - AWS::IAM::OIDCProvider: the local endpoint verifies no web-identity token anyway.
# - AWS::S3::BucketPolicy: its one statement denies non-TLS access, and the endpoint is plain http.


@dataclass
class Provisioned:
    """What exists afterwards, and what had to be made without CloudFormation (and why)."""

    account_id: str
    stack: str | None
    roles: dict[str, str] = field(default_factory=dict)
    buckets: dict[str, str] = field(default_factory=dict)
    direct: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [f"account {self.account_id}; stack {self.stack or '(none)'}"]
        out += [
            f"  {stage}: role {self.roles[stage]}, bucket {self.buckets[stage]}"
            for stage in self.roles
        ]
        out += [f"  created directly: {item}" for item in self.direct]
        return out


def lambda_role_name(stage: str) -> str:
    return f"{paths.PROJECT}-{stage}-lambda"


def bucket_name(stage: str, account_id: str) -> str:
    return f"{paths.PROJECT}-{stage}-{account_id}"


def provision(
    endpoint: str,
    stages=STAGES,
    template: Path = TEMPLATE,
    region: str | None = None,
    stack: str = BOOTSTRAP_STACK,
) -> Provisioned:
    """Idempotent: deploy the bootstrap stack once, then make sure every stage has its role and
    bucket. Refuses any endpoint that is not on loopback."""
    account_id = local_client("sts", endpoint, region).get_caller_identity()["Account"]
    reason = f"{template} does not exist"
    if template.exists():
        cloudformation = local_client("cloudformation", endpoint, region)
        stack, reason = deploy_stack(cloudformation, template, stack)
    else:
        stack = None
    result = Provisioned(account_id=account_id, stack=stack)
    iam, s3 = local_client("iam", endpoint, region), local_client("s3", endpoint, region)
    for stage in stages:
        role = lambda_role_name(stage)
        arn, created = ensure_role(iam, role)
        result.roles[stage] = arn
        if created:
            result.direct.append(f"role {role} ({reason})")
        bucket = bucket_name(stage, account_id)
        result.buckets[stage] = bucket
        if ensure_bucket(s3, bucket, region):
            result.direct.append(f"bucket {bucket} ({reason})")
    return result


def template_parameters(cloudformation, body: str) -> list[dict]:
    """LOCAL_PARAMETERS for every parameter without a default; defaults for the rest."""
    summary = cloudformation.get_template_summary(TemplateBody=body)
    values, missing = [], []
    for parameter in summary.get("Parameters", []):
        name = parameter["ParameterKey"]
        if name in LOCAL_PARAMETERS:
            values.append({"ParameterKey": name, "ParameterValue": LOCAL_PARAMETERS[name]})
        elif "DefaultValue" not in parameter:
            missing.append(name)
    if missing:
        raise click.ClickException(
            f"the bootstrap template needs {', '.join(missing)}: add local values to "
            "rehearsal/local_aws/provision.py LOCAL_PARAMETERS"
        )
    return values


def deploy_stack(cloudformation, template: Path, stack: str) -> tuple[str | None, str]:
    """(stack name if complete, why resources may be missing otherwise)."""
    try:
        status = cloudformation.describe_stacks(StackName=stack)["Stacks"][0]["StackStatus"]
    except ClientError as exc:
        if "does not exist" not in exc.response.get("Error", {}).get("Message", ""):
            raise
        body = template.read_text()
        cloudformation.create_stack(
            StackName=stack,
            TemplateBody=body,
            Parameters=template_parameters(cloudformation, body),
            Capabilities=["CAPABILITY_NAMED_IAM"],
        )
        cloudformation.get_waiter("stack_create_complete").wait(
            StackName=stack, WaiterConfig={"Delay": 1, "MaxAttempts": 60}
        )
        status = "CREATE_COMPLETE"
    if status.endswith("_COMPLETE") and "ROLLBACK" not in status and "DELETE" not in status:
        return stack, "not created by moto's CloudFormation"
    return None, f"stack {stack} is {status}"


def ensure_role(iam, name: str) -> tuple[str, bool]:
    """(role ARN, whether it had to be created here)."""
    try:
        return iam.get_role(RoleName=name)["Role"]["Arn"], False
    except iam.exceptions.NoSuchEntityException:
        role = iam.create_role(
            RoleName=name,
            AssumeRolePolicyDocument=json.dumps(LAMBDA_TRUST),
            Description=f"Execution role of {name.removesuffix('-lambda')} (local endpoint)",
        )
        return role["Role"]["Arn"], True


def ensure_bucket(s3, name: str, region: str | None) -> bool:
    """Whether the bucket had to be created here."""
    try:
        s3.head_bucket(Bucket=name)
        return False
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") not in {"404", "NoSuchBucket"}:
            raise
    region = region or s3.meta.region_name
    location = {} if region == "us-east-1" else {"LocationConstraint": region}
    s3.create_bucket(Bucket=name, **({"CreateBucketConfiguration": location} if location else {}))
    return True
