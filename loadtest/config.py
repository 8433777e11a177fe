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
class Profile:
    name: str
    description: str
    wait_seconds: tuple[float, float]
    spawn_rate: float
    steps: tuple[Step, ...]
    slo: Slo
    cloudwatch: CloudWatch

    @property
    def total_seconds(self) -> int:
        return sum(step.seconds for step in self.steps)


def profile_names(path: Path = CONFIG_FILE) -> list[str]:
    return sorted(_read(path).get("profiles", {}))


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
    if problems:
        raise LoadTestError(f"{where}: {'; '.join(problems)}")
