"""Ask AWS's own policy evaluator, iam:SimulatePrincipalPolicy, about a role's requests.

The simulator evaluates the role's identity policies as the account holds them (inline and
managed policies, a permissions boundary, the organization's SCPs) for each action on each
resource with the context entries we pass, and names the statements that decided. A request's
context is typed as the SAR types its keys (iam.sar). Requests are sent in groups that share a
resource and a context (one simulation per group, one result per action), and every answer is
read through botocore's paginator (Marker / IsTruncated).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from iam.actions import Request
from iam.bootstrap_stack import StackError, explain
from iam.sar import load_sar

ALLOWED = "allowed"


@dataclass(frozen=True)
class Check:
    """One request a role must be allowed (expect "allow") or denied (expect "deny")."""

    role_arn: str
    expect: str
    request: Request
    why: str


@dataclass(frozen=True)
class Outcome:
    check: Check
    decision: str  # allowed, implicitDeny or explicitDeny
    deciding: str  # the statements that decided, or why none did

    @property
    def as_expected(self) -> bool:
        return (self.decision == ALLOWED) == (self.check.expect == "allow")


def context_entries(request: Request) -> list[dict[str, Any]]:
    """The request's context as ContextEntries, typed as the SAR types each key."""
    sar = load_sar()
    return [
        {
            "ContextKeyName": key,
            "ContextKeyValues": list(values),
            "ContextKeyType": sar.context_key_type(request.action, key),
        }
        for key, values in sorted(request.context.items())
    ]


def _statements(result: dict[str, Any]) -> list[dict[str, Any]]:
    found = list(result.get("MatchedStatements", []))
    for specific in result.get("ResourceSpecificResults", []):
        found.extend(s for s in specific.get("MatchedStatements", []) if s not in found)
    return found


def deciding(result: dict[str, Any]) -> str:
    """What decided: the matched statements, an SCP or boundary, or "no statement matched"."""
    statements = _statements(result)
    if statements:
        return "; ".join(
            f"{s.get('SourcePolicyId', '?')} ({s.get('SourcePolicyType', '?')} policy) "
            f"line {s.get('StartPosition', {}).get('Line', '?')}"
            for s in statements
        )
    reasons = []
    if result.get("OrganizationsDecisionDetail", {}).get("AllowedByOrganizations") is False:
        reasons.append("denied by an SCP of the organization")
    boundary = result.get("PermissionsBoundaryDecisionDetail", {})
    if boundary.get("AllowedByPermissionsBoundary") is False:
        reasons.append("denied by the role's permissions boundary")
    if not reasons:
        reasons.append("no statement matched")
    missing = result.get("MissingContextValues", [])
    if missing:
        reasons.append(f"missing context: {', '.join(missing)}")
    return "; ".join(reasons)


def simulations(role_arn: str, checks: list[Check]) -> list[tuple[dict[str, Any], list[Check]]]:
    """(SimulatePrincipalPolicy parameters, the checks it answers): one simulation per resource
    and context, with every action asked about it."""
    groups: dict[tuple[str, str], dict[str, list[Check]]] = {}
    for check in checks:
        request = check.request
        key = (request.resource, repr(sorted(request.context.items())))
        groups.setdefault(key, {}).setdefault(request.action, []).append(check)
    found = []
    for by_action in groups.values():
        some = next(iter(by_action.values()))[0].request
        params: dict[str, Any] = {
            "PolicySourceArn": role_arn,
            "ActionNames": list(by_action),
            "ResourceArns": [some.resource],
        }
        entries = context_entries(some)
        if entries:
            params["ContextEntries"] = entries
        found.append((params, [c for cs in by_action.values() for c in cs]))
    return found


def simulate(iam: Any, role_arn: str, checks: list[Check]) -> list[Outcome]:
    """Every check of one role, answered by the simulator, in the order given."""
    paginator = iam.get_paginator("simulate_principal_policy")
    answers: dict[int, Outcome] = {}
    for params, asked in simulations(role_arn, checks):
        by_action: dict[str, list[Check]] = {}
        for check in asked:
            by_action.setdefault(check.request.action.lower(), []).append(check)
        try:
            for page in paginator.paginate(**params):
                for result in page["EvaluationResults"]:
                    for check in by_action.get(result["EvalActionName"].lower(), []):
                        answers[id(check)] = Outcome(
                            check, result["EvalDecision"], deciding(result)
                        )
        except (ClientError, BotoCoreError) as exc:
            raise explain(exc, f"iam:SimulatePrincipalPolicy on {role_arn}") from exc
    missing = [c for c in checks if id(c) not in answers]
    if missing:
        first = missing[0].request
        raise StackError(f"the simulator did not answer {first.action} on {first.resource}")
    return [answers[id(c)] for c in checks]
