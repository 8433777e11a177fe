"""What is in a Lambda zip: sizes, the largest entries, and the commit and model it carries.

Pure functions over the zip file, so the size gates and the report are tested without building.
"""

import ast
import hashlib
import json
import zipfile
from collections import Counter
from pathlib import Path

MB = 1024 * 1024
# AWS Lambda quotas: 250 MB unzipped (code + layers), 50 MB for a zip uploaded directly.
LIMITS = {"unzipped": 250 * MB, "zip": 50 * MB}
# Ours: lean enough that cold starts stay short and the zip never needs slim_handler or S3.
TARGETS = {"unzipped": 120 * MB, "zip": 40 * MB}
# Top-level entries Zappa writes itself, besides the project's and the virtualenv's.
ZAPPA_FILES = {"handler.py", "zappa_settings.py", "package_info.json", "__init__.py"}
# The bytecode of those top-level modules (ops.bytecode adds it after Zappa).
BYTECODE_ENTRIES = {"__pycache__"}
PROJECT_ENTRIES = {"app", "models", "LICENSE"}


class PackageError(Exception):
    """The zip cannot be deployed as it is."""


def zappa_settings(archive: zipfile.ZipFile) -> dict:
    """The module-level constants of the zappa_settings.py Zappa baked into the zip."""
    try:
        source = archive.read("zappa_settings.py").decode()
    except KeyError:
        raise PackageError("the zip has no zappa_settings.py (not built by zappa?)") from None
    values = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
            try:
                values[node.targets[0].id] = ast.literal_eval(node.value)
            except ValueError:
                continue
    return values


def served_model(archive: zipfile.ZipFile, backend: str) -> dict:
    """The manifest inside the zip, and the sha256 of the artifact file actually inside it."""
    try:
        manifest = json.loads(archive.read("models/manifest.json"))
        entry = manifest["artifacts"][backend]
        blob = archive.read(f"models/{entry['file']}")
    except KeyError as exc:
        raise PackageError(f"the zip lacks the {backend} model or its manifest ({exc})") from None
    actual = hashlib.sha256(blob).hexdigest()
    if actual != entry["sha256"]:
        raise PackageError(f"models/{entry['file']} in the zip does not match its manifest")
    others = [
        other["file"]
        for kind, other in manifest["artifacts"].items()
        if kind != backend and f"models/{other['file']}" in archive.namelist()
    ]
    return {"version": manifest.get("model_version"), "sha256": actual, "unused_files": others}


def report(zip_path: Path, venv_entries: set[str], top: int = 15) -> dict:
    """Sizes, counts, the largest top-level entries and what the zip will serve."""
    with zipfile.ZipFile(zip_path) as archive:
        infos = [info for info in archive.infolist() if not info.is_dir()]
        by_entry: Counter = Counter()
        for info in infos:
            by_entry[info.filename.split("/", 1)[0]] += info.file_size
        settings = zappa_settings(archive)
        env = settings.get("ENVIRONMENT_VARIABLES", {})
        backend = "onnx"  # the only backend the app serves (scikit-learn is not in the package)
        model = served_model(archive, backend)
    allowed = venv_entries | ZAPPA_FILES | BYTECODE_ENTRIES | PROJECT_ENTRIES
    unexpected = sorted(name for name in by_entry if name not in allowed)
    return {
        "stage": settings.get("API_STAGE"),
        "git_sha": env.get("GIT_SHA"),
        "model_backend": backend,
        "model_version": model["version"],
        "model_sha256": model["sha256"],
        "unused_model_files": model["unused_files"],
        "zip_bytes": zip_path.stat().st_size,
        "unzipped_bytes": sum(info.file_size for info in infos),
        "file_count": len(infos),
        "largest_entries": [
            {"name": name, "bytes": size} for name, size in by_entry.most_common(top)
        ],
        "unexpected_entries": unexpected,
    }


def gate(summary: dict) -> tuple[list[str], list[str]]:
    """(failures, missed targets): failures block deploying, missed targets are reported."""
    failures, missed = [], []
    for key, label in (("unzipped", "unzipped"), ("zip", "zip")):
        size = summary[f"{key}_bytes"]
        if size > LIMITS[key]:
            failures.append(
                f"{label} size {size / MB:.1f} MB is over Lambda's {LIMITS[key] // MB} MB limit"
            )
        elif size > TARGETS[key]:
            missed.append(
                f"{label} size {size / MB:.1f} MB is over the {TARGETS[key] // MB} MB target"
            )
    if summary["unused_model_files"]:
        failures.append(
            f"model files the {summary['model_backend']} backend never loads are packaged: "
            f"{', '.join(summary['unused_model_files'])} (add them to exclude)"
        )
    if summary["unexpected_entries"]:
        failures.append(
            "project files that Lambda does not need are packaged: "
            f"{', '.join(summary['unexpected_entries'])} (exclude them in zappa_settings.json)"
        )
    return failures, missed


def format_report(summary: dict) -> str:
    lines = [
        f"package {summary['stage']}: git {summary['git_sha']}, model {summary['model_version']} "
        f"({summary['model_backend']}, sha256 {summary['model_sha256'][:12]}...)",
        f"  zip       {summary['zip_bytes'] / MB:8.1f} MB  (target <= {TARGETS['zip'] // MB} MB, "
        f"limit {LIMITS['zip'] // MB} MB)",
        f"  unzipped  {summary['unzipped_bytes'] / MB:8.1f} MB  (target <= "
        f"{TARGETS['unzipped'] // MB} MB, limit {LIMITS['unzipped'] // MB} MB)",
        f"  files     {summary['file_count']:8d}"
        + (f"  ({summary['bytecode_files']} .pyc added)" if "bytecode_files" in summary else ""),
        "  largest top-level entries (unzipped):",
    ]
    lines += [
        f"    {entry['bytes'] / MB:8.2f} MB  {entry['name']}"
        for entry in summary["largest_entries"]
    ]
    return "\n".join(lines)
