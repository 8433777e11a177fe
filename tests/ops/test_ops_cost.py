"""The cost per million predictions: Lambda's request price plus billed GB-seconds."""

import pytest

from ops import lambda_cost

PRICES = {
    "usd_per_million_requests": 0.20,
    "usd_per_gb_second": 0.0000166667,
    "billing_granularity_ms": 1,
}


@pytest.mark.parametrize(("measured", "billed"), [(0.3, 1), (1.0, 1), (1.0001, 2), (7.5, 8)])
def test_duration_is_billed_rounded_up_to_the_millisecond(measured, billed):
    assert lambda_cost.billed_ms(measured, PRICES) == billed


def test_a_million_one_millisecond_predictions_at_one_gb():
    assert lambda_cost.per_million(0.4, 1024, PRICES) == pytest.approx(0.20 + 0.0166667)


def test_half_the_memory_halves_the_duration_charge():
    full = lambda_cost.per_million(3, 1024, PRICES) - 0.20
    half = lambda_cost.per_million(3, 512, PRICES) - 0.20
    assert half == pytest.approx(full / 2)


def test_every_stage_is_estimated_at_its_memory_size():
    rows = {row["stage"]: row for row in lambda_cost.estimate(0.5)}
    memory = lambda_cost.stage_memory()
    assert set(rows) == set(memory) == {"dev", "test", "prod"}
    prices = lambda_cost.pricing()
    for stage, row in rows.items():
        assert row["memory_mb"] == memory[stage]
        assert row["usd_per_million"] == lambda_cost.per_million(0.5, memory[stage], prices)


def test_the_prices_say_where_and_when_they_were_read():
    prices = lambda_cost.pricing()
    assert prices["source"].startswith("https://aws.amazon.com/lambda/pricing")
    assert prices["architecture"] == "x86_64"
    assert "read" in lambda_cost.describe_prices()


def test_the_load_report_prices_lambdas_own_duration_when_cloudwatch_has_it():
    from types import SimpleNamespace

    from loadtest.report import _cost

    cloudwatch = {"available": True, "summary": {"duration_avg_ms": 3.2}}
    text = _cost(SimpleNamespace(cloudwatch=cloudwatch, meta={"stage": "test"}))
    assert text.startswith("### Cost")
    assert "CloudWatch's average Lambda duration" in text
    memory = lambda_cost.stage_memory()["test"]
    usd = lambda_cost.per_million(3.2, memory, lambda_cost.pricing())
    assert f"| test | {memory} MB | ${usd:.2f} |" in text


def test_the_load_report_falls_back_to_the_package_checks_measurement(tmp_path, monkeypatch):
    from types import SimpleNamespace

    from loadtest.report import _cost
    from ops import paths

    monkeypatch.setattr(paths, "DIST", tmp_path)
    ev = SimpleNamespace(cloudwatch=None, meta={"stage": "dev"})
    assert _cost(ev) == ""
    (tmp_path / "dev-check.json").write_text('{"warm_p50_ms": 0.42}')
    assert "package check's warm /predict p50" in _cost(ev)
