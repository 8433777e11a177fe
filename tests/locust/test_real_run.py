"""A short, bounded, real load test on loopback: server, Locust, gate, report, chart, HTML.

Two steps of 12 s against the real API (started by the fixture on a free port, stopped by its
finalizer). The SLOs here are loose on purpose: this checks the machinery end to end, not the
speed of whatever machine runs the tests (that is `make loadtest-local`'s job).
"""

import json
import struct
import subprocess
import sys

from project import ROOT

SMOKE = """
[profiles.smoke]
description = "Test run: loose SLOs, the machinery is under test."
wait_seconds = [0.1, 0.3]
spawn_rate = 10
steps = [{ users = 1, seconds = 12 }, { users = 3, seconds = 12 }]

[profiles.smoke.slo]
max_failure_ratio = 0.0
max_throttle_ratio = 0.0
max_p95_ms = 5000
max_p99_ms = 10000
max_p95_growth = 100
p95_growth_floor_ms = 5000
min_rps = 0.5
cold_start_ms = 20000
"""
HARD_LIMIT_S = 120  # the run stops itself after 24 s; this only guards against a hang


def test_a_real_step_load_passes_and_leaves_its_reports(api_server, tmp_path):
    config = tmp_path / "config.toml"
    config.write_text(SMOKE)
    out = tmp_path / "results"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "loadtest.run",
            "--host",
            api_server.url,
            "--config",
            str(config),
            "--profile",
            "smoke",
            "--out",
            str(out),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=HARD_LIMIT_S,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    report = (out / "report.md").read_text()
    assert result.stdout.startswith(report)
    assert report.startswith("## ✅ Load test PASSED (profile `smoke`): all 8 checks met")
    step_rows = [
        line for line in report.splitlines() if line.startswith(("| 1 | 1 |", "| 2 | 3 |"))
    ]
    assert len(step_rows) == 2
    assert all(row.split("|")[10].strip() == "0" for row in step_rows)  # no failures of any kind

    meta = json.loads((out / "run.json").read_text())
    assert meta["host"] == api_server.url
    assert meta["deployed"]["backend"] == "onnx"
    png = (out / "latency.png").read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert struct.unpack(">II", png[16:24]) == (1000, 850)
    assert "<html" in (out / "locust.html").read_text()[:2000].lower()
    status = (out / "locust_status.csv").read_text().splitlines()
    assert status[0].startswith("Timestamp,User Count,ok,forbidden,throttled,server_error")
    assert status[0].endswith(",Phase")
    phases = [line.rsplit(",", 1)[1] for line in status[1:]]
    ended = phases.index("") if "" in phases else len(phases)
    assert set(phases[:ended]) == {"steps"}  # no burst in this profile
    assert set(phases[ended:]) <= {""}  # rows written once the timeline has ended
    assert int(status[-1].split(",")[2]) > 20  # ok responses were counted
