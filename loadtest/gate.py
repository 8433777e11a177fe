"""`python -m loadtest.gate RESULTS_DIR`: judge a finished run, write its report, exit 1 on a miss.

Reads Locust's CSV output (plus run.json, lambda_metrics.json and capacity.json when the runner
wrote them), derives per-step numbers (loadtest.history), applies the profile's SLOs
(loadtest.checks), the burst's (loadtest.burst) and the capacity check (loadtest.capacity), and
writes report.md, latency.png and gate.json into RESULTS_DIR. Exit codes: 0 passed, 1 an SLO was
missed, 2 the results could not be read.
"""

import sys
from pathlib import Path

import click

from loadtest import burst, capacity, chart, checks, history, report
from loadtest.config import Step, load_profile
from loadtest.errors import LoadTestError
from loadtest.files import read_json
from loadtest.options import config_option
from loadtest.paths import (
    CAPACITY_JSON,
    CONFIG_FILE,
    FAILURES_CSV,
    GATE_JSON,
    HISTORY_CSV,
    LAMBDA_METRICS_JSON,
    LATENCY_PNG,
    REPORT_MD,
    RUN_JSON,
    STATS_CSV,
    STATUS_CSV,
)
from project.atomic import write_json, write_text


def evaluate_dir(
    results_dir: Path, profile_name: str | None = None, config_path: Path = CONFIG_FILE
) -> report.Evaluation:
    results_dir = Path(results_dir)
    if not results_dir.is_dir():
        raise LoadTestError(f"results directory not found: {results_dir}")
    meta = read_json(results_dir / RUN_JSON) or {}
    name = profile_name or meta.get("profile")
    if not name:
        raise LoadTestError(f"{results_dir} has no {RUN_JSON}; pass --profile")
    profile = load_profile(name, config_path)
    steps = [Step(**step) for step in meta["steps"]] if meta.get("steps") else list(profile.steps)
    run = history.derive(
        history.read_history(results_dir / HISTORY_CSV),
        history.read_status(results_dir / STATUS_CSV),
        steps,
    )
    lambda_metrics = read_json(results_dir / LAMBDA_METRICS_JSON)
    endpoints = _optional(history.read_endpoints, results_dir / STATS_CSV)
    messages = _optional(history.read_failure_messages, results_dir / FAILURES_CSV)
    found = checks.evaluate(run, profile.slo, lambda_metrics)
    burst_stats = None
    if profile.burst is not None:
        burst_stats = burst.derive(profile.burst, endpoints, messages, run.burst_window)
        found += burst.evaluate(burst_stats, profile.burst, profile.slo, lambda_metrics)
    capacity_view = None
    if profile.capacity is not None:
        aggregated = next((e for e in endpoints if e["name"] == "Aggregated"), {})
        duration = capacity.measured_duration(
            lambda_metrics, aggregated.get("p99"), run.burst_window
        )
        capacity_checks, rows = capacity.evaluate(
            profile.capacity, read_json(results_dir / CAPACITY_JSON), duration
        )
        found += capacity_checks
        capacity_view = report.CapacityView(profile.capacity, duration, rows)
    return report.Evaluation(
        profile=profile,
        meta=meta,
        run=run,
        checks=found,
        cloudwatch=lambda_metrics,
        endpoints=endpoints,
        failure_messages=messages,
        burst=burst_stats,
        capacity=capacity_view,
    )


def write_outputs(results_dir: Path, evaluation: report.Evaluation) -> str:
    """report.md, latency.png and gate.json; returns the report's text."""
    results_dir = Path(results_dir)
    text = report.render(evaluation)
    write_text(results_dir / REPORT_MD, text)
    chart.render(
        evaluation.run,
        results_dir / LATENCY_PNG,
        f"{evaluation.profile.name}: {evaluation.meta.get('host', '')}",
        profile=evaluation.profile,
        lambda_metrics=evaluation.cloudwatch,
    )
    write_json(
        results_dir / GATE_JSON,
        {
            "passed": evaluation.passed,
            "profile": evaluation.profile.name,
            "checks": [check.to_dict() for check in evaluation.checks],
        },
        sort_keys=True,
    )
    return text


def _optional(reader, path: Path) -> list:
    return reader(path) if path.exists() else []


@click.command()
@click.argument("results_dir", type=click.Path(path_type=Path, file_okay=False))
@click.option("--profile", "profile_name", help="Profile whose SLOs apply [default: run.json's].")
@config_option
def main(results_dir: Path, profile_name: str | None, config_path: Path) -> None:
    """Apply the SLOs to a finished run's CSVs; write report.md, latency.png and gate.json."""
    evaluation = evaluate_dir(results_dir, profile_name, config_path)
    click.echo(write_outputs(results_dir, evaluation))
    click.echo(f"wrote {results_dir / REPORT_MD}, {results_dir / LATENCY_PNG}")
    if not evaluation.passed:
        sys.exit(1)


if __name__ == "__main__":
    main()
