"""Can the promoted stage carry its expected peak? Little's law on the measured run, against what
AWS says the account and the stage allow (capacity.json, loadtest.capacity_read).

- Lambda: concurrent executions needed = peak rate x p99 duration x safety factor, against the
  function's reserved concurrency if it has one, else the account's unreserved pool (shared by
  every function without a reservation in the account and Region);
- API Gateway: the stage's usage-plan throttle against the same peak x safety factor: its rate
  (requests per second) and its burst (the token bucket: at least one second of that peak).

Each shortfall is one check with one line saying what to raise and where. Pure: tested on
recorded inputs.
"""

import math
from dataclasses import dataclass

from loadtest.burst import point_epoch
from loadtest.checks import Check
from loadtest.config import Capacity

QUOTA_DOCS = "https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html"
QUOTA_REQUEST_DOCS = (
    "https://docs.aws.amazon.com/servicequotas/latest/userguide/request-quota-increase.html"
)
QUOTA_CODE = "L-B99A9384"  # Service Quotas: AWS Lambda, "Concurrent executions"
SETTINGS_FILE = "zappa_settings.json"  # each stage's usage_plan is there
ZAPPA_RESERVED = "lambda_concurrency"  # zappa_settings.json: the function's reserved concurrency


@dataclass(frozen=True)
class Duration:
    """The duration Little's law uses: a p99, and where it was measured."""

    p99_ms: float
    source: str


@dataclass(frozen=True)
class Row:
    """One line of the report's capacity table."""

    what: str
    needed: str
    available: str
    headroom: str
    ok: bool


def measured_duration(
    lambda_metrics: dict | None,
    client_p99_ms: float | None,
    burst_window: tuple[int, int] | None = None,
) -> Duration | None:
    """Lambda's own Duration p99 of the steady load, after the burst (whose first invocations
    after a cold start are the burst check's business, not the peak's): the local gateway's over
    every invocation since the burst, else the worst CloudWatch period that does not overlap the
    burst, else the whole run's. Without Lambda metrics, the client's p99 of the whole run, which
    also counts the network and API Gateway, so it overestimates (the safe side)."""
    if lambda_metrics and lambda_metrics.get("available"):
        source = _source(lambda_metrics)
        steady = lambda_metrics.get("steady") or {}
        if steady.get("duration_p99_ms") is not None:
            label = f"Lambda Duration p99 after the burst ({source})"
            return Duration(float(steady["duration_p99_ms"]), label)
        after = _periods_after(lambda_metrics, burst_window)
        if after:
            label = f"Lambda Duration p99, worst period after the burst ({source})"
            return Duration(max(after), label)
        summary = lambda_metrics.get("summary") or {}
        for key, label in (("duration_p99_ms", "p99"), ("duration_max_ms", "max")):
            if summary.get(key) is not None:
                return Duration(float(summary[key]), f"Lambda Duration {label} ({source})")
    if client_p99_ms is not None:
        return Duration(float(client_p99_ms), "client p99 of the run (includes the network)")
    return None


def _periods_after(metrics: dict, burst_window: tuple[int, int] | None) -> list[float]:
    if burst_window is None:
        return []
    return [  # periods that start after the burst's last second overlap it no more
        float(p["duration_p99_ms"])
        for p in metrics.get("points", [])
        if p.get("duration_p99_ms") is not None and point_epoch(p) >= burst_window[1] + 1
    ]


def needed_concurrency(capacity: Capacity, duration: Duration) -> int:
    return max(1, math.ceil(capacity.peak_rps * duration.p99_ms / 1000 * capacity.safety_factor))


def needed_rate(capacity: Capacity) -> float:
    return capacity.peak_rps * capacity.safety_factor


def evaluate(
    capacity: Capacity, record: dict | None, duration: Duration | None
) -> tuple[list[Check], list[Row]]:
    """The checks for the verdict and the rows for the report's capacity table."""
    stage = capacity.stage
    if record is None:
        return [_unknown("capacity", f"no capacity was read for {stage} (no {stage} record)")], []
    problems = list(record.get("errors") or [])
    checks: list[Check] = []
    rows: list[Row] = []
    if duration is None:
        problems.append("no duration was measured (no Lambda Duration, no client p99)")
    if record.get("account") and record.get("function_concurrency") and duration is not None:
        check, row = _lambda(capacity, record, duration)
        checks.append(check)
        rows.append(row)
    plan = record.get("usage_plan")
    if plan:
        for check, row in _usage_plan(capacity, plan):
            checks.append(check)
            rows.append(row)
    if problems:
        checks.append(_unknown("capacity inputs", "; ".join(problems)))
    return checks, rows


