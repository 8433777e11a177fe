"""report.md: the verdict first, then a table per step, the SLOs with margins, and the evidence.

Plain GitHub-flavoured Markdown, so the same file is readable in a terminal, in the run's
artifacts, and appended to $GITHUB_STEP_SUMMARY where the prod reviewer reads it.
"""

from dataclasses import dataclass, field

from loadtest.burst import BurstStats, lambda_in_burst, needed_concurrency
from loadtest.capacity import Duration, Row, needed_rate
from loadtest.checks import Check, kinds_text
from loadtest.config import PERCENTILE_WINDOW_S, Capacity, Profile
from loadtest.history import RunData
from loadtest.paths import LATENCY_PNG, LOCUST_HTML
from ops import lambda_cost

PER_PERIOD_ROWS = 30  # a longer per-period table (the gateway's seconds) is left to the chart


@dataclass(frozen=True)
class CapacityView:
    capacity: Capacity
    duration: Duration | None
    rows: list[Row]


@dataclass
class Evaluation:
    profile: Profile
    meta: dict  # run.json: host, stage, backend, git_sha, times, locust version
    run: RunData
    checks: list[Check]
    cloudwatch: dict | None  # the Lambda metrics: CloudWatch's, or the local gateway's
    endpoints: list[dict] = field(default_factory=list)
    failure_messages: list[dict] = field(default_factory=list)
    burst: BurstStats | None = None
    capacity: CapacityView | None = None

    @property
    def passed(self) -> bool:
        return all(check.ok for check in self.checks)

    @property
    def failed(self) -> list[Check]:
        return [check for check in self.checks if not check.ok]


def render(ev: Evaluation) -> str:
    parts = [
        _verdict(ev),
        _about(ev),
        _capacity(ev),
        _burst(ev),
        _steps(ev),
        _slos(ev),
        _lambda(ev),
        _cost(ev),
        _endpoints(ev),
        _messages(ev),
        f"Files next to this report: `{LATENCY_PNG}` (latency with the SLO limits, concurrent "
        "executions, RPS over time), "
        f"`{LOCUST_HTML}` (Locust's own report), `locust_*.csv` (the raw numbers).\n",
    ]
    return "\n".join(part for part in parts if part)


def _verdict(ev: Evaluation) -> str:
    name = ev.profile.name
    if ev.passed:
        return f"## ✅ Load test PASSED (profile `{name}`): all {len(ev.checks)} checks met\n"
    lines = [
        f"## ❌ Load test FAILED (profile `{name}`): {len(ev.failed)} of {len(ev.checks)} "
        "checks missed\n"
    ]
    lines += [f"- **{check.name}**: {check.reason}" for check in ev.failed]
    return "\n".join(lines) + "\n"


def _about(ev: Evaluation) -> str:
    meta, totals = ev.meta, ev.run.totals
    target = meta.get("host", "?")
    if meta.get("backend"):
        target += f" (local gunicorn, {meta['backend']} backend)"
    rows = [
        ("target", target),
        ("stage", meta.get("stage") or "none"),
        ("commit", (meta.get("git_sha") or "unknown")[:12]),
        ("deployed (GET /version)", _deployed(meta.get("deployed") or {})),
        (
            "run",
            f"{meta.get('started_at', '?')}, {totals.seconds} s, {totals.requests} requests, "
            f"Locust {meta.get('locust_version', '?')}{_distribution(meta)}",
        ),
    ]
    table = "| | |\n|---|---|\n" + "".join(f"| {k} | {v} |\n" for k, v in rows)
    note = f"\n> {ev.profile.description}\n" if ev.profile.description else ""
    return table + note


def _deployed(deployed: dict) -> str:
    if not deployed:
        return "not recorded"
    return ", ".join(f"{key} {str(value)[:12]}" for key, value in deployed.items() if value)


def _distribution(meta: dict) -> str:
    if meta.get("processes"):
        return f", {meta['processes']} worker processes"
    if meta.get("expect_workers"):
        return f", master with {meta['expect_workers']} workers"
    return ""


