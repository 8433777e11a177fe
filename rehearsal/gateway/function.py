"""The deployed function as the local endpoint describes it: code, configuration, concurrency
(its reservation, and the account's unreserved pool from GetAccountSettings).

Re-read at most every `ttl` seconds. A new revision (a deploy or a rollback changed CodeSha256, or
the configuration changed) is unzipped before any request uses it; requests that arrive meanwhile
wait, so none is served by old code once the change is seen.
"""

import hashlib
import json
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from botocore.exceptions import ClientError

from ops import zappa_settings
from ops.lambda_emulator.revision import Revision
from rehearsal.gateway.deployed_code import unpacked


class FunctionMissing(Exception):
    """The stage's function does not exist in the local endpoint (not deployed yet?)."""


def revision_of(answer: dict, root: Path) -> Revision:
    """A Revision from a get_function answer and the directory its code is unzipped in."""
    config = answer["Configuration"]
    fields = {
        "function_name": config["FunctionName"],
        "function_arn": config["FunctionArn"],
        "version": config.get("Version", "$LATEST"),
        "code_sha256": config["CodeSha256"],
        "handler": config.get("Handler") or zappa_settings.ZAPPA_HANDLER,
        "runtime": config.get("Runtime") or zappa_settings.runtime(),
        "environment": config.get("Environment", {}).get("Variables", {}),
        "memory_mb": int(config.get("MemorySize", 128)),
        "timeout_s": int(config.get("Timeout", 3)),
    }
    key = hashlib.sha256(json.dumps(fields, sort_keys=True).encode()).hexdigest()
    return Revision(**fields, root=root, key=key)


@dataclass(frozen=True)
class Concurrency:
    """How many executions the function may run at once, as Lambda decides it.

    reserved: its reserved concurrency (its own share, outside the account's pool), or None;
    unreserved: the account's pool that every function without a reservation shares;
    cap: the gateway's own limit for a function without a reservation (this machine's), or None.
    """

    reserved: int | None
    unreserved: int
    cap: int | None = None

    @property
    def limit(self) -> int:
        if self.reserved is not None:
            return self.reserved
        return self.unreserved if self.cap is None else min(self.cap, self.unreserved)

    @property
    def shares_account_pool(self) -> bool:
        return self.reserved is None


class StageFunction:
    """current() -> (revision, concurrency), cached for at most ttl seconds."""

    def __init__(
        self,
        lambda_client,
        name: str,
        cache: Path,
        cap: int | None,
        ttl: float,
        clock=time.monotonic,
    ):
        self.client, self.name, self.cache = lambda_client, name, cache
        self.cap, self.ttl, self.clock = cap, ttl, clock
        self._lock = threading.Lock()
        self._state: tuple[Revision, Concurrency] | None = None
        self._checked = 0.0

    def current(self) -> tuple[Revision, Concurrency]:
        with self._lock:
            now = self.clock()
            if self._state is None or now - self._checked >= self.ttl:
                self._state = self._read(self._state)
                self._checked = now
            return self._state

    def _read(self, previous: tuple[Revision, Concurrency] | None) -> tuple[Revision, Concurrency]:
        try:
            answer = self.client.get_function(FunctionName=self.name)
            concurrency = self.client.get_function_concurrency(FunctionName=self.name)
            account = self.client.get_account_settings()["AccountLimit"]
        except self.client.exceptions.ResourceNotFoundException:
            raise FunctionMissing(
                f"function {self.name} does not exist in the local endpoint"
            ) from None
        except ClientError as exc:
            raise FunctionMissing(f"cannot read function {self.name}: {exc}") from None
        limits = Concurrency(
            reserved=concurrency.get("ReservedConcurrentExecutions"),
            unreserved=int(account["UnreservedConcurrentExecutions"]),
            cap=self.cap,
        )
        config = answer["Configuration"]
        if previous and previous[0].code_sha256 == config["CodeSha256"]:
            root = previous[0].root
        else:
            root = unpacked(answer["Code"]["Location"], config["CodeSha256"], self.cache)
        return revision_of(answer, root), limits
