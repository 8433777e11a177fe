"""`make verify-account`: prove the roles in your own account with AWS's policy simulator.

Right after deploying iam/bootstrap.yaml, and before merging anything, this reads the bootstrap
stack (account, region, project, buckets, role ARNs), fills in every entry of
iam/required-calls.json for every role and stage, asks iam:SimulatePrincipalPolicy about each,
and prints a table per role: what must be allowed and is, what must be denied (least privilege)
and is, and for each answer the statement that decided it. Exit 0 only when every answer is as
expected; 1 when one is not; 2 (one line) for a usage error. It needs credentials that may call
cloudformation:DescribeStacks on the stack and iam:GetRole and iam:SimulatePrincipalPolicy on
the roles: an administrator, or the bootstrap's auditor role (the verify-account workflow).

Usage: python -m iam.verify_account [--stack NAME] [--region REGION] [--profile NAME]
       [--file iam/required-calls.json]
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import click
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ProfileNotFound

from iam.bootstrap_stack import (
    Bootstrap,
    StackError,
    check_role_exists,
    read_stack,
)
from iam.needs import fill_text, sample_values
from iam.required_calls import OTHER_PROJECT, REQUIRED_CALLS, RoleNeeds, load
from iam.simulate import Check, Outcome, simulate
from project import BOOTSTRAP_STACK, STAGES

RETRIES = Config(retries={"mode": "standard", "max_attempts": 10})


class Aws:
    """Clients for one session; tests replace it with stubbed clients."""

    def __init__(self, session: boto3.Session):
        self.session = session

    @property
    def region(self) -> str | None:
        return self.session.region_name

    def has_credentials(self) -> bool:
        return self.session.get_credentials() is not None

    def client(self, service: str, region: str | None = None) -> Any:
        return self.session.client(service, region_name=region or self.region, config=RETRIES)

    def regions(self, service: str, partition: str = "aws") -> list[str]:
        return self.session.get_available_regions(service, partition_name=partition)


@dataclass(frozen=True)
class RoleChecks:
    name: str
    arn: str
    checks: list[Check]


def stage_values(boot: Bootstrap, stage: str) -> dict[str, str]:
    """Every placeholder of the required-calls file, for one stage of this account."""
    stack = boot.stack
    return {
        **sample_values(),
        "partition": stack.partition,
        "account": stack.account,
        "region": stack.region,
        "project": stack.project,
        "stage": stage,
        "bucket": boot.bucket(stage),
        "other_project": OTHER_PROJECT,
    }


def _role_instances(spec: RoleNeeds) -> list[tuple[str, tuple[str, ...]]]:
    """(role name template with its stage filled, the stages it serves)."""
    if spec.per_stage:
        return [(spec.role.replace("{stage}", s), (s,)) for s in spec.stages]
    return [(spec.role, spec.stages)]


def role_checks(boot: Bootstrap, specs: Iterable[RoleNeeds]) -> list[RoleChecks]:
    """Every entry of the file, filled in for each role and stage; duplicates dropped."""
    found = []
    for spec in specs:
        for template, stages in _role_instances(spec):
            name = fill_text(template, {"project": boot.stack.project})
            arn = boot.role_arn(name)
            checks: dict[tuple[str, Any], Check] = {}
            for stage in stages:
                values = stage_values(boot, stage)
                for entry in (*spec.allow, *spec.deny):
                    others = [None]
                    if "other_stage" in entry.need.placeholders():
                        others = [s for s in STAGES if s != stage]
                    for other in others:
                        request = entry.need.fill({**values, "other_stage": other or ""})
                        key = (
                            entry.expect,
                            request.action,
                            request.resource,
                            repr(sorted(request.context.items())),
                        )
                        checks.setdefault(key, Check(arn, entry.expect, request, entry.why))
            found.append(RoleChecks(name, arn, list(checks.values())))
    return found


def _context(outcome: Outcome) -> str:
    context = outcome.check.request.context
    return " ".join(f"{k}={','.join(v)}" for k, v in sorted(context.items()))


def role_table(role: RoleChecks, outcomes: list[Outcome]) -> list[str]:
    """One role's answers: result, expected, AWS's decision, request, deciding statement."""
    header = ("result", "expect", "decision", "action", "resource [context]", "deciding statement")
    rows = [header]
    for o in outcomes:
        request = o.check.request
        resource = request.resource + (f" [{_context(o)}]" if request.context else "")
        result = "ok" if o.as_expected else "FAIL"
        rows.append((result, o.check.expect, o.decision, request.action, resource, o.deciding))
    widths = [max(len(r[i]) for r in rows) for i in range(len(header) - 1)]
    lines = [f"role {role.name} ({role.arn})"]
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        lines.append("  " + "  ".join([*cells, row[-1]]))
    allow = [o for o in outcomes if o.check.expect == "allow"]
    deny = [o for o in outcomes if o.check.expect == "deny"]
    lines.append(
        f"  {len(allow)} must be allowed: {sum(o.decision == 'allowed' for o in allow)} allowed; "
        f"{len(deny)} must be denied: {sum(o.decision != 'allowed' for o in deny)} denied"
    )
    return lines


def verify(aws: Aws, stack_name: str, path: Path) -> tuple[list[str], bool]:
    """(the report's lines, whether every answer was as expected)."""
    specs = load(path)
    if aws.region is None:
        raise StackError(
            "no AWS region: pass --region or set AWS_REGION to the region the bootstrap "
            "stack was deployed to"
        )
    if not aws.has_credentials():
        raise StackError(
            "no AWS credentials: sign in (aws sso login, or a profile with --profile) with "
            "rights to cloudformation:DescribeStacks, iam:GetRole and iam:SimulatePrincipalPolicy"
        )
    stack = read_stack(
        lambda region: aws.client("cloudformation", region),
        stack_name,
        aws.region,
        aws.regions("cloudformation"),
    )
    boot = Bootstrap.of(stack)
    roles = role_checks(boot, specs)
    iam = aws.client("iam")
    for role in roles:
        check_role_exists(iam, role.arn)
    lines = [
        f"account {stack.account}, region {stack.region}, stack {stack.name}, project "
        f"{stack.project}: {sum(len(r.checks) for r in roles)} requests simulated by "
        "iam:SimulatePrincipalPolicy",
        "",
    ]
    failed = 0
    for role in roles:
        outcomes = simulate(iam, role.arn, role.checks)
        failed += sum(not o.as_expected for o in outcomes)
        lines.extend([*role_table(role, outcomes), ""])
    total = sum(len(r.checks) for r in roles)
    if failed:
        lines.append(f"FAILED: {failed} of {total} answers are not as expected (result FAIL)")
    else:
        lines.append(
            f"all {total} answers as expected: every required call is allowed, every expected "
            "denial is denied"
        )
    return lines, not failed


@click.command()
@click.option("--stack", "stack_name", default=BOOTSTRAP_STACK, show_default=True)
@click.option("--region", default=None, help="Default: AWS_REGION or the profile's region.")
@click.option("--profile", default=None, help="An AWS profile (default: the usual chain).")
@click.option(
    "--file",
    "path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=REQUIRED_CALLS,
    show_default=True,
)
def main(stack_name: str, region: str | None, profile: str | None, path: Path) -> None:
    """Simulate every required (and every forbidden) call of every role in this account."""
    try:
        session = boto3.Session(profile_name=profile, region_name=region)
    except ProfileNotFound as exc:
        raise StackError(str(exc)) from exc
    try:
        lines, ok = verify(Aws(session), stack_name, path)
    except BotoCoreError as exc:  # e.g. credentials that cannot be loaded, no network
        raise StackError(str(exc)) from exc
    click.echo("\n".join(lines))
    if not ok:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
