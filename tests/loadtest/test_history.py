"""How per-step numbers are derived from Locust's per-second history rows."""

from loadtest.config import Step
from loadtest.history import Row, StatusRow, derive
from loadtest.outcomes import KINDS


def row(ts, users, requests, p95, *, failures=0, max_ms=10.0, p100=None):
    return Row(
        ts=ts,
        users=users,
        rps=0.0,
        p50=p95 / 2 if p95 is not None else None,
        p95=p95,
        p99=p95 * 2 if p95 is not None else None,
        p100=p100 if p100 is not None else (p95 * 3 if p95 is not None else None),
        requests=requests,
        failures=failures,
        max_ms=max_ms,
    )


def status(ts, users, **counts):
    return StatusRow(ts, users, {kind: counts.get(kind, 0) for kind in KINDS})


def two_steps():
    """t=100: start (0 users); 2 users from 101 to 115; a ramp row at 116; 4 users 117-131."""
    rows = [row(100, 0, 0, None)]
    rows += [row(101 + i, 2, 10 * (i + 1), 5.0 if i < 10 else 7.0) for i in range(15)]
    rows += [row(116, 3, 160, 9.0)]
    rows += [row(117 + i, 4, 160 + 20 * (i + 1), 50.0 if i < 10 else 11.0) for i in range(15)]
    return rows


def test_counts_are_differences_of_the_cumulative_totals():
    steps = [Step(2, 15), Step(4, 15)]
    run = derive(two_steps(), [], steps)
    first, second = run.steps
    assert (first.requests, first.seconds, first.rps) == (150, 15, 10.0)
    # The ramp row (3 users) is not a step row, but its requests count towards the next step.
    assert (second.requests, second.seconds) == (460 - 150, 16)
    assert run.totals.requests == 460


def test_percentiles_are_medians_of_windows_inside_the_step():
    run = derive(two_steps(), [], [Step(2, 15), Step(4, 15)])
    first, second = run.steps
    # Rows 10 s or more after the step's first row: 111..115 (7 ms), 127..131 (11 ms).
    assert (first.windows, first.p95, first.p50, first.p99) == (5, 7.0, 3.5, 14.0)
    # The 50 ms windows straddle the ramp-up and are left out.
    assert (second.windows, second.p95) == (5, 11.0)
    assert second.max_ms == 150.0  # the largest windowed 100% of the step's rows


def test_a_short_step_falls_back_to_its_last_window():
    rows = [row(100, 0, 0, None)] + [row(101 + i, 2, i + 1, 4.0 + i) for i in range(5)]
    (step,) = derive(rows, [], [Step(2, 12)]).steps
    assert (step.windows, step.p95) == (0, 8.0)


def test_a_step_never_reached_is_marked_and_counts_go_to_the_steps_that_ran():
    run = derive(two_steps(), [], [Step(2, 15), Step(4, 15), Step(8, 15)])
    assert [s.observed for s in run.steps] == [True, True, False]
    assert run.steps[2].requests == 0
    assert run.steps[2].p95 is None


def test_outcome_kinds_per_step_come_from_the_status_file():
    statuses = [
        status(101, 2, ok=5),
        status(115, 2, ok=140, throttled=3, server_error=1),
        status(117, 4, ok=150, throttled=3, server_error=1),
        status(131, 4, ok=290, throttled=9, server_error=1, forbidden=2),
        status(132, 0, ok=290, throttled=9, server_error=1, forbidden=2),
    ]
    run = derive(two_steps(), statuses, [Step(2, 15), Step(4, 15)])
    assert run.steps[0].kinds["throttled"] == 3
    assert run.steps[1].kinds == {
        "ok": 150,
        "forbidden": 2,
        "throttled": 6,
        "server_error": 0,
        "client_error": 0,
        "bad_content": 0,
        "network": 0,
        "other": 0,
    }
    assert run.totals.kinds["ok"] == 290


def test_the_run_max_is_locusts_cumulative_maximum():
    rows = two_steps()
    rows[-1] = row(131, 4, 460, 11.0, max_ms=1234.5)
    assert derive(rows, [], [Step(2, 15), Step(4, 15)]).totals.max_ms == 1234.5


def test_reports_landing_after_the_users_stop_count_for_the_last_step():
    rows = [*two_steps(), row(132, 0, 475, 11.0), row(133, 0, 478, 11.0)]
    statuses = [status(117, 4, ok=150), status(131, 4, ok=290), status(133, 0, ok=318)]
    run = derive(rows, statuses, [Step(2, 15), Step(4, 15)])
    assert run.steps[1].requests == 478 - 150
    assert run.steps[1].seconds == 16  # the span still ends at the step's last row
    assert run.steps[1].kinds["ok"] == 318
    assert sum(s.requests for s in run.steps) == run.totals.requests


def test_the_first_step_starts_with_its_traffic_not_with_the_file():
    """A master waiting for workers writes rows with no users and no requests first."""
    waiting = [row(90 + i, 0, 0, None) for i in range(10)]
    run = derive([*waiting, *two_steps()], [], [Step(2, 15), Step(4, 15)])
    assert (run.steps[0].seconds, run.steps[0].requests) == (15, 150)
