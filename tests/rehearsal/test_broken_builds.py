"""The rehearsal's broken builds and how it hands the deploy step's output to the rollback."""

import zipfile

import click
import pytest

from ops.package_report import zappa_settings
from rehearsal import broken, plan
from rehearsal.pipeline import _step_output

GOOD, BAD = "a" * 40, "b" * 40
MODEL = "models/model-1.onnx"


def test_one_build_answers_5xx_and_one_answers_200_with_another_sha():
    assert sorted(build.tampered for build in broken.BUILDS) == [False, True]
    shas = {build.sha(GOOD) for build in broken.BUILDS}
    assert len(shas) == 2  # each broken build reports its own commit
    assert GOOD not in shas


@pytest.fixture
def good(tmp_path):
    """A package as Zappa and ops.bytecode leave it: baked settings, their .pyc, a model."""
    path = tmp_path / "dev.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(
            broken.BAKED_SETTINGS,
            f"API_STAGE='dev'\nENVIRONMENT_VARIABLES={{'STAGE': 'dev', 'GIT_SHA': '{GOOD}'}}\n",
        )
        archive.writestr(broken.BAKED_SETTINGS_PYC, b"stale bytecode")
        archive.writestr(MODEL, b"onnx bytes")
        archive.writestr("app/__init__.py", "")
    return path


def read(path):
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}, zappa_settings(archive)


@pytest.mark.parametrize("tamper", [False, True])
def test_a_derived_build_reports_its_own_sha_and_drops_the_stale_bytecode(good, tmp_path, tamper):
    target = tmp_path / "broken.zip"
    said = broken.derive(good, target, GOOD, BAD, tamper)
    files, baked = read(target)
    assert baked["ENVIRONMENT_VARIABLES"]["GIT_SHA"] == BAD
    assert broken.BAKED_SETTINGS_PYC not in files  # it would still say GOOD
    assert files["app/__init__.py"] == b""
    assert (files[MODEL] != b"onnx bytes") == tamper
    assert len(files[MODEL]) == len(b"onnx bytes")
    assert BAD[:8] in said
    assert ("flipped" in said) == tamper
    assert read(good)[1]["ENVIRONMENT_VARIABLES"]["GIT_SHA"] == GOOD  # the source is untouched


def test_a_package_of_another_commit_is_refused_and_nothing_is_written(good, tmp_path):
    target = tmp_path / "broken.zip"
    with pytest.raises(RuntimeError, match="not built from"):
        broken.derive(good, target, "c" * 40, BAD, tamper=False)
    assert list(tmp_path.iterdir()) == [good]


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
