"""Lambda's side: workers start on demand (each a cold start) up to the reserved concurrency or the
local default, and for functions without a reservation while the account's pool (shared by the
gateways of one endpoint) has room; a request beyond it gets 429 "Rate Exceeded." at once,
failures give API Gateway's 502, a timed-out or crashed worker is replaced, every worker stops
with the gateway, and /_local/stats counts it all per second like CloudWatch's Lambda metrics."""

import os
import threading
import time

import pytest

from rehearsal.gateway import start_gateway
from tests.rehearsal.local.helpers import Stage, call, echo_zip, numbers, stats

INTERNAL_ERROR = {"message": "Internal server error"}


@pytest.fixture
def keyed(stage):
    stage.deploy(echo_zip(), timeout=2)
    stage.plan()
    return stage, stage.key()[1]


def wait_until_busy(url: str, busy: int, deadline_s: float = 20.0) -> None:
    """Poll the gateway's stats until `busy` workers are executing (bounded)."""
    deadline = time.monotonic() + deadline_s
    while stats(url)["workers"]["busy"] < busy:
        assert time.monotonic() < deadline, f"never saw {busy} busy workers"
        time.sleep(0.05)


def slow_requests(url: str, key: str, count: int, seconds: float) -> tuple[list, list]:
    answers: list = []
    threads = [
        threading.Thread(
            target=lambda: answers.append(call("GET", f"{url}/sleep?seconds={seconds}", key))
        )
        for _ in range(count)
    ]
    for thread in threads:
        thread.start()
    return threads, answers


def is_running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.mark.parametrize(("reserved", "default"), [(1, 4), (None, 2)])
def test_beyond_the_concurrency_limit_requests_are_throttled(keyed, gateway, reserved, default):
    stage, key = keyed
    if reserved is not None:
        stage.lam.put_function_concurrency(
            FunctionName=stage.function, ReservedConcurrentExecutions=reserved
        )
    url = gateway(stage, concurrency=default)
    limit = reserved or default
    threads, answers = slow_requests(url, key, limit, seconds=1.5)
    wait_until_busy(url, limit)
    throttled = call("GET", f"{url}/", key)
    assert (throttled.status_code, throttled.json()) == (429, {"message": "Rate Exceeded."})
    for thread in threads:
        thread.join(timeout=30)
    assert [answer.status_code for answer in answers] == [200] * limit
    warm = call("GET", f"{url}/", key)
    assert warm.status_code == 200
    report = stats(url)
    assert len(report["cold_starts"]) == limit  # the warm request reused a worker
    assert all(entry["init_seconds"] > 0 for entry in report["cold_starts"])
    assert report["limit"] == limit
    assert report["max_rss_mb"] > 0  # peak worker memory, to compare with MemorySize
    points = report["metrics"]["points"]
    assert max(p["concurrency_max"] for p in points) == limit
    assert sum(p["throttles"] for p in points) == 1
    assert sum(p["invocations"] for p in points) == limit + 1
    assert report["metrics"]["window"]["invocations"] == limit + 1


def test_zero_reserved_concurrency_throttles_everything(keyed, gateway):
    stage, key = keyed
    stage.lam.put_function_concurrency(FunctionName=stage.function, ReservedConcurrentExecutions=0)
    url = gateway(stage)
    assert call("GET", f"{url}/", key).status_code == 429
    assert stats(url)["cold_starts"] == []


def test_warm_worker_survives_handler_errors(keyed, gateway, tmp_path):
    stage, key = keyed
    url = gateway(stage)
    pid = call("GET", f"{url}/", key).json()["pid"]
    for path in ("/raise", "/malformed"):
        answer = call("GET", f"{url}{path}", key)
        assert (answer.status_code, answer.json()) == (502, INTERNAL_ERROR), path
    assert call("GET", f"{url}/", key).json()["pid"] == pid
    assert "RuntimeError: boom" in (tmp_path / f"{stage.function}.log").read_text()
    points = stats(url)["metrics"]["points"]
    # Lambda's Errors count the raise; the malformed answer is API Gateway's 502, not an error
    assert sum(p["errors"] for p in points) == 1
    assert sum(p["invocations"] for p in points) == 4


@pytest.mark.parametrize("path", ["/exit", "/sleep?seconds=5"])  # crash; past the 2 s timeout
def test_a_crashed_or_timed_out_worker_is_replaced(keyed, gateway, path):
    stage, key = keyed
    url = gateway(stage)
    pid = call("GET", f"{url}/", key).json()["pid"]
    answer = call("GET", f"{url}{path}", key)
    assert (answer.status_code, answer.json()) == (502, INTERNAL_ERROR)
    assert not is_running(pid)
    replacement = call("GET", f"{url}/", key)
    assert replacement.status_code == 200
    assert replacement.json()["pid"] != pid
    assert len(stats(url)["cold_starts"]) == 2


def test_workers_stop_with_the_gateway(keyed, endpoint, tmp_path):
    stage, key = keyed
    with start_gateway(stage.name, endpoint, ttl=0, cache=tmp_path, log_path=tmp_path / "l") as url:
        threads, answers = slow_requests(url, key, 2, seconds=0.2)
        for thread in threads:
            thread.join(timeout=30)
        pids = {answer.json()["pid"] for answer in answers}
        assert len(pids) == 2
        assert all(is_running(pid) for pid in pids)
    assert not any(is_running(pid) for pid in pids)


def test_missing_function_is_a_502(stage, gateway):
    stage.api_id = stage.rest_api(stage.function, stage.name)  # API and keys, but no function
    stage.plan()
    _, key = stage.key()
    answer = call("GET", f"{gateway(stage)}/", key)
    assert (answer.status_code, answer.json()) == (502, INTERNAL_ERROR)


def test_gateways_of_one_endpoint_share_the_accounts_unreserved_pool(endpoint, role_arn, gateway):
    stages = [Stage(endpoint, role_arn, f"t{next(numbers)}") for _ in range(3)]
    lam = stages[0].lam
    for stage in stages:
        stage.deploy(echo_zip(), timeout=5)
    one, two, spare = stages
    keys = []
    for stage in (one, two):
        stage.plan()
        keys.append(stage.key()[1])
    unreserved = lam.get_account_settings()["AccountLimit"]["UnreservedConcurrentExecutions"]
    # Reserve all but one execution on a third function: one left for everyone else.
    lam.put_function_concurrency(
        FunctionName=spare.function, ReservedConcurrentExecutions=unreserved - 1
    )
    try:
        url_one = gateway(one, concurrency=None)
        url_two = gateway(two, concurrency=None)
        threads, answers = slow_requests(url_one, keys[0], 1, seconds=1.5)
        wait_until_busy(url_one, 1)
        throttled = call("GET", f"{url_two}/", keys[1])
        assert (throttled.status_code, throttled.json()) == (429, {"message": "Rate Exceeded."})
        for thread in threads:
            thread.join(timeout=30)
        assert [answer.status_code for answer in answers] == [200]
        assert call("GET", f"{url_two}/", keys[1]).status_code == 200  # the slot is free again
        report = stats(url_two)
        assert report["account"]["unreserved"] == 1
        assert report["account"]["in_use"] == 0
        assert sum(p["throttles"] for p in report["metrics"]["points"]) == 1
    finally:
        lam.delete_function_concurrency(FunctionName=spare.function)
