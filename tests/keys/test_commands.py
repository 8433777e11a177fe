"""`ops keys list` and `get`: ids and facts, never values unless asked for."""

import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from ops.aws import AwsError
from ops.keys import redact
from ops.keys.redact import aws_guard
from tests.keys import invariants
from tests.keys.conftest import STAGE, make_rotation, stored


def test_list_shows_every_key_with_its_role_and_no_value(stage, stage_url, now, cli):
    first = stored()
    make_rotation(stage_url, now).run()
    result = cli("list", STAGE)
    assert result.exit_code == 0, result.output
    header, *rows = result.output.splitlines()
    assert header.split() == ["id", "name", "created", "enabled", "plan", "role", "history"]
    roles = {row.split()[0]: row.split()[5] for row in rows}
    assert roles == {first["key_id"]: "previous", stored()["key_id"]: "current"}
    for key in invariants.all_keys().values():
        assert key["value"] not in result.output


def test_get_prints_the_id_and_the_value_only_when_asked(stage, stage_url, now, cli):
    make_rotation(stage_url, now).run()
    current, previous = stored(), stored("AWSPREVIOUS")
    assert cli("get", STAGE).output == f"{current['key_id']}\n"
    assert cli("get", STAGE, "--show-value").output == f"{current['value']}\n"
    assert cli("get", STAGE, "--previous").output == f"{previous['key_id']}\n"


def test_without_a_deployed_stage_the_errors_say_what_to_do(cli):
    with mock_aws():
        rotate = cli("rotate", STAGE, "--url", "http://127.0.0.1:9/dev")
        get = cli("get", STAGE)
    assert rotate.exit_code == 1
    assert rotate.output == (
        "Error: usage plan sklearn-zappa-ml-dev not found: "
        "run `python -m ops usage-plan dev` first\n"
    )
    assert get.exit_code == 1
    assert get.output == "Error: secret sklearn-zappa-ml/dev/api-key has no AWSCURRENT version\n"


def test_an_aws_error_that_echoes_a_key_value_is_masked():
    value = redact.remember("v" * 30 + "-secret-key-value")
    error = {"Error": {"Code": "BadRequestException", "Message": f"invalid value {value}"}}
    with pytest.raises(AwsError) as caught, aws_guard():
        raise ClientError(error, "CreateApiKey")
    assert caught.value.message == "CreateApiKey failed: BadRequestException: invalid value ***"
