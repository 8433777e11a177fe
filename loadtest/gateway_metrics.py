"""Scaling evidence from the local stage gateway (rehearsal/gateway): its per-second function
metrics, in the shape loadtest.cloudwatch gives a real stage's, so the same checks and report apply.

The gateway serves them at /_local/stats next to the stage path (http://127.0.0.1:PORT/STAGE ->
http://127.0.0.1:PORT/_local/stats?since=..&until=..), without an API key: it is the local
stand-in for CloudWatch, not part of the API. Loopback only.
"""

import datetime as dt
import json
import urllib.error
import urllib.request
from urllib.parse import urlsplit

from loadtest.cloudwatch import unavailable
from project import LOOPBACK

SOURCE = "local stage gateway"
STATS_PATH = "/_local/stats"  # where the gateway serves them (it imports this name)
TIMEOUT_S = 10


def stats_url(host: str, since: int, until: int) -> str | None:
    parts = urlsplit(host)
    if parts.hostname not in LOOPBACK:
        return None
    return f"{parts.scheme}://{parts.netloc}{STATS_PATH}?since={since}&until={until}"


def collect(
    host: str, start: dt.datetime, end: dt.datetime, steady_since: dt.datetime | None = None
) -> dict:
    """The function's metrics for [start, end], or why there are none. With steady_since (the
    end of the burst), also the duration percentiles of the invocations after it: the steady
    state the capacity check applies Little's law to, without the burst's first invocations."""
    since, until = int(start.timestamp()), int(end.timestamp()) + 1
    url = stats_url(host, since, until)
    if url is None:
        return unavailable(f"{host} is not on loopback: no local stage gateway to ask")
    try:
        stats = _read(url)
        steady = None
        if steady_since is not None:
            steady = _read(stats_url(host, int(steady_since.timestamp()), until))
    except (urllib.error.URLError, TimeoutError, ConnectionError, ValueError) as exc:
        return unavailable(f"the local stage gateway's {STATS_PATH} did not answer ({exc})")
    metrics = stats.get("metrics") if isinstance(stats, dict) else None
    if not metrics or not metrics.get("points"):
        return unavailable(f"the local stage gateway recorded no invocations at {url}")
    result = to_lambda_metrics(stats, since, until)
    if steady is not None:
        window = steady["metrics"]["window"]
        result["steady"] = {"since": _iso(int(steady_since.timestamp())), **window}
    return result


def _read(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=TIMEOUT_S) as answer:  # noqa: S310 (loopback)
        return json.loads(answer.read())


def to_lambda_metrics(stats: dict, since: int, until: int) -> dict:
    """The gateway's answer as loadtest.cloudwatch's result (period 1 s, `ts` per point)."""
    metrics = stats["metrics"]
    points = [{"time": _iso(p["ts"]), **p} for p in metrics["points"]]
    window = metrics.get("window") or {}
    durations = [p["duration_avg_ms"] for p in points if p.get("duration_avg_ms") is not None]
    weights = [p["invocations"] for p in points if p.get("duration_avg_ms") is not None]
    summary = {
        "invocations": sum(p["invocations"] for p in points),
        "errors": sum(p["errors"] for p in points),
        "throttles": sum(p["throttles"] for p in points),
        "concurrency_max": max((p["concurrency_max"] for p in points), default=None),
        "duration_avg_ms": (
            sum(d * w for d, w in zip(durations, weights, strict=True)) / sum(weights)
            if sum(weights)
            else None
        ),
        "duration_max_ms": max(
            (p["duration_max_ms"] for p in points if p.get("duration_max_ms") is not None),
            default=None,
        ),
        "duration_p95_ms": window.get("duration_p95_ms"),
        "duration_p99_ms": window.get("duration_p99_ms"),
    }
    return {
        "available": True,
        "source": SOURCE,
        "function": stats.get("function"),
        "start": _iso(since),
        "end": _iso(until),
        "period_seconds": metrics.get("period_seconds", 1),
        "complete": True,
        "summary": summary,
        "points": points,
        "percentiles_note": "Here (local stage gateway) they are over every invocation of the run",
        "account": stats.get("account"),
    }


def _iso(epoch: int) -> str:
    return dt.datetime.fromtimestamp(epoch, dt.UTC).isoformat().replace("+00:00", "Z")
