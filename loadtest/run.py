"""`python -m loadtest.run`: one load test from start to verdict, the same locally and in CI.

Target: --host URL; else --stage's URL from `python -m ops url STAGE`; else the API started here
under gunicorn on a free 127.0.0.1 port (stopped again on every exit path). Then: a pre-flight
GET /version, the profile's step load in a Locust child process, the stage's Lambda metrics from
CloudWatch (real stages), and the gate, whose report is printed and, in GitHub Actions, appended
to the job summary. Exit codes as the gate's: 0 passed, 1 an SLO missed, 2 could not run.
"""

import datetime as dt
import os
import signal
import sys
from pathlib import Path

import click

from loadtest import capacity_read, cloudwatch, gate, gateway_metrics
from loadtest.apikey import resolve_api_key
from loadtest.config import Profile, load_profile
from loadtest.errors import LoadTestError
from loadtest.launcher import Distribution
from loadtest.options import config_option
from loadtest.paths import (
    CAPACITY_JSON,
    LAMBDA_METRICS_JSON,
    LATENCY_PNG,
    LOCUST_HTML,
    REPORT_MD,
    REPORTS_DIR,
)
from loadtest.session import execute, say, stamp
from loadtest.target import stage_url
from project import function_name
from project.atomic import replacing, write_json


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--profile",
    "profile_name",
    help="Profile in loadtest/config.toml [default: the stage's name, else local].",
)
@click.option(
    "--stage",
    help="Stage whose API key secret and Lambda metrics are used; with no --host, its URL "
    "comes from `python -m ops url STAGE`.",
)
@click.option(
    "--host",
    help="Base URL to load (http://127.0.0.1:PORT or a stage URL). Without --host and "
    "--stage: start the API locally.",
)
@click.option(
    "--backend",
    type=click.Choice(["onnx", "sklearn"]),
    default="onnx",
    show_default=True,
    help="What the local server serves: the ONNX app, or the scikit-learn pipeline (benchmarks).",
)
@click.option(
    "--server-workers",
    type=click.IntRange(1, 16),
    default=2,
    show_default=True,
    help="gunicorn workers of the local server.",
)
@click.option(
    "--processes",
    type=click.IntRange(-1),
    default=0,
    help="Fork N Locust worker processes on this machine (-1: one per core).",
)
@click.option(
    "--expect-workers",
    type=click.IntRange(0),
    default=0,
    help="Be a Locust master and wait for N workers (other machines; see loadtest/README.md).",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Results directory [default: reports/loadtest/PROFILE-TIME].",
)
@click.option(
    "--expect-sha",
    help="Fail before the load unless GET /version reports this git SHA (the commit under test).",
)
@config_option
def main(
    profile_name: str | None,
    stage: str | None,
    host: str | None,
    backend: str,
    server_workers: int,
    processes: int,
    expect_workers: int,
    out_dir: Path | None,
    expect_sha: str | None,
    config_path: Path,
) -> None:
    """Run the step load against a target, then gate it on the profile's SLOs."""
    signal.signal(signal.SIGTERM, _interrupt)  # CI cancelling a job: still stop what we started
    profile = load_profile(profile_name or stage or "local", config_path)
    distribution = Distribution(processes=processes, expect_workers=expect_workers)
    distribution.options()  # reject impossible combinations before starting anything
    api_key = resolve_api_key(stage)
    if not host and stage:
        host = stage_url(stage)
    out_dir = out_dir or REPORTS_DIR / f"{profile.name}-{stamp()}"
    try:
        session = execute(
            profile,
            out_dir,
            host=host,
            stage=stage,
            api_key=api_key,
            backend=backend,
            server_workers=server_workers,
            distribution=distribution,
            config_path=config_path,
            expect_sha=expect_sha,
        )
    except KeyboardInterrupt:  # the context managers have stopped Locust and the server by now
        raise LoadTestError("interrupted: Locust and the local server were stopped") from None
    metrics = _lambda_metrics(profile, stage, session)
    if metrics is not None:
        write_json(out_dir / LAMBDA_METRICS_JSON, metrics, sort_keys=True)
    if profile.capacity is not None and stage:  # a stage: AWS (or the rehearsal's endpoint)
        say(f"reading what {profile.capacity.stage} can carry (account, function, usage plan)")
        write_json(
            out_dir / CAPACITY_JSON, capacity_read.read(profile.capacity.stage), sort_keys=True
        )
    evaluation = gate.evaluate_dir(out_dir, profile.name, config_path)
    text = gate.write_outputs(out_dir, evaluation)
    click.echo(text)
    _append_job_summary(text)
    _point_latest(out_dir)
    say(f"report: {out_dir / REPORT_MD}\nchart: {out_dir / LATENCY_PNG}")
    say(f"Locust's report: {out_dir / LOCUST_HTML}")
    if not evaluation.passed:
        sys.exit(1)


def _lambda_metrics(profile: Profile, stage: str | None, session) -> dict | None:
    """CloudWatch's for a real stage; the local stage gateway's when the profile says the host
    is one (the rehearsal)."""
    started, finished = session.started, session.finished
    if profile.gateway.enabled:
        say("reading the local stage gateway's function metrics")
        steady_since = started + dt.timedelta(seconds=profile.burst_seconds)
        return gateway_metrics.collect(session.meta["host"], started, finished, steady_since)
    if not stage:
        return None  # the report says: a local run has no Lambda behind it
    if not profile.cloudwatch.enabled:
        return cloudwatch.unavailable(f"profile {profile.name} does not read CloudWatch")
    name = function_name(stage)
    say(f"reading {name}'s Lambda metrics (waiting up to {profile.cloudwatch.wait_seconds} s)")
    return cloudwatch.collect(name, started, finished, profile.cloudwatch.wait_seconds)


def _point_latest(out_dir: Path) -> None:
    """reports/loadtest/latest -> the newest results directory made with the default path."""
    if out_dir.resolve().parent != REPORTS_DIR.resolve():
        return
    with replacing(REPORTS_DIR / "latest") as link:
        link.symlink_to(out_dir.name)


def _append_job_summary(text: str) -> None:
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary:
        with open(summary, "a", encoding="utf-8") as f:
            f.write(text + "\n")


def _interrupt(_signum, _frame) -> None:
    raise KeyboardInterrupt


if __name__ == "__main__":
    main()
