"""Prove a key works on the stage before anyone is told to use it: GET /health, POST /predict.

A key attached to a usage plan takes a few seconds to work on API Gateway, so 403 and the other
transient answers are retried (ops.retry's policy), for at most the verify timeout per call.
"""

import functools
import time
from collections.abc import Callable

from ops import http, release, retry
from ops.keys.redact import KeysError


def probe(
    base_url: str,
    value: str,
    timeout: float = 60.0,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> list[str]:
    """Both calls must answer 200 with the key; returns what was seen, raises when they don't."""
    base, seen = base_url.rstrip("/"), []
    calls = (("GET", "/health", None), ("POST", "/predict", {"data": release.sample_row()}))
    for method, path, body in calls:
        call = functools.partial(http.call, method, f"{base}{path}", value, body)
        reply = retry.until_settled(call, retry.transient, clock() + timeout, clock, sleep)
        shown = reply.error or str(reply.status)
        if reply.status != 200:
            raise KeysError(f"{method} {path} with the new key answered {shown}, expected 200")
        if path == "/predict" and not reply.body.get("predictions"):
            raise KeysError("POST /predict with the new key answered 200 without predictions")
        seen.append(f"{method} {path} {shown}")
    return seen
