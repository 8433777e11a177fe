"""Read the deployed bootstrap stack: the account's facts and the ARNs of the pipeline's roles.

`make verify-account` needs the account id, partition and region (from the stack's ARN and its
AwsRegion output), the project name (the stack's ProjectName parameter), each stage's Zappa
bucket and each role's ARN (outputs). Which output holds which role or bucket is read from
iam/bootstrap.yaml itself (the output whose value is the role's `!GetAtt X.Arn`, the bucket
tagged ZappaProject=PROJECT-STAGE), so the names are defined once, in the template. Every way
this can go wrong is a `StackError`: one line, exit status 2.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import click
from botocore.exceptions import BotoCoreError, ClientError

from iam.template import Renderer, Role, TemplateError, load_template, render_roles

READY = ("CREATE_COMPLETE", "UPDATE_COMPLETE", "UPDATE_ROLLBACK_COMPLETE", "IMPORT_COMPLETE")
REJECTED_CREDENTIALS = {
    "ExpiredToken",
    "ExpiredTokenException",
    "InvalidClientTokenId",
    "UnrecognizedClientException",
    "SignatureDoesNotMatch",
    "AuthFailure",
}


class StackError(click.ClickException):
    """A usage error: no credentials, no stack, wrong region, a role the stack lacks."""

    exit_code = 2


@dataclass(frozen=True)
class Stack:
    name: str
    partition: str
    account: str
    region: str
    parameters: dict[str, str]
    outputs: dict[str, str]

    @property
    def project(self) -> str:
        return self.parameters["ProjectName"]


def error_code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def explain(exc: ClientError | BotoCoreError, doing: str) -> StackError:
    """One line for an AWS error while `doing` (e.g. "iam:GetRole on ROLE")."""
    if isinstance(exc, BotoCoreError):
        return StackError(f"{doing}: {exc}")
    code = error_code(exc)
    if code in REJECTED_CREDENTIALS:
        return StackError(f"AWS rejected the credentials ({code}); sign in again")
    if "AccessDenied" in code:
        return StackError(
            f"not allowed: {doing}; use an administrator or the bootstrap's auditor role"
        )
    return StackError(f"{doing}: {code}: {exc.response.get('Error', {}).get('Message', '')}")


def _describe(cloudformation: Any, name: str) -> dict[str, Any] | None:
    try:
        return cloudformation.describe_stacks(StackName=name)["Stacks"][0]
    except ClientError as exc:
        message = str(exc.response.get("Error", {}).get("Message", ""))
        if error_code(exc) == "ValidationError" and "does not exist" in message:
            return None
        raise explain(exc, f"cloudformation:DescribeStacks on {name}") from exc
    except BotoCoreError as exc:
        raise explain(exc, f"cloudformation:DescribeStacks on {name}") from exc


def _elsewhere(client_for: Callable[[str], Any], name: str, regions: Iterable[str]) -> list[str]:
    """Regions where the stack exists; a region we may not read counts as not found."""

    def found(region: str) -> str | None:
        try:
            return region if _describe(client_for(region), name) else None
        except (StackError, BotoCoreError):
            return None

    with ThreadPoolExecutor(max_workers=8) as pool:
        return sorted(r for r in pool.map(found, regions) if r)


def read_stack(
    client_for: Callable[[str], Any], name: str, region: str, other_regions: Iterable[str] = ()
) -> Stack:
    """The stack in `region`; if it is not there, say where it is (among other_regions)."""
    stack = _describe(client_for(region), name)
    if stack is None:
        where = _elsewhere(client_for, name, [r for r in other_regions if r != region])
        if where:
            raise StackError(
                f"stack {name} is not in {region} but in {', '.join(where)}: "
                f"pass --region {where[0]} (or set AWS_REGION)"
            )
        raise StackError(
            f"no stack {name} in {region}: deploy iam/bootstrap.yaml first (iam/README.md), or "
            "pass --stack NAME / --region REGION"
        )
    if stack["StackStatus"] not in READY:
        raise StackError(f"stack {name} is {stack['StackStatus']}: fix or redeploy it first")
    _, partition, _, _, account, _ = stack["StackId"].split(":", 5)
    outputs = {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}
    if outputs.get("AwsRegion", region) != region:
        raise StackError(
            f"stack {name} says its region is {outputs['AwsRegion']} (output AwsRegion), "
            f"but it was read in {region}"
        )
    parameters = {p["ParameterKey"]: p["ParameterValue"] for p in stack.get("Parameters", [])}
    if "ProjectName" not in parameters:
        raise StackError(f"stack {name} has no ProjectName parameter: is it the bootstrap stack?")
    return Stack(name, partition, account, region, parameters, outputs)


def _output_of(template: dict[str, Any], value: dict[str, Any]) -> str | None:
    """The template's output whose Value is exactly `value` (a !GetAtt or !Ref)."""
    return next(
        (key for key, out in template.get("Outputs", {}).items() if out.get("Value") == value),
        None,
    )


