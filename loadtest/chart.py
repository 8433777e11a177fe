"""latency.png: windowed p50/p95/p99 above, RPS and users below, over the run's time.

matplotlib's Agg backend renders without a display (CI, SSH); the file is written to a temporary
name first and then renamed, so a reader never sees half a PNG.
"""

import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # after matplotlib.use: the backend must be chosen first

from loadtest.history import RunData


def render(run: RunData, path: Path, title: str) -> None:
    rows = run.rows
    t0 = rows[0].ts
    seconds = [row.ts - t0 for row in rows]
    fig, (top, bottom) = plt.subplots(2, 1, sharex=True, figsize=(9, 6), dpi=100)
    try:
        for attr, style in (("p50", "-"), ("p95", "-"), ("p99", "--")):
            points = [(t, getattr(r, attr)) for t, r in zip(seconds, rows, strict=True)]
            points = [(t, v) for t, v in points if v is not None]
            if points:
                top.plot(*zip(*points, strict=True), style, label=attr, linewidth=1.4)
        top.set_ylabel("latency, ms (10 s window)")
        top.set_title(title)
        top.grid(alpha=0.3)
        top.legend(loc="upper left", ncols=3, fontsize=8)

        bottom.plot(seconds, [r.rps for r in rows], color="tab:green", label="RPS")
        bottom.set_ylabel("requests/s", color="tab:green")
        bottom.set_xlabel("seconds since start")
        bottom.grid(alpha=0.3)
        users = bottom.twinx()
        users.step(seconds, [r.users for r in rows], where="post", color="tab:gray", label="users")
        users.set_ylabel("users", color="tab:gray")
        users.set_ylim(bottom=0)

        for step in run.steps:  # shade each step's span and label it with its users
            if step.start_ts is None:
                continue
            for axis in (top, bottom):
                axis.axvspan(step.start_ts - t0, step.end_ts - t0, alpha=0.06, color="tab:blue")
            top.annotate(
                f" {step.users} users",
                (step.start_ts - t0, 0.02),
                xycoords=("data", "axes fraction"),
                fontsize=8,
                color="tab:blue",
            )
        fig.tight_layout()
        _save(fig, Path(path))
    finally:
        plt.close(fig)


def _save(fig, path: Path) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    fig.savefig(tmp, format="png")
    os.replace(tmp, path)
