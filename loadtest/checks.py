"""The SLOs applied to a run: one Check per rule, each with its value, limit, margin and reason.

Pure functions of the derived numbers (loadtest.history) and, on real stages, the Lambda metrics
(loadtest.cloudwatch): no I/O, so each failure kind is tested on small recorded fixtures.
"""

from dataclasses import asdict, dataclass

from loadtest.config import Slo
from loadtest.history import RunData, StepStats, failures_by_kind
from loadtest.outcomes import FAILURE_KINDS


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    value: str
    limit: str
    margin: str
    reason: str = ""  # why it failed, one line; empty when it passed

    def to_dict(self) -> dict:
        return asdict(self)


def evaluate(run: RunData, slo: Slo, lambda_metrics: dict | None = None) -> list[Check]:
    checks = [
        _steps(run.steps),
        _failures(run, slo),
        _throttles(run, slo),
        _worst_step(run.steps, "p95", slo.max_p95_ms),
        _worst_step(run.steps, "p99", slo.max_p99_ms),
        _growth(run.steps, slo),
        _throughput(run.steps, slo),
        _cold_start(run, slo),
    ]
    if lambda_metrics and lambda_metrics.get("available"):
        checks += _lambda(lambda_metrics, run.totals.requests, slo)
    return checks


def kinds_text(kinds: dict[str, int]) -> str:
    """Failures by kind, e.g. "429: 12, 5xx: 3", or "0"."""
    failures = failures_by_kind(kinds)
    return ", ".join(f"{FAILURE_KINDS[k]}: {n}" for k, n in failures.items()) or "0"


def _steps(steps: list[StepStats]) -> Check:
    missing = [s for s in steps if not s.observed]
    value = f"{len(steps) - len(missing)} of {len(steps)} steps ran"
    reason = ""
    if missing:
        names = ", ".join(f"step {s.index} ({s.users} users)" for s in missing)
        reason = f"{names} never reached its user count (workers missing or run cut short?)"
    return Check("steps", not missing, value, "all steps", "", reason)


def _failures(run: RunData, slo: Slo) -> Check:
    kinds = run.totals.kinds
    total = sum(kinds.values())
    errors = {k: n for k, n in failures_by_kind(kinds).items() if k != "throttled"}
    count = sum(errors.values())
    if total == 0:
        return Check(
            "failures",
            False,
            "no requests",
            pct(slo.max_failure_ratio),
            "",
            "no requests were recorded: is the host right and the server up?",
        )
    ratio = count / total
    ok = ratio <= slo.max_failure_ratio
    reason = (
        ""
        if ok
        else (
            f"{pct(ratio)} of {total} requests failed ({kinds_text(errors)}), "
            f"over the {pct(slo.max_failure_ratio)} allowed"
        )
    )
    return Check(
        "failures",
        ok,
        f"{pct(ratio)} ({count})",
        f"≤ {pct(slo.max_failure_ratio)}",
        pp(slo.max_failure_ratio - ratio),
        reason,
    )


def _throttles(run: RunData, slo: Slo) -> Check:
    total = sum(run.totals.kinds.values())
    count = run.totals.kinds.get("throttled", 0)
    ratio = count / total if total else 0.0
    ok = ratio <= slo.max_throttle_ratio
    reason = (
        ""
        if ok
        else (
            f"{count} of {total} requests were throttled (429), {pct(ratio)} over the "
            f"{pct(slo.max_throttle_ratio)} budget"
        )
    )
    return Check(
        "throttles (429)",
        ok,
        f"{pct(ratio)} ({count})",
        f"≤ {pct(slo.max_throttle_ratio)}",
        pp(slo.max_throttle_ratio - ratio),
        reason,
    )


def _worst_step(steps: list[StepStats], which: str, limit: float) -> Check:
    measured = [s for s in steps if getattr(s, which) is not None]
    if not measured:
        return Check(which, False, "no data", f"≤ {limit:g} ms", "", f"no {which} was recorded")
    worst = max(measured, key=lambda s: getattr(s, which))
    value = getattr(worst, which)
    ok = value <= limit
    reason = (
        ""
        if ok
        else (
            f"{which} was {value:g} ms at step {worst.index} ({worst.users} users), "
            f"over the {limit:g} ms limit"
        )
    )
    return Check(
        f"{which} (worst step)",
        ok,
        f"{value:g} ms at {worst.users} users",
        f"≤ {limit:g} ms",
        f"{limit - value:+g} ms",
        reason,
    )


