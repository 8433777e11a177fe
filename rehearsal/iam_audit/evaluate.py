"""Decide whether a role's identity policies allow one request, statement by statement.

moto's evaluator (`moto.iam.access_control.IAMPolicy(doc).is_action_permitted(action, resource)`,
returning PermissionResult.PERMITTED, DENIED or NEUTRAL) decides whether a statement's Action and
Resource match. Conditions are evaluated here instead, because moto 5.2.5's `_check_conditions`
(a) turns an Allow statement whose condition fails into an explicit DENIED for the whole policy,
(b) treats every operator but StringEquals as satisfied, and (c) pairs condition keys with
values by position, so a missing key shifts the others. Its pattern matching is also adapted:
moto turns `*` into `.*` but leaves other regex characters live, so `?` (one character in IAM)
and `.` are escaped here before moto sees a statement, and action names are compared in lower
case as IAM does.
"""

from __future__ import annotations

import fnmatch
import json
import re
from dataclasses import dataclass
from typing import Any

from moto.iam.access_control import IAMPolicy, PermissionResult

from iam.actions import Request


def _listify(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def moto_pattern(pattern: str) -> str:
    """An IAM wildcard pattern rewritten so moto's `*` -> `.*` regex matches it exactly."""
    out = []
    for char in pattern:
        if char == "*":
            out.append("*")
        elif char == "?":
            out.append(".")
        else:
            out.append(re.escape(char))
    return "".join(out)


def _glob(pattern: str, value: str) -> bool:
    return fnmatch.fnmatchcase(value, pattern)


_MATCHERS = {
    "StringEquals": lambda expected, actual: expected == actual,
    "StringNotEquals": lambda expected, actual: expected == actual,
    "StringEqualsIgnoreCase": lambda expected, actual: expected.lower() == actual.lower(),
    "StringLike": _glob,
    "StringNotLike": _glob,
    "ArnEquals": _glob,
    "ArnLike": _glob,
    "Bool": lambda expected, actual: expected.lower() == actual.lower(),
}
_NEGATED = {"StringNotEquals", "StringNotLike"}


def condition_holds(
    condition: dict[str, dict[str, Any]], context: dict[str, tuple[str, ...]]
) -> bool:
    """IAM semantics: every operator, every key must hold; any of a key's values may match."""
    for raw_operator, keys in condition.items():
        qualifier, _, operator = raw_operator.rpartition(":")
        if_exists = operator.endswith("IfExists")
        operator = operator.removesuffix("IfExists")
        for key, expected in keys.items():
            expected = [str(v) for v in _listify(expected)]
            actual = context.get(key)
            if operator == "Null":
                if (actual is None) != (expected[0].lower() == "true"):
                    return False
                continue
            if actual is None:
                if not (if_exists or qualifier == "ForAllValues"):
                    return False
                continue
            if operator not in _MATCHERS:
                raise ValueError(f"condition operator {raw_operator} is not supported")
            match = _MATCHERS[operator]
            hits = [any(match(e, a) for e in expected) for a in actual]
            if operator in _NEGATED:
                hits = [not h for h in hits]
            ok = all(hits) if qualifier == "ForAllValues" or operator in _NEGATED else any(hits)
            if not ok:
                return False
    return True


@dataclass(frozen=True)
class StatementRef:
    """Where a grant lives: role, policy name, statement Sid (or index)."""

    role: str
    policy: str
    sid: str


@dataclass(frozen=True)
class Decision:
    allowed: bool
    allowed_by: tuple[StatementRef, ...]
    denied_by: tuple[StatementRef, ...]


def statement_matches(statement: dict[str, Any], request: Request) -> bool:
    """Whether the statement's Action and Resource cover the request (moto decides)."""
    probe = {
        "Effect": "Allow",
        "Action": [a.lower() for a in _listify(statement.get("Action", []))],
        "Resource": [moto_pattern(r) for r in _listify(statement.get("Resource", []))],
    }
    policy = IAMPolicy(json.dumps({"Version": "2012-10-17", "Statement": [probe]}))
    result = policy.is_action_permitted(request.action.lower(), request.resource)
    return result == PermissionResult.PERMITTED


def evaluate(role: str, policies: dict[str, dict[str, Any]], request: Request) -> Decision:
    """Explicit deny wins, then any allow; otherwise implicitly denied."""
    allowed, denied = [], []
    for policy_name, document in policies.items():
        for index, statement in enumerate(_listify(document["Statement"])):
            if "NotAction" in statement or "NotResource" in statement:
                raise ValueError(f"{role}/{policy_name}: NotAction/NotResource are not supported")
            if not statement_matches(statement, request):
                continue
            if not condition_holds(statement.get("Condition", {}), request.context):
                continue
            ref = StatementRef(role, policy_name, statement.get("Sid") or str(index))
            (allowed if statement["Effect"] == "Allow" else denied).append(ref)
    return Decision(bool(allowed) and not denied, tuple(allowed), tuple(denied))
