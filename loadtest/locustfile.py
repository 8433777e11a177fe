"""The traffic: who calls the prediction API, how often, what counts as an answer, and the steps.

`python -m loadtest.run` starts Locust with this file and sets the environment; by hand, from the
project root: `LOADTEST_PROFILE=local python -m locust -f loadtest/locustfile.py --host URL`.
  LOADTEST_PROFILE  profile in loadtest/config.toml (steps, think time), default "local"
  LOADTEST_CONFIG   another config file
  API_KEY           sent as x-api-key; else LOADTEST_STAGE names the stage whose secret holds it
"""

import os
import random
import sys
import time
from pathlib import Path

import gevent
from locust import FastHttpUser, LoadTestShape, between, events, task
from locust.runners import WorkerRunner

from loadtest.apikey import HEADER, resolve_api_key
from loadtest.config import load_profile
from loadtest.errors import LoadTestError
from loadtest.outcomes import (
    BURST_NAME,
    OK,
    check_fields,
    check_predict,
    classify_status,
    failure_message,
)
from loadtest.paths import CONFIG_FILE
from loadtest.payloads import Payloads, read_rows
from loadtest.phases import phase_at
from loadtest.status_csv import StatusCounts, StatusCsv

try:
    PROFILE = load_profile(
        os.environ.get("LOADTEST_PROFILE", "local"),
        Path(os.environ.get("LOADTEST_CONFIG") or CONFIG_FILE),
    )
    API_KEY = resolve_api_key(os.environ.get("LOADTEST_STAGE") or None)
    PAYLOADS = Payloads(read_rows())
except LoadTestError as exc:
    sys.exit(f"loadtest: {exc.message}")  # one line, before Locust starts any user

COUNTS = StatusCounts()
IDLE_S = 3600  # a burst user that has sent its requests waits until the shape stops it


class ApiUser(FastHttpUser):
    """A client of the API: mostly single-row predictions, some batches, rare metadata calls."""

    wait_time = between(*PROFILE.wait_seconds)

    def on_start(self) -> None:
        self.rng = random.Random()  # noqa: S311 (sampling payloads, not security)
        self.headers = self.on_start_headers()

    @staticmethod
    def on_start_headers() -> dict[str, str]:
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if API_KEY:
            headers[HEADER] = API_KEY
        return headers

    @task(80)
    def predict_one(self) -> None:
        self._predict(PAYLOADS.single(self.rng), "/predict [1 row]")

    @task(16)
    def predict_batch(self) -> None:
        self._predict(PAYLOADS.batch(self.rng), "/predict [10-100 rows]")

    @task(2)
    def health(self) -> None:
        self._get("/health", ("status", "model_version"))

    @task(2)
    def version(self) -> None:
        self._get("/version", ("git_sha", "model_version", "model_sha256"))

    def _predict(self, body, name: str) -> None:
        with self.client.post(
            "/predict", data=body.data, headers=self.headers, name=name, catch_response=True
        ) as response:
            _judge(response, lambda content: check_predict(content, body.rows))

    def _get(self, path: str, fields: tuple[str, ...]) -> None:
        with self.client.get(
            path, headers=self.headers, name=path, catch_response=True
        ) as response:
            _judge(response, lambda content: check_fields(content, fields))


class BurstUser(FastHttpUser):
    """The burst: all at once, each user sends its single-row predictions back to back (no think
    time), then idles until the burst phase ends and the shape stops it. Its own request name
    gives Locust's per-name statistics the burst's exact percentiles and failure messages."""

    def on_start(self) -> None:
        self.rng = random.Random()  # noqa: S311 (sampling payloads, not security)
        self.headers = ApiUser.on_start_headers()
        self.sent = 0

    def wait_time(self) -> float:
        return 0 if self.sent < PROFILE.burst.requests_per_user else IDLE_S

    @task
    def predict_burst(self) -> None:
        if self.sent >= PROFILE.burst.requests_per_user:
            return
        self.sent += 1
        body = PAYLOADS.single(self.rng)
        with self.client.post(
            "/predict", data=body.data, headers=self.headers, name=BURST_NAME, catch_response=True
        ) as response:
            _judge(response, lambda content: check_predict(content, body.rows))


def _judge(response, check) -> None:
    """Count the outcome's kind and tell Locust: a 2xx must also pass the content check."""
    status = response.status_code or 0
    content = response.content if status else None
    kind = classify_status(status)
    if kind == OK:
        problem = check(content)
        kind = "bad_content" if problem else OK
    else:
        problem = failure_message(kind, status, content)
    COUNTS.add(kind)
    if problem:
        response.failure(problem)
    else:
        response.success()


class StepLoad(LoadTestShape):
    """The profile's timeline (loadtest.phases): the burst, an idle gap, then the steps one after
    another; the test stops after the last one. Every tick names its user class, so the steps
    never start burst users and the burst never starts think-time users."""

    def tick(self):
        phase = self.phase()
        if phase is None:
            return None
        return phase.users, phase.spawn_rate, [BurstUser if phase.burst else ApiUser]

    def phase(self):
        return phase_at(PROFILE, self.get_run_time())


@events.report_to_master.add_listener
def _send_counts(client_id, data, **_kwargs) -> None:
    data["outcomes"] = COUNTS.take_unsent()


@events.worker_report.add_listener
def _merge_counts(client_id, data, **_kwargs) -> None:
    COUNTS.merge(data.get("outcomes", {}))


_status_log: dict = {}


@events.test_start.add_listener
def _start_status_log(environment, **_kwargs) -> None:
    """On the master (or a lone runner) write the outcome counts once a second, like Locust."""
    options = environment.parsed_options
    prefix = getattr(options, "csv_prefix", None)
    if isinstance(environment.runner, WorkerRunner) or not prefix or _status_log:
        return
    writer = StatusCsv(Path(f"{prefix}_status.csv"))  # next to Locust's own CSV files
    runner = environment.runner
    shape = environment.shape_class

    def write() -> None:
        phase = shape.phase() if isinstance(shape, StepLoad) else None
        writer.write(int(time.time()), runner.user_count, COUNTS.totals, phase and phase.name)

    def loop() -> None:
        while True:
            write()
            gevent.sleep(1)

    _status_log.update(writer=writer, write=write, greenlet=gevent.spawn(loop))


@events.quitting.add_listener
def _stop_status_log(environment, **_kwargs) -> None:
    if _status_log:
        _status_log["greenlet"].kill(block=True)
        _status_log["write"]()  # the last counts, including the final worker reports
        _status_log["writer"].close()
        _status_log.clear()
