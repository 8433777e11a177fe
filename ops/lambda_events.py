"""API Gateway REST (v1) proxy events, shaped like the ones the deployed function receives."""

import json
import uuid


def rest_event(
    stage: str,
    method: str,
    path: str,
    body: dict | str | None = None,
    api_key: str = "local-package-check",
) -> dict:
    """One `AWS_PROXY` event for the `/` or `/{proxy+}` resource Zappa creates."""
    request_id = str(uuid.uuid4())
    headers = {"Host": "example.execute-api.us-east-1.amazonaws.com", "Accept": "application/json"}
    if body is not None:
        headers["Content-Type"] = "application/json"
        body = body if isinstance(body, str) else json.dumps(body)
    resource = "/" if path == "/" else "/{proxy+}"
    return {
        "resource": resource,
        "path": path,
        "httpMethod": method,
        "headers": headers,
        "multiValueHeaders": {key: [value] for key, value in headers.items()},
        "queryStringParameters": None,
        "multiValueQueryStringParameters": None,
        "pathParameters": None if path == "/" else {"proxy": path.lstrip("/")},
        "stageVariables": None,
        "requestContext": {
            "resourcePath": resource,
            "httpMethod": method,
            "path": f"/{stage}{path}",
            "stage": stage,
            "requestId": request_id,
            "identity": {"sourceIp": "127.0.0.1", "apiKey": api_key, "userAgent": "ops"},
        },
        "body": body,
        "isBase64Encoded": False,
    }


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
