"""The package check's requests, as the API Gateway REST proxy events the deployed function gets.

Built by the same code that turns the local stage's HTTP requests into events
(`ops.lambda_emulator.events`), so the package check and the local stage send one event shape.
"""

import json

from ops.lambda_emulator.events import HttpRequest, new_request_id, request_event

HOST = "example.execute-api.us-east-1.amazonaws.com"


def rest_event(
    stage: str,
    method: str,
    path: str,
    body: dict | str | None = None,
    api_key: str = "local-package-check",
) -> dict:
    """One `AWS_PROXY` event for the `/` or `/{proxy+}` resource Zappa creates."""
    headers = [("Host", HOST), ("Accept", "application/json"), ("User-Agent", "ops")]
    data = b""
    if body is not None:
        headers.append(("Content-Type", "application/json"))
        data = (body if isinstance(body, str) else json.dumps(body)).encode()
    request = HttpRequest(
        method=method, target=path, headers=headers, body=data, source_ip="127.0.0.1"
    )
    identity = {"apiKey": api_key, "apiKeyId": "package-check"}
    context = {
        "apiId": "package-check",
        "accountId": "000000000000",
        "requestId": new_request_id(),
        "domainName": HOST,
    }
    return request_event(request, stage, path, "", identity, context)


def check_cases(stage: str, row: list[float]) -> list[dict]:
    """The requests the package check sends, each with the status it must get back.

    Bad input must get a client error; the exact 4xx code is the app's contract, not ours. The
    first is a prediction: a cold start is measured up to the end of the first request.
    """
    cases = [
        ("predict", "POST", "/predict", {"data": row}, 200),
        ("index", "GET", "/", None, 200),
        ("health", "GET", "/health", None, 200),
        ("version", "GET", "/version", None, 200),
        ("predict batch", "POST", "/predict", {"instances": [row, row, row]}, 200),
        ("predict bad row", "POST", "/predict", {"data": row[:-1]}, "4xx"),  # one value short
        ("predict not json", "POST", "/predict", "not json", "4xx"),
        ("unknown path", "GET", "/no-such-route", None, 404),
    ]
    return [
        {"name": name, "expect": status, "event": rest_event(stage, method, path, body)}
        for name, method, path, body, status in cases
    ]
