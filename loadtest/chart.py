"""latency.png: windowed p50/p95/p99 with the SLO limits as lines above; the function's concurrent
executions (CloudWatch's per minute, or the local gateway's per second) with the users in the
middle; RPS below; the burst and each step shaded, over the run's time.

matplotlib's Agg backend renders without a display (CI, SSH); the file is written to a temporary
name first and then renamed, so a reader never sees half a PNG.
"""

import io
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # after matplotlib.use: the backend must be chosen first

from loadtest.burst import point_epoch
from loadtest.config import Profile
from loadtest.history import RunData
from project.atomic import write_bytes

LOG_SCALE_RATIO = 20  # latencies spanning more than this (a cold burst) get a log axis


def render(
    run: RunData,
    path: Path,
    title: str,
    profile: Profile | None = None,
    lambda_metrics: dict | None = None,
) -> None:
    rows = run.rows
    t0 = rows[0].ts
    seconds = [row.ts - t0 for row in rows]
    fig, (top, middle, bottom) = plt.subplots(
        3, 1, sharex=True, figsize=(10, 8.5), dpi=100, height_ratios=(3, 2, 1.5)
    )
    try:
        _latency(top, run, seconds, profile)
        top.set_title(title)
        _concurrency(middle, run, seconds, t0, lambda_metrics)
        bottom.plot(seconds, [r.rps for r in rows], color="tab:green", label="RPS")
        bottom.set_ylabel("requests/s")
        bottom.set_xlabel("seconds since start")
        bottom.grid(alpha=0.3)
        _shade(run, t0, (top, middle, bottom), top)
        bottom.set_xlim(0, max(seconds[-1], 1))  # CloudWatch's minutes reach beyond the run
        fig.tight_layout()
        _save(fig, Path(path))
    finally:
        plt.close(fig)


def _latency(axis, run: RunData, seconds: list[int], profile: Profile | None) -> None:
    values = []
    for attr, style in (("p50", "-"), ("p95", "-"), ("p99", "--")):
        points = [(t, getattr(r, attr)) for t, r in zip(seconds, run.rows, strict=True)]
        points = [(t, v) for t, v in points if v is not None]
        if points:
            axis.plot(*zip(*points, strict=True), style, label=attr, linewidth=1.4)
            values += [v for _t, v in points if v > 0]
    if profile is not None:
        slo = profile.slo
        axis.axhline(slo.max_p95_ms, color="tab:orange", linestyle=":", linewidth=1.2)
        axis.axhline(slo.max_p99_ms, color="tab:green", linestyle=":", linewidth=1.2)
        _label_line(axis, slo.max_p95_ms, f"p95 limit {slo.max_p95_ms:g} ms", "tab:orange")
        _label_line(axis, slo.max_p99_ms, f"p99 limit {slo.max_p99_ms:g} ms", "tab:green")
        values += [slo.max_p95_ms, slo.max_p99_ms]
        if profile.burst is not None and run.burst_window is not None:
            first, last = (ts - run.rows[0].ts for ts in run.burst_window)
            limit = profile.burst.max_p99_ms
            axis.hlines(limit, first, last + 1, color="tab:red", linestyle=":", linewidth=1.5)
            axis.annotate(
                f"burst p99 limit {limit:g} ms",
                (first, limit),
                fontsize=7,
                color="tab:red",
                va="bottom",
            )
            values.append(limit)
    if values and max(values) / max(min(values), 0.1) > LOG_SCALE_RATIO:
        axis.set_yscale("log")
    axis.set_ylabel("latency, ms (10 s window)")
    axis.grid(alpha=0.3)
    axis.legend(loc="upper right", ncols=3, fontsize=8)


def _label_line(axis, value: float, text: str, color: str) -> None:
    axis.annotate(
        text,
        (1.0, value),
        xycoords=("axes fraction", "data"),
        ha="right",
        va="bottom",
        fontsize=7,
        color=color,
    )


def _concurrency(axis, run: RunData, seconds, t0: int, metrics: dict | None) -> None:
    users = axis.twinx()
    users.step(seconds, [r.users for r in run.rows], where="post", color="tab:gray", alpha=0.7)
    users.set_ylabel("users", color="tab:gray")
    users.set_ylim(bottom=0)
    if metrics and metrics.get("available") and metrics.get("points"):
        period = int(metrics.get("period_seconds") or 60)
        points = sorted((point_epoch(p) - t0, p.get("concurrency_max")) for p in metrics["points"])
        xs, ys = _periods([(x, v) for x, v in points if v is not None], period)
        if xs:
            axis.step(xs, ys, where="post", color="tab:purple")
        axis.set_ylabel(f"concurrent executions\n({metrics.get('source', 'CloudWatch')})")
        axis.set_ylim(bottom=0)
    else:
        reason = (metrics or {}).get("reason") or "no Lambda metrics for this run"
        axis.text(
            0.5,
            0.5,
            f"concurrency: {reason}",
            transform=axis.transAxes,
            ha="center",
            fontsize=8,
            wrap=True,
        )
        axis.set_yticks([])
        axis.set_ylabel("concurrent executions")
    axis.grid(alpha=0.3)


def _periods(points: list[tuple[float, float]], period: int) -> tuple[list, list]:
    """A step line where each value holds for its period and a period without a datapoint (no
    invocation in it) is 0, as CloudWatch means a missing ConcurrentExecutions datapoint."""
    xs: list[float] = []
    ys: list[float] = []
    for x, value in points:
        if xs and x > xs[-1] + period:
            xs.append(xs[-1] + period)
            ys.append(0)
        xs.append(x)
        ys.append(value)
    if xs:
        xs.append(xs[-1] + period)
        ys.append(0)
    return xs, ys


def _shade(run: RunData, t0: int, axes, top) -> None:
    """Shade the burst and each step's span, labelled with its users."""
    spans = []
    if run.burst_window is not None:
        spans.append((run.burst_window[0], run.burst_window[1], "burst", "tab:red"))
    spans += [
        (s.start_ts, s.end_ts, f"{s.users} users", "tab:blue")
        for s in run.steps
        if s.start_ts is not None
    ]
    for start, end, label, color in spans:
        for axis in axes:
            axis.axvspan(start - t0, end - t0, alpha=0.07, color=color)
        top.annotate(
            f" {label}",
            (start - t0, 0.02),
            xycoords=("data", "axes fraction"),
            fontsize=8,
            color=color,
        )


def _save(fig, path: Path) -> None:
    png = io.BytesIO()
    fig.savefig(png, format="png")
    write_bytes(path, png.getvalue())
