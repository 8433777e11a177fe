"""Usage-plan throttle (token bucket: burst, then rate) and quota (per day, week, month), as API
Gateway answers them: 429 "Too Many Requests" and 429 "Limit Exceeded". The pure parts run on
fake clocks; the HTTP tests use a refill rate so low that no token comes back during the test."""

from datetime import UTC, datetime, timedelta

import pytest

from rehearsal.gateway.throttle import (
    QUOTA_EXCEEDED,
    THROTTLED,
    Limiter,
    Limits,
    Quota,
    TokenBucket,
    period_start,
)
from tests.rehearsal.local.helpers import call, echo_zip


def test_token_bucket_allows_the_burst_then_the_rate():
    bucket = TokenBucket(rate=2.0, burst=3, now=0.0)
    assert [bucket.take(0.0) for _ in range(4)] == [True, True, True, False]
    assert bucket.take(0.5)  # one token back after 1 / rate seconds
    assert not bucket.take(0.5)
    assert [bucket.take(10.0) for _ in range(4)] == [True, True, True, False]  # capped at burst


def test_token_bucket_reconfigured_keeps_no_more_than_the_new_burst():
    bucket = TokenBucket(rate=1.0, burst=10, now=0.0)
    bucket.reconfigure(rate=1.0, burst=2)
    assert [bucket.take(0.0) for _ in range(3)] == [True, True, False]


@pytest.mark.parametrize(
    ("period", "moment", "next_period_at"),
    [
        ("DAY", datetime(2026, 11, 25, 23, 59, tzinfo=UTC), timedelta(minutes=1)),
        ("WEEK", datetime(2026, 11, 29, 23, 59, tzinfo=UTC), timedelta(minutes=1)),  # Sunday
        ("MONTH", datetime(2026, 11, 30, 23, 59, tzinfo=UTC), timedelta(minutes=1)),
    ],
)
def test_quota_periods_start_over_in_utc(period, moment, next_period_at):
    assert period_start(period, moment) == period_start(period, moment - timedelta(hours=20))
    assert period_start(period, moment) != period_start(period, moment + next_period_at)
    quota = Quota()
    assert [quota.take(2, period, moment) for _ in range(3)] == [True, True, False]
    assert quota.take(2, period, moment + next_period_at)


def test_limiter_answers_with_api_gateway_messages():
    now, wall = [0.0], [datetime(2026, 1, 1, tzinfo=UTC)]
    limiter = Limiter(clock=lambda: now[0], wall=lambda: wall[0])
    limits = Limits(rate=1.0, burst=1, quota=2, period="DAY")
    assert limiter.check("k", limits) is None
    assert limiter.check("k", limits) == THROTTLED
    assert limiter.check("other key", limits) is None  # limits apply per key
    now[0] = 5.0
    assert limiter.check("k", limits) is None
    now[0] = 10.0
    assert limiter.check("k", limits) == QUOTA_EXCEEDED
    assert limiter.check("k", Limits()) is None  # a plan without limits


def test_throttle_over_http(stage, gateway):
    stage.deploy(echo_zip())
    stage.plan(rate=0.001, burst=2)
    _, value = stage.key()
    _, other = stage.key()
    url = gateway(stage)
    statuses = [call("GET", f"{url}/", value).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    answer = call("GET", f"{url}/", value)
    assert (answer.status_code, answer.json()) == (429, {"message": "Too Many Requests"})
    assert call("GET", f"{url}/", other).status_code == 200


def test_quota_over_http(stage, gateway):
    stage.deploy(echo_zip())
    stage.plan(quota=2, period="DAY")
    _, value = stage.key()
    url = gateway(stage)
    assert [call("GET", f"{url}/", value).status_code for _ in range(2)] == [200, 200]
    answer = call("GET", f"{url}/", value)
    assert (answer.status_code, answer.json()) == (429, {"message": "Limit Exceeded"})
    assert answer.headers["x-amzn-ErrorType"] == "LimitExceededException"
