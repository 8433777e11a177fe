"""Derive iam/required-calls.json from recorded calls, and check a recording against it.

The recorded calls of a rehearsal (and of Zappa's own keep-warm and undeploy under moto, which the
rehearsal's local stages skip) are mapped to IAM requests by iam.actions, CloudFormation's calls
included, with contexts from the SAR, and generalized into templates (iam.needs). What each role
must NOT be able to do is derived from the same needs: a deploy role cannot change another stage's
function or delete another stage's or another project's API keys, the key-rotation role cannot
change any function, and the load-test role cannot make any request that changes something (the
SAR's access level).

`check` (a rehearsal step) fails when a recording holds a need the file does not list, so the file
cannot drift from what the pipeline does.

Usage: python -m rehearsal.iam_audit.required_calls generate CALLS.jsonl... [--out FILE]
       python -m rehearsal.iam_audit.required_calls check CALLS.jsonl... [--file FILE]
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import click

from iam.actions import Mapper
from iam.needs import ACCOUNT_FACTS, SAMPLES, Generalizer, Need
from iam.required_calls import (
    OTHER_PROJECT,
    REQUIRED_CALLS,
    Entry,
    RequiredCallsError,
    RoleNeeds,
    load,
)
from iam.sar import load_sar
from iam.template import load_template
from project import STAGES
from project.atomic import write_json
from rehearsal.iam_audit.audit import AuditError, read_records

RECORDED_ACCOUNT = "123456789012"  # moto's account, in every recording
# Stages a shared role serves: a recording shows one run, the workflows run more. rotate-keys.yml
# rotates every stage's key; the load test runs on test only (deploy.yml).
SHARED_ROLE_STAGES = {
    "{project}-key-rotation": STAGES,
    "{project}-loadtest-read": ("test",),
}
ACCOUNT_FACT_SOURCES = {
    "partition": "the bootstrap stack's ARN",
    "account": "the bootstrap stack's ARN",
    "region": "the stack's region (output AwsRegion)",
    "project": "the stack's parameter ProjectName",
    "stage": "each stage the role serves",
    "bucket": "the stage's Zappa bucket (outputs DevZappaBucket, TestZappaBucket, ProdZappaBucket)",
}
DENY_PLACEHOLDERS = {
    "other_stage": "every stage but the role's own",
    "other_project": f"a project this bootstrap does not serve ({OTHER_PROJECT})",
}


def default_project() -> str:
    return str(load_template()["Parameters"]["ProjectName"]["Default"])


def _generalizer(records: list[dict[str, Any]]) -> Generalizer:
    region = next((r["region"] for r in records if r.get("region")), "us-east-1")
    return Generalizer(RECORDED_ACCOUNT, region, default_project(), STAGES)


def recorded_needs(records: list[dict[str, Any]]) -> dict[str, dict[Need, set[str]]]:
    """role template -> need -> the calls that needed it (service:Operation, or what implied it)."""
    mapper, general = Mapper(RECORDED_ACCOUNT), _generalizer(records)
    found: dict[str, dict[Need, set[str]]] = {}
    for record in records:
        role = general.role(record["role"])
        for request in mapper.requests(record):
            stage = general.stage_of(record["role"], request)
            if stage not in _stages(role):  # a shared role reading another stage (the load
                stage = None  # test reads prod's capacity): that stage's name stays literal
            need = general.need(request, stage)
            because = request.implied_by or f"{record['service']}:{record['operation']}"
            found.setdefault(role, {}).setdefault(need, set()).add(because)
        mapper.learn(record)
    return found


def _stages(role: str) -> tuple[str, ...]:
    if "{stage}" in role:
        return STAGES
    if role not in SHARED_ROLE_STAGES:
        raise RequiredCallsError(f"role {role}: say which stages it serves in SHARED_ROLE_STAGES")
    return SHARED_ROLE_STAGES[role]


def _is_function_write(need: Need) -> bool:
    return (
        need.action.startswith("lambda:")
        and ":function:{project}-{stage}" in need.resource
        and load_sar().changes_something(need.action)
    )


def _api_key_delete(owner: str) -> Need:
    return Need(
        "apigateway:DELETE",
        "arn:{partition}:apigateway:{region}::/apikeys/{api_key_id}",
        (("aws:ResourceTag/ZappaProject", (owner,)),),
    )


def _other_stage(need: Need) -> Need:
    data = json.loads(json.dumps(need.to_json()).replace("{stage}", "{other_stage}"))
    return Need.from_json(data)


def must_deny(role: str, allowed: dict[str, list[Need]]) -> list[Entry]:
    """What least privilege forbids the role, from the needs of every role."""
    deploy = allowed.get("{project}-{stage}-deploy", [])
    function_writes = sorted({n for n in deploy if _is_function_write(n)}, key=_order)
    foreign_key = Entry(
        _api_key_delete(f"{OTHER_PROJECT}-{{stage}}"),
        "deny",
        "cannot delete another project's API key",
    )
    if role == "{project}-{stage}-deploy":
        return [
            *(
                Entry(_other_stage(n), "deny", "cannot change another stage's function")
                for n in function_writes
            ),
            Entry(
                _api_key_delete("{project}-{other_stage}"),
                "deny",
                "cannot delete another stage's API key",
            ),
            foreign_key,
        ]
    if role == "{project}-key-rotation":
        return [
            *(Entry(n, "deny", "cannot change any function") for n in function_writes),
            foreign_key,
        ]
    if role == "{project}-loadtest-read":
        writes = {
            n for needs in allowed.values() for n in needs if load_sar().changes_something(n.action)
        }
        return [Entry(n, "deny", "cannot change anything") for n in sorted(writes, key=_order)]
    return []


def _order(need: Need) -> tuple[str, str, str]:
    return (need.action, need.resource, json.dumps(need.context))


def build(records: list[dict[str, Any]], sources: Iterable[str]) -> dict[str, Any]:
    """The file's content for these recordings."""
    needs = recorded_needs(records)
    allowed = {role: sorted(found, key=_order) for role, found in needs.items()}
    roles = []
    for role in sorted(needs):
        allow = [{**n.to_json(), "because": sorted(needs[role][n])} for n in allowed[role]]
        deny = [{**e.need.to_json(), "why": e.why} for e in must_deny(role, allowed)]
        roles.append({"role": role, "stages": list(_stages(role)), "allow": allow, "deny": deny})
    return {
        "about": (
            "Every IAM request the pipeline makes, per role, as templates; and what each role "
            "must not be able to do. Generated by `make required-calls` (python -m "
            "rehearsal.iam_audit.required_calls generate); checked by the rehearsal; simulated in "
            "an account by "
            "`make verify-account`. Do not edit by hand."
        ),
        "sources": list(sources),
        "placeholders": {
            **{name: ACCOUNT_FACT_SOURCES[name] for name in ACCOUNT_FACTS},
            **{name: {"sample": s, "why": why} for name, (s, why) in SAMPLES.items()},
            **DENY_PLACEHOLDERS,
        },
        "roles": roles,
    }


