"""The locustfile inside Locust: outcome kinds told apart, counts merged, the step shape."""

from typing import ClassVar

import gevent
import locust
import locust.stats
import pytest
from locust import constant
from locust.env import Environment

from loadtest import locustfile
from loadtest.config import PERCENTILE_WINDOW_S, load_profile
from loadtest.outcomes import BURST_NAME, KINDS
from tests.loadtest.conftest import FIXTURE_CONFIG

TIMEOUT_S = 20
# What the stub's "kinds" mode answers, in turn: everything except network errors and 3xx.
EXPECTED_KINDS = ("ok", "bad_content", "forbidden", "throttled", "server_error", "client_error")


def test_our_window_is_locusts_percentile_window():
    """history.py relies on it to pick the windows that lie inside a step."""
    assert locust.stats.CURRENT_RESPONSE_TIME_PERCENTILE_WINDOW == PERCENTILE_WINDOW_S


def test_the_shape_walks_the_profile_steps_then_stops(monkeypatch):
    shape = locustfile.StepLoad()
    steps = locustfile.PROFILE.steps
    ends = [sum(s.seconds for s in steps[: i + 1]) for i in range(len(steps))]
    spawn = locustfile.PROFILE.spawn_rate
    cases = [
        (0, steps[0].users),
        (ends[0] - 0.1, steps[0].users),
        (ends[0], steps[1].users),
        (ends[-1] - 0.1, steps[-1].users),
    ]
    for t, expected in cases:
        monkeypatch.setattr(shape, "get_run_time", lambda t=t: t)
        assert shape.tick() == (expected, spawn, [locustfile.ApiUser])
    monkeypatch.setattr(shape, "get_run_time", lambda: ends[-1])
    assert shape.tick() is None


def test_with_a_burst_the_shape_starts_burst_users_at_once_then_none_then_steps(monkeypatch):
    profile = load_profile("fixture-burst", FIXTURE_CONFIG)
    monkeypatch.setattr(locustfile, "PROFILE", profile)
    shape = locustfile.StepLoad()
    ticks = []
    for t in (0, profile.burst.seconds, profile.burst_seconds):
        monkeypatch.setattr(shape, "get_run_time", lambda t=t: t)
        ticks.append(shape.tick())
    burst = profile.burst.users
    assert ticks == [
        (burst, burst, [locustfile.BurstUser]),
        (0, burst, [locustfile.BurstUser]),
        (profile.steps[0].users, profile.spawn_rate, [locustfile.ApiUser]),
    ]


@pytest.mark.parametrize("stub", ["ok"], indirect=True)
def test_each_burst_user_sends_its_requests_back_to_back_then_idles(stub, monkeypatch):
    profile = load_profile("fixture-burst", FIXTURE_CONFIG)
    monkeypatch.setattr(locustfile, "PROFILE", profile)
    env = Environment(user_classes=[locustfile.BurstUser], host=stub)
    runner = env.create_local_runner()
    users, per_user = profile.burst.users, profile.burst.requests_per_user
    runner.start(users, spawn_rate=users)
    try:
        with gevent.Timeout(TIMEOUT_S, False):
            while env.stats.total.num_requests < users * per_user:
                gevent.sleep(0.1)
        gevent.sleep(0.5)  # idle users send nothing more
    finally:
        runner.quit()
    assert env.stats.total.num_requests == users * per_user
    assert {name for name, _method in env.stats.entries} == {BURST_NAME}


class PredictOnly(locustfile.ApiUser):
    """The real user's checks, without think time and metadata calls, to see every kind soon."""

    wait_time = constant(0.02)
    tasks: ClassVar = [locustfile.ApiUser.predict_one, locustfile.ApiUser.predict_batch]


@pytest.mark.parametrize("stub", ["kinds"], indirect=True)
def test_statuses_and_bad_content_are_counted_apart(stub):
    before = dict(locustfile.COUNTS.totals)
    env = Environment(user_classes=[PredictOnly], host=stub)
    runner = env.create_local_runner()
    runner.start(2, spawn_rate=10)
    try:
        with gevent.Timeout(TIMEOUT_S, False):
            while not all(_new(before)[kind] >= 2 for kind in EXPECTED_KINDS):
                gevent.sleep(0.1)
    finally:
        runner.quit()
    counts = _new(before)
    assert all(counts[kind] >= 2 for kind in EXPECTED_KINDS), counts
    assert counts["network"] == counts["other"] == 0
    messages = {str(error.error) for error in env.stats.errors.values()}
    assert {
        "HTTP 403 forbidden",
        "HTTP 429 throttled",
        "HTTP 503 server error",
        "HTTP 422 invalid_input",
        "200 without predictions",
    } <= messages
    assert {e.name for e in env.stats.errors.values()} <= {
        "/predict [1 row]",
        "/predict [10-100 rows]",
    }


def test_workers_send_new_counts_and_the_master_adds_them_up(monkeypatch):
    worker, master = locustfile.StatusCounts(), locustfile.StatusCounts()
    for kind in ("ok", "ok", "throttled"):
        worker.add(kind)
    monkeypatch.setattr(locustfile, "COUNTS", worker)
    data = {}
    locustfile._send_counts("w1", data)
    assert data["outcomes"] == {"ok": 2, "throttled": 1}
    locustfile._send_counts("w1", second := {})
    assert second["outcomes"] == {}  # sent once, not again
    monkeypatch.setattr(locustfile, "COUNTS", master)
    locustfile._merge_counts("w1", data)
    locustfile._merge_counts("w2", {"outcomes": {"ok": 5, "unknown-kind": 1}})
    assert master.totals["ok"] == 7
    assert master.totals["throttled"] == 1


def _new(before):
    return {k: locustfile.COUNTS.totals[k] - before[k] for k in KINDS}
