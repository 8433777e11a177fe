"""Crash a rotation right after its n-th call, to prove every step can be resumed.

Every AWS client the ops code makes comes from ops.aws.make_client; wrapping it registers a
botocore `after-call` hook on each client, which sees every call (paginated ones too) after AWS
has acted on it. Raising there is the worst moment to crash: the change is made, the caller never
learns of it. The verify step (HTTP calls to the stage) is counted as one call too.
"""

import functools

from ops import aws


class InjectedFault(Exception):
    """A crash at a chosen moment (ops code never catches a bare Exception, so it propagates)."""


class Faults:
    def __init__(self, monkeypatch):
        self.calls: list[str] = []
        self.fail_after: int | None = None  # crash after this call (index into self.calls)
        self.fail_on: str | None = None  # or after the first call of this name
        original = aws.make_client

        @functools.cache  # one client per service, as in a long-lived process: keeps tests fast
        def make_client(service, region):
            client = original(service, region)
            client.meta.events.register("after-call", self._after_call)
            return client

        monkeypatch.setattr(aws, "make_client", make_client)

    def record(self, name: str) -> None:
        self.calls.append(name)
        if len(self.calls) - 1 == self.fail_after or name == self.fail_on:
            self.fail_after = self.fail_on = None  # one crash; the re-run must get through
            raise InjectedFault(f"crash after call {len(self.calls) - 1}: {name}")

    def _after_call(self, model, **_):
        self.record(f"{model.service_model.service_name}.{model.name}")

    def wrap_verify(self, verify):
        def counted(value):
            result = verify(value)
            self.record("stage.verify")
            return result

        return counted
