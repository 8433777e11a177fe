"""loadtest/config.toml: the committed profiles load; mistakes are named before a run starts."""

import pytest

from loadtest.config import MIN_STEP_S, load_profile
from loadtest.errors import LoadTestError

GOOD = """
[profiles.p]
wait_seconds = [0.5, 1.5]
spawn_rate = 5
steps = [{ users = 1, seconds = 12 }, { users = 2, seconds = 12 }]
[profiles.p.slo]
max_failure_ratio = 0.01
max_throttle_ratio = 0.01
max_p95_ms = 100
max_p99_ms = 200
max_p95_growth = 1.5
p95_growth_floor_ms = 10
min_rps = 1
cold_start_ms = 1000
"""


def test_the_committed_profiles_load():
    local, test = load_profile("local"), load_profile("test")
    for name in ("rehearsal", "bench"):
        assert load_profile(name).steps  # raises when the profile is missing or invalid
    assert [s.users for s in test.steps] == [5, 10, 25, 50]
    assert test.cloudwatch.enabled
    assert not local.cloudwatch.enabled
    assert "not Lambda" in local.description
    assert local.total_seconds <= 90  # make loadtest-local stays short on a laptop
    assert test.burst is not None
    assert test.burst.users > test.steps[-1].users
    assert test.capacity is not None
    assert test.capacity.stage == "prod"
    rehearsal = load_profile("rehearsal")
    assert rehearsal.gateway.enabled
    assert not rehearsal.cloudwatch.enabled
    assert rehearsal.burst is not None
    assert rehearsal.capacity is not None
    assert rehearsal.total_seconds <= 60  # the rehearsal's load test stays short


BURST = """
[profiles.p.burst]
users = 10
requests_per_user = 5
seconds = 10
max_p99_ms = 2000
min_concurrency_ratio = 0.5
[profiles.p.capacity]
stage = "prod"
peak_rps = 50
safety_factor = 2
"""


def test_burst_and_capacity_load_and_add_the_burst_and_its_gap_to_the_time(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text(GOOD + BURST)
    profile = load_profile("p", path)
    assert (profile.burst.users, profile.capacity.peak_rps) == (10, 50)
    assert profile.total_seconds == 10 + 2 + 24


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda t: t.replace("users = 10", "users = 5000"), "burst.users must be between 2"),
        (lambda t: t.replace("requests_per_user = 5", "requests_per_user = 0"), "requests_per"),
        (lambda t: t.replace("seconds = 10\n", "seconds = 600\n"), "burst.seconds"),
        (lambda t: t.replace("min_concurrency_ratio = 0.5", "min_concurrency_ratio = 2"), "(0, 1]"),
        (lambda t: t.replace("safety_factor = 2", "safety_factor = 0.5"), "safety_factor"),
        (lambda t: t.replace("peak_rps = 50", "peak_rps = 0"), "peak_rps"),
        (
            lambda t: (
                t + "[profiles.p.gateway]\nenabled = true\n[profiles.p.cloudwatch]\n"
                "enabled = true\n"
            ),
            "not both",
        ),
    ],
)
def test_bad_bursts_and_capacities_are_named(tmp_path, edit, message):
    path = tmp_path / "config.toml"
    path.write_text(edit(GOOD + BURST))
    with pytest.raises(LoadTestError) as error:
        load_profile("p", path)
    assert message in error.value.message


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda t: t.replace("users = 2", "users = 1"), "strictly increasing"),
        (lambda t: t.replace("seconds = 12 }, {", "seconds = 5 }, {"), f"at least {MIN_STEP_S} s"),
        (lambda t: t.replace("[0.5, 1.5]", "[2, 1]"), "wait_seconds"),
        (
            lambda t: t.replace("max_failure_ratio = 0.01", "max_failure_ratio = 5"),
            "between 0 and 1",
        ),
        (lambda t: t.replace("max_p95_growth = 1.5", "max_p95_growth = 0.5"), "at least 1"),
        (
            lambda t: t.replace("min_rps = 1", "min_rps = 1\nmin_rsp = 2"),
            "unknown setting(s) min_rsp",
        ),
        (lambda t: t.replace("spawn_rate = 5\n", ""), "missing setting 'spawn_rate'"),
        (lambda t: t.replace("steps = [", "steps = [[").replace("12 }]", "12 }]]"), "[profiles.p]"),
        (lambda t: t + "[[[", "config.toml"),
    ],
)
def test_bad_profiles_are_named_with_the_problem(tmp_path, edit, message):
    path = tmp_path / "config.toml"
    path.write_text(edit(GOOD))
    with pytest.raises(LoadTestError) as error:
        load_profile("p", path)
    assert message in error.value.message
    assert "\n" not in error.value.message


def test_an_unknown_profile_lists_the_choices(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text(GOOD)
    with pytest.raises(LoadTestError, match=r"no profile 'dev' .*choose one of: p$"):
        load_profile("dev", path)
    with pytest.raises(LoadTestError, match="config file not found"):
        load_profile("p", tmp_path / "absent.toml")
