"""Reading the load test's JSON files: a missing file is None, bad JSON fails in one line.

Writing goes through project.atomic (whole files appear at once).
"""

import json
from pathlib import Path

from loadtest.errors import LoadTestError


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
