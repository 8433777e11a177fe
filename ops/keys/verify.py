"""Prove a key works on the stage before anyone is told to use it: GET /health, POST /predict.

A key attached to a usage plan takes a few seconds to work on API Gateway, so 403 and the other
transient answers are retried with backoff, for at most the policy's verify timeout.
"""

import time
from collections.abc import Callable

from ops import http, release
from ops.keys.redact import KeysError

RETRYABLE = {None, 403, 429, 500, 502, 503, 504}


def delays(total: float) -> list[float]:
    """Backoff pauses (1, 2, 4, 8, 10, 10, ... s) adding up to at most `total`."""
    found, delay = [], 1.0
    while sum(found) + delay <= total:
        found.append(delay)
        delay = min(delay * 2, 10.0)
    return found


def probe(
    base_url: str,
    value: str,
    timeout: float = 60.0,
    sleep: Callable[[float], None] = time.sleep,
) -> list[str]:
    """Both calls must answer 200 with the key; returns what was seen, raises when they don't."""
    base, seen = base_url.rstrip("/"), []
    calls = (("GET", "/health", None), ("POST", "/predict", {"data": release.sample_row()}))
    for method, path, body in calls:
        pauses = iter(delays(timeout))
        while True:
            reply = http.call(method, f"{base}{path}", value, body)
            pause = next(pauses, None)
            if reply.status not in RETRYABLE or pause is None:
                break
            sleep(pause)
        shown = reply.error or str(reply.status)
        if reply.status != 200:
            raise KeysError(f"{method} {path} with the new key answered {shown}, expected 200")
        if path == "/predict" and not reply.body.get("predictions"):
            raise KeysError("POST /predict with the new key answered 200 without predictions")
        seen.append(f"{method} {path} {shown}")
    return seen
