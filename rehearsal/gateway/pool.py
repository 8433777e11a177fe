"""The worker pool: workers start on demand up to the function's concurrency and, for a function
without a reservation, while the account's pool has room (each start is a cold start); they serve
one invocation at a time, stay warm between them, and are retired when the code or configuration
changes."""

import itertools
import threading
from collections.abc import Callable
from pathlib import Path

from ops.lambda_emulator.revision import Revision
from ops.lambda_emulator.worker import Worker, worker_env
from rehearsal.gateway.account import AccountPool
from rehearsal.gateway.function import Concurrency


class Throttled(Exception):
    """Every execution the function's or the account's limit allows is busy (Lambda throttles,
    never queues)."""


def stop_all(workers) -> None:
    """Close every pipe first, then wait: the workers exit in parallel."""
    workers = list(workers)
    for worker in workers:
        worker.close()
    for worker in workers:
        worker.wait()


class Pool:
    """Idle workers of the current revision, busy ones, and the count of those starting."""

    def __init__(
        self,
        runtime_layer: Path,
        aws: dict[str, str],
        log,
        account: AccountPool | None = None,
        on_in_use: Callable[[int], None] = lambda _count: None,
    ):
        self.runtime_layer, self.aws, self.log = runtime_layer, aws, log
        self.account = account or AccountPool()
        self.on_in_use = on_in_use  # told the executions in use after one starts or ends
        self._numbers = itertools.count(1)
        self._lock = threading.Lock()
        self._idle: list[Worker] = []
        self._busy: set[Worker] = set()
        self._starting = 0
        self._current: str | None = None
        self._closed = False

    def acquire(self, revision: Revision, concurrency: Concurrency) -> tuple[Worker, bool]:
        """(a warm worker, False) or (a new one, True); Throttled at the function's limit or
        when the account's unreserved pool is exhausted."""
        retired: list[Worker] = []
        try:
            with self._lock:
                if self._closed:
                    raise Throttled("the gateway is stopping")
                if revision.key != self._current:
                    self._current, retired, self._idle = revision.key, self._idle, []
                in_use = len(self._busy) + self._starting
                if in_use >= concurrency.limit:
                    raise Throttled(f"{in_use} of {concurrency.limit} executions busy")
                pooled = concurrency.shares_account_pool
                if pooled and not self.account.try_acquire(concurrency.unreserved):
                    raise Throttled(f"the account's {concurrency.unreserved} executions are busy")
                self.on_in_use(in_use + 1)
                if self._idle:
                    worker = self._idle.pop()
                    worker.pooled = pooled
                    self._busy.add(worker)
                    return worker, False
                self._starting += 1
                number = next(self._numbers)
        finally:
            stop_all(retired)
        return self._start(number, revision, pooled), True

    def _start(self, number: int, revision: Revision, pooled: bool) -> Worker:
        worker = None
        try:
            worker = Worker(
                number, revision, worker_env(revision, self.runtime_layer, self.aws), self.log
            )
            worker.pooled = pooled
            worker.wait_ready()
        except BaseException:
            with self._lock:
                self._starting -= 1
                self.on_in_use(len(self._busy) + self._starting)
                if pooled:
                    self.account.release()
            if worker is not None:
                worker.kill()
                worker.wait()
            raise
        with self._lock:
            self._starting -= 1
            self._busy.add(worker)
        return worker

    def release(self, worker: Worker, concurrency: Concurrency, healthy: bool = True) -> None:
        """Back to idle if it is still fit to serve; otherwise stopped (old code, crash, limit)."""
        with self._lock:
            self._busy.discard(worker)
            self.on_in_use(len(self._busy) + self._starting)
            if worker.pooled:
                self.account.release()
                worker.pooled = False
            live = len(self._busy) + self._starting + len(self._idle)
            keep = (
                healthy
                and not self._closed
                and worker.revision.key == self._current
                and worker.process.poll() is None
                and live < concurrency.limit
            )
            if keep:
                self._idle.append(worker)
        if not keep:
            worker.stop()

    def snapshot(self) -> dict:
        with self._lock:
            return {"busy": len(self._busy), "idle": len(self._idle), "starting": self._starting}

    def stop(self) -> None:
        """Stop every worker. Busy ones are killed; their request threads get a 502 and reap them
        in release() (closing a pipe under a reading thread could hand its fd to someone else)."""
        with self._lock:
            self._closed = True
            idle, busy, self._idle = self._idle, list(self._busy), []
        for worker in busy:
            worker.kill()
        stop_all(idle)
