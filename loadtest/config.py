"""Typed view of loadtest/config.toml, so a typo fails before a load test starts, not after."""

import tomllib
from dataclasses import dataclass, fields
from pathlib import Path

from loadtest.errors import LoadTestError
from loadtest.paths import CONFIG_FILE

# Locust computes the percentiles of its history rows over a sliding window of this many seconds
# (locust.stats.CURRENT_RESPONSE_TIME_PERCENTILE_WINDOW; tests/locust checks they agree).
PERCENTILE_WINDOW_S = 10
MIN_STEP_S = PERCENTILE_WINDOW_S + 2


@dataclass(frozen=True)
class Step:
    users: int
    seconds: int


@dataclass(frozen=True)
class Slo:
    max_failure_ratio: float
    max_throttle_ratio: float
    max_p95_ms: float
    max_p99_ms: float
    max_p95_growth: float
    p95_growth_floor_ms: float
    min_rps: float
    cold_start_ms: float


@dataclass(frozen=True)
class CloudWatch:
    enabled: bool
    wait_seconds: int = 0


@dataclass(frozen=True)
class Gateway:
    """Read the Lambda-like metrics of the local stage gateway serving the host (loopback)."""

    enabled: bool = False


@dataclass(frozen=True)
class Burst:
    """From idle, `users` users at once, each sending `requests_per_user` requests back to back
    with no think time, then idling until `seconds` have passed: concurrent cold starts, with a
    bounded number of requests (a usage plan's throttle must not be what the burst measures).

    Gated on its p99, its throttles and errors, and on evidence that the function scaled out:
    peak concurrent executions during the burst >= min_concurrency_ratio x users.
    """

    users: int
    requests_per_user: int
    seconds: int
    max_p99_ms: float
    min_concurrency_ratio: float


@dataclass(frozen=True)
class Capacity:
    """Can `stage` carry its expected peak? Little's law: concurrency = rate x duration."""

    stage: str
    peak_rps: float
    safety_factor: float


# Bounds on a burst: enough users to need several environments, few enough that a typo cannot
# launch thousands of concurrent requests at a stage; long enough to see, short enough to pay for.
BURST_USERS = (2, 1000)
BURST_REQUESTS_PER_USER = (1, 100)
BURST_SECONDS = (5, 60)
BURST_GAP_S = 2  # users stop between the burst and the first step, so the phases don't mix


@dataclass(frozen=True)
class Profile:
    name: str
    description: str
    wait_seconds: tuple[float, float]
    spawn_rate: float
    steps: tuple[Step, ...]
    slo: Slo
    cloudwatch: CloudWatch
    gateway: Gateway = Gateway()
    burst: Burst | None = None
    capacity: Capacity | None = None

    @property
    def burst_seconds(self) -> int:
        """The burst and the idle gap after it, before the first step (0 without a burst)."""
        return self.burst.seconds + BURST_GAP_S if self.burst else 0

    @property
    def total_seconds(self) -> int:
        return self.burst_seconds + sum(step.seconds for step in self.steps)


def load_profile(name: str, path: Path = CONFIG_FILE) -> Profile:
    """One profile, validated; unknown or missing settings name the profile and the key."""
    profiles = _read(path).get("profiles", {})
    if name not in profiles:
        choices = ", ".join(sorted(profiles)) or "none"
        raise LoadTestError(f"no profile {name!r} in {path}; choose one of: {choices}")
    raw = profiles[name]
    where = f"{path} [profiles.{name}]"
    try:
        profile = Profile(
            name=name,
            description=" ".join(str(raw.get("description", "")).split()),
            wait_seconds=tuple(float(v) for v in raw["wait_seconds"]),
            spawn_rate=float(raw["spawn_rate"]),
            steps=tuple(Step(**step) for step in raw["steps"]),
            slo=_section(Slo, raw["slo"]),
            cloudwatch=_section(CloudWatch, raw.get("cloudwatch", {"enabled": False})),
            gateway=_section(Gateway, raw.get("gateway", {})),
            burst=_section(Burst, raw["burst"]) if "burst" in raw else None,
            capacity=_section(Capacity, raw["capacity"]) if "capacity" in raw else None,
        )
    except KeyError as exc:
        raise LoadTestError(f"{where}: missing setting {exc}") from None
    except (TypeError, ValueError) as exc:
        raise LoadTestError(f"{where}: {exc}") from None
    _validate(profile, where)
    return profile


def _read(path: Path) -> dict:
    try:
        return tomllib.loads(Path(path).read_text())
    except FileNotFoundError:
        raise LoadTestError(f"config file not found: {path}") from None
    except tomllib.TOMLDecodeError as exc:
        raise LoadTestError(f"{path}: {exc}") from None


def _section(cls, raw: dict):
    unknown = sorted(set(raw) - {f.name for f in fields(cls)})
    if unknown:
        raise ValueError(f"unknown setting(s) {', '.join(unknown)}")
    return cls(**raw)


def _validate(profile: Profile, where: str) -> None:
    problems = []
    low, high = profile.wait_seconds if len(profile.wait_seconds) == 2 else (-1, -2)
    if not 0 <= low <= high:
        problems.append("wait_seconds must be [low, high] with 0 <= low <= high")
    if profile.spawn_rate <= 0:
        problems.append("spawn_rate must be positive")
    if not profile.steps:
        problems.append("steps must not be empty")
    users = [step.users for step in profile.steps]
    if any(u < 1 for u in users) or users != sorted(set(users)):
        problems.append("step users must be positive and strictly increasing (a step load)")
    if any(step.seconds < MIN_STEP_S for step in profile.steps):
        problems.append(f"every step must last at least {MIN_STEP_S} s (the percentile window)")
    slo = profile.slo
    for name in ("max_failure_ratio", "max_throttle_ratio"):
        if not 0 <= getattr(slo, name) <= 1:
            problems.append(f"slo.{name} must be between 0 and 1")
    if slo.max_p95_growth < 1:
        problems.append("slo.max_p95_growth is a ratio and must be at least 1")
    if profile.cloudwatch.enabled and profile.gateway.enabled:
        problems.append("read Lambda metrics from cloudwatch or from the local gateway, not both")
    problems += _burst_problems(profile.burst) + _capacity_problems(profile.capacity)
    if problems:
        raise LoadTestError(f"{where}: {'; '.join(problems)}")


def _burst_problems(burst: Burst | None) -> list[str]:
    if burst is None:
        return []
    problems = []
    if not BURST_USERS[0] <= burst.users <= BURST_USERS[1]:
        problems.append(f"burst.users must be between {BURST_USERS[0]} and {BURST_USERS[1]}")
    low, high = BURST_REQUESTS_PER_USER
    if not low <= burst.requests_per_user <= high:
        problems.append(f"burst.requests_per_user must be between {low} and {high}")
    if not BURST_SECONDS[0] <= burst.seconds <= BURST_SECONDS[1]:
        problems.append(f"burst.seconds must be between {BURST_SECONDS[0]} and {BURST_SECONDS[1]}")
    if not 0 < burst.min_concurrency_ratio <= 1:
        problems.append("burst.min_concurrency_ratio must be in (0, 1]")
    if burst.max_p99_ms <= 0:
        problems.append("burst.max_p99_ms must be positive")
    return problems


def _capacity_problems(capacity: Capacity | None) -> list[str]:
    if capacity is None:
        return []
    problems = []
    if capacity.peak_rps <= 0:
        problems.append("capacity.peak_rps must be positive")
    if capacity.safety_factor < 1:
        problems.append("capacity.safety_factor must be at least 1")
    return problems
