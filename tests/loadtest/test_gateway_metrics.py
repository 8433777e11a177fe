"""The local stage gateway's /_local/stats as Lambda metrics: converted to loadtest.cloudwatch's
shape, read over loopback only (a one-shot server on 127.0.0.1 stands in for the gateway)."""

import datetime as dt
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

from loadtest import gateway_metrics

STATS = {
    "function": "sklearn-zappa-ml-test",
    "account": {"unreserved": 10, "in_use": 0, "peak": 6},
    "metrics": {
        "period_seconds": 1,
        "points": [
            {
                "ts": 1000,
                "invocations": 6,
                "errors": 0,
                "throttles": 0,
                "concurrency_max": 6,
                "duration_avg_ms": 20.0,
                "duration_p99_ms": 40.0,
                "duration_max_ms": 40.0,
            },
            {
                "ts": 1001,
                "invocations": 2,
                "errors": 1,
                "throttles": 3,
                "concurrency_max": 2,
                "duration_avg_ms": 5.0,
                "duration_p99_ms": 5.0,
                "duration_max_ms": 5.0,
            },
        ],
        "window": {"invocations": 8, "duration_p95_ms": 30.0, "duration_p99_ms": 40.0},
    },
}


def test_the_gateways_points_become_lambda_metrics():
    metrics = gateway_metrics.to_lambda_metrics(STATS, 1000, 1002)
    assert metrics["available"]
    assert metrics["source"] == "local stage gateway"
    assert metrics["period_seconds"] == 1
    summary = metrics["summary"]
    assert (summary["invocations"], summary["errors"], summary["throttles"]) == (8, 1, 3)
    assert summary["concurrency_max"] == 6
    assert summary["duration_avg_ms"] == (6 * 20 + 2 * 5) / 8
    assert summary["duration_p99_ms"] == 40.0  # over every invocation, from the gateway
    assert metrics["points"][0]["time"] == "1970-01-01T00:16:40Z"


def test_only_loopback_hosts_are_asked():
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    result = gateway_metrics.collect(
        "https://abc.execute-api.eu-west-1.amazonaws.com/test", start, start
    )
    assert result == {
        "available": False,
        "reason": "https://abc.execute-api.eu-west-1.amazonaws.com/test is not on loopback: "
        "no local stage gateway to ask",
    }


def test_collect_reads_the_window_from_the_stats_endpoint():
    asked = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            asked.append(self.path)
            body = json.dumps(STATS).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(
        target=lambda: [server.handle_request() for _ in range(2)], daemon=True
    )
    thread.start()
    start = dt.datetime.fromtimestamp(1000, dt.UTC)
    end = dt.datetime.fromtimestamp(1001, dt.UTC)
    steady = dt.datetime.fromtimestamp(1001, dt.UTC)
    try:
        url = f"http://127.0.0.1:{server.server_port}/test"
        metrics = gateway_metrics.collect(url, start, end, steady)
    finally:
        thread.join(timeout=10)
        server.server_close()
    assert asked == ["/_local/stats?since=1000&until=1002", "/_local/stats?since=1001&until=1002"]
    assert metrics["summary"]["concurrency_max"] == 6
    assert metrics["steady"]["duration_p99_ms"] == 40.0
