"""A stand-in for the API that misbehaves on purpose, on 127.0.0.1, for Locust tests and fixtures.

`python tests/locust/stub_server.py --port PORT --mode MODE` answers /predict, /health and
/version the way the API does, except for MODE's fault:
  ok        no fault
  errors    5% of /predict answer 500 and 2% answer 403
  throttle  10% of /predict answer 429
  p99       2% of /predict take 400 ms (p95 unaffected, p99 not)
  growth    every request takes 45 ms from 12.5 s after the first request (latency that grows
            with the step load's second step)
  kinds     /predict cycles through 200, 200 without predictions, 403, 429, 503, 422
It prints "ready" once listening. Stdlib only, so it runs in any interpreter.
"""

import argparse
import itertools
import json
import random
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

KINDS_CYCLE = ("ok", "empty", 403, 429, 503, 422)


class Faults:
    def __init__(self, mode: str):
        self.mode = mode
        self.rng = random.Random(7)
        self.lock = threading.Lock()
        self.started: float | None = None
        self.cycle = itertools.cycle(KINDS_CYCLE)

    def predict(self):
        """(status or "ok"/"empty", delay in seconds) for the next /predict."""
        with self.lock:
            now = time.monotonic()
            self.started = self.started or now
            draw = self.rng.random()
            if self.mode == "kinds":
                return next(self.cycle), 0.0
            if self.mode == "errors" and draw < 0.05:
                return 500, 0.0
            if self.mode == "errors" and draw < 0.07:
                return 403, 0.0
            if self.mode == "throttle" and draw < 0.10:
                return 429, 0.0
            if self.mode == "p99" and draw < 0.02:
                return "ok", 0.4
            if self.mode == "growth" and now - self.started > 12.5:
                return "ok", 0.045
            return "ok", 0.0


def make_handler(faults: Faults):
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            if self.path == "/health":
                self._send(200, {"status": "ok", "model_loaded": True, "model_version": "stub"})
            elif self.path == "/version":
                self._send(
                    200,
                    {
                        "git_sha": "stub",
                        "model_version": "stub",
                        "model_sha256": "0" * 64,
                        "backend": "stub",
                        "stage": "stub",
                    },
                )
            else:
                self._send(404, {"error": {"code": "not_found", "message": "no such route"}})

        def do_POST(self):
            length = int(self.headers.get("Content-Length", 0))
            body = json.loads(self.rfile.read(length) or b"{}")
            rows = len(body.get("instances", [])) or 1
            outcome, delay = faults.predict()
            time.sleep(delay)
            if outcome == "ok":
                predictions = [{"label": "no", "probabilities": {"no": 0.9, "yes": 0.1}}] * rows
                document = {"model_version": "stub", "predictions": predictions}
                if "data" in body:
                    document["prediction"] = "no"
                self._send(200, document)
            elif outcome == "empty":
                self._send(200, {"model_version": "stub"})
            elif outcome == 422:
                self._send(422, {"error": {"code": "invalid_input", "message": "stub"}})
            else:
                self._send(outcome, {"message": "stub fault"})

        def _send(self, status: int, document: dict) -> None:
            data = json.dumps(document).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *_args):  # quiet: thousands of requests
            pass

    return Handler


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        """Locust closes connections mid-request when it stops: not worth a traceback."""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument(
        "--mode", choices=("ok", "errors", "throttle", "p99", "growth", "kinds"), default="ok"
    )
    args = parser.parse_args()
    server = QuietServer(("127.0.0.1", args.port), make_handler(Faults(args.mode)))
    print("ready", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
