"""Little's law and the usage-plan comparison, on small inputs."""

import pytest

from loadtest.capacity import Duration, evaluate, measured_duration, needed_concurrency
from loadtest.config import Capacity

PEAK = Capacity(stage="prod", peak_rps=200, safety_factor=1.5)


def record(unreserved=1000, reserved=None, rate=500.0, burst=1000):
    return {
        "function": "sklearn-zappa-ml-prod",
        "errors": [],
        "account": {"concurrent_executions": 1000, "unreserved_concurrent_executions": unreserved},
        "function_concurrency": {"exists": True, "reserved": reserved, "provisioned": 0},
        "usage_plan": {"name": "p", "rate_limit": rate, "burst_limit": burst, "source": "x"},
    }


@pytest.mark.parametrize(
    ("p99_ms", "needed"),
    [(1.0, 1), (100.0, 30), (101.0, 31), (1000.0, 300)],  # rounded up, never below one
)
def test_needed_concurrency_is_rate_times_duration_times_safety(p99_ms, needed):
    assert needed_concurrency(PEAK, Duration(p99_ms, "t")) == needed


def test_headroom_is_available_minus_needed():
    checks, rows = evaluate(PEAK, record(unreserved=31), Duration(100.0, "t"))
    assert [c.ok for c in checks] == [True, True, True]
    assert (rows[0].needed, rows[0].available, rows[0].headroom) == ("30", "31", "+1")
    checks, _ = evaluate(PEAK, record(unreserved=29), Duration(100.0, "t"))
    assert [c.name for c in checks if not c.ok] == ["prod Lambda concurrency"]


def test_an_unthrottled_plan_admits_any_peak():
    checks, rows = evaluate(PEAK, record(rate=None, burst=None), Duration(1.0, "t"))
    assert all(c.ok for c in checks)
    assert rows[1].available == "unthrottled"


def test_lambda_duration_is_preferred_to_the_clients():
    metrics = {"available": True, "source": "CloudWatch", "summary": {"duration_p99_ms": 12.0}}
    assert measured_duration(metrics, 80.0) == Duration(12.0, "Lambda Duration p99 (CloudWatch)")
    assert measured_duration({"available": False}, 80.0).source.startswith("client p99")
    assert measured_duration(None, None) is None
    checks, rows = evaluate(PEAK, record(), None)
    assert rows
    assert [c.name for c in checks if not c.ok] == ["capacity inputs"]


def test_the_duration_is_the_steady_loads_not_the_bursts_first_invocations():
    points = [
        {"ts": 100, "duration_p99_ms": 450.0},  # the burst: first invocations after cold starts
        {"ts": 112, "duration_p99_ms": 20.0},
        {"ts": 113, "duration_p99_ms": 30.0},
    ]
    metrics = {
        "available": True,
        "source": "s",
        "period_seconds": 1,
        "points": points,
        "summary": {"duration_p99_ms": 450.0},
    }
    assert measured_duration(metrics, None, (100, 111)).p99_ms == 30.0
    assert measured_duration(metrics, None, None).p99_ms == 450.0  # no burst: the whole run's
    steady = {**metrics, "steady": {"duration_p99_ms": 12.0}}  # the gateway's exact percentile
    assert measured_duration(steady, None, (100, 111)) == Duration(
        12.0, "Lambda Duration p99 after the burst (s)"
    )
