"""The real Lambda package, built from this checkout by Zappa from the serve-only virtualenv (as
`make package` does, but into a temporary directory), served by the local stage through Zappa's
handler: keyed /version and /predict, like the smoke test on AWS."""

import json
import zipfile

import pytest

from ops import release, settings, zappa
from tests.local.helpers import call


@pytest.fixture(scope="module")
def real_package(tmp_path_factory):
    if not zappa.executable().exists():
        pytest.skip(f"{zappa.executable()} is missing: build it with `make package-venv`")
    work = tmp_path_factory.mktemp("package")
    settings_file = work / "zappa_settings.json"
    config = settings.render("dev", release.git_sha(), account_id=None)
    settings_file.write_text(json.dumps({"dev": config}))
    package = work / "dev.zip"
    zappa.run(zappa.command("package", "dev", settings_file, "-o", str(package)))
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
    assert answer.json()["prediction"] in {"benign", "malignant"}

    bad = call("POST", f"{url}/predict", key, json={"data": [1.0]})
    assert 400 <= bad.status_code < 500  # the app's own JSON error, passed through
    assert set(bad.json()["error"]) >= {"code", "message"}
    assert call("GET", f"{url}/version").status_code == 403
