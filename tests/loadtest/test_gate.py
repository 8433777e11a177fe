"""The gate on recorded Locust runs: it passes the good one and names each failure kind."""

import json
import struct

import pytest
from click.testing import CliRunner

from loadtest.gate import main
from tests.loadtest.conftest import FIXTURE_CONFIG

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def gate(directory, *args):
    return CliRunner().invoke(main, [str(directory), "--config", str(FIXTURE_CONFIG), *args])


@pytest.mark.parametrize(
    ("case", "failed", "reason"),
    [
        ("errors", "failures", "failed (403: 11, 5xx: 17), over the 1.00% allowed"),
        ("throttle", "throttles (429)", "were throttled (429)"),
        ("p99", "p99 (worst step)", "p99 was 400 ms at step 2 (4 users), over the 250 ms limit"),
        ("growth", "p95 growth", "latency does not stay flat as concurrency grows"),
        ("low_throughput", "throughput (last step)", "under the 10 RPS minimum"),
    ],
)
def test_each_failure_kind_fails_only_its_check(recorded, case, failed, reason):
    directory = recorded(case)
    result = gate(directory)
    assert result.exit_code == 1, result.output
    verdict = json.loads((directory / "gate.json").read_text())
    assert verdict["passed"] is False
    assert [c["name"] for c in verdict["checks"] if not c["ok"]] == [failed]
    report = (directory / "report.md").read_text()
    assert report.startswith("## ❌ Load test FAILED (profile `fixture`): 1 of 8 checks missed")
    first_reason = report.splitlines()[2]
    assert first_reason.startswith(f"- **{failed}**: ")
    assert reason in first_reason


def test_the_recorded_good_run_passes_with_a_report_and_a_chart(recorded):
    directory = recorded("pass")
    result = gate(directory)
    assert result.exit_code == 0, result.output
    report = (directory / "report.md").read_text()
    assert report.startswith("## ✅ Load test PASSED (profile `fixture`): all 8 checks met")
    assert result.output.startswith(report)
    lines = report.splitlines()
    header = lines.index(
        "| step | users | seconds | requests | RPS | p50 ms | p95 ms | p99 ms | max ms | failures |"
    )
    step_rows = [line.split("|")[1:-1] for line in lines[header + 2 : header + 4]]
    assert [cells[1].strip() for cells in step_rows] == ["2", "4"]
    assert all(len(cells) == 10 and cells[9].strip() == "0" for cells in step_rows)
    assert "| check | result | value | limit | margin |" in report
    assert "Not collected: a local run has no Lambda function behind it." in report

    png = (directory / "latency.png").read_bytes()
    assert png.startswith(PNG_SIGNATURE)
    width, height = struct.unpack(">II", png[16:24])  # the IHDR chunk comes first
    assert (width, height) == (1000, 850)
    assert len(png) > 20_000  # two panels of lines, not an empty canvas


def test_step_numbers_come_from_the_history_windows(recorded):
    """Step 2 of the growth run: every settled window is slow, so its median p95 is too."""
    result = gate(recorded("growth"))
    table = [line for line in result.output.splitlines() if line.startswith("| 2 | 4 |")]
    cells = [cell.strip() for cell in table[0].split("|")[1:-1]]
    assert cells[:2] == ["2", "4"]
    assert float(cells[6]) > 45  # p95 ms: the stub answers in 45 ms in that step
    assert float(cells[5]) > 45  # p50 too


def test_lambda_metrics_join_the_gate_when_available(recorded):
    directory = recorded("pass")
    summary = {
        "invocations": 350,
        "errors": 0,
        "throttles": 20,
        "concurrency_max": 4,
        "duration_avg_ms": 3.2,
        "duration_max_ms": 40.0,
        "duration_p95_ms": None,
        "duration_p99_ms": None,
    }
    (directory / "lambda_metrics.json").write_text(
        json.dumps(
            {
                "available": True,
                "function": "sklearn-zappa-ml-test",
                "start": "2026-01-01T00:00:00Z",
                "end": "2026-01-01T00:01:00Z",
                "period_seconds": 60,
                "complete": True,
                "summary": summary,
                "points": [{"time": "2026-01-01T00:00:00Z", "invocations": 350}],
            }
        )
    )
    result = gate(directory)
    assert result.exit_code == 1
    verdict = json.loads((directory / "gate.json").read_text())
    assert [c["name"] for c in verdict["checks"] if not c["ok"]] == ["Lambda throttles"]
    report = (directory / "report.md").read_text()
    assert "`sklearn-zappa-ml-test`" in report
    assert "| 350 | 0 | 20 | 4 | 3.2 | 40 | n/a | n/a |" in report


def test_unavailable_metrics_are_noted_not_gated(recorded):
    directory = recorded("pass")
    (directory / "lambda_metrics.json").write_text(
        json.dumps({"available": False, "reason": "CloudWatch refused the read (AccessDenied)"})
    )
    result = gate(directory)
    assert result.exit_code == 0
    assert "Not available: CloudWatch refused the read (AccessDenied). Not gated." in result.output


@pytest.mark.parametrize(
    ("setup", "args", "message"),
    [
        (lambda d: (d / "run.json").unlink(), [], "has no run.json; pass --profile"),
        (lambda d: None, ["--profile", "nope"], "no profile 'nope'"),
        (lambda d: (d / "locust_status.csv").unlink(), [], "missing"),
        (
            lambda d: (d / "locust_stats_history.csv").write_text("Timestamp,Name\n1,Aggregated\n"),
            [],
            "not Locust's stats history",
        ),
        (lambda d: (d / "run.json").write_text("{"), [], "run.json is not valid JSON"),
    ],
)
def test_unreadable_results_exit_2_with_one_line(recorded, setup, args, message):
    directory = recorded("pass")
    setup(directory)
    result = gate(directory, *args)
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output
    assert not (directory / "report.md").exists()


def test_a_missing_directory_is_a_clear_error(tmp_path):
    result = gate(tmp_path / "absent")
    assert result.exit_code == 2
    assert "results directory not found" in result.output
