"""project.atomic: the one way the tools write a file (temp file next to it, then os.replace)."""

import json
import stat

import pytest

from project import atomic


def test_json_is_indented_with_a_final_newline(tmp_path):
    target = tmp_path / "sub" / "report.json"
    atomic.write_json(target, {"b": 1, "a": [1, 2]}, sort_keys=True)
    assert target.read_text() == json.dumps({"a": [1, 2], "b": 1}, indent=2) + "\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    assert [p.name for p in target.parent.iterdir()] == ["report.json"]


def test_an_interrupted_write_keeps_the_old_file_and_leaves_no_temp_file(tmp_path, monkeypatch):
    target = tmp_path / "file.bin"
    target.write_bytes(b"old")
    monkeypatch.setattr(atomic.os, "replace", lambda *a: (_ for _ in ()).throw(OSError("boom")))
    with pytest.raises(OSError, match="boom"):
        atomic.write_bytes(target, b"new")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["file.bin"]


def test_a_file_built_by_other_code_replaces_the_target_only_when_the_block_ends(tmp_path):
    target = tmp_path / "dev.zip"
    target.write_bytes(b"old")
    with atomic.replacing(target) as tmp:
        assert not tmp.exists()
        tmp.write_bytes(b"new")
        assert target.read_bytes() == b"old"
    assert target.read_bytes() == b"new"

    def failed_build():
        with atomic.replacing(target) as tmp:
            tmp.symlink_to("elsewhere")
            raise ValueError("bad build")

    with pytest.raises(ValueError, match="bad build"):
        failed_build()
    assert target.read_bytes() == b"new"
    assert [p.name for p in tmp_path.iterdir()] == ["dev.zip"]
