"""Outcome counts by kind, per second: Locust's CSVs count failures per message for the whole run,
but the report needs 403s, 429s and 5xx per step, so the locustfile writes this time series too.

`locust_status.csv` has one row per second: Timestamp, User Count, then the cumulative count of
each outcome kind (loadtest.outcomes.KINDS), then the Phase of the timeline (loadtest.phases). In
a distributed run workers send their new counts to the master with each stats report, and only
the master writes the file.
"""

import csv
from pathlib import Path

from loadtest.outcomes import KINDS

HEADER = ("Timestamp", "User Count", *KINDS, "Phase")


class StatusCounts:
    """Totals since the start, plus the part not yet sent to the master (on a worker)."""

    def __init__(self):
        self.totals = dict.fromkeys(KINDS, 0)
        self._unsent = dict.fromkeys(KINDS, 0)

    def add(self, kind: str) -> None:
        self.totals[kind] += 1
        self._unsent[kind] += 1

    def take_unsent(self) -> dict[str, int]:
        unsent, self._unsent = self._unsent, dict.fromkeys(KINDS, 0)
        return {kind: count for kind, count in unsent.items() if count}

    def merge(self, counts: dict[str, int]) -> None:
        for kind, count in counts.items():
            if kind in self.totals:
                self.totals[kind] += int(count)


class StatusCsv:
    """Appends one cumulative row per call and flushes, so a killed run still leaves its rows."""

    def __init__(self, path: Path):
        self._file = Path(path).open("w", newline="")  # noqa: SIM115 (open for the whole run)
        self._writer = csv.writer(self._file)
        self._writer.writerow(HEADER)

    def write(
        self, timestamp: int, users: int, totals: dict[str, int], phase: str | None = None
    ) -> None:
        self._writer.writerow([timestamp, users, *(totals[kind] for kind in KINDS), phase or ""])
        self._file.flush()

    def close(self) -> None:
        self._file.close()
