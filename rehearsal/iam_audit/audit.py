"""Prove the roles are sufficient and minimal for recorded AWS calls.

Reads the JSON lines recorder.py wrote, maps each call to its IAM requests (iam.actions: every
action AWS authorizes for it, CloudFormation's calls from the resource schemas, contexts cut down
to the keys the SAR lists), evaluates each against the rendered policies of the role its step uses
in GitHub Actions (iam.template, evaluate.py), and reports per role the calls checked, the
requests evaluated and the requests denied (any denial fails, exit 1), each denial, and granted
actions no recorded call used (candidates to remove).

Usage: python -m rehearsal.iam_audit.audit CALLS.jsonl [...] [--param Name=Value] [--account-id ID]
       [--region REGION] [--json REPORT.json]
"""

from __future__ import annotations

import fnmatch
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click

from iam.actions import Mapper, Request
from iam.render import EXAMPLE_PARAMETERS, parse_params
from iam.template import Role, TemplateError, render_roles
from project.atomic import write_json
from rehearsal.iam_audit.evaluate import evaluate

# Roles whose callers are AWS services running our code, not recorded steps: never "unused".
SERVICE_ROLE_SUFFIXES = ("-lambda", "-apigateway-logs")


class AuditError(click.ClickException):
    """Bad input: unreadable records or a role the template does not define."""


@dataclass
class Denial:
    step: str
    role: str
    operation: str
    request: Request


@dataclass
class RoleCount:
    """One role's share of the audit: recorded calls, IAM requests evaluated, requests denied."""

    calls: int = 0
    requests: int = 0
    denied: int = 0


@dataclass
class Report:
    calls: int = 0
    requests: int = 0
    denials: list[Denial] = field(default_factory=list)
    used: set[tuple[str, str, str, str]] = field(default_factory=set)
    unused: list[tuple[str, str, str, str]] = field(default_factory=list)
    per_role: dict[str, RoleCount] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "calls": self.calls,
            "requests": self.requests,
            "roles": {
                name: {"calls": c.calls, "requests": c.requests, "denied": c.denied}
                for name, c in sorted(self.per_role.items())
            },
            "denied": [
                {
                    "step": d.step,
                    "role": d.role,
                    "operation": d.operation,
                    "action": d.request.action,
                    "resource": d.request.resource,
                    "context": {k: list(v) for k, v in d.request.context.items()},
                    "implied_by": d.request.implied_by,
                }
                for d in self.denials
            ],
            "unused": [
                {"role": r, "policy": p, "sid": s, "action": a} for r, p, s, a in self.unused
            ],
        }


def read_records(paths: Iterable[Path]) -> list[dict[str, Any]]:
    """All records, in file order; a malformed line is an error naming file and line."""
    records = []
    for path in paths:
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise AuditError(f"cannot read {path}: {exc.strerror}") from exc
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise AuditError(f"{path}:{number}: not JSON ({exc.msg})") from exc
            missing = {"step", "role", "service", "operation"} - set(record)
            if missing:
                raise AuditError(f"{path}:{number}: missing {', '.join(sorted(missing))}")
            records.append(record)
    return records


def _grants(role: Role) -> list[tuple[str, str, str, str]]:
    """(role, policy, sid, action) for every Allow statement's actions."""
    found = []
    for policy_name, document in role.policies.items():
        statements = document["Statement"]
        for index, st in enumerate(statements if isinstance(statements, list) else [statements]):
            if st["Effect"] != "Allow":
                continue
            actions = st["Action"] if isinstance(st["Action"], list) else [st["Action"]]
            for action in actions:
                found.append((role.name, policy_name, st.get("Sid") or str(index), action))
    return found


