"""`python -m loadtest.bench`: the ONNX and scikit-learn backends under the same step load.

For each backend: the API under gunicorn on loopback, the `bench` profile (no think time, so users
are concurrent requests, doubling per step), then the highest step throughput whose p95 stays
within the profile's max_p95_ms, and the ratio between backends. Locust shares the machine's
cores with the server, so these numbers describe this machine, not Lambda. A benchmark prints
numbers; it does not pass or fail.
"""

from pathlib import Path

import click

from loadtest import gate
from loadtest.config import load_profile
from loadtest.history import StepStats, failures_by_kind
from loadtest.options import config_option
from loadtest.paths import REPORTS_DIR
from loadtest.session import execute, say, stamp

BACKENDS = ("onnx", "sklearn")


def sustained(steps: list[StepStats], max_p95_ms: float) -> StepStats | None:
    """The step with the most RPS among those with p95 within the bound and no failures."""
    good = [
        s
        for s in steps
        if s.observed
        and s.p95 is not None
        and s.p95 <= max_p95_ms
        and not failures_by_kind(s.kinds)
    ]
    return max(good, key=lambda s: s.rps, default=None)


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--profile", "profile_name", default="bench", show_default=True)
@click.option("--server-workers", type=click.IntRange(1, 16), default=2, show_default=True)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Results directory [default: reports/loadtest/bench-TIME]; one subdirectory per backend.",
)
@config_option
def main(profile_name: str, server_workers: int, out_dir: Path | None, config_path: Path) -> None:
    """Throughput each backend sustains at p95 <= the bench profile's max_p95_ms, and the ratio."""
    profile = load_profile(profile_name, config_path)
    bound = profile.slo.max_p95_ms
    root = out_dir or REPORTS_DIR / f"bench-{stamp()}"
    results = {}
    for backend in BACKENDS:
        backend_dir = root / backend
        execute(
            profile,
            backend_dir,
            backend=backend,
            server_workers=server_workers,
            config_path=config_path,
        )
        evaluation = gate.evaluate_dir(backend_dir, profile.name, config_path)
        gate.write_outputs(backend_dir, evaluation)  # a report per backend, for a closer look
        results[backend] = evaluation.run.steps

    click.echo(f"\nLocal step load, {server_workers} gunicorn workers, Locust on the same machine")
    click.echo(f"{'backend':10}{'users':>7}{'RPS':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}")
    for backend, steps in results.items():
        for s in steps:
            click.echo(
                f"{backend:10}{s.users:>7}{s.rps:>9.1f}{_ms(s.p50):>9}{_ms(s.p95):>9}{_ms(s.p99):>9}"
            )
    click.echo("")
    best = {backend: sustained(steps, bound) for backend, steps in results.items()}
    for backend, step in best.items():
        if step is None:
            click.echo(f"{backend:10} no step kept p95 <= {bound:g} ms")
            continue
        at_top = step.index == len(results[backend])
        note = " (the largest step: a lower bound)" if at_top else ""
        click.echo(
            f"{backend:10} sustains {step.rps:7.1f} RPS at p95 {_ms(step.p95)} ms "
            f"<= {bound:g} ms with {step.users} users{note}"
        )
    onnx, sk = best.get("onnx"), best.get("sklearn")
    if onnx and sk and sk.rps > 0:
        click.echo(f"ratio onnx / sklearn: {onnx.rps / sk.rps:.2f}x")
    say(f"reports: {root}/<backend>/report.md")


def _ms(value: float | None) -> str:
    return "n/a" if value is None else f"{value:g}"


if __name__ == "__main__":
    main()
