"""The burst and the capacity check on recorded runs (tests/loadtest/fixtures/burst_*,
capacity_short): Locust's CSVs from real runs, Lambda metrics and AWS answers written in the shapes
loadtest.cloudwatch and loadtest.capacity_read record. Each failure kind fails with its reason."""

import json

import pytest
from click.testing import CliRunner

from loadtest.gate import main
from tests.loadtest.conftest import FIXTURE_CONFIG

BURST_CHECKS = ["burst p99", "burst throttles", "burst errors", "burst scale-out"]


def gate(directory):
    return CliRunner().invoke(main, [str(directory), "--config", str(FIXTURE_CONFIG)])


def failed_checks(directory) -> list[str]:
    verdict = json.loads((directory / "gate.json").read_text())
    return [c["name"] for c in verdict["checks"] if not c["ok"]]


def test_a_burst_that_scaled_with_headroom_passes_and_reports_both(recorded):
    directory = recorded("burst_pass")
    result = gate(directory)
    assert result.exit_code == 0, result.output
    names = [c["name"] for c in json.loads((directory / "gate.json").read_text())["checks"]]
    assert names[-7:] == [
        *BURST_CHECKS,
        "prod Lambda concurrency",
        "prod usage-plan rate",
        "prod usage-plan burst",
    ]
    report = (directory / "report.md").read_text()
    assert "### Capacity: can `prod` carry its peak?" in report
    assert "| Lambda concurrent executions (prod) | 3 | 1000 | +997 | ✅ |" in report
    assert "| usage-plan rate (sklearn-zappa-ml-prod) | 100 requests/s | 100 | +0 | ✅ |" in report
    assert "### Burst: 4 users at once from idle" in report
    assert "| 4 (CloudWatch) | ≥ 2 |" in report
    steps = json.loads((directory / "gate.json").read_text())["checks"][0]
    assert steps["value"] == "2 of 2 steps ran"  # the burst's rows are no step's


@pytest.mark.parametrize(
    ("case", "expected", "reason"),
    [
        (
            "burst_throttled",
            ["throttles (429)", "Lambda throttles", "burst throttles"],
            "the burst of 4 users was throttled: 5 of 20 requests answered 429",
        ),
        (
            "burst_no_scale_out",
            ["burst scale-out"],
            "peak ConcurrentExecutions during the burst was 1 (CloudWatch), under the 2",
        ),
        (
            "capacity_short",
            ["prod Lambda concurrency", "prod usage-plan rate", "prod usage-plan burst"],
            "prod needs 12 concurrent executions at its peak (50 req/s x 120 ms x 2) but the "
            "account's unreserved pool (limit 10, shared by every function without a "
            "reservation) has 10: request a Lambda 'Concurrent executions' quota increase in "
            "Service Quotas (quota code L-B99A9384) to at least 12",
        ),
    ],
)
def test_each_scaling_failure_fails_with_a_reason(recorded, case, expected, reason):
    directory = recorded(case)
    result = gate(directory)
    assert result.exit_code == 1, result.output
    assert failed_checks(directory) == expected
    report = (directory / "report.md").read_text()
    verdict = report.split("\n\n| |")[0]
    assert reason in verdict
    assert all(f"- **{name}**: " in verdict for name in expected)


def test_the_usage_plan_shortfall_says_where_to_raise_it(recorded):
    directory = recorded("capacity_short")
    gate(directory)
    report = (directory / "report.md").read_text()
    assert (
        "allows a rate of 60 requests/s, under the 100 its peak needs (50 req/s x 2): raise "
        "`usage_plan.rate_limit` of stage prod in zappa_settings.json, then "
        "`make usage-plan STAGE=prod`"
    ) in report
    assert "| usage-plan burst (sklearn-zappa-ml-prod) | 100 requests | 80 | -20 | ❌ |" in report


def test_without_lambda_metrics_there_is_no_scale_out_evidence(recorded):
    directory = recorded("burst_pass")
    (directory / "lambda_metrics.json").write_text(
        json.dumps({"available": False, "reason": "CloudWatch refused the read (AccessDenied)"})
    )
    result = gate(directory)
    assert result.exit_code == 1
    assert failed_checks(directory) == ["burst scale-out"]
    assert (
        "no evidence that the function scaled out for the burst: CloudWatch refused the read "
        "(AccessDenied)"
    ) in result.output


def test_a_reserved_function_is_told_to_raise_its_reservation(recorded):
    directory = recorded("burst_pass")
    record = json.loads((directory / "capacity.json").read_text())
    record["function_concurrency"]["reserved"] = 2
    (directory / "capacity.json").write_text(json.dumps(record))
    assert gate(directory).exit_code == 1
    assert failed_checks(directory) == ["prod Lambda concurrency"]
    assert (
        "(`lambda_concurrency` of prod in zappa_settings.json)"
        in (directory / "report.md").read_text()
    )


def test_capacity_that_could_not_be_read_fails_closed(recorded):
    directory = recorded("burst_pass")
    record = json.loads((directory / "capacity.json").read_text())
    record["account"] = None
    record["errors"] = ["lambda GetAccountSettings: AWS refused the read (AccessDeniedException)"]
    (directory / "capacity.json").write_text(json.dumps(record))
    assert gate(directory).exit_code == 1
    assert failed_checks(directory) == ["capacity inputs"]
    (directory / "capacity.json").unlink()
    assert gate(directory).exit_code == 1
    assert failed_checks(directory) == ["capacity"]


def test_a_run_without_burst_requests_fails_the_burst(recorded):
    directory = recorded("burst_pass")
    stats = (directory / "locust_stats.csv").read_text().splitlines()
    kept = [line for line in stats if "[burst]" not in line]
    (directory / "locust_stats.csv").write_text("\n".join(kept) + "\n")
    assert gate(directory).exit_code == 1
    assert failed_checks(directory) == ["burst"]
