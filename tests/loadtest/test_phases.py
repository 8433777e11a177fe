"""The run's timeline: the burst from idle, a gap with no users, then the steps."""

from loadtest.config import load_profile
from loadtest.phases import BURST, GAP, STEPS, phase_at
from tests.loadtest.conftest import FIXTURE_CONFIG


def test_the_burst_comes_first_then_a_gap_then_the_steps():
    profile = load_profile("fixture-burst", FIXTURE_CONFIG)
    seen = [(p.name, p.users, p.burst) for p in (phase_at(profile, t) for t in (0, 4.9, 5, 6.9))]
    assert seen == [(BURST, 4, True), (BURST, 4, True), (GAP, 0, True), (GAP, 0, True)]
    assert phase_at(profile, 0).spawn_rate == 4  # every burst user within the first second
    assert (phase_at(profile, 7).name, phase_at(profile, 7).users) == (STEPS, 2)
    assert phase_at(profile, 7 + 12).users == 4
    assert phase_at(profile, profile.total_seconds) is None


def test_a_profile_without_a_burst_starts_with_its_steps():
    profile = load_profile("fixture", FIXTURE_CONFIG)
    assert (phase_at(profile, 0).name, phase_at(profile, 0).users) == (STEPS, 2)
    assert phase_at(profile, 24) is None


def test_the_bursts_requests_are_no_steps(recorded):
    from loadtest import history
    from loadtest.config import Step

    directory = recorded("burst_pass")
    status = history.read_status(directory / "locust_status.csv")
    rows = history.read_history(directory / "locust_stats_history.csv")
    run = history.derive(rows, status, [Step(2, 12), Step(4, 12)])
    assert run.burst_window is not None
    burst_requests = 20  # 4 users x 5 requests
    assert sum(s.requests for s in run.steps) == run.totals.requests - burst_requests
