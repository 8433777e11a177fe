"""A client-side limit for API Gateway's per-account rates (CreateApiKey, DeleteApiKey: 5/s).

botocore's standard retries (ops.aws.make_client) back off once AWS says 429; spacing our own
calls keeps a rotation that deletes a backlog of retired keys from getting there.
"""

import time
from collections.abc import Callable


class RateLimiter:
    def __init__(
        self,
        per_second: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.interval = 1.0 / per_second
        self.clock, self.sleep = clock, sleep
        self.last: dict[str, float] = {}

    def wait(self, operation: str) -> None:
        """Block until `operation` may run again; each operation has its own budget."""
        previous = self.last.get(operation)
        if previous is not None:
            delay = previous + self.interval - self.clock()
            if delay > 0:
                self.sleep(delay)
        self.last[operation] = self.clock()


# One per process: the limits are per account, and one process rotates one stage at a time.
SHARED = RateLimiter()
