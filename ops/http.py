"""A tiny JSON-over-HTTPS client for the smoke test (standard library only, bounded timeouts)."""

import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass


@dataclass
class Reply:
    status: int | None  # None when the server could not be reached
    body: dict
    seconds: float
    error: str = ""


def call(method: str, url: str, api_key: str | None, body: dict | None = None, timeout=15.0):
    """One request; the key travels in x-api-key and is never part of any message."""
    data = None if body is None else json.dumps(body).encode()
    if not url.startswith(("https://", "http://")):
        raise ValueError(f"not an http(s) URL: {url}")
    request = urllib.request.Request(url, data=data, method=method)  # noqa: S310 (checked above)
    request.add_header("Accept", "application/json")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    if api_key:
        request.add_header("x-api-key", api_key)
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as exc:
        status, raw = exc.code, exc.read()
    except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
        reason = getattr(exc, "reason", exc)
        return Reply(None, {}, time.perf_counter() - started, f"unreachable: {reason}")
    elapsed = time.perf_counter() - started
    try:
        parsed = json.loads(raw or b"null")
    except json.JSONDecodeError:
        parsed = None
    return Reply(status, parsed if isinstance(parsed, dict) else {}, elapsed)