def _growth(steps: list[StepStats], slo: Slo) -> Check:
    """The scaling check: p95 at the last step against the first, as a ratio, with a floor."""
    measured = [s for s in steps if s.p95 is not None]
    limit = f"≤ x{slo.max_p95_growth:g} or ≤ +{slo.p95_growth_floor_ms:g} ms"
    if len(measured) < 2:
        return Check("p95 growth", False, "no data", limit, "", "p95 needs two steps to compare")
    first, last = measured[0], measured[-1]
    delta = last.p95 - first.p95
    ratio = last.p95 / first.p95 if first.p95 > 0 else (1.0 if last.p95 <= 0 else float("inf"))
    ok = ratio <= slo.max_p95_growth or delta <= slo.p95_growth_floor_ms
    value = f"x{ratio:.2f} ({first.p95:g} → {last.p95:g} ms, {first.users} → {last.users} users)"
    reason = (
        ""
        if ok
        else (
            f"p95 grew x{ratio:.2f} from {first.p95:g} ms ({first.users} users) to {last.p95:g} ms "
            f"({last.users} users): over x{slo.max_p95_growth:g} and by more than "
            f"{slo.p95_growth_floor_ms:g} ms, so latency does not stay flat as concurrency grows"
        )
    )
    return Check("p95 growth", ok, value, limit, f"{slo.max_p95_growth - ratio:+.2f}x", reason)


def _throughput(steps: list[StepStats], slo: Slo) -> Check:
    observed = [s for s in steps if s.observed]
    if not observed:
        return Check("throughput", False, "no data", f"≥ {slo.min_rps:g} RPS", "", "no step ran")
    last = observed[-1]
    ok = last.rps >= slo.min_rps
    reason = (
        ""
        if ok
        else (
            f"{last.rps:.1f} RPS at the busiest step ({last.users} users), "
            f"under the {slo.min_rps:g} RPS minimum"
        )
    )
    return Check(
        "throughput (last step)",
        ok,
        f"{last.rps:.1f} RPS at {last.users} users",
        f"≥ {slo.min_rps:g} RPS",
        f"{last.rps - slo.min_rps:+.1f} RPS",
        reason,
    )


def _cold_start(run: RunData, slo: Slo) -> Check:
    slowest = run.totals.max_ms
    ok = slowest <= slo.cold_start_ms
    reason = (
        ""
        if ok
        else (
            f"the slowest request took {slowest:.0f} ms, over the {slo.cold_start_ms:g} ms "
            "cold-start budget"
        )
    )
    return Check(
        "cold start (slowest request)",
        ok,
        f"{slowest:.0f} ms",
        f"≤ {slo.cold_start_ms:g} ms",
        f"{slo.cold_start_ms - slowest:+.0f} ms",
        reason,
    )


def _lambda(metrics: dict, requests: int, slo: Slo) -> list[Check]:
    summary, source = metrics["summary"], metrics.get("source") or "CloudWatch"
    checks = []
    for key, name, limit in (
        ("throttles", "Lambda throttles", slo.max_throttle_ratio),
        ("errors", "Lambda errors", slo.max_failure_ratio),
    ):
        count = summary.get(key) or 0
        ratio = count / requests if requests else 0.0
        ok = ratio <= limit
        reason = (
            ""
            if ok
            else (
                f"{source} counted {count:g} {name.split()[1]} for {requests} requests "
                f"({pct(ratio)}), over {pct(limit)}"
            )
        )
        checks.append(
            Check(
                name,
                ok,
                f"{pct(ratio)} ({count:g})",
                f"≤ {pct(limit)}",
                pp(limit - ratio),
                reason,
            )
        )
    return checks


def pct(ratio: float) -> str:
    return f"{ratio * 100:.2f}%"


def pp(difference: float) -> str:
    return f"{difference * 100:+.2f} pp"
