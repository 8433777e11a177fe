"""The burst: N users at once from idle, no think time. Did every request find an execution
environment (no throttles, no errors, p99 within its bound), and did the function really scale
out to meet them (peak concurrent executions during the burst)?

The burst's requests carry their own name (outcomes.BURST_NAME), so Locust's whole-run CSVs give
its exact percentiles and failure messages; its time window (the status file's Phase column)
selects the Lambda metrics (CloudWatch's minutes, or the local gateway's seconds) that overlap it.
Pure functions of recorded inputs, like loadtest.checks.
"""

import datetime as dt
import math
from dataclasses import dataclass, field

from loadtest.checks import Check, kinds_text, pct, pp
from loadtest.config import Burst, Slo
from loadtest.outcomes import BURST_NAME, kind_of_message


@dataclass(frozen=True)
class BurstStats:
    users: int
    planned_seconds: int
    observed: bool
    window: tuple[int, int] | None = None  # first and last second (epoch)
    requests: int = 0
    p50: float | None = None
    p95: float | None = None
    p99: float | None = None
    max_ms: float | None = None
    kinds: dict[str, int] = field(default_factory=dict)  # failures by kind

    @property
    def throttled(self) -> int:
        return self.kinds.get("throttled", 0)

    @property
    def errors(self) -> int:
        return sum(n for kind, n in self.kinds.items() if kind != "throttled")


@dataclass(frozen=True)
class LambdaInBurst:
    """The Lambda metrics of the periods that overlap the burst."""

    available: bool
    reason: str = ""
    source: str = ""
    concurrency_peak: float | None = None
    throttles: float = 0
    errors: float = 0
    periods: int = 0


def derive(
    burst: Burst, endpoints: list[dict], messages: list[dict], window: tuple[int, int] | None
) -> BurstStats:
    row = next((e for e in endpoints if e["name"].endswith(BURST_NAME)), None)
    if row is None:
        return BurstStats(burst.users, burst.seconds, observed=False, window=window)
    kinds: dict[str, int] = {}
    for message in messages:
        if message["name"].endswith(BURST_NAME):
            kind = kind_of_message(message["message"])
            kinds[kind] = kinds.get(kind, 0) + message["count"]
    return BurstStats(
        users=burst.users,
        planned_seconds=burst.seconds,
        observed=True,
        window=window,
        requests=row["requests"],
        p50=row["p50"],
        p95=row["p95"],
        p99=row["p99"],
        max_ms=row["max_ms"],
        kinds=kinds,
    )


def lambda_in_burst(metrics: dict | None, window: tuple[int, int] | None) -> LambdaInBurst:
    if not metrics:
        return LambdaInBurst(False, "no Lambda metrics were read for this run")
    if not metrics.get("available"):
        return LambdaInBurst(False, metrics.get("reason", "Lambda metrics were not available"))
    if window is None:
        return LambdaInBurst(False, "the run recorded no burst window (Phase column)")
    period = int(metrics.get("period_seconds") or 60)
    first, last = window
    chosen = [
        p
        for p in metrics.get("points", [])
        if point_epoch(p) < last + 1 and point_epoch(p) + period > first
    ]
    if not chosen:
        return LambdaInBurst(
            False, f"{metrics.get('source', 'the metrics')} had no datapoint during the burst"
        )
    peaks = [p["concurrency_max"] for p in chosen if p.get("concurrency_max") is not None]
    return LambdaInBurst(
        available=True,
        source=metrics.get("source", "CloudWatch"),
        concurrency_peak=max(peaks) if peaks else None,
        throttles=sum(p.get("throttles") or 0 for p in chosen),
        errors=sum(p.get("errors") or 0 for p in chosen),
        periods=len(chosen),
    )


def evaluate(stats: BurstStats, burst: Burst, slo: Slo, metrics: dict | None) -> list[Check]:
    if not stats.observed or stats.requests == 0:
        return [
            Check(
                "burst",
                False,
                "did not run",
                f"{burst.users} users",
                "",
                f"the burst of {burst.users} users sent no {BURST_NAME} requests "
                "(Locust cut short, or a locustfile without the burst user?)",
            )
        ]
    seen = lambda_in_burst(metrics, stats.window)
    return [
        _p99(stats, burst),
        _throttles(stats, slo, seen),
        _errors(stats, slo, seen),
        _scale_out(stats, burst, seen),
    ]


def needed_concurrency(burst: Burst) -> int:
    return math.ceil(burst.min_concurrency_ratio * burst.users)


