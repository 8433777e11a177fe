"""One load-test session: the target (a given host, or the API started here), the pre-flight
call, the step load, and run.json, which tells the gate and the report what was run against what.
"""

import datetime as dt
import os
from contextlib import ExitStack
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

import click

from loadtest.config import Profile
from loadtest.launcher import Distribution, run_locust
from loadtest.paths import (
    CAPACITY_JSON,
    GATE_JSON,
    LAMBDA_METRICS_JSON,
    LATENCY_PNG,
    LOCUST_HTML,
    REPORT_MD,
    RUN_JSON,
    SERVER_LOG,
    STATUS_CSV,
)
from loadtest.server import LocalServer
from loadtest.target import check_deployed, normalise, preflight
from project.atomic import write_json

STALE = (
    RUN_JSON,
    LAMBDA_METRICS_JSON,
    CAPACITY_JSON,
    REPORT_MD,
    LATENCY_PNG,
    GATE_JSON,
    STATUS_CSV,
    LOCUST_HTML,
)


@dataclass(frozen=True)
class Session:
    meta: dict
    started: dt.datetime
    finished: dt.datetime


def execute(
    profile: Profile,
    out_dir: Path,
    *,
    host: str | None = None,
    stage: str | None = None,
    api_key: str | None = None,
    backend: str = "onnx",
    server_workers: int = 2,
    distribution: Distribution | None = None,
    config_path: Path | None = None,
    expect_sha: str | None = None,
) -> Session:
    """Run the profile's step load; without a host, against the API served here for the run."""
    distribution = distribution or Distribution()
    prepare(out_dir)
    meta = {
        "profile": profile.name,
        "stage": stage,
        "steps": [{"users": s.users, "seconds": s.seconds} for s in profile.steps],
        "git_sha": os.environ.get("GIT_SHA") or None,
        "locust_version": version("locust"),  # the distribution's metadata, no `import locust`
        "processes": distribution.processes,
        "expect_workers": distribution.expect_workers,
    }
    with ExitStack() as stack:
        if host:
            host = normalise(host)
        else:
            server = stack.enter_context(
                LocalServer(out_dir / SERVER_LOG, backend=backend, workers=server_workers)
            )
            host, meta["backend"] = server.url, backend
            say(f"local API ({backend}, {server_workers} gunicorn workers) at {host}")
        meta["host"] = host
        meta["deployed"] = preflight(host, api_key)
        check_deployed(meta["deployed"], expect_sha)
        steps = " -> ".join(str(step.users) for step in profile.steps)
        burst = f"burst of {profile.burst.users}, then " if profile.burst else ""
        say(
            f"step load '{profile.name}': {burst}{steps} users, {profile.total_seconds} s "
            f"-> {out_dir}"
        )
        started = now()
        run_locust(
            profile,
            host,
            out_dir,
            stage=stage,
            api_key=api_key,
            config_path=config_path,
            distribution=distribution,
        )
        finished = now()
    meta.update(started_at=iso(started), finished_at=iso(finished))
    write_json(out_dir / RUN_JSON, meta, sort_keys=True)
    return Session(meta, started, finished)


def prepare(out_dir: Path) -> None:
    """Create the results directory; drop what an earlier run left there, so nothing is stale."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for name in STALE:
        (out_dir / name).unlink(missing_ok=True)


def say(message: str) -> None:
    """Progress goes to stderr; stdout carries the report."""
    click.echo(message, err=True)


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def stamp() -> str:
    return now().strftime("%Y%m%dT%H%M%SZ")


def iso(moment: dt.datetime) -> str:
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")
