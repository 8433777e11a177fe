"""One stage's gateway: API Gateway's key and usage-plan checks, Lambda's concurrency, and the
proxy mapping, in front of the worker pool. Transport-free: server.py feeds it HTTP requests."""

import json
import logging
import threading
from collections import Counter
from pathlib import Path
from urllib.parse import parse_qsl

from botocore.exceptions import BotoCoreError, ClientError

import project
from loadtest.gateway_metrics import STATS_PATH  # the load test reads them; one definition
from ops import lambda_runtime, paths
from ops.lambda_emulator.events import (
    HttpRequest,
    HttpResponse,
    MalformedResponse,
    new_request_id,
    proxy_response,
    request_event,
    split_stage,
)
from ops.lambda_emulator.worker import WorkerError, WorkerTimeout
from rehearsal.gateway.account import shared_pool
from rehearsal.gateway.auth import Caller, StageKeys
from rehearsal.gateway.deployed_code import PackageError
from rehearsal.gateway.function import Concurrency, FunctionMissing, StageFunction
from rehearsal.gateway.metrics import FunctionMetrics
from rehearsal.gateway.pool import Pool, Throttled
from rehearsal.gateway.throttle import THROTTLED, Limiter
from rehearsal.local_aws.clients import aws_env, local_client, region_from_env

log = logging.getLogger("rehearsal.gateway")

# The gateway's own cap for a function that reserves no concurrency (this machine's: every
# execution is a process here); None leaves only the account's pool, as in Lambda.
DEFAULT_CONCURRENCY = 4
DEFAULT_TTL = 1.0  # seconds a read of keys, plans and function state is reused
INTEGRATION_TIMEOUT_S = 29  # API Gateway's REST integration timeout
MAX_PAYLOAD = 10 * 1024 * 1024  # API Gateway's request payload limit
ERRORS = {  # status -> (message, x-amzn-ErrorType), as API Gateway answers them
    403: ("Forbidden", "ForbiddenException"),
    413: ("Request Too Long", "RequestTooLongException"),
    502: ("Internal server error", "InternalServerErrorException"),
    504: ("Endpoint request timed out", "IntegrationTimeoutException"),
}


def error(status: int, request_id: str, message: str | None = None, kind: str | None = None):
    default_message, default_kind = ERRORS.get(status, ("Error", "Exception"))
    body = json.dumps({"message": message or default_message}).encode()
    headers = [("Content-Type", "application/json"), ("x-amzn-ErrorType", kind or default_kind)]
    return HttpResponse(status, [*headers, ("x-amzn-RequestId", request_id)], body)


def header(request: HttpRequest, name: str) -> str | None:
    """HTTP header names are case-insensitive; the last value wins, as in API Gateway."""
    found = None
    for key, value in request.headers:
        if key.lower() == name:
            found = value
    return found


def stats_window(query: str) -> tuple[int, int | None]:
    """?since=EPOCH&until=EPOCH (seconds), both optional; anything unparseable is ignored."""
    values = dict(parse_qsl(query))
    since = values.get("since", "")
    until = values.get("until", "")
    return (
        int(since) if since.isdigit() else 0,
        int(until) if until.isdigit() else None,
    )


