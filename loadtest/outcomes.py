"""Sort every response into one outcome kind, so 403, 429 and 5xx are told apart in the report.

A 200 is only a success when its body says what the endpoint promises (for /predict: one
prediction per row sent). Messages are low-cardinality on purpose: Locust groups failures by
message, and a message that held a request id would make every failure its own row.
"""

import json

OK = "ok"
# Kinds of failure, in report order, with the column heading each gets.
FAILURE_KINDS = {
    "forbidden": "403",
    "throttled": "429",
    "server_error": "5xx",
    "client_error": "4xx",
    "bad_content": "content",
    "network": "network",
    "other": "other",
}
KINDS = (OK, *FAILURE_KINDS)
BURST_NAME = "/predict [burst]"  # the burst users' request name (loadtest.locustfile.BurstUser)


def classify_status(status: int) -> str:
    """The kind a status code alone decides; "ok" still needs a content check."""
    if status == 0:
        return "network"  # Locust reports connection errors and timeouts as status 0
    if 200 <= status < 300:
        return OK
    if status == 403:
        return "forbidden"
    if status == 429:
        return "throttled"
    if 500 <= status < 600:
        return "server_error"
    if 400 <= status < 500:
        return "client_error"
    return "other"


def failure_message(kind: str, status: int, body: bytes | None) -> str:
    """One line for Locust's failure table: the status and, for the API's 4xx, its error code."""
    if kind == "network":
        return "connection error"
    if kind == "client_error":
        return f"HTTP {status} {_error_code(body)}"
    label = {"forbidden": "forbidden", "throttled": "throttled", "server_error": "server error"}
    return f"HTTP {status} {label.get(kind, 'unexpected status')}"


def kind_of_message(message: str) -> str:
    """The kind a failure_message() line was written for (Locust's failure table keeps only the
    message): the inverse of failure_message, so both live here."""
    if message == "connection error":
        return "network"
    if message.startswith("200 "):
        return "bad_content"
    parts = message.split(" ", 2)
    if len(parts) >= 2 and parts[0] == "HTTP" and parts[1].isdigit():
        return classify_status(int(parts[1]))
    return "other"


def check_predict(
    body: bytes | None, rows: int, classes: frozenset[str] | None = None
) -> str | None:
    """None when a /predict 200 holds one well-formed prediction per row, else what is wrong."""
    document = _json(body)
    if not isinstance(document, dict):
        return "200 without a JSON object"
    predictions = document.get("predictions")
    if not isinstance(predictions, list) or not predictions:
        return "200 without predictions"
    if len(predictions) != rows:
        return "200 with the wrong number of predictions"
    for item in predictions:
        label = item.get("label") if isinstance(item, dict) else None
        if not isinstance(label, str) or not isinstance(item.get("probabilities"), dict):
            return "200 with a malformed prediction"
        if classes is not None and label not in classes:
            return "200 with an unknown label"
    if rows == 1 and "prediction" not in document:
        return "200 without the single-row prediction field"
    return None


def check_fields(body: bytes | None, required: tuple[str, ...]) -> str | None:
    """None when a GET endpoint's 200 holds the fields the smoke test and clients rely on."""
    document = _json(body)
    if not isinstance(document, dict):
        return "200 without a JSON object"
    missing = [name for name in required if name not in document]
    return f"200 without {', '.join(missing)}" if missing else None


def _json(body: bytes | None):
    try:
        return json.loads(body or b"")
    except (ValueError, UnicodeDecodeError):
        return None


def _error_code(body: bytes | None) -> str:
    document = _json(body)
    error = document.get("error") if isinstance(document, dict) else None
    code = error.get("code") if isinstance(error, dict) else None
    if isinstance(code, str) and code.isidentifier() and len(code) <= 40:
        return code
    return "client error"