def audit(records: list[dict[str, Any]], roles: dict[str, Role], account_id: str) -> Report:
    """Evaluate every record's requests; collect denials and the grants they used."""
    mapper, report = Mapper(account_id), Report()
    for record in records:
        role = roles.get(record["role"])
        if role is None:
            known = ", ".join(sorted(roles))
            raise AuditError(
                f"step {record['step']!r} uses role {record['role']!r}; known: {known}"
            )
        count = report.per_role.setdefault(role.name, RoleCount())
        report.calls += 1
        count.calls += 1
        for request in mapper.requests(record):
            report.requests += 1
            count.requests += 1
            decision = evaluate(role.name, role.policies, request)
            if not decision.allowed:
                count.denied += 1
                operation = f"{record['service']}:{record['operation']}"
                report.denials.append(Denial(record["step"], role.name, operation, request))
            for ref in decision.allowed_by:
                for grant in _grants(role):
                    same = grant[:3] == (ref.role, ref.policy, ref.sid)
                    if same and fnmatch.fnmatchcase(request.action.lower(), grant[3].lower()):
                        report.used.add(grant)
        mapper.learn(record)
    for name in sorted(report.per_role):
        if name.endswith(SERVICE_ROLE_SUFFIXES):
            continue
        report.unused.extend(g for g in _grants(roles[name]) if g not in report.used)
    return report


CONTEXT_SOURCES = (
    "IAM requests with contexts from AWS's Service Authorization Reference (parliament's copy, "
    "plus API Gateway V1 tag inheritance); CloudFormation's calls from its resource schemas"
)


def role_table(report: Report) -> list[str]:
    """Per role: calls checked, IAM requests evaluated, requests denied; then the totals."""
    rows = [(n, c.calls, c.requests, c.denied) for n, c in sorted(report.per_role.items())]
    rows.append(("total", report.calls, report.requests, len(report.denials)))
    width = max(len(name) for name, *_ in rows)
    header = f"{'role':<{width}}  {'calls':>5}  {'requests':>8}  {'denied':>6}"
    return [header] + [f"{n:<{width}}  {c:>5}  {r:>8}  {d:>6}" for n, c, r, d in rows]


def format_report(report: Report) -> str:
    """Human-readable summary: the per-role table, denials (they fail the run), then removal
    candidates."""
    lines = [CONTEXT_SOURCES, *role_table(report)]
    if report.denials:
        lines.append(f"DENIED ({len(report.denials)}):")
        for d in report.denials:
            via = f" [implied by {d.request.implied_by}]" if d.request.implied_by else ""
            context = " ".join(f"{k}={','.join(v)}" for k, v in sorted(d.request.context.items()))
            lines.append(
                f"  {d.step}: {d.role}: {d.request.action} on {d.request.resource}"
                f" ({d.operation}){via}" + (f" context: {context}" if context else "")
            )
    else:
        lines.append("DENIED: none")
    if report.unused:
        lines.append(f"granted but unused ({len(report.unused)}), candidates to remove:")
        lines.extend(f"  {r}: {p}/{s}: {a}" for r, p, s, a in report.unused)
    else:
        lines.append("granted but unused: none")
    return "\n".join(lines)


@click.command()
@click.argument("calls", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--param", "params", multiple=True, help="Template parameter Name=Value.")
@click.option("--account-id", default="123456789012", show_default=True)
@click.option("--region", default=None, help="Default: the region of the first record.")
@click.option("--json", "json_path", type=click.Path(dir_okay=False, path_type=Path))
def main(
    calls: tuple[Path, ...],
    params: tuple[str, ...],
    account_id: str,
    region: str | None,
    json_path: Path | None,
) -> None:
    """Audit recorded AWS calls against iam/bootstrap.yaml's roles (exit 1 if any is denied)."""
    records = read_records(calls)
    region = region or next((r["region"] for r in records if r.get("region")), "us-east-1")
    try:
        roles = render_roles(
            {**EXAMPLE_PARAMETERS, **parse_params(params)}, account_id=account_id, region=region
        )
    except TemplateError as exc:
        raise AuditError(str(exc)) from exc
    report = audit(records, roles, account_id)
    click.echo(format_report(report))
    if json_path is not None:
        write_json(json_path, report.to_json(), sort_keys=True)
    if report.denials:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
