"""The run's timeline: the burst (if the profile has one), an idle gap, then the steps.

One definition for the load shape (loadtest.locustfile), which follows it second by second, and
for the status file's Phase column, which tells the gate which rows belong to the burst.
"""

from dataclasses import dataclass

from loadtest.config import BURST_GAP_S, Profile

BURST = "burst"
GAP = "gap"
STEPS = "steps"


@dataclass(frozen=True)
class Phase:
    name: str  # BURST, GAP or STEPS
    users: int
    spawn_rate: float
    burst: bool  # the users are burst users (no think time)


def phase_at(profile: Profile, run_time: float) -> Phase | None:
    """What the shape runs `run_time` seconds after the start; None once the last step ended."""
    burst = profile.burst
    if burst is not None:
        if run_time < burst.seconds:
            # every user at once: spawned within Locust's first dispatch (one second)
            return Phase(BURST, burst.users, float(burst.users), True)
        if run_time < burst.seconds + BURST_GAP_S:
            return Phase(GAP, 0, float(burst.users), True)
        run_time -= profile.burst_seconds
    ends = 0
    for step in profile.steps:
        ends += step.seconds
        if run_time < ends:
            return Phase(STEPS, step.users, profile.spawn_rate, False)
    return None