def _p99(stats: BurstStats, burst: Burst) -> Check:
    limit = f"≤ {burst.max_p99_ms:g} ms"
    if stats.p99 is None:
        return Check("burst p99", False, "no data", limit, "", "the burst recorded no latency")
    ok = stats.p99 <= burst.max_p99_ms
    reason = (
        ""
        if ok
        else (
            f"p99 of the {burst.users}-user burst was {stats.p99:g} ms, over {burst.max_p99_ms:g} "
            "ms: concurrent cold starts are too slow (init time, package size, memory)"
        )
    )
    return Check(
        "burst p99",
        ok,
        f"{stats.p99:g} ms ({stats.requests} requests)",
        limit,
        f"{burst.max_p99_ms - stats.p99:+g} ms",
        reason,
    )


def _throttles(stats: BurstStats, slo: Slo, seen: LambdaInBurst) -> Check:
    """Client 429s over the burst's requests, and Lambda's Throttles in the periods around it
    (CloudWatch's minutes also hold step traffic, so those are counted, not divided)."""
    ratio = stats.throttled / stats.requests
    allowed = slo.max_throttle_ratio * stats.requests
    lambda_count = seen.throttles if seen.available else 0
    ok = ratio <= slo.max_throttle_ratio and lambda_count <= allowed
    value = f"{pct(ratio)} (429: {stats.throttled}" + (
        f"; Lambda Throttles: {lambda_count:g})" if seen.available else ")"
    )
    reason = (
        ""
        if ok
        else (
            f"the burst of {stats.users} users was throttled: {stats.throttled} of "
            f"{stats.requests} requests answered 429 ({pct(ratio)})"
            + (
                f" and {seen.source} counted {lambda_count:g} Lambda Throttles during it"
                if seen.available
                else ""
            )
            + f", over the {pct(slo.max_throttle_ratio)} budget: the function could not start "
            "enough environments at once (its reserved concurrency, the account's concurrency "
            "quota) or the usage plan's burst limit refused the requests"
        )
    )
    return Check(
        "burst throttles",
        ok,
        value,
        f"≤ {pct(slo.max_throttle_ratio)}",
        pp(slo.max_throttle_ratio - ratio),
        reason,
    )


def _errors(stats: BurstStats, slo: Slo, seen: LambdaInBurst) -> Check:
    """Client failures other than 429 over the burst's requests, and Lambda's Errors around it."""
    ratio = stats.errors / stats.requests
    lambda_count = seen.errors if seen.available else 0
    ok = ratio <= slo.max_failure_ratio and lambda_count <= slo.max_failure_ratio * stats.requests
    errors = {k: n for k, n in stats.kinds.items() if k != "throttled"}
    reason = (
        ""
        if ok
        else (
            f"{stats.errors} of {stats.requests} burst requests failed ({kinds_text(errors)}, "
            f"{pct(ratio)})"
            + (
                f" and {seen.source} counted {lambda_count:g} Lambda Errors during it"
                if seen.available
                else ""
            )
            + f", over the {pct(slo.max_failure_ratio)} budget"
        )
    )
    value = f"{pct(ratio)} ({stats.errors}" + (
        f"; Lambda Errors: {lambda_count:g})" if seen.available else ")"
    )
    return Check(
        "burst errors",
        ok,
        value,
        f"≤ {pct(slo.max_failure_ratio)}",
        pp(slo.max_failure_ratio - ratio),
        reason,
    )


def _scale_out(stats: BurstStats, burst: Burst, seen: LambdaInBurst) -> Check:
    need = needed_concurrency(burst)
    limit = f"≥ {need} ({burst.min_concurrency_ratio:g} x {burst.users} users)"
    if not seen.available or seen.concurrency_peak is None:
        why = seen.reason or f"{seen.source} recorded no ConcurrentExecutions during the burst"
        return Check(
            "burst scale-out",
            False,
            "no evidence",
            limit,
            "",
            f"no evidence that the function scaled out for the burst: {why}",
        )
    peak = seen.concurrency_peak
    ok = peak >= need
    reason = (
        ""
        if ok
        else (
            f"peak ConcurrentExecutions during the burst was {peak:g} ({seen.source}), under the "
            f"{need} that {burst.users} concurrent users need at ratio "
            f"{burst.min_concurrency_ratio:g}: the function did not scale out (requests queued "
            "behind few environments, or went elsewhere)"
        )
    )
    return Check(
        "burst scale-out",
        ok,
        f"peak {peak:g} concurrent ({seen.source})",
        limit,
        f"{peak - need:+g}",
        reason,
    )


def point_epoch(point: dict) -> float:
    """A metrics point's start: the gateway's `ts`, or CloudWatch's ISO `time`."""
    if "ts" in point:
        return float(point["ts"])
    moment = dt.datetime.fromisoformat(point["time"].replace("Z", "+00:00"))
    return moment.timestamp()
