"""Lambda metrics for the test window, read back from moto's CloudWatch after putting them."""

import datetime as dt

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from loadtest.cloudwatch import collect, read_lambda_metrics

FUNCTION = "sklearn-zappa-ml-test"
START = dt.datetime(2026, 3, 1, 12, 0, 20, tzinfo=dt.UTC)
END = dt.datetime(2026, 3, 1, 12, 2, 40, tzinfo=dt.UTC)


@pytest.fixture
def cloudwatch(aws_env):
    with mock_aws():
        yield boto3.client("cloudwatch")


def put_minute(client, minute, function=FUNCTION, **values):
    units = {"Duration": "Milliseconds"}
    client.put_metric_data(
        Namespace="AWS/Lambda",
        MetricData=[
            {
                "MetricName": name,
                "Dimensions": [{"Name": "FunctionName", "Value": function}],
                "Timestamp": START.replace(second=0) + dt.timedelta(minutes=minute),
                "Value": value,
                "Unit": units.get(name, "Count"),
            }
            for name, value in values.items()
        ],
    )


def test_the_window_is_read_per_minute_and_summed(cloudwatch):
    put_minute(cloudwatch, 0, Invocations=100, Duration=10, ConcurrentExecutions=3)
    put_minute(cloudwatch, 1, Invocations=300, Duration=20, ConcurrentExecutions=9, Throttles=2)
    put_minute(cloudwatch, 2, Invocations=100, Duration=10, ConcurrentExecutions=4, Errors=1)
    put_minute(cloudwatch, 1, function="sklearn-zappa-ml-prod", Invocations=999)  # not ours
    put_minute(cloudwatch, 5, Invocations=999)  # after the window

    metrics = read_lambda_metrics(cloudwatch, FUNCTION, START, END)
    assert metrics["available"]
    assert metrics["complete"]
    assert (metrics["start"], metrics["end"]) == ("2026-03-01T12:00:00Z", "2026-03-01T12:03:00Z")
    assert [m["time"] for m in metrics["points"]] == [
        "2026-03-01T12:00:00Z",
        "2026-03-01T12:01:00Z",
        "2026-03-01T12:02:00Z",
    ]
    assert metrics["summary"] == {
        "invocations": 500,
        "errors": 1,
        "throttles": 2,
        "concurrency_max": 9,
        "duration_avg_ms": (100 * 10 + 300 * 20 + 100 * 10) / 500,
        "duration_max_ms": 20,
        "duration_p95_ms": None,  # moto keeps no percentiles
        "duration_p99_ms": None,
    }


def test_no_datapoints_is_unavailable_with_the_reason(cloudwatch):
    metrics = read_lambda_metrics(cloudwatch, FUNCTION, START, END)
    assert metrics["available"] is False
    assert f"no AWS/Lambda datapoints for {FUNCTION}" in metrics["reason"]


def test_collect_waits_for_the_last_minute_to_land(cloudwatch):
    put_minute(cloudwatch, 0, Invocations=100)
    clock = iter(range(0, 1000, 20))
    slept = []

    def sleep(seconds):
        slept.append(seconds)
        if len(slept) == 2:
            put_minute(cloudwatch, 2, Invocations=50)  # lands while we wait

    metrics = collect(FUNCTION, START, END, 120, cloudwatch, sleep, lambda: next(clock))
    assert metrics["complete"]
    assert metrics["summary"]["invocations"] == 150
    assert slept == [20, 20]


def test_collect_gives_up_after_the_wait_and_says_what_it_has(cloudwatch):
    put_minute(cloudwatch, 0, Invocations=100)
    clock = iter(range(0, 1000, 50))
    metrics = collect(FUNCTION, START, END, 60, cloudwatch, lambda _s: None, lambda: next(clock))
    assert metrics["available"]
    assert not metrics["complete"]


class Refusing:
    def get_metric_data(self, **_kwargs):
        raise ClientError({"Error": {"Code": "AccessDenied", "Message": "no"}}, "GetMetricData")


def test_a_refused_read_is_unavailable_not_an_error(aws_env):
    metrics = collect(FUNCTION, START, END, 0, Refusing())
    assert metrics == {"available": False, "reason": "CloudWatch refused the read (AccessDenied)"}


def test_an_unreachable_endpoint_is_unavailable_not_an_error(aws_env, monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")  # nothing listens on discard
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    metrics = collect(FUNCTION, START, END, 0)
    assert metrics["available"] is False
    assert metrics["reason"].startswith("CloudWatch could not be reached")


class NoPercentiles:
    """GetMetricData allowed, GetMetricStatistics not (the load-test role's policy)."""

    def __init__(self, client):
        self.client = client

    def get_metric_data(self, **kwargs):
        return self.client.get_metric_data(**kwargs)

    def get_metric_statistics(self, **_kwargs):
        raise ClientError({"Error": {"Code": "AccessDenied"}}, "GetMetricStatistics")


def test_refused_percentiles_leave_the_other_metrics_and_a_note(cloudwatch):
    put_minute(cloudwatch, 2, Invocations=10, Duration=5)
    metrics = read_lambda_metrics(NoPercentiles(cloudwatch), FUNCTION, START, END)
    assert metrics["summary"]["invocations"] == 10
    assert metrics["summary"]["duration_p95_ms"] is None
    assert metrics["percentiles_note"] == (
        "Duration percentiles not read: GetMetricStatistics refused (AccessDenied)"
    )


class WithPercentiles(NoPercentiles):
    """What real CloudWatch adds and moto does not: ExtendedStatistics values."""

    def get_metric_statistics(self, **kwargs):
        assert kwargs["ExtendedStatistics"] == ["p95", "p99"]
        minute = START.replace(second=0)
        return {
            "Datapoints": [
                {"Timestamp": minute, "ExtendedStatistics": {"p95": 30.0, "p99": 80.0}},
                {
                    "Timestamp": minute + dt.timedelta(minutes=1),
                    "ExtendedStatistics": {"p95": 45.0, "p99": 60.0},
                },
            ]
        }


def test_percentiles_per_minute_and_the_worst_minute_in_the_summary(cloudwatch):
    put_minute(cloudwatch, 0, Invocations=10, Duration=5)
    put_minute(cloudwatch, 1, Invocations=10, Duration=5)
    metrics = read_lambda_metrics(WithPercentiles(cloudwatch), FUNCTION, START, END)
    assert [m.get("duration_p95_ms") for m in metrics["points"]] == [30.0, 45.0]
    assert metrics["summary"]["duration_p95_ms"] == 45.0
    assert metrics["summary"]["duration_p99_ms"] == 80.0
    assert metrics["percentiles_note"] == ""
    assert not metrics["complete"]  # 12:02, the run's last minute, has not landed