def _output(stack: Stack, key: str | None, what: str) -> str:
    if key is None or key not in stack.outputs:
        raise StackError(
            f"stack {stack.name} has no output {key or '(none)'} for {what}: "
            "update it with this repository's iam/bootstrap.yaml"
        )
    return stack.outputs[key]


@dataclass(frozen=True)
class Bootstrap:
    """The stack with the template's own view of it: roles by name, outputs by resource."""

    stack: Stack
    template: dict[str, Any]
    roles: dict[str, Role]
    renderer: Renderer

    @classmethod
    def of(cls, stack: Stack) -> Bootstrap:
        template = load_template()
        declared = template.get("Parameters", {})
        parameters = {k: v for k, v in stack.parameters.items() if k in declared}
        try:
            roles = render_roles(parameters, stack.account, stack.region, template)
            renderer = Renderer(template, parameters, stack.account, stack.region, stack.partition)
        except TemplateError as exc:
            raise StackError(f"stack {stack.name}'s parameters: {exc}") from exc
        return cls(stack, template, roles, renderer)

    def role_arn(self, name: str) -> str:
        """The ARN the stack reports for a role of the template, by the role's name."""
        role = self.roles.get(name)
        if role is None:
            raise StackError(f"iam/bootstrap.yaml defines no role {name}")
        key = _output_of(self.template, {"Fn::GetAtt": [role.logical_id, "Arn"]})
        return _output(self.stack, key, f"role {name}")

    def bucket(self, stage: str) -> str:
        """The stage's Zappa bucket: the template's bucket tagged ZappaProject=PROJECT-STAGE."""
        owner = f"{self.stack.project}-{stage}"
        for logical_id, resource in self.template["Resources"].items():
            if resource["Type"] != "AWS::S3::Bucket":
                continue
            tags = self.renderer.render(resource["Properties"].get("Tags", []))
            if {"Key": "ZappaProject", "Value": owner} in tags:
                key = _output_of(self.template, {"Ref": logical_id})
                return _output(self.stack, key, f"the bucket of {stage}")
        raise StackError(f"iam/bootstrap.yaml has no bucket tagged ZappaProject={owner}")


def check_role_exists(iam: Any, arn: str) -> None:
    """iam:GetRole: the role is really there (an output can outlive a deleted role)."""
    name = arn.rsplit("/", 1)[-1]
    try:
        found = iam.get_role(RoleName=name)["Role"]["Arn"]
    except ClientError as exc:
        if error_code(exc) == "NoSuchEntity":
            raise StackError(f"role {name} (in the stack's outputs) does not exist") from exc
        raise explain(exc, f"iam:GetRole on {arn}") from exc
    except BotoCoreError as exc:
        raise explain(exc, f"iam:GetRole on {arn}") from exc
    if found != arn:
        raise StackError(f"role {name} is {found}, but the stack's output says {arn}")
