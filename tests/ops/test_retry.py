"""ops.retry: the one backoff the smoke test and the key check wait with."""

from ops import retry
from tests.keys.conftest import PausedTime


def test_pauses_double_to_ten_seconds_while_they_fit_before_the_deadline():
    time, calls = PausedTime(), []

    def call():
        calls.append(time.now)
        return "not yet"

    reply = retry.until_settled(call, lambda r: r == "not yet", 40.0, time.clock, time.sleep)
    assert reply == "not yet"
    assert calls == [0, 1, 3, 7, 15, 25, 35]  # pauses 1, 2, 4, 8, 10, 10; the next 10 won't fit


def test_an_answer_that_is_not_waited_for_returns_at_once():
    time = PausedTime()
    answers = iter([503, 403, 200, 503])
    reply = retry.until_settled(
        lambda: next(answers), lambda s: s in retry.RETRYABLE, 60.0, time.clock, time.sleep
    )
    assert (reply, time.now) == (200, 3.0)
