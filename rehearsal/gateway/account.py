"""Lambda's account-level concurrency, locally: one pool per local AWS endpoint, shared by every
gateway of this process that serves a function of that endpoint.

In AWS, functions without reserved concurrency share the account's unreserved pool (the account
limit minus every reservation, GetAccountSettings' UnreservedConcurrentExecutions), and a request
that finds the pool exhausted is throttled whichever function it is for. The rehearsal runs the
gateways of dev, test and prod in one process, so they share one pool, as the stages of one AWS
account do. Gateways in separate processes (two `make local-stage`) each count their own: the
limit is then per gateway. The limit itself is the local endpoint's (rehearsal.local_aws.shims),
read like AWS's, so the capacity check and the gateways see the same number.
"""

import threading

_POOLS: dict[str, "AccountPool"] = {}
_POOLS_LOCK = threading.Lock()


class AccountPool:
    """Concurrent executions in use by unreserved functions; try_acquire against the limit."""

    def __init__(self):
        self._lock = threading.Lock()
        self.in_use = 0
        self.peak = 0

    def try_acquire(self, limit: int) -> bool:
        with self._lock:
            if self.in_use >= limit:
                return False
            self.in_use += 1
            self.peak = max(self.peak, self.in_use)
            return True

    def release(self) -> None:
        with self._lock:
            self.in_use = max(0, self.in_use - 1)


def shared_pool(endpoint: str) -> AccountPool:
    """The one pool of this process for the local endpoint's account."""
    with _POOLS_LOCK:
        return _POOLS.setdefault(endpoint.rstrip("/"), AccountPool())
