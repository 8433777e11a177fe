"""ops.stage.Stage: a stage resolved once, its names, and one client per service."""

import pytest

from ops import aws, zappa_settings
from ops.stage import Stage


def test_resolve_reads_the_committed_stage():
    prod = Stage.resolve("prod")
    assert (prod.name, prod.region) == ("prod", "us-east-1")
    assert prod.settings["memory_size"] == 1024
    assert prod.settings["api_keys"]["overlap_hours"] == 48
    assert prod.function_name == prod.usage_plan_name == "sklearn-zappa-ml-prod"
    assert prod.api_key_secret_name == "sklearn-zappa-ml/prod/api-key"
    assert prod.resource_tags == {"ZappaProject": "sklearn-zappa-ml-prod"}


def test_aws_region_wins_over_the_committed_region(monkeypatch):
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    assert Stage.resolve("dev").region == "eu-west-1"


def test_an_unknown_stage_is_one_line():
    with pytest.raises(zappa_settings.SettingsError) as raised:
        Stage.resolve("qa")
    assert raised.value.message == "unknown stage 'qa'; choose one of dev, test, prod"


def test_each_client_is_made_once_by_make_client_in_the_stages_region(monkeypatch):
    made = []
    monkeypatch.setattr(aws, "make_client", lambda service, region: made.append(region) or object())
    stage = Stage.resolve("dev")
    assert stage.client("lambda") is stage.client("lambda")
    assert stage.client("apigateway") is not stage.client("lambda")
    assert made == ["us-east-1", "us-east-1"]
