"""Put a stack into the states AWS reaches and moto never does (moto creates every stack at once).

The stack is real moto state; only its status and events are set the way CloudFormation leaves
them after a failed creation, e.g. when the deploy role may not tag the REST API (issue 13).
"""

import boto3
from moto.cloudformation import models as cloudformation_models
from moto.core import DEFAULT_ACCOUNT_ID

from .conftest import REGION

TAG_DENIED = (
    "User: arn:aws:sts::123456789012:assumed-role/sklearn-zappa-ml-dev-deploy is not authorized "
    "to perform: apigateway:PUT on resource: arn:aws:apigateway:us-east-1::/tags/*"
)
TEMPLATE = '{"Resources": {"Topic": {"Type": "AWS::SNS::Topic"}}}'


def backend():
    return cloudformation_models.cloudformation_backends[DEFAULT_ACCOUNT_ID][REGION]


def set_failed(stack, status: str = "ROLLBACK_COMPLETE", reason: str = TAG_DENIED) -> None:
    """What CloudFormation records when a resource fails to create and the stack rolls back."""
    stack._add_stack_event("CREATE_FAILED", resource_status_reason=reason)
    stack._add_stack_event(status)
    stack.status = status


def make_stack(name: str, status: str = "CREATE_COMPLETE") -> None:
    """A stack named like Zappa's, in `status` (moto, in-process mock_aws)."""
    boto3.client("cloudformation", region_name=REGION).create_stack(
        StackName=name, TemplateBody=TEMPLATE
    )
    if status != "CREATE_COMPLETE":
        stack = next(s for s in backend().stacks.values() if s.name == name)
        if status in {"ROLLBACK_COMPLETE", "ROLLBACK_FAILED", "CREATE_FAILED"}:
            set_failed(stack, status)
        else:
            stack.status = status


def creations_fail(monkeypatch) -> None:
    """From now on every stack creation ends in ROLLBACK_COMPLETE, as one whose API can't be
    tagged does on AWS (works for the in-process moto server too: same module state)."""
    monkeypatch.setattr(
        cloudformation_models.Stack, "mark_creation_complete", lambda stack: set_failed(stack)
    )
