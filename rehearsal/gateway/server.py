"""The local stage on loopback HTTP: `with start_gateway("dev", endpoint) as base_url:` serves
http://127.0.0.1:PORT/dev/... like the stage's execute-api URL, until the block ends."""

import contextlib
import logging
import os
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from ops.lambda_emulator.events import HttpRequest
from rehearsal.gateway.gateway import DEFAULT_CONCURRENCY, DEFAULT_TTL, MAX_PAYLOAD, Gateway, error
from rehearsal.local_aws.clients import require_loopback

log = logging.getLogger("rehearsal.gateway")
# Hop-by-hop and framing headers are the server's to write, never the function's.
SHUTDOWN_POLL_S = 0.1  # how soon serve_forever notices shutdown()
SERVER_HEADERS = {
    "content-length",
    "connection",
    "transfer-encoding",
    "date",
    "server",
    "keep-alive",
}


class Handler(BaseHTTPRequestHandler):
    """Every method goes to the gateway (Zappa's resources take ANY method)."""

    protocol_version = "HTTP/1.1"  # keep-alive, as load-test clients expect
    server_version = "local-stage"
    sys_version = ""
    timeout = 120  # an idle keep-alive connection is closed after this
    # Headers and body are separate writes; with Nagle's algorithm the second one waits for the
    # client's delayed ACK (about 40 ms per request on Linux loopback).
    disable_nagle_algorithm = True

    def serve(self) -> None:
        refusal = self._refusal()
        if refusal is not None:
            self.close_connection = True  # the body stays unread, so the connection can't go on
            self._reply(refusal.status, refusal.headers, refusal.body)
            return
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        request = HttpRequest(
            self.command, self.path, list(self.headers.items()), body, self.client_address[0]
        )
        host = self.headers.get("Host") or f"127.0.0.1:{self.server.server_port}"
        response = self.server.gateway.handle(request, host)
        self._reply(response.status, response.headers, response.body)

    def _refusal(self):
        """A request body this server won't read: chunked, unparseable or over 10 MB."""
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            return error(411, "-", "Length Required", "LengthRequiredException")
        length = self.headers.get("Content-Length") or "0"
        if not length.isdigit():
            return error(400, "-", "Bad Request", "BadRequestException")
        if int(length) > MAX_PAYLOAD:
            return error(413, "-")
        return None

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = serve

    def _reply(self, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
        self.send_response(status)
        for name, value in headers:
            if name.lower() not in SERVER_HEADERS:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_message(self, format, *args) -> None:
        log.debug("%s %s", self.address_string(), format % args)


class GatewayServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, gateway: Gateway, port: int):
        self.gateway = gateway
        super().__init__(("127.0.0.1", port), Handler)


@contextlib.contextmanager
def start_gateway(
    stage: str,
    endpoint: str | None = None,
    *,
    port: int = 0,
    concurrency: int | None = DEFAULT_CONCURRENCY,
    ttl: float = DEFAULT_TTL,
    region: str | None = None,
    cache: Path | None = None,
    log_path: Path | None = None,
) -> Iterator[str]:
    """Serve STAGE's deployed function from the local endpoint; yield its base URL.

    endpoint defaults to AWS_ENDPOINT_URL and must be on loopback. concurrency caps a function
    that reserves none (None: only the account's unreserved pool, shared with the other gateways
    of this process for the same endpoint); ttl bounds how stale keys, plans and code may be
    (seconds). Stats (statuses, workers, cold starts, per-second metrics) are at
    http://127.0.0.1:PORT/_local/stats[?since=EPOCH&until=EPOCH].
    """
    endpoint = require_loopback(endpoint or os.environ.get("AWS_ENDPOINT_URL"))
    gateway = Gateway(
        stage,
        endpoint,
        region=region,
        concurrency=concurrency,
        ttl=ttl,
        cache=cache,
        log_path=log_path,
    )
    try:
        server = GatewayServer(gateway, port)
    except BaseException:
        gateway.close()
        raise
    thread = threading.Thread(
        target=server.serve_forever,
        args=(SHUTDOWN_POLL_S,),
        name=f"local-stage-{stage}",
        daemon=True,
    )
    thread.start()
    base_url = f"http://127.0.0.1:{server.server_port}/{stage}"
    log.info(
        "local stage %s: %s (function %s, worker log %s)",
        stage,
        base_url,
        gateway.function_name,
        gateway.log_path,
    )
    try:
        yield base_url
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
        gateway.close()