def _lambda(capacity: Capacity, record: dict, duration: Duration) -> tuple[Check, Row]:
    stage, function = capacity.stage, record["function"]
    account, config = record["account"], record["function_concurrency"]
    need = needed_concurrency(capacity, duration)
    formula = f"{capacity.peak_rps:g} req/s x {duration.p99_ms:.3g} ms x {capacity.safety_factor:g}"
    reserved = config.get("reserved")
    if reserved is not None:
        available, pool = int(reserved), f"{function}'s reserved concurrency"
        fix = (
            f"raise {stage}'s reserved concurrency to at least {need} "
            f"(`{ZAPPA_RESERVED}` of {stage} in zappa_settings.json)"
        )
    else:
        available = int(account["unreserved_concurrent_executions"])
        pool = (
            f"the account's unreserved pool (limit {account['concurrent_executions']}, "
            "shared by every function without a reservation)"
        )
        fix = (
            f"request a Lambda 'Concurrent executions' quota increase in Service Quotas "
            f"(quota code {QUOTA_CODE}) to at least "
            f"{account['concurrent_executions'] - available + need} "
            f"({QUOTA_DOCS}; {QUOTA_REQUEST_DOCS}), or release other functions' reservations"
        )
    headroom = available - need
    ok = headroom >= 0
    provisioned = int(config.get("provisioned") or 0)
    value = f"needs {need} ({formula}, {duration.source}); has {available} in {pool}"
    if provisioned:
        value += f"; {provisioned} provisioned"
    reason = (
        ""
        if ok
        else (
            f"{stage} needs {need} concurrent executions at its peak ({formula}) but "
            f"{pool} has {available}: {fix}"
        )
    )
    check = Check(f"{stage} Lambda concurrency", ok, value, f"≥ {need}", f"{headroom:+d}", reason)
    row = Row(
        f"Lambda concurrent executions ({stage})",
        f"{need}",
        f"{available}" + (f" ({provisioned} provisioned)" if provisioned else ""),
        f"{headroom:+d}",
        ok,
    )
    return check, row


def _usage_plan(capacity: Capacity, plan: dict) -> list[tuple[Check, Row]]:
    stage = capacity.stage
    need = needed_rate(capacity)
    results = []
    for key, label, wanted, unit in (
        ("rate_limit", "rate", need, "requests/s"),
        ("burst_limit", "burst", math.ceil(need), "requests"),
    ):
        limit = plan.get(key)
        where = (
            f"`usage_plan.{key}` of stage {stage} in {SETTINGS_FILE}, then "
            f"`make usage-plan STAGE={stage}`"
        )
        if limit is None:
            ok, available, headroom = True, "unthrottled", "n/a"
            margin = ""
        else:
            headroom_value = float(limit) - wanted
            ok = headroom_value >= 0
            available, headroom = f"{float(limit):g}", f"{headroom_value:+g}"
            margin = headroom
        reason = (
            ""
            if ok
            else (
                f"{stage}'s usage plan {plan['name']} allows a {label} of {float(limit):g} {unit}, "
                f"under the {wanted:g} its peak needs ({capacity.peak_rps:g} req/s x "
                f"{capacity.safety_factor:g}): raise {where}"
            )
        )
        check = Check(
            f"{stage} usage-plan {label}",
            ok,
            f"{available} {unit} ({plan.get('source', 'API Gateway')})",
            f"≥ {wanted:g} {unit}",
            margin,
            reason,
        )
        row = Row(
            f"usage-plan {label} ({plan['name']})",
            f"{wanted:g} {unit}",
            available,
            headroom,
            ok,
        )
        results.append((check, row))
    return results


def _unknown(name: str, why: str) -> Check:
    return Check(
        name,
        False,
        "unknown",
        "known",
        "",
        f"could not tell whether the stage can carry its peak: {why}",
    )


def _source(metrics: dict) -> str:
    return metrics.get("source") or "CloudWatch"
