"""Who reads the key: the smoke test, the load test and clients (the README's snippet, run here)."""

import re

import pytest

from loadtest.apikey import read_secret_key
from ops import release, smoke, stage_key
from ops.keys import store
from project import ROOT
from tests.keys.conftest import REGION, STAGE, make_rotation, stored

README = ROOT / "ops" / "keys" / "README.md"


def test_the_smoke_and_load_tests_read_the_secret_in_our_format(stage, stage_url):
    current = stored()
    assert read_secret_key(STAGE) == current["value"]
    assert stage_key.read_secret(STAGE, REGION) == current
    assert smoke.resolve_target(STAGE, stage_url, None) == (stage_url, current["value"])
    assert store.read(STAGE).value == current["value"]


def test_after_a_rotation_the_smoke_and_load_tests_read_the_new_key(stage, stage_url, now):
    make_rotation(stage_url, now).run()
    current = stored()
    assert store.read(STAGE).value == current["value"]
    assert read_secret_key(STAGE) == current["value"]
    assert stage_key.read_secret(STAGE, REGION) == current


@pytest.fixture
def client_snippet():
    """The README's client code, executed as a module (so the documentation is what we test)."""
    (code,) = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.DOTALL)
    namespace: dict = {}
    exec(compile(code.replace("/prod/", f"/{STAGE}/"), str(README), "exec"), namespace)  # noqa: S102
    return namespace


def test_a_client_that_retries_once_on_403_never_notices_rotations(
    stage, stage_url, now, client_snippet
):
    predict, cached = client_snippet["predict"], client_snippet["_cached"]
    row = release.sample_row()  # a real row of whatever data the committed model was trained on
    first = stored()
    assert predict(stage_url, [row])["predictions"]
    assert cached["value"] == first["value"]
    make_rotation(stage_url, now).run()
    assert predict(stage_url, [row])["predictions"]  # the previous key, within the overlap
    assert cached["value"] == first["value"]
    now.advance(days=2)
    make_rotation(stage_url, now).run()  # disables the first key
    assert predict(stage_url, [row])["predictions"]  # 403, re-read, retried
    assert cached["value"] == stored()["value"]
