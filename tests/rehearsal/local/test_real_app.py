"""The real Lambda package, built from this checkout by Zappa from the serve-only virtualenv (as
`make package` does, but into a temporary directory), served by the local stage through Zappa's
handler: keyed /version and /predict, like the smoke test on AWS."""

import json
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from app.manifest import MANIFEST_NAME, read_manifest
from ops import package, paths, release, zappa, zappa_settings
from ops.bytecode import add_bytecode
from ops.package_check import package_check
from ops.stage import Stage
from tests.rehearsal.local.helpers import call


@pytest.fixture(scope="module")
def real_package(tmp_path_factory):
    if not zappa.executable().exists():
        pytest.skip(f"{zappa.executable()} is missing: build it with `make package-venv`")
    work = tmp_path_factory.mktemp("package")
    settings_file = work / "zappa_settings.json"
    config = zappa_settings.render(Stage.resolve("dev"), release.git_sha(), account_id=None)
    settings_file.write_text(json.dumps({"dev": config}))
    package = work / "dev.zip"
    zappa.run(zappa.command("package", Stage.resolve("dev"), settings_file, "-o", str(package)))
    return package


def test_the_real_package_serves_keyed_predictions(real_package, stage, gateway):
    with zipfile.ZipFile(real_package) as archive:
        assert "handler.py" in archive.namelist()  # Zappa's handler at the root, as Lambda needs
    stage.deploy(real_package.read_bytes(), timeout=15, memory=512)
    stage.plan()
    _, key = stage.key()
    url = gateway(stage)

    version = call("GET", f"{url}/version", key)
    assert version.status_code == 200, version.text
    assert version.json()["model_sha256"] == release.model_sha256("onnx")

    answer = call("POST", f"{url}/predict", key, json={"data": release.sample_row()})
    assert answer.status_code == 200, answer.text
    assert answer.json()["prediction"] in release.manifest()["classes"]

    bad = call("POST", f"{url}/predict", key, json={"data": [1.0]})
    assert 400 <= bad.status_code < 500  # the app's own JSON error, passed through
    assert set(bad.json()["error"]) >= {"code", "message"}
    assert call("GET", f"{url}/version").status_code == 403


def with_model(built: Path, models: Path, target: Path) -> Path:
    """The package with its models/ replaced by another model's manifest and ONNX file, and the
    bytecode `make package` adds."""
    manifest = read_manifest(models / MANIFEST_NAME)
    with zipfile.ZipFile(built) as source, zipfile.ZipFile(target, "w") as copy:
        for info in source.infolist():
            if not info.filename.startswith("models/"):
                copy.writestr(info, source.read(info))
        for name in (MANIFEST_NAME, manifest["artifacts"]["onnx"]["file"]):
            copy.write(models / name, f"models/{name}", zipfile.ZIP_DEFLATED)
    add_bytecode(target, package.venv_python())
    return target


@pytest.mark.parametrize("kind", ["binary", "multiclass"])
def test_the_package_check_passes_with_any_model(
    real_package, synthetic_models, kind, tmp_path, monkeypatch
):
    """Its /predict row, expected model hash and classes come from the model's manifest."""
    models = synthetic_models[kind]
    zip_path = with_model(real_package, models, tmp_path / "dev.zip")
    monkeypatch.setattr(paths, "MANIFEST_FILE", models / MANIFEST_NAME)
    monkeypatch.setattr(paths, "DIST", tmp_path)
    args = ["dev", "--zip", str(zip_path), "--cold-runs", "1", "--requests", "20"]
    result = CliRunner().invoke(package_check, args)
    assert result.exit_code == 0, result.output
    assert "all as expected" in result.output
