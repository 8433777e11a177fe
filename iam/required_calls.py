"""The pipeline's required permissions as data: iam/required-calls.json's format and reader.

For each role the pipeline assumes (each stage's deploy role, the key-rotation role, the load-test
role) the file lists every IAM request the pipeline makes, as templates (iam.needs), and what each
role must NOT be able to do (`deny`). `python -m iam.verify_account` simulates every entry in a
real account.

The file is generated from a rehearsal's recorded calls, and checked against every rehearsal, by
rehearsal.iam_audit.required_calls (`make required-calls`): what a real account needs is this
package's business, how we find out is the rehearsal's.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import click

from iam.needs import Need

REQUIRED_CALLS = Path(__file__).with_name("required-calls.json")
OTHER_PROJECT = "another-project"  # a ZappaProject prefix this bootstrap does not serve


class RequiredCallsError(click.ClickException):
    """The file is missing, malformed, or does not list what a recording needs."""


@dataclass(frozen=True)
class Entry:
    """One line of the file: a need the role must be allowed (or denied), and why."""

    need: Need
    expect: str  # "allow" or "deny"
    why: str


@dataclass(frozen=True)
class RoleNeeds:
    role: str  # name template: {project}-{stage}-deploy, {project}-key-rotation, ...
    stages: tuple[str, ...]
    allow: tuple[Entry, ...]
    deny: tuple[Entry, ...]

    @property
    def per_stage(self) -> bool:
        """One role per stage (the deploy roles), or one role for all its stages."""
        return "{stage}" in self.role


def load(path: Path = REQUIRED_CALLS) -> list[RoleNeeds]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise RequiredCallsError(f"cannot read {path}: {exc.strerror}") from exc
    except json.JSONDecodeError as exc:
        raise RequiredCallsError(f"{path}: not JSON ({exc.msg})") from exc
    try:
        return [
            RoleNeeds(
                role=role["role"],
                stages=tuple(role["stages"]),
                allow=tuple(
                    Entry(Need.from_json(e), "allow", ", ".join(e["because"]))
                    for e in role["allow"]
                ),
                deny=tuple(Entry(Need.from_json(e), "deny", e["why"]) for e in role["deny"]),
            )
            for role in data["roles"]
        ]
    except (KeyError, TypeError) as exc:
        raise RequiredCallsError(f"{path}: malformed ({exc!r})") from exc
