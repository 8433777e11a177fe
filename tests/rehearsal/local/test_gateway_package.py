"""The deployed code is fetched from Code.Location, checked against CodeSha256, unzipped once per
digest, and old unzipped packages are pruned."""

import base64
import hashlib
import os

import pytest

from rehearsal.gateway.deployed_code import COMPLETE, PackageError, prune, unpacked
from tests.rehearsal.local.helpers import echo_zip


def test_code_is_checked_unzipped_once_and_reused(stage, tmp_path):
    stage.deploy(echo_zip("v1"))
    answer = stage.lam.get_function(FunctionName=stage.function)
    location, sha = answer["Code"]["Location"], answer["Configuration"]["CodeSha256"]
    root = unpacked(location, sha, tmp_path)
    assert 'VERSION = "v1"' in (root / "handler.py").read_text()
    assert unpacked("http://127.0.0.1:9/gone", sha, tmp_path) == root  # cached: no download
    other = base64.b64encode(hashlib.sha256(b"other code").digest()).decode()
    with pytest.raises(PackageError, match="does not match CodeSha256"):
        unpacked(location, other, tmp_path)
    assert sorted(path.name for path in tmp_path.iterdir()) == [root.name]  # no half-written dir


def test_prune_keeps_the_most_recently_used(tmp_path):
    for age, name in enumerate(["newest", "newer", "older", "oldest"]):
        (tmp_path / name).mkdir()
        (tmp_path / name / COMPLETE).write_text("")
        os.utime(tmp_path / name / COMPLETE, (1_000_000 - age, 1_000_000 - age))
    prune(tmp_path, keep=3)  # room for one more
    assert sorted(path.name for path in tmp_path.iterdir()) == ["newer", "newest"]
