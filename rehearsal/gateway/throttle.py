"""Usage-plan limits as API Gateway applies them per API key: a token bucket (rate per second,
burst capacity) answering 429 "Too Many Requests", then a quota per day, week or month answering
429 "Limit Exceeded". Pure logic with injectable clocks, so tests need no sleeping."""

import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime

THROTTLED = "Too Many Requests"
QUOTA_EXCEEDED = "Limit Exceeded"


@dataclass(frozen=True)
class Limits:
    """A usage plan's throttle and quota; None where the plan sets none."""

    rate: float | None = None
    burst: int | None = None
    quota: int | None = None
    period: str | None = None  # DAY, WEEK or MONTH


class TokenBucket:
    """Starts full with `burst` tokens, refills at `rate` per second; a request takes one."""

    def __init__(self, rate: float, burst: int, now: float):
        self.rate, self.burst = rate, burst
        self.tokens, self.updated = float(burst), now

    def reconfigure(self, rate: float, burst: int) -> None:
        self.rate, self.burst = rate, burst
        self.tokens = min(self.tokens, float(burst))

    def take(self, now: float) -> bool:
        self.tokens = min(float(self.burst), self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False


def period_start(period: str, moment: datetime) -> str:
    """Which quota period a UTC moment falls in (API Gateway's periods are in UTC)."""
    if period == "DAY":
        return moment.strftime("%Y-%m-%d")
    if period == "WEEK":
        year, week, _ = moment.isocalendar()
        return f"{year}-W{week:02d}"
    if period == "MONTH":
        return moment.strftime("%Y-%m")
    raise ValueError(f"unknown quota period {period!r}")


class Quota:
    """Requests counted per period; the count starts over when the period changes."""

    def __init__(self):
        self.period_key: str | None = None
        self.used = 0

    def take(self, limit: int, period: str, moment: datetime) -> bool:
        key = period_start(period, moment)
        if key != self.period_key:
            self.period_key, self.used = key, 0
        if self.used >= limit:
            return False
        self.used += 1
        return True


class Limiter:
    """check(key_id, limits) -> None when admitted, else the 429 message to answer with."""

    def __init__(self, clock=time.monotonic, wall=lambda: datetime.now(UTC)):
        self.clock, self.wall = clock, wall
        self._lock = threading.Lock()
        self._buckets: dict[str, TokenBucket] = {}
        self._quotas: dict[str, Quota] = {}

    def check(self, key_id: str, limits: Limits) -> str | None:
        with self._lock:
            if limits.rate is not None and limits.burst is not None:
                bucket = self._buckets.get(key_id)
                if bucket is None:
                    bucket = self._buckets[key_id] = TokenBucket(
                        limits.rate, limits.burst, self.clock()
                    )
                elif (bucket.rate, bucket.burst) != (limits.rate, limits.burst):
                    bucket.reconfigure(limits.rate, limits.burst)
                if not bucket.take(self.clock()):
                    return THROTTLED
            if limits.quota is not None and limits.period:
                quota = self._quotas.setdefault(key_id, Quota())
                if not quota.take(limits.quota, limits.period, self.wall()):
                    return QUOTA_EXCEEDED
        return None
