"""report.md: the verdict first, then a table per step, the SLOs with margins, and the evidence.

Plain GitHub-flavoured Markdown, so the same file is readable in a terminal, in the run's
artifacts, and appended to $GITHUB_STEP_SUMMARY where the prod reviewer reads it.
"""

from dataclasses import dataclass, field

from loadtest.checks import Check, kinds_text
from loadtest.config import PERCENTILE_WINDOW_S, Profile
from loadtest.history import RunData
from loadtest.paths import LATENCY_PNG, LOCUST_HTML
from ops import lambda_cost


@dataclass
class Evaluation:
    profile: Profile
    meta: dict  # run.json: host, stage, backend, git_sha, times, locust version
    run: RunData
    checks: list[Check]
    cloudwatch: dict | None
    endpoints: list[dict] = field(default_factory=list)
    failure_messages: list[dict] = field(default_factory=list)

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
        _steps(ev),
        _slos(ev),
        _lambda(ev),
        _cost(ev),
        _endpoints(ev),
        _messages(ev),
        f"Files next to this report: `{LATENCY_PNG}` (latency and RPS over time), "
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
        target += f" (local gunicorn, MODEL_BACKEND={meta['backend']})"
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
    head = "### Lambda (CloudWatch)\n\n"
    if cw is None:
        return head + "Not collected: a local run has no Lambda function behind it.\n"
    if not cw.get("available"):
        return head + f"Not available: {cw.get('reason', 'unknown reason')}. Not gated.\n"
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
        "\n| minute | invocations | concurrency max | throttles | errors | duration avg | p95 |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for m in cw["minutes"]:
        lines.append(
            f"| {m['time']} | {_num(m.get('invocations'))} | {_num(m.get('concurrency_max'))} "
            f"| {_num(m.get('throttles'))} | {_num(m.get('errors'))} "
            f"| {_ms(m.get('duration_avg_ms'))} | {_ms(m.get('duration_p95_ms'))} |"
        )
    lines.append(
        "\nDurations are milliseconds; percentiles are the worst minute's (n/a where CloudWatch "
        "has none)." + (f" {cw['percentiles_note']}." if cw.get("percentiles_note") else "")
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