def _capacity(ev: Evaluation) -> str:
    view = ev.capacity
    if view is None:
        return ""
    c = view.capacity
    duration = (
        f"{view.duration.p99_ms:.3g} ms ({view.duration.source})" if view.duration else "unknown"
    )
    lines = [
        f"### Capacity: can `{c.stage}` carry its peak?\n",
        f"Expected peak {c.peak_rps:g} requests/s (config), duration {duration}, safety factor "
        f"{c.safety_factor:g}: Lambda needs peak x duration x factor concurrent executions "
        f"(Little's law); the usage plan must admit {needed_rate(c):g} requests/s.\n",
        "| capacity | needed | available | headroom | |",
        "|---|---:|---:|---:|---|",
    ]
    for row in view.rows:
        mark = "✅" if row.ok else "❌"
        lines.append(f"| {row.what} | {row.needed} | {row.available} | {row.headroom} | {mark} |")
    if not view.rows:
        lines.append("| (not read: see the verdict) | | | | ❌ |")
    return "\n".join(lines) + "\n"


def _burst(ev: Evaluation) -> str:
    b, config = ev.burst, ev.profile.burst
    if b is None or config is None:
        return ""
    head = f"### Burst: {b.users} users at once from idle, no think time, {b.planned_seconds} s\n"
    if not b.observed:
        return head + "\nThe burst did not run.\n"
    seen = lambda_in_burst(ev.cloudwatch, b.window)
    peak = (
        f"{seen.concurrency_peak:g} ({seen.source})"
        if seen.available and seen.concurrency_peak is not None
        else f"no evidence: {seen.reason}"
    )
    lines = [
        head,
        "| requests | p50 ms | p95 ms | p99 ms | max ms | failures | peak concurrency | needed |",
        "|---:|---:|---:|---:|---:|---|---|---:|",
        f"| {b.requests} | {_ms(b.p50)} | {_ms(b.p95)} | {_ms(b.p99)} | {_ms(b.max_ms)} "
        f"| {kinds_text(b.kinds)} | {peak} | ≥ {needed_concurrency(config)} |",
        "\nPercentiles over every burst request (Locust's whole-run statistics for "
        "`/predict [burst]`); peak concurrency is the highest ConcurrentExecutions of the "
        "Lambda metrics' periods that overlap the burst.",
    ]
    return "\n".join(lines) + "\n"


