"""A stubbed AWS account for `make verify-account`'s tests: botocore clients whose answers are
queued with botocore's Stubber, which validates every request against the service model.

No request leaves the process. The simulator's answers for a whole run come from the template's
own rendered policies (rehearsal.iam_audit.evaluate), so the stubbed account is the one
iam/bootstrap.yaml would create, with AWS's answer shapes (EvalDecision, MatchedStatements,
IsTruncated).
"""

from __future__ import annotations

from functools import cache
from typing import Any

import botocore.session
from botocore.stub import Stubber

from iam.simulate import Check, simulations
from iam.template import Renderer, load_template, render_roles
from rehearsal.iam_audit.evaluate import evaluate

ACCOUNT = "111122223333"
REGION = "us-east-1"
STACK = "sklearn-zappa-ml-bootstrap"
STACK_ID = f"arn:aws:cloudformation:{REGION}:{ACCOUNT}:stack/{STACK}/0a1b2c3d-example"
PARAMETERS = {
    "GitHubOrg": "acme",
    "GitHubRepo": "ml-api",
    "SubjectFormat": "classic",
    "ProjectName": "sklearn-zappa-ml",
}


class StubbedAws:
    """iam.verify_account.Aws with one stubbed client per service and region."""

    def __init__(self, region: str | None = REGION, regions=(REGION,), credentials=True):
        self.region = region
        self._regions = list(regions)
        self.credentials = credentials
        self.stubbers: dict[tuple[str, str], Stubber] = {}
        self.clients: dict[tuple[str, str], Any] = {}

    def _key(self, service: str, region: str | None) -> tuple[str, str]:
        return (service, region or self.region or REGION)

    def stub(self, service: str, region: str | None = None) -> Stubber:
        key = self._key(service, region)
        if key not in self.stubbers:
            client = botocore.session.get_session().create_client(
                service,
                region_name=key[1],
                aws_access_key_id="testing",
                aws_secret_access_key="testing",
            )
            self.clients[key] = client
            self.stubbers[key] = Stubber(client)
            self.stubbers[key].activate()
        return self.stubbers[key]

    def client(self, service: str, region: str | None = None) -> Any:
        self.stub(service, region)
        return self.clients[self._key(service, region)]

    def has_credentials(self) -> bool:
        return self.credentials

    def regions(self, service: str, partition: str = "aws") -> list[str]:
        return self._regions

    def assert_all_answered(self) -> None:
        for stubber in self.stubbers.values():
            stubber.assert_no_pending_responses()


def rendered_outputs(
    account: str = ACCOUNT, region: str = REGION, parameters: dict[str, str] | None = None
) -> dict[str, str]:
    """The outputs CloudFormation would report for the template in this account."""
    template = load_template()
    renderer = Renderer(template, parameters or PARAMETERS, account, region)
    return {key: str(renderer.render(out["Value"])) for key, out in template["Outputs"].items()}


def stack_response(
    outputs: dict[str, str] | None = None, status: str = "CREATE_COMPLETE", stack_id=STACK_ID
) -> dict[str, Any]:
    outputs = rendered_outputs() if outputs is None else outputs
    return {
        "Stacks": [
            {
                "StackName": STACK,
                "StackId": stack_id,
                "StackStatus": status,
                "CreationTime": "2026-07-20T10:00:00Z",
                "Parameters": [
                    {"ParameterKey": k, "ParameterValue": v} for k, v in PARAMETERS.items()
                ],
                "Outputs": [{"OutputKey": k, "OutputValue": v} for k, v in outputs.items()],
            }
        ]
    }


def not_found(stubber: Stubber, name: str = STACK) -> None:
    stubber.add_client_error(
        "describe_stacks",
        service_error_code="ValidationError",
        service_message=f"Stack with id {name} does not exist",
        http_status_code=400,
        expected_params={"StackName": name},
    )


def get_role_response(arn: str) -> dict[str, Any]:
    name = arn.rsplit("/", 1)[-1]
    return {
        "Role": {
            "Path": "/",
            "RoleName": name,
            "RoleId": "AROAEXAMPLE" + name.upper().replace("-", "")[:10],
            "Arn": arn,
            "CreateDate": "2026-07-20T10:00:00Z",
        }
    }


def statement(policy: str, line: int) -> dict[str, Any]:
    return {
        "SourcePolicyId": policy,
        "SourcePolicyType": "role",
        "StartPosition": {"Line": line, "Column": 1},
        "EndPosition": {"Line": line + 9, "Column": 2},
    }


@cache
def _roles():
    return render_roles(PARAMETERS, ACCOUNT, REGION)


def template_answers(role_name: str, params: dict[str, Any], asked: list[Check]) -> dict:
    """The simulator's answer for one request, decided by the template's rendered policies."""
    role = _roles()[role_name]
    results = []
    for action in params["ActionNames"]:
        request = next(c.request for c in asked if c.request.action == action)
        decision = evaluate(role.name, role.policies, request)
        matched = [
            statement(ref.policy, 1 + _statement_index(role.policies[ref.policy], ref.sid))
            for ref in decision.allowed_by
        ]
        results.append(
            {
                "EvalActionName": action,
                "EvalResourceName": params["ResourceArns"][0],
                "EvalDecision": "allowed" if decision.allowed else "implicitDeny",
                "MatchedStatements": matched,
                "MissingContextValues": [],
            }
        )
    return {"EvaluationResults": results, "IsTruncated": False}


def _statement_index(document: dict[str, Any], sid: str) -> int:
    sids = [st.get("Sid") for st in document["Statement"]]
    return sids.index(sid) if sid in sids else 0


def queue_template_answers(aws: StubbedAws, role_arn: str, checks: list[Check]) -> None:
    """Queue, in order, the simulations verify-account will ask for this role."""
    name = role_arn.rsplit("/", 1)[-1]
    for params, asked in simulations(role_arn, checks):
        aws.stub("iam").add_response(
            "simulate_principal_policy", template_answers(name, params, asked), params
        )
