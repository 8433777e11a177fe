"""Scaling evidence from AWS: the function's Lambda metrics for the load test's time window.

Invocations, Errors, Throttles, ConcurrentExecutions (max) and Duration per minute, from the
`AWS/Lambda` namespace with dimension FunctionName (GetMetricData). Duration percentiles are asked
for separately (GetMetricStatistics ExtendedStatistics, which moto answers without values) and may
be absent: no percentiles stored, or no permission for that call, which is noted. When there
is nothing to read (no credentials, no permission, a local endpoint without Lambda metrics) the
result says so and why, and the report notes it instead of failing the run.
"""

import datetime as dt
import time
from collections.abc import Callable

from botocore.exceptions import BotoCoreError, ClientError

from loadtest.aws_clients import make_client

NAMESPACE = "AWS/Lambda"
SOURCE = "CloudWatch"
PERIOD_S = 60  # Lambda publishes standard-resolution (1-minute) metrics
POLL_S = 20
# (key in our output, metric name, statistic)
METRICS = (
    ("invocations", "Invocations", "Sum"),
    ("errors", "Errors", "Sum"),
    ("throttles", "Throttles", "Sum"),
    ("concurrency_max", "ConcurrentExecutions", "Maximum"),
    ("duration_avg_ms", "Duration", "Average"),
    ("duration_max_ms", "Duration", "Maximum"),
)
PERCENTILES = ("p95", "p99")


def unavailable(reason: str) -> dict:
    return {"available": False, "reason": reason}


def collect(
    function_name: str,
    start: dt.datetime,
    end: dt.datetime,
    wait_seconds: float,
    client=None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> dict:
    """Read the window's metrics, polling up to wait_seconds for the last minute to land."""
    try:
        client = client or make_client("cloudwatch")
        deadline = clock() + wait_seconds
        while True:
            metrics = read_lambda_metrics(client, function_name, start, end)
            if metrics["available"] and metrics["complete"]:
                return metrics
            remaining = deadline - clock()
            if remaining <= 0:
                return metrics
            sleep(min(POLL_S, remaining))
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "ClientError")
        return unavailable(f"CloudWatch refused the read ({code})")
    except BotoCoreError as exc:
        return unavailable(f"CloudWatch could not be reached: {exc}")


def read_lambda_metrics(client, function_name: str, start: dt.datetime, end: dt.datetime) -> dict:
    start, end = _floor_minute(start), _floor_minute(end) + dt.timedelta(seconds=PERIOD_S)
    dimensions = [{"Name": "FunctionName", "Value": function_name}]
    minutes: dict[dt.datetime, dict] = {}
    for key, timestamp, value in _metric_data(client, dimensions, start, end):
        minutes.setdefault(timestamp, {})[key] = value
    percentiles, percentiles_note = _percentiles(client, dimensions, start, end)
    if not minutes:
        return unavailable(
            f"no {NAMESPACE} datapoints for {function_name} between {_iso(start)} and "
            f"{_iso(end)} (metrics land minutes late; local endpoints publish none)"
        )
    for timestamp, values in percentiles:
        if timestamp in minutes:
            minutes[timestamp].update(values)
    ordered = [{"time": _iso(t), **minutes[t]} for t in sorted(minutes)]
    last_minute = _floor_minute(end - dt.timedelta(seconds=PERIOD_S))
    return {
        "available": True,
        "function": function_name,
        "start": _iso(start),
        "end": _iso(end),
        "period_seconds": PERIOD_S,
        "source": SOURCE,
        "complete": last_minute in minutes,
        "summary": _summary(ordered),
        "points": ordered,
        "percentiles_note": percentiles_note,
    }


def _metric_data(client, dimensions, start, end):
    queries = [
        {
            "Id": f"m{i}",
            "MetricStat": {
                "Metric": {"Namespace": NAMESPACE, "MetricName": name, "Dimensions": dimensions},
                "Period": PERIOD_S,
                "Stat": stat,
            },
            "ReturnData": True,
        }
        for i, (_key, name, stat) in enumerate(METRICS)
    ]
    keys = {f"m{i}": key for i, (key, _name, _stat) in enumerate(METRICS)}
    token = None
    while True:
        kwargs = {"NextToken": token} if token else {}
        response = client.get_metric_data(
            MetricDataQueries=queries, StartTime=start, EndTime=end, **kwargs
        )
        for result in response["MetricDataResults"]:
            for timestamp, value in zip(result["Timestamps"], result["Values"], strict=True):
                yield keys[result["Id"]], _utc(timestamp), float(value)
        token = response.get("NextToken")
        if not token:
            return


def _percentiles(client, dimensions, start, end) -> tuple[list, str]:
    """Per-minute Duration p95/p99, and a note when there are none (the rest still counts)."""
    try:
        response = client.get_metric_statistics(
            Namespace=NAMESPACE,
            MetricName="Duration",
            Dimensions=dimensions,
            StartTime=start,
            EndTime=end,
            Period=PERIOD_S,
            ExtendedStatistics=list(PERCENTILES),
        )
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "ClientError")
        return [], f"Duration percentiles not read: GetMetricStatistics refused ({code})"
    found = []
    for point in response["Datapoints"]:
        extended = point.get("ExtendedStatistics") or {}
        values = {f"duration_{p}_ms": float(extended[p]) for p in PERCENTILES if p in extended}
        if values:
            found.append((_utc(point["Timestamp"]), values))
    return found, "" if found else "CloudWatch returned no Duration percentiles"


def _summary(minutes: list[dict]) -> dict:
    def values(key):
        return [m[key] for m in minutes if key in m]

    invocations = values("invocations")
    weighted = [
        (m["duration_avg_ms"], m.get("invocations", 0)) for m in minutes if "duration_avg_ms" in m
    ]
    weight = sum(w for _v, w in weighted)
    summary = {
        "invocations": sum(invocations),
        "errors": sum(values("errors")),
        "throttles": sum(values("throttles")),
        "concurrency_max": max(values("concurrency_max"), default=None),
        "duration_avg_ms": (
            sum(v * w for v, w in weighted) / weight
            if weight
            else (sum(v for v, _w in weighted) / len(weighted) if weighted else None)
        ),
        "duration_max_ms": max(values("duration_max_ms"), default=None),
    }
    for p in PERCENTILES:  # the worst minute: CloudWatch can't merge percentiles across minutes
        summary[f"duration_{p}_ms"] = max(values(f"duration_{p}_ms"), default=None)
    return summary


def _floor_minute(moment: dt.datetime) -> dt.datetime:
    return _utc(moment).replace(second=0, microsecond=0)


def _utc(moment: dt.datetime) -> dt.datetime:
    if moment.tzinfo is None:
        return moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC)


def _iso(moment: dt.datetime) -> str:
    return _utc(moment).isoformat().replace("+00:00", "Z")
