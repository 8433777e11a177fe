"""SLO rules the recorded fixtures don't isolate: the growth floor, cold starts, empty runs."""

import dataclasses

import pytest

from loadtest.checks import evaluate
from loadtest.config import Slo
from loadtest.history import RunData, StepStats, Totals
from loadtest.outcomes import KINDS

SLO = Slo(
    max_failure_ratio=0.01,
    max_throttle_ratio=0.01,
    max_p95_ms=300,
    max_p99_ms=1000,
    max_p95_growth=1.5,
    p95_growth_floor_ms=20,
    min_rps=10,
    cold_start_ms=3000,
)


def step(index, users, p95, rps=20.0):
    latency = {"p50": p95 / 2, "p95": p95, "p99": p95 * 1.5, "windows": 50}
    return StepStats(index, users, planned_seconds=60, observed=True, rps=rps, **latency)


def run(steps, *, ok=1000, max_ms=200.0, **failures):
    kinds = dict.fromkeys(KINDS, 0) | {"ok": ok} | failures
    totals = Totals(sum(kinds.values()), failures=0, max_ms=max_ms, seconds=240, kinds=kinds)
    return RunData(rows=[], steps=steps, totals=totals)


def failed(data, slo=SLO, cloudwatch=None):
    return [c.name for c in evaluate(data, slo, cloudwatch) if not c.ok]


@pytest.mark.parametrize(
    ("first", "last", "ok"),
    [
        (10.0, 14.0, True),  # x1.4
        (10.0, 29.0, True),  # x2.9, but only +19 ms: under the floor
        (10.0, 31.0, False),  # x3.1 and +21 ms
        (100.0, 149.0, True),
        (100.0, 151.0, False),
        (0.0, 15.0, True),  # a zero baseline: the floor decides
    ],
)
def test_growth_is_a_ratio_with_an_absolute_floor(first, last, ok):
    data = run([step(1, 5, first), step(2, 50, last)])
    assert ("p95 growth" not in failed(data)) is ok


def test_growth_compares_the_first_and_last_steps_that_have_latency():
    unmeasured = dataclasses.replace(step(3, 50, 1.0), p95=None, observed=False)
    data = run([step(1, 5, 100.0), step(2, 25, 200.0), unmeasured])
    # x2 from step 1 to step 2; the step that never ran is reported, not compared.
    assert failed(data) == ["steps", "p95 growth"]


def test_the_slowest_request_is_the_cold_start_budget():
    steps = [step(1, 5, 100.0), step(2, 50, 110.0)]
    assert failed(run(steps, max_ms=2999.0)) == []
    assert failed(run(steps, max_ms=3001.0)) == ["cold start (slowest request)"]


def test_throttles_do_not_count_as_errors_and_errors_not_as_throttles():
    steps = [step(1, 5, 100.0), step(2, 50, 110.0)]
    assert failed(run(steps, ok=980, throttled=20)) == ["throttles (429)"]
    assert failed(run(steps, ok=980, server_error=10, forbidden=10)) == ["failures"]
    assert failed(run(steps, ok=995, bad_content=5)) == []  # 0.5% is within 1%


def test_a_run_without_requests_fails_and_says_why():
    checks = evaluate(run([step(1, 5, 100.0), step(2, 50, 110.0)], ok=0), SLO)
    failures = next(c for c in checks if c.name == "failures")
    assert not failures.ok
    assert "no requests were recorded" in failures.reason


@pytest.mark.parametrize(
    ("throttles", "errors", "expected"),
    [
        (0, 0, []),
        (11, 0, ["Lambda throttles"]),
        (0, 11, ["Lambda errors"]),
    ],
)
def test_lambda_throttles_and_errors_are_gated_against_requests(throttles, errors, expected):
    data = run([step(1, 5, 100.0), step(2, 50, 110.0)])
    cloudwatch = {"available": True, "summary": {"throttles": throttles, "errors": errors}}
    assert failed(data, cloudwatch=cloudwatch) == expected
    assert failed(data, cloudwatch={"available": False, "reason": "x"}) == []
