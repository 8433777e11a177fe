"""One JSON log line per request, tagged with a request id; payload values are never logged."""

import json
import logging
import re
import sys
import time
import uuid

from flask import Flask, g, request

log = logging.getLogger("app")

# Zappa copies API Gateway's requestContext.requestId into this header (context_header_mappings).
GATEWAY_REQUEST_ID_HEADER = "X-Apigw-Request-Id"
_SAFE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {"level": record.levelname, "logger": record.name, "message": record.getMessage()}
        line.update(getattr(record, "fields", {}))
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, separators=(",", ":"))


class StderrHandler(logging.StreamHandler):
    """Writes to whatever sys.stderr is now (Lambda's log stream, or a test's capture)."""

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value):
        pass


def lean_records() -> None:
    """Stop logging from collecting what no line here shows (the logging HOWTO's "Optimization").

    Every record otherwise looks up its caller's frame, thread, process and asyncio task, on every
    request's log line. The asyncio lookup would also load the asyncio that app/lambda_entry.py
    defers.
    """
    logging.logThreads = logging.logProcesses = logging.logMultiprocessing = False
    logging.logAsyncioTasks = False
    logging._srcfile = None


def init_app(app: Flask) -> None:
    lean_records()
    if not any(isinstance(h, StderrHandler) for h in log.handlers):
        handler = StderrHandler()
        handler.setFormatter(JsonFormatter())
        log.addHandler(handler)
        log.propagate = False  # Zappa configures the root logger; don't log every line twice
    log.setLevel(app.config["LOG_LEVEL"])
    app.before_request(_start)
    app.after_request(_finish)


def request_id() -> str:
    """API Gateway's id when behind it, else the Lambda invocation's, else a fresh one."""
    candidate = request.headers.get(GATEWAY_REQUEST_ID_HEADER, "")
    if _SAFE_ID.match(candidate):
        return candidate
    context = request.environ.get("lambda.context")
    aws_id = getattr(context, "aws_request_id", None)
    return aws_id if isinstance(aws_id, str) else uuid.uuid4().hex


def _start() -> None:
    g.started = time.perf_counter()
    g.request_id = request_id()


def _finish(response):
    if "request_id" not in g:  # a before_request hook failed before ours ran
        _start()
    response.headers["X-Request-Id"] = g.request_id
    if log.isEnabledFor(logging.INFO):
        fields = {
            "request_id": g.request_id,
            "method": request.method,
            "path": request.path,
            "status": response.status_code,
            "duration_ms": round((time.perf_counter() - g.started) * 1000, 3),
        }
        if "rows" in g:
            fields["rows"] = g.rows
        log.info("request", extra={"fields": fields})
    return response
