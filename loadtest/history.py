"""Per-step numbers from Locust's `--csv-full-history` output (and our per-second outcome counts).

Locust appends one "Aggregated" row per second to locust_stats_history.csv with the user count,
cumulative request and failure counts, and percentiles over a sliding window of the last
PERCENTILE_WINDOW_S seconds (not since the start). So:
- a step is the run of rows whose User Count equals the step's users (user counts rise
  strictly from step to step; rows while users are still being spawned belong to no step);
- counts are differences of the cumulative totals between the step's last row and the previous
  step's last row (so a step includes its own ramp-up), and RPS is that count over that span;
  the last step's counts run to the file's last row (in a distributed run, worker reports land
  up to 3 s late, after the user count has dropped);
- a step's p50/p95/p99 are the medians of the windowed percentiles of its *settled* rows, those
  at least PERCENTILE_WINDOW_S after the step's first row, whose window lies inside the step.
  A step too short to have one falls back to its last row (its window overlaps the ramp-up);
- a step's max is the largest windowed 100% value of its rows; the run's max is exact
  (Locust's cumulative "Total Max Response Time");
- rows up to the end of the burst and its idle gap (the status file's Phase column) belong to no
  step: the first step counts from the last of them. The burst's own numbers come from its request
  name (loadtest.burst).
"""

import csv
import re
import statistics
from dataclasses import dataclass, field
from pathlib import Path

from loadtest.config import PERCENTILE_WINDOW_S, Step
from loadtest.errors import LoadTestError
from loadtest.outcomes import KINDS, OK
from loadtest.phases import BURST, GAP


@dataclass(frozen=True)
class Row:
    """One "Aggregated" row of locust_stats_history.csv."""

    ts: int
    users: int
    rps: float  # Locust's current RPS (a sliding average), for the chart
    p50: float | None
    p95: float | None
    p99: float | None
    p100: float | None
    requests: int  # cumulative
    failures: int  # cumulative
    max_ms: float  # cumulative

    @property
    def total(self) -> int:
        return self.requests


@dataclass(frozen=True)
class StatusRow:
    """One row of locust_status.csv: cumulative outcome counts by kind."""

    ts: int
    users: int
    counts: dict[str, int]
    phase: str = ""  # loadtest.phases; empty in files written before the column existed

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass
class StepStats:
    index: int  # 1-based
    users: int
    planned_seconds: int
    observed: bool = False
    seconds: float = 0.0
    requests: int = 0
    failures: int = 0
    rps: float = 0.0
    p50: float | None = None
    p95: float | None = None
    p99: float | None = None
    max_ms: float | None = None
    windows: int = 0  # settled windows the percentiles are the median of (0: fell back)
    kinds: dict[str, int] = field(default_factory=dict)
    start_ts: int | None = None
    end_ts: int | None = None


@dataclass(frozen=True)
class Totals:
    requests: int
    failures: int
    max_ms: float
    seconds: int
    kinds: dict[str, int]  # outcome counts for the whole run, "ok" included


@dataclass(frozen=True)
class RunData:
    rows: list[Row]
    steps: list[StepStats]
    totals: Totals
    burst_window: tuple[int, int] | None = None  # the burst's first second to its gap's last


def read_history(path: Path) -> list[Row]:
    rows = []
    for record in _records(path):
        if record.get("Name") != "Aggregated":
            continue
        try:
            rows.append(
                Row(
                    ts=int(record["Timestamp"]),
                    users=int(record["User Count"]),
                    rps=float(record["Requests/s"]),
                    p50=_ms(record["50%"]),
                    p95=_ms(record["95%"]),
                    p99=_ms(record["99%"]),
                    p100=_ms(record["100%"]),
                    requests=int(record["Total Request Count"]),
                    failures=int(record["Total Failure Count"]),
                    max_ms=float(record["Total Max Response Time"]),
                )
            )
        except (KeyError, ValueError) as exc:
            raise LoadTestError(f"{path}: not Locust's stats history ({exc})") from None
    if not rows:
        raise LoadTestError(f"{path}: no Aggregated rows; did Locust run with --csv-full-history?")
    return rows


def read_status(path: Path) -> list[StatusRow]:
    rows = []
    for record in _records(path):
        try:
            counts = {kind: int(record[kind]) for kind in KINDS}
            rows.append(
                StatusRow(
                    int(record["Timestamp"]),
                    int(record["User Count"]),
                    counts,
                    record.get("Phase") or "",
                )
            )
        except (KeyError, ValueError) as exc:
            raise LoadTestError(f"{path}: not an outcome-count file ({exc})") from None
    return rows


