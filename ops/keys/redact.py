"""Key values never leave this process in text: every message goes through `scrub`.

The code never formats a value into a message on purpose; this is the net under that rule. Each
value read from AWS is remembered, and any text we print or raise has those values masked, which
also covers an AWS error message that echoes a request parameter back.
"""

import contextlib
from collections.abc import Iterator

import click
from botocore.exceptions import BotoCoreError, ClientError

from ops import aws

MASK = "***"
_values: set[str] = set()


def remember(value: str) -> str:
    """Register a key value so no message can contain it; returns it unchanged."""
    if value:
        _values.add(value)
    return value


def scrub(text: str) -> str:
    for value in sorted(_values, key=len, reverse=True):
        text = text.replace(value, MASK)
    return text


class KeysError(click.ClickException):
    """A key operation failed or was refused; the one-line message says what to do."""

    def __init__(self, message: str):
        super().__init__(scrub(message))


class Refused(KeysError):
    """Going on would break an invariant (concurrent rotation, overlap window, quota)."""


def say(message: str) -> None:
    click.echo(scrub(message))


@contextlib.contextmanager
def aws_guard() -> Iterator[None]:
    """ops.aws's one-line explanations, scrubbed (AWS messages may quote parameters)."""
    try:
        yield
    except (ClientError, BotoCoreError) as exc:
        raise aws.AwsError(scrub(aws.explain(exc))) from None
