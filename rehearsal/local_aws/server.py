"""moto's server, in this process, on a free loopback port, with the shims in front.

In-process (not `moto_server` in a subprocess) so the shims can read moto's Lambda backend; other
processes (the zappa CLI, ops, locust) still reach it over HTTP through AWS_ENDPOINT_URL.
"""

import contextlib
import os
import signal
import threading
import urllib.request
from collections.abc import Iterator

from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import BaseWSGIServer, make_server

from rehearsal.local_aws.clients import DEFAULT_REGION, REAL_ACCOUNT_VARIABLES, aws_env
from rehearsal.local_aws.shims import LOCAL_ACCOUNT_CONCURRENCY, ShimmedMoto

# moto keeps its state in module globals: two servers in one process would share (and reset) it.
_RUNNING = threading.Lock()


class QuietHandler(MotoRequestHandler):
    """No access-log line per request: zappa alone makes hundreds."""

    def log_request(self, code="-", size="-"):
        pass


class LocalAwsServer:
    """start() -> endpoint URL; stop() always; one per process."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        account_concurrency: int = LOCAL_ACCOUNT_CONCURRENCY,
    ):
        self.host, self.port = host, port
        self.account_concurrency = account_concurrency
        self.endpoint = ""
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> str:
        if not _RUNNING.acquire(blocking=False):
            raise RuntimeError("a local AWS endpoint already runs in this process (moto is global)")
        try:
            app = ShimmedMoto(
                DomainDispatcherApplication(create_backend_app), self.account_concurrency
            )
            self._server = make_server(
                self.host, self.port, app, threaded=True, request_handler=QuietHandler
            )
        except BaseException:
            _RUNNING.release()
            raise
        self.port = self._server.server_port
        self.endpoint = f"http://{self.host}:{self.port}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="local-aws", daemon=True
        )
        self._thread.start()
        self._reset()
        return self.endpoint

    def _reset(self) -> None:
        """Start empty even if an earlier server in this process left state behind."""
        url = f"{self.endpoint}/moto-api/reset"  # moto's documented reset call
        request = urllib.request.Request(url, method="POST")  # noqa: S310 (our loopback URL)
        with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310
            answer.read()

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._server = self._thread = None
        _RUNNING.release()


@contextlib.contextmanager
def exported(variables: dict[str, str], remove: tuple[str, ...] = ()) -> Iterator[None]:
    """Set (and unset) environment variables for this process and its children, then restore."""
    saved = {name: os.environ.get(name) for name in (*variables, *remove)}
    os.environ.update(variables)
    for name in remove:
        os.environ.pop(name, None)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@contextlib.contextmanager
def exit_on_signals(signals=(signal.SIGTERM, signal.SIGHUP)) -> Iterator[None]:
    """Turn SIGTERM/SIGHUP into SystemExit so `finally` blocks run (Ctrl-C already does)."""
    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread may install handlers; its owner handles signals then
        return

    def leave(signum, _frame):
        raise SystemExit(128 + signum)

    previous = {number: signal.signal(number, leave) for number in signals}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


@contextlib.contextmanager
def local_aws(
    port: int = 0,
    region: str = DEFAULT_REGION,
    export: bool = True,
    account_concurrency: int = LOCAL_ACCOUNT_CONCURRENCY,
) -> Iterator[str]:
    """Run the local endpoint for the block and yield its URL; stopped on every exit path.

    account_concurrency is the account's concurrent-executions limit that GetAccountSettings
    answers and the stage gateways enforce.

    With export (the default) the block, and every child it starts, sees AWS_ENDPOINT_URL, dummy
    credentials and the region, and no profile or session token that could reach a real account.
    """
    server = LocalAwsServer(port=port, account_concurrency=account_concurrency)
    endpoint = server.start()
    try:
        environment = (
            exported(aws_env(endpoint, region), remove=REAL_ACCOUNT_VARIABLES)
            if export
            else contextlib.nullcontext()
        )
        with exit_on_signals(), environment:
            yield endpoint
    finally:
        server.stop()
