"""Static check: every condition key of an Allow statement is one AWS can put in the context.

A key the SAR does not list for the statement's action and resource types is never in the
request context, so a StringEquals on it never holds (the statement is dead: a permission that
looks granted is not), and a Null or IfExists test on it always holds (the condition is
decoration). Either way the policy does not say what it seems to say. Run on the rendered
policies by tests/iam and `python -m iam.conditions` (part of `make lint-iam`).

A few global keys are in every request context and need no SAR entry (IAM User Guide, "AWS global
condition context keys": "Availability: This key is always included in the request context").
Tag keys (aws:RequestTag, aws:ResourceTag, aws:TagKeys) are not among them: they are present only
where the SAR lists them.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Any

import click

from iam.render import EXAMPLE_PARAMETERS, parse_params
from iam.sar import key_supported, load_sar
from iam.template import Role, TemplateError, render_roles

ALWAYS_PRESENT = {
    "aws:currenttime",
    "aws:epochtime",
    "aws:principalaccount",
    "aws:principalarn",
    "aws:principaltype",
    "aws:requestedregion",
    "aws:securetransport",
    "aws:userid",
}


@dataclass(frozen=True)
class DeadCondition:
    role: str
    policy: str
    sid: str
    action: str
    key: str

    def __str__(self) -> str:
        return (
            f"{self.role}/{self.policy}/{self.sid}: {self.action} never carries {self.key} "
            "(not in the SAR for this action and resource)"
        )


def _listify(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def never_matching(roles: dict[str, Role]) -> list[DeadCondition]:
    """Every (statement, action, key) whose key AWS never provides for that action."""
    sar, found = load_sar(), []
    for role in roles.values():
        for policy, document in role.policies.items():
            for index, st in enumerate(_listify(document["Statement"])):
                if st["Effect"] != "Allow" or not st.get("Condition"):
                    continue
                keys = {k for test in st["Condition"].values() for k in test}
                for action in _listify(st["Action"]):
                    listed = set()
                    for resource in _listify(st["Resource"]):
                        listed |= sar.statement_keys(action, resource)
                    for key in sorted(keys):
                        if key.lower() in ALWAYS_PRESENT or key_supported(key, listed):
                            continue
                        sid = st.get("Sid") or str(index)
                        found.append(DeadCondition(role.name, policy, sid, action, key))
    return found


@click.command()
@click.option("--param", "params", multiple=True, help="Template parameter Name=Value.")
def main(params: tuple[str, ...]) -> None:
    """Fail if a conditioned Allow statement of iam/bootstrap.yaml can never match."""
    try:
        roles = render_roles({**EXAMPLE_PARAMETERS, **parse_params(params)})
    except TemplateError as exc:
        raise click.ClickException(str(exc)) from exc
    dead = never_matching(roles)
    for item in dead:
        click.echo(str(item), err=True)
    statements = sum(
        1
        for role in roles.values()
        for doc in role.policies.values()
        for st in _listify(doc["Statement"])
        if st["Effect"] == "Allow" and st.get("Condition")
    )
    click.echo(
        f"{statements} conditioned Allow statements checked against the SAR: "
        f"{len(dead)} condition keys AWS never provides"
    )
    sys.exit(1 if dead else 0)


if __name__ == "__main__":
    main()
