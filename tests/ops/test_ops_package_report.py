"""The package report and its gates, on small zips made here (no Zappa run needed)."""

import hashlib
import json
import zipfile

import pytest

from ops import package_report

from .conftest import SHA

ONNX = b"onnx model bytes"
JOBLIB = b"joblib model bytes"


def make_zip(path, *, stage="dev", extra=None, onnx=ONNX, joblib=False):
    manifest = {
        "model_version": "v1",
        "artifacts": {
            "onnx": {"file": "m.onnx", "sha256": hashlib.sha256(ONNX).hexdigest()},
            "sklearn": {"file": "m.joblib", "sha256": hashlib.sha256(JOBLIB).hexdigest()},
        },
    }
    env = {"STAGE": stage, "GIT_SHA": SHA}
    files = {
        "zappa_settings.py": f"API_STAGE='{stage}'\nENVIRONMENT_VARIABLES={env!r}\n",
        "handler.py": "",
        "app/__init__.py": "",
        "models/manifest.json": json.dumps(manifest),
        "models/m.onnx": onnx,
        "numpy/core.so": b"x" * 5000,
        "flask/app.py": b"y" * 300,
    }
    if joblib:
        files["models/m.joblib"] = JOBLIB
    files.update(extra or {})
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return path


VENV = {"numpy", "flask"}


def test_report_counts_sizes_and_names_what_it_serves(tmp_path):
    summary = package_report.report(make_zip(tmp_path / "p.zip"), VENV)
    assert summary["stage"] == "dev"
    assert summary["git_sha"] == SHA
    assert summary["model_sha256"] == hashlib.sha256(ONNX).hexdigest()
    assert summary["file_count"] == 7
    assert summary["largest_entries"][0] == {"name": "numpy", "bytes": 5000}
    assert summary["largest_entries"][1] == {"name": "flask", "bytes": 300}
    assert summary["unzipped_bytes"] > summary["zip_bytes"] > 0
    assert package_report.gate(summary) == ([], [])


def test_top_lists_at_most_n_entries(tmp_path):
    extra = {f"pkg{i}/x.py": b"z" * (i + 1) for i in range(20)}
    summary = package_report.report(make_zip(tmp_path / "p.zip", extra=extra), VENV | set(extra))
    assert len(summary["largest_entries"]) == 15


def test_a_modified_model_is_rejected(tmp_path):
    with pytest.raises(package_report.PackageError, match="does not match its manifest"):
        package_report.report(make_zip(tmp_path / "p.zip", onnx=b"tampered"), VENV)


def test_a_packaged_joblib_fails_the_gate(tmp_path):
    summary = package_report.report(make_zip(tmp_path / "p.zip", joblib=True), VENV)
    failures, _ = package_report.gate(summary)
    assert failures == [
        "model files the onnx backend never loads are packaged: m.joblib (add them to exclude)"
    ]


def test_unexpected_project_files_fail_the_gate(tmp_path):
    summary = package_report.report(make_zip(tmp_path / "p.zip", extra={"notes/a.txt": "x"}), VENV)
    failures, _ = package_report.gate(summary)
    assert "notes" in failures[0]


def test_sizes_over_the_target_are_reported_and_over_the_limit_fail(tmp_path, monkeypatch):
    summary = package_report.report(make_zip(tmp_path / "p.zip"), VENV)
    monkeypatch.setattr(package_report, "TARGETS", {"unzipped": 1000, "zip": 10**9})
    failures, missed = package_report.gate(summary)
    assert failures == []
    assert missed[0].startswith("unzipped size")
    monkeypatch.setattr(package_report, "LIMITS", {"unzipped": 10**9, "zip": 100})
    failures, _ = package_report.gate(summary)
    assert "over Lambda's" in failures[0]


def test_a_zip_without_zappa_settings_is_refused(tmp_path):
    path = tmp_path / "p.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("handler.py", "")
    with pytest.raises(package_report.PackageError, match=r"no zappa_settings\.py"):
        package_report.report(path, VENV)


def test_format_report_prints_sizes_and_entries(tmp_path):
    text = package_report.format_report(package_report.report(make_zip(tmp_path / "p.zip"), VENV))
    assert "zip" in text
    assert "numpy" in text
    assert SHA in text