def _steps(ev: Evaluation) -> str:
    lines = [
        "### Steps\n",
        "| step | users | seconds | requests | RPS | p50 ms | p95 ms | p99 ms | max ms "
        "| failures |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    fallback = False
    for s in ev.run.steps:
        if not s.observed:
            lines.append(
                f"| {s.index} | {s.users} | {s.planned_seconds} | not reached | | | | | | |"
            )
            continue
        mark = "" if s.windows else "*"
        fallback = fallback or not s.windows
        lines.append(
            f"| {s.index} | {s.users} | {s.seconds:.0f} | {s.requests} | {s.rps:.1f} "
            f"| {_ms(s.p50)}{mark} | {_ms(s.p95)}{mark} | {_ms(s.p99)}{mark} | {_ms(s.max_ms)} "
            f"| {kinds_text(s.kinds)} |"
        )
    lines.append(
        f"\nPercentiles per step are the median of Locust's {PERCENTILE_WINDOW_S} s windows that "
        "lie inside the step; max is the largest window maximum; failures count by kind "
        "(403, 429, 5xx, other 4xx, bad content, network)."
    )
    if fallback:
        lines.append(
            f"\\* step shorter than {PERCENTILE_WINDOW_S} s after ramp-up: its last window, "
            "which overlaps the ramp-up."
        )
    return "\n".join(lines) + "\n"


def _slos(ev: Evaluation) -> str:
    lines = ["### SLOs\n", "| check | result | value | limit | margin |", "|---|---|---|---|---|"]
    for c in ev.checks:
        result = "✅ met" if c.ok else "❌ missed"
        lines.append(f"| {c.name} | {result} | {c.value} | {c.limit} | {c.margin} |")
    return "\n".join(lines) + "\n"


def _lambda(ev: Evaluation) -> str:
    cw = ev.cloudwatch
    source = (cw or {}).get("source") or "CloudWatch"
    head = f"### Lambda ({source})\n\n"
    if cw is None:
        return head + "Not collected: a local run has no Lambda function behind it.\n"
    if not cw.get("available"):
        gated = "The burst's scale-out check fails without it" if ev.burst else "Not gated"
        return head + f"Not available: {cw.get('reason', 'unknown reason')}. {gated}.\n"
    s = cw["summary"]
    lines = [
        head
        + f"`{cw['function']}`, {cw['start']} to {cw['end']}, per {cw['period_seconds']} s"
        + ("" if cw.get("complete") else " (the last minute had not landed yet)")
        + ".\n",
        "| invocations | errors | throttles | max concurrency | duration avg | max | p95 | p99 |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
        f"| {s['invocations']:g} | {s['errors']:g} | {s['throttles']:g} "
        f"| {_num(s['concurrency_max'])} | {_ms(s['duration_avg_ms'])} "
        f"| {_ms(s['duration_max_ms'])} | {_ms(s.get('duration_p95_ms'))} "
        f"| {_ms(s.get('duration_p99_ms'))} |",
    ]
    points = cw.get("points", [])
    if len(points) <= PER_PERIOD_ROWS:
        lines += [
            "\n| period | invocations | concurrency max | throttles | errors | duration avg "
            "| p95 |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        for m in points:
            lines.append(
                f"| {m['time']} | {_num(m.get('invocations'))} "
                f"| {_num(m.get('concurrency_max'))} | {_num(m.get('throttles'))} "
                f"| {_num(m.get('errors'))} | {_ms(m.get('duration_avg_ms'))} "
                f"| {_ms(m.get('duration_p95_ms'))} |"
            )
    else:
        lines.append(f"\n{len(points)} periods: concurrency over time is in `{LATENCY_PNG}`.")
    lines.append(
        "\nDurations are milliseconds; percentiles are the worst period's where the source can't "
        "merge them (n/a where it has none)."
        + (f" {cw['percentiles_note']}." if cw.get("percentiles_note") else "")
    )
    return "\n".join(lines) + "\n"


def _cost(ev: Evaluation) -> str:
    """USD per million predictions at each stage's memory size: Lambda's own average duration
    when CloudWatch has it, else the package check's warm p50 for this stage's build."""
    cw = ev.cloudwatch or {}
    duration = (cw.get("summary") or {}).get("duration_avg_ms") if cw.get("available") else None
    source = "CloudWatch's average Lambda duration in this run"
    if duration is None:
        duration = lambda_cost.measured_warm_ms(ev.meta.get("stage"))
        source = "the package check's warm /predict p50 (dist/STAGE-check.json)"
    if duration is None:
        return ""
    return "### Cost\n\n" + lambda_cost.markdown(duration, source)


def _endpoints(ev: Evaluation) -> str:
    if not ev.endpoints:
        return ""
    lines = [
        "### Requests by name (whole run)\n",
        "| request | count | failures | p50 ms | p95 ms | p99 ms | max ms |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for e in ev.endpoints:
        lines.append(
            f"| {e['name']} | {e['requests']} | {e['failures']} | {_ms(e['p50'])} "
            f"| {_ms(e['p95'])} | {_ms(e['p99'])} | {_ms(e['max_ms'])} |"
        )
    return "\n".join(lines) + "\n"


def _messages(ev: Evaluation) -> str:
    if not ev.failure_messages:
        return ""
    lines = ["### Failure messages (Locust)\n", "| request | message | count |", "|---|---|---:|"]
    for f in ev.failure_messages:
        lines.append(f"| {f['name']} | {f['message'].replace('|', '/')} | {f['count']} |")
    return "\n".join(lines) + "\n"


def _ms(value) -> str:
    if value is None:
        return "n/a"
    return f"{value:.0f}" if value >= 10 or float(value).is_integer() else f"{value:.1f}"


def _num(value) -> str:
    return "n/a" if value is None else f"{value:g}"
