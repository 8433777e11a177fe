"""File helpers: whole files appear at once (temp file, then rename); bad JSON fails clearly."""

import json
import os
from pathlib import Path

from loadtest.errors import LoadTestError


def write_atomic(path: Path, text: str) -> None:
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def write_json(path: Path, document: dict) -> None:
    write_atomic(path, json.dumps(document, indent=2, sort_keys=True) + "\n")


def read_json(path: Path) -> dict | None:
    """The document, or None if the file does not exist."""
    try:
        document = json.loads(Path(path).read_text())
    except FileNotFoundError:
        return None
    except (ValueError, UnicodeDecodeError) as exc:
        raise LoadTestError(f"{path} is not valid JSON: {exc}") from None
    if not isinstance(document, dict):
        raise LoadTestError(f"{path} must hold a JSON object")
    return document