def unlisted(records: list[dict[str, Any]], roles: list[RoleNeeds]) -> list[str]:
    """Needs of the recordings that the file does not list, one line each."""
    listed = {r.role: {e.need for e in r.allow} for r in roles}
    missing = []
    for role, needs in sorted(recorded_needs(records).items()):
        for need in sorted(needs, key=_order):
            if need not in listed.get(role, set()):
                context = json.dumps(need.to_json()["context"], sort_keys=True)
                missing.append(
                    f"{role}: {need.action} on {need.resource} context {context}"
                    f" (needed by {', '.join(sorted(needs[need]))})"
                )
    return missing


def _records(calls: tuple[Path, ...]) -> list[dict[str, Any]]:
    try:
        return read_records(calls)
    except AuditError as exc:
        raise RequiredCallsError(exc.message) from exc


@click.group()
def main() -> None:
    """The pipeline's required permissions as data (iam/required-calls.json)."""


@main.command()
@click.argument("calls", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=REQUIRED_CALLS)
def generate(calls: tuple[Path, ...], out: Path) -> None:
    """Write the file from recorded calls (rehearsal.iam_audit.recorder's JSON lines)."""
    data = build(_records(calls), [str(p) for p in calls])
    write_json(out, data)
    allow = sum(len(r["allow"]) for r in data["roles"])
    deny = sum(len(r["deny"]) for r in data["roles"])
    click.echo(f"wrote {out}: {len(data['roles'])} roles, {allow} needs, {deny} expected denials")


@main.command()
@click.argument("calls", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--file", "path", type=click.Path(dir_okay=False, path_type=Path))
def check(calls: tuple[Path, ...], path: Path | None) -> None:
    """Fail when the recorded calls need something the file does not list."""
    path = path or REQUIRED_CALLS
    missing = unlisted(_records(calls), load(path))
    if missing:
        click.echo(f"{path} does not list {len(missing)} recorded needs (make required-calls):")
        click.echo("\n".join(f"  {line}" for line in missing))
        raise SystemExit(1)
    click.echo(f"{path} lists every need of the recorded calls")


if __name__ == "__main__":
    main()
