"""Who reads the key: ops (one reader, ops.keys.store.fetch) and clients (the README's snippet)."""

import re

import pytest

from ops import release, smoke
from ops.stage import Stage
from project import ROOT
from tests.keys.conftest import STAGE, make_rotation, stored

README = ROOT / "ops" / "keys" / "README.md"


def test_after_a_rotation_the_smoke_test_sends_the_new_key(stage, stage_url, now):
    """Every consumer reads the key through ops.keys.store.fetch, so one consumer stands for all."""
    make_rotation(stage_url, now).run()
    assert smoke.resolve_target(Stage.resolve(STAGE), stage_url, None) == (
        stage_url,
        stored()["value"],
    )


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