def derive(rows: list[Row], status: list[StatusRow], steps: list[Step]) -> RunData:
    """Per-step and whole-run numbers: see the module docstring for how."""
    window = burst_window(status)
    before = max((s.ts for s in status if s.phase in (BURST, GAP)), default=None)
    row_groups, row_bases = _group(*_after(rows, before), steps)
    status_groups, status_bases = _group(*_after(status, before), steps)
    last_rows = _last_nonempty(row_groups)
    last_status = _last_nonempty(status_groups)
    results = []
    for i, step in enumerate(steps):
        stats = StepStats(index=i + 1, users=step.users, planned_seconds=step.seconds)
        group, base = row_groups[i], row_bases[i]
        if group:
            _fill_from_rows(stats, group, base, rows[-1] if i == last_rows else group[-1])
        if status_groups[i]:
            end = status[-1] if i == last_status else status_groups[i][-1]
            first = status_bases[i]
            before = first.counts if first else dict.fromkeys(KINDS, 0)
            stats.kinds = {kind: end.counts[kind] - before[kind] for kind in KINDS}
        results.append(stats)
    last = rows[-1]
    kinds = status[-1].counts if status else dict.fromkeys(KINDS, 0)
    totals = Totals(
        requests=last.requests,
        failures=last.failures,
        max_ms=max(row.max_ms for row in rows),
        seconds=last.ts - rows[0].ts,
        kinds=dict(kinds),
    )
    return RunData(rows=rows, steps=results, totals=totals, burst_window=window)


def burst_window(status: list[StatusRow]) -> tuple[int, int] | None:
    """From the burst's first second to its idle gap's last: the burst's last requests may still
    be in flight, and Locust's own rows lag our status rows by about a second."""
    seconds = [row.ts for row in status if row.phase in (BURST, GAP)]
    return (min(seconds), max(seconds)) if any(r.phase == BURST for r in status) else None


def _after(rows: list, before: int | None) -> tuple[list, object]:
    """The rows after the burst and its gap, and the last row before them (the first step's
    baseline: the burst's requests are not the first step's)."""
    if before is None:
        return rows, None
    earlier = [row for row in rows if row.ts <= before]
    return [row for row in rows if row.ts > before], (earlier[-1] if earlier else None)


def read_endpoints(path: Path) -> list[dict]:
    """locust_stats.csv: the whole run per request name, the Aggregated row last."""
    return [
        {
            "name": f"{record['Type']} {record['Name']}".strip(),
            "requests": int(record["Request Count"]),
            "failures": int(record["Failure Count"]),
            "p50": _ms(record["50%"]),
            "p95": _ms(record["95%"]),
            "p99": _ms(record["99%"]),
            "max_ms": float(record["Max Response Time"]),
        }
        for record in _records(path)
    ]


def read_failure_messages(path: Path) -> list[dict]:
    """locust_failures.csv: Locust's own count per (request, message), for the whole run."""
    return [
        {
            "name": f"{record['Method']} {record['Name']}",
            "message": _unwrap(record["Error"]),
            "count": int(record["Occurrences"]),
        }
        for record in _records(path)
    ]


def failures_by_kind(kinds: dict[str, int]) -> dict[str, int]:
    return {kind: count for kind, count in kinds.items() if kind != OK and count}


def _fill_from_rows(stats: StepStats, group: list[Row], base: Row | None, counted: Row) -> None:
    """`counted` is the row whose totals end the step: its last row, or for the last step the
    file's last row (worker reports that land after the users stop belong to it)."""
    first, last = group[0], group[-1]
    base_ts = base.ts if base else first.ts - 1
    stats.observed = True
    stats.start_ts, stats.end_ts = first.ts, last.ts
    stats.seconds = max(last.ts - base_ts, 1)
    stats.requests = counted.requests - (base.requests if base else 0)
    stats.failures = counted.failures - (base.failures if base else 0)
    stats.rps = stats.requests / stats.seconds
    settled = [r for r in group if r.ts - first.ts >= PERCENTILE_WINDOW_S and r.p95 is not None]
    stats.windows = len(settled)
    windows = settled or [r for r in group[-1:] if r.p95 is not None]
    if windows:
        stats.p50 = statistics.median(r.p50 for r in windows)
        stats.p95 = statistics.median(r.p95 for r in windows)
        stats.p99 = statistics.median(r.p99 for r in windows)
    maxima = [r.p100 for r in group if r.p100 is not None]
    stats.max_ms = max(maxima) if maxima else None


def _last_nonempty(groups: list[list]) -> int | None:
    return max((i for i, group in enumerate(groups) if group), default=None)


def _group(rows: list, baseline, steps: list[Step]) -> tuple[list[list], list]:
    """Rows per step (in order, never going back a step), and each step's baseline row.

    The baseline is the previous step's last row; for the first step, the given baseline (the
    burst's last row), else the last row before it with no requests yet (else the file's first
    row), so the first step starts with its traffic.
    """
    index_of = {step.users: i for i, step in enumerate(steps)}
    groups: list[list] = [[] for _ in steps]
    current = -1
    before_first = baseline
    for row in rows:
        i = index_of.get(row.users)
        if i is not None and i >= current:
            current = i
            groups[i].append(row)
        elif current == -1 and baseline is None and (before_first is None or row.total == 0):
            before_first = row  # the last row before any traffic (a master may wait for workers)
    bases, previous_last = [], before_first
    for group in groups:
        bases.append(previous_last)
        if group:
            previous_last = group[-1]
    return groups, bases


def _records(path: Path) -> list[dict]:
    try:
        with Path(path).open(newline="") as f:
            return list(csv.DictReader(f))
    except FileNotFoundError:
        raise LoadTestError(f"missing {path}") from None


def _unwrap(error: str) -> str:
    """CatchResponseError('HTTP 429 throttled') -> HTTP 429 throttled."""
    match = re.fullmatch(r"""CatchResponseError\((['"])(.*)\1\)""", error)
    return match.group(2) if match else error


def _ms(value: str) -> float | None:
    return None if value in ("", "N/A") else float(value)
