"""The gateway's per-second function metrics (CloudWatch's Lambda metrics, locally): a fake clock,
no processes, no sleeping."""

from rehearsal.gateway.metrics import RETAIN_S, FunctionMetrics, percentile


class Clock:
    def __init__(self, now: float = 1000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_nearest_rank_percentile_is_a_measured_value():
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 0.99) == 99.0
    assert percentile(values, 0.5) == 50.0
    assert percentile([7.0], 0.99) == 7.0
    assert percentile([], 0.99) is None


def test_each_second_keeps_its_peak_concurrency_counts_and_durations():
    clock = Clock()
    metrics = FunctionMetrics(clock)
    for in_use in (1, 3, 2):
        metrics.concurrency(in_use)
    metrics.invocation(5.0, error=False)
    metrics.invocation(15.0, error=True)
    metrics.throttle()
    clock.now += 1
    metrics.concurrency(1)  # 2 were in use until now
    metrics.invocation(None, error=True)  # a worker that died: an error without a duration
    first, second = metrics.points()
    assert first == {
        "ts": 1000,
        "invocations": 2,
        "errors": 1,
        "throttles": 1,
        "concurrency_max": 3,
        "duration_avg_ms": 10.0,
        "duration_p99_ms": 15.0,
        "duration_max_ms": 15.0,
    }
    assert (second["ts"], second["concurrency_max"], second["errors"]) == (1001, 2, 1)
    assert second["duration_p99_ms"] is None


def test_the_window_selects_seconds_and_merges_their_durations():
    clock = Clock()
    metrics = FunctionMetrics(clock)
    for second in range(3):
        clock.now = 1000 + second
        for duration in range(1, 51):
            metrics.invocation(float(duration + 100 * second), error=False)
    assert [p["ts"] for p in metrics.points(since=1001, until=1001)] == [1001]
    window = metrics.window(since=1001, until=1002)
    assert window["invocations"] == 100
    assert window["duration_p99_ms"] == 249.0
    assert window["duration_p95_ms"] == 245.0


def test_old_seconds_are_dropped():
    clock = Clock()
    metrics = FunctionMetrics(clock)
    metrics.invocation(1.0, error=False)
    clock.now += RETAIN_S + 5
    metrics.invocation(1.0, error=False)
    assert [p["ts"] for p in metrics.points()] == [int(clock.now)]


def test_seconds_without_a_change_keep_the_level_in_use():
    clock = Clock()
    metrics = FunctionMetrics(clock)
    metrics.concurrency(3)  # three cold starts begin ...
    clock.now += 4
    metrics.concurrency(2)  # ... and the first ends four seconds later
    clock.now += 1
    metrics.concurrency(0)
    clock.now += 5
    metrics.invocation(1.0, error=False)  # nothing was in use in between: no seconds filled
    seen = [(p["ts"], p["concurrency_max"]) for p in metrics.points()]
    assert seen == [(1000, 3), (1001, 3), (1002, 3), (1003, 3), (1004, 3), (1005, 2), (1010, 0)]
