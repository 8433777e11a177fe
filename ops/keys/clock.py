"""Time as the key lifecycle sees it: UTC, second precision, ISO 8601 text in tags and metadata.

The clock is passed in (a zero-argument callable) so tests can move time across the overlap
window and the retention period without sleeping.
"""

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]
FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def utcnow() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(FORMAT)


def parse(text: str | None) -> datetime | None:
    """A timestamp we wrote, or None for anything else (missing, foreign, malformed)."""
    if not text:
        return None
    try:
        return datetime.strptime(text, FORMAT).replace(tzinfo=UTC)
    except ValueError:
        return None
