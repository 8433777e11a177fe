"""The function's metrics as the gateway sees them, per second: what CloudWatch's AWS/Lambda
namespace records for a real function (Invocations, Errors, Throttles, ConcurrentExecutions,
Duration), so a load test of a local stage has scaling evidence too (loadtest.gateway_metrics).

Kept for the last RETAIN_S seconds; served at /_local/stats. Duration is the invocation's own
time, as Lambda's Duration metric (the init phase of a cold start is not part of it).
"""

import math
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field

RETAIN_S = 1800


@dataclass
class Second:
    invocations: int = 0
    errors: int = 0
    throttles: int = 0
    concurrency_max: int = 0
    durations_ms: list[float] = field(default_factory=list)


def percentile(values: list[float], fraction: float) -> float | None:
    """Nearest-rank percentile (no interpolation: a value that was measured)."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


class FunctionMetrics:
    """record_*() from the request threads; points() and window() for the stats endpoint."""

    def __init__(self, clock=time.time):
        self.clock = clock
        self._lock = threading.Lock()
        self._seconds: OrderedDict[int, Second] = OrderedDict()
        self._held = 0  # executions in use since the last change

    def concurrency(self, in_use: int) -> None:
        """Executions in use (starting or busy) after a change: the level held until now and the
        new one both count for this second's maximum. Seconds without a change (a long cold
        start) keep the held level, as CloudWatch samples concurrency continuously."""
        with self._lock:
            second = self._second()
            second.concurrency_max = max(second.concurrency_max, self._held, in_use)
            self._held = in_use

    def invocation(self, duration_ms: float | None, error: bool) -> None:
        with self._lock:
            second = self._second()
            second.invocations += 1
            second.errors += int(error)
            if duration_ms is not None:
                second.durations_ms.append(duration_ms)

    def throttle(self) -> None:
        with self._lock:
            self._second().throttles += 1

    def points(self, since: int = 0, until: int | None = None) -> list[dict]:
        """One point per second with any activity, like CloudWatch's datapoints."""
        with self._lock:
            chosen = self._chosen(since, until)
        return [
            {
                "ts": ts,
                "invocations": s.invocations,
                "errors": s.errors,
                "throttles": s.throttles,
                "concurrency_max": s.concurrency_max,
                "duration_avg_ms": (
                    sum(s.durations_ms) / len(s.durations_ms) if s.durations_ms else None
                ),
                "duration_p99_ms": percentile(s.durations_ms, 0.99),
                "duration_max_ms": max(s.durations_ms, default=None),
            }
            for ts, s in chosen
        ]

    def window(self, since: int = 0, until: int | None = None) -> dict:
        """Percentiles over every invocation in the window (CloudWatch can only give each
        period's; here the raw durations are at hand)."""
        with self._lock:
            durations = [d for _ts, s in self._chosen(since, until) for d in s.durations_ms]
        return {
            "invocations": len(durations),
            "duration_p95_ms": percentile(durations, 0.95),
            "duration_p99_ms": percentile(durations, 0.99),
        }

    def _chosen(self, since: int, until: int | None) -> list[tuple[int, Second]]:
        last = math.inf if until is None else until
        return [(ts, s) for ts, s in self._seconds.items() if since <= ts <= last]

    def _second(self) -> Second:
        now = int(self.clock())
        second = self._seconds.get(now)
        if second is None:
            last = next(reversed(self._seconds), None)
            if last is not None and self._held:
                for ts in range(max(last + 1, now - RETAIN_S), now):
                    self._seconds[ts] = Second(concurrency_max=self._held)
            second = self._seconds[now] = Second(concurrency_max=self._held)
            while next(iter(self._seconds)) < now - RETAIN_S:
                self._seconds.popitem(last=False)
        return second
