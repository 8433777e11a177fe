"""One retry policy for calls to a stage that is still settling (a fresh deploy, rollback or key).

Which answers are worth waiting for, and the backoff between tries: 1, 2, 4, 8, then 10 s, for as
long as the next pause still fits before the deadline. The smoke test and the key check use it.
"""

import time
from collections.abc import Callable

# No answer at all (None), a key not yet active (403), throttling and the gateway's 5xx.
RETRYABLE = frozenset({None, 403, 429, 500, 502, 503, 504})
FIRST_PAUSE, LONGEST_PAUSE = 1.0, 10.0


def transient(reply) -> bool:
    """An answer (ops.http.Reply) a settling stage gives before it answers for real."""
    return reply.status in RETRYABLE


def until_settled[T](
    call: Callable[[], T],
    waiting: Callable[[T], bool],
    deadline: float,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Call until `waiting(reply)` is false or the next pause would end after `deadline` (on
    `clock`); returns the last reply."""
    pause = FIRST_PAUSE
    while True:
        reply = call()
        if not waiting(reply) or clock() + pause > deadline:
            return reply
        sleep(pause)
        pause = min(pause * 2, LONGEST_PAUSE)
