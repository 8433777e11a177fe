"""The rehearsal's broken builds and how it hands the deploy step's output to the rollback."""

import click
import pytest

from ops.rehearse import broken, plan
from ops.rehearse.cli import BROKEN_BUILDS, _step_output


def test_one_build_answers_5xx_and_one_answers_200_with_another_sha():
    tampered = {name: flag for name, _, flag in BROKEN_BUILDS}
    assert sorted(tampered.values()) == [False, True]
    shas = {broken.broken_sha("0" * 40, name) for name in tampered}
    assert len(shas) == 2  # each broken build reports its own commit
    assert "0" * 40 not in shas


def test_the_rollback_gets_the_version_the_deploy_step_wrote(tmp_path):
    outputs = tmp_path / "github-output"
    outputs.write_text("other=1\nprevious-version=4\n")
    version = _step_output(outputs, "previous-version")
    assert version == "4"
    assert plan.rollback("dev", version, "http://127.0.0.1:1/dev") == [
        "make",
        "rollback",
        "STAGE=dev",
        "TO_VERSION=4",
        "URL=http://127.0.0.1:1/dev",
    ]


def test_a_deploy_step_that_wrote_no_previous_version_stops_the_rehearsal(tmp_path):
    outputs = tmp_path / "github-output"
    outputs.write_text("previous-version=\n")
    with pytest.raises(click.ClickException, match="wrote no previous-version"):
        _step_output(outputs, "previous-version")