class Gateway:
    """handle(request, host) -> response for STAGE; close() stops every worker."""

    def __init__(
        self,
        stage: str,
        endpoint: str,
        *,
        region: str | None = None,
        concurrency: int | None = DEFAULT_CONCURRENCY,
        ttl: float = DEFAULT_TTL,
        cache: Path | None = None,
        log_path: Path | None = None,
    ):
        region = region or region_from_env()
        self.stage, self.function_name = stage, project.function_name(stage)
        base = paths.CACHE / "local-stage"
        self.account_id = local_client("sts", endpoint, region).get_caller_identity()["Account"]
        self.keys = StageKeys(
            local_client("apigateway", endpoint, region), self.function_name, stage, ttl
        )
        self.function = StageFunction(
            local_client("lambda", endpoint, region),
            self.function_name,
            cache or base / "code",
            concurrency,
            ttl,
        )
        self.limiter = Limiter()
        self.log_path = log_path or base / f"{self.function_name}.log"
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = self.log_path.open("w")  # the workers' stdout and stderr, like CloudWatch
        self.metrics = FunctionMetrics()
        self.account = shared_pool(endpoint)
        self.pool = Pool(
            lambda_runtime.ensure_layer(),
            aws_env(endpoint, region),
            self._log,
            account=self.account,
            on_in_use=self.metrics.concurrency,
        )
        self._lock = threading.Lock()
        self._statuses: Counter = Counter()
        self._cold_starts: list[dict] = []
        self._concurrency: Concurrency | None = None
        self._max_rss_mb = 0.0  # the largest worker's peak memory (compare with MemorySize)

    def handle(self, request: HttpRequest, host: str) -> HttpResponse:
        request_id = new_request_id()
        path, _, query = request.target.partition("?")
        if path == STATS_PATH:
            since, until = stats_window(query)
            body = json.dumps(self.stats(since, until)).encode()
            return HttpResponse(200, [("Content-Type", "application/json")], body)
        response = self._handle(request, host, request_id)
        with self._lock:
            self._statuses[response.status] += 1
        return response

    def _handle(self, request: HttpRequest, host: str, request_id: str) -> HttpResponse:
        inside = split_stage(request.target, self.stage)
        if inside is None:
            return error(403, request_id)
        key = header(request, "x-api-key")
        caller = self._admit(key, request_id)
        if isinstance(caller, HttpResponse):
            return caller
        path, query = inside
        identity = {"apiKey": key, "apiKeyId": caller.key_id}
        context = {
            "accountId": self.account_id,
            "apiId": caller.api_id,
            "requestId": request_id,
            "domainName": host,
        }
        event = request_event(request, self.stage, path, query, identity, context)
        return self._invoke(event, request_id)

    def _admit(self, key: str | None, request_id: str) -> Caller | HttpResponse:
        """API Gateway's part: the key, then the usage plan's throttle and quota."""
        try:
            caller = self.keys.authorize(key)
        except (ClientError, BotoCoreError) as exc:
            log.error("%s: cannot read API keys from the local endpoint: %s", self.stage, exc)
            return error(502, request_id)
        if caller is None:
            return error(403, request_id)
        verdict = self.limiter.check(caller.key_id, caller.limits)
        if verdict == THROTTLED:
            return error(429, request_id, verdict, "TooManyRequestsException")
        if verdict is not None:
            return error(429, request_id, verdict, "LimitExceededException")
        return caller

    def _invoke(self, event: dict, request_id: str) -> HttpResponse:
        """Lambda's part: the current code, a free execution environment, the invocation."""
        try:
            revision, concurrency = self.function.current()
        except (FunctionMissing, PackageError, ClientError, BotoCoreError) as exc:
            log.error("%s: %s", self.stage, exc)
            return error(502, request_id)
        self._concurrency = concurrency
        try:
            worker, cold = self.pool.acquire(revision, concurrency)
        except Throttled:
            self.metrics.throttle()
            return error(429, request_id, "Rate Exceeded.", "TooManyRequestsException")
        except (WorkerError, OSError) as exc:
            log.error("%s: cold start failed: %s (worker log: %s)", self.stage, exc, self.log_path)
            return error(502, request_id)
        reply, failure = None, None
        try:
            reply = worker.invoke(event, request_id, min(revision.timeout_s, INTEGRATION_TIMEOUT_S))
        except WorkerTimeout:
            log.error(
                "%s: request %s timed out after %s s", self.stage, request_id, revision.timeout_s
            )
            failure = error(504 if revision.timeout_s > INTEGRATION_TIMEOUT_S else 502, request_id)
        except WorkerError as exc:
            log.error("%s: %s (worker log: %s)", self.stage, exc, self.log_path)
            failure = error(502, request_id)
        finally:
            self.pool.release(worker, concurrency, healthy=reply is not None)
        seconds = reply.get("seconds") if reply is not None else None
        failed = reply is None or "error" in reply  # Lambda's Errors: the function failed
        self.metrics.invocation(None if seconds is None else seconds * 1000, failed)
        if reply is not None:
            with self._lock:
                self._max_rss_mb = max(self._max_rss_mb, reply.get("max_rss_mb", 0.0))
        if cold:
            self._record_cold_start(worker, revision.short, reply and reply.get("seconds"))
        return failure or self._response(reply, request_id)

    def _response(self, reply: dict, request_id: str) -> HttpResponse:
        if "error" in reply:
            failure = reply["error"]
            log.error(
                "%s: the function failed: %s: %s",
                self.stage,
                failure["errorType"],
                failure["errorMessage"],
            )
            return error(502, request_id)
        try:
            response = proxy_response(reply["result"])
        except MalformedResponse as exc:
            log.error("%s: malformed Lambda proxy response: %s", self.stage, exc)
            return error(502, request_id)
        headers = [*response.headers, ("x-amzn-RequestId", request_id)]
        return HttpResponse(response.status, headers, response.body)

    def _record_cold_start(self, worker, code: str, first_seconds: float | None) -> None:
        entry = {
            "worker": worker.number,
            "revision": code,
            "init_seconds": worker.init_seconds,
            "first_invoke_seconds": first_seconds,
        }
        with self._lock:
            self._cold_starts.append(entry)
        log.info(
            "%s: cold start of worker %d (revision %s): init %.3f s + first request %.3f s",
            self.stage,
            worker.number,
            code,
            worker.init_seconds or 0.0,
            first_seconds or 0.0,
        )

    def stats(self, since: int = 0, until: int | None = None) -> dict:
        """Statuses, workers and cold starts since the start; the function's per-second metrics
        (points) and its duration percentiles over the window [since, until] (epoch seconds)."""
        with self._lock:
            statuses = {str(status): count for status, count in sorted(self._statuses.items())}
            cold, max_rss_mb = list(self._cold_starts), self._max_rss_mb
        concurrency = self._concurrency
        return {
            "stage": self.stage,
            "function": self.function_name,
            "limit": concurrency and concurrency.limit,
            "reserved": concurrency and concurrency.reserved,
            "account": {
                "unreserved": concurrency and concurrency.unreserved,
                "in_use": self.account.in_use,
                "peak": self.account.peak,
            },
            "workers": self.pool.snapshot(),
            "statuses": statuses,
            "cold_starts": cold,
            "max_rss_mb": round(max_rss_mb, 1),
            "metrics": {
                "period_seconds": 1,
                "points": self.metrics.points(since, until),
                "window": self.metrics.window(since, until),
            },
        }

    def close(self) -> None:
        self.pool.stop()
        self._log.close()
