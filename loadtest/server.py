"""The API on a free loopback port under gunicorn, started and always stopped by its owner.

gunicorn runs in its own session, so a Ctrl-C in the terminal reaches the load test, which then
stops the server itself (SIGTERM to the gunicorn master, which stops its workers).
"""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from loadtest.errors import LoadTestError
from project import ROOT

START_TIMEOUT_S = 60
STOP_TIMEOUT_S = 15
PORT_ATTEMPTS = 3


def free_port() -> int:
    """A port the kernel just handed out; a rare race with another process is retried by start."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# What gunicorn serves per backend: the deployed app (ONNX), or the benchmark's scikit-learn twin.
WSGI_APPS = {"onnx": "app.wsgi:app", "sklearn": "train.sklearn_wsgi:app"}


class LocalServer:
    """`with LocalServer(log_path, backend="onnx") as server:` then use `server.url`."""

    def __init__(self, log_path: Path, backend: str = "onnx", workers: int = 2):
        self.backend = backend
        self.workers = workers
        self.log_path = Path(log_path)
        self.url = ""
        self._process: subprocess.Popen | None = None
        self._log = None

    def __enter__(self) -> "LocalServer":
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *_exc) -> None:
        self.stop()

    def start(self) -> None:
        for attempt in range(1, PORT_ATTEMPTS + 1):
            port = free_port()
            self._spawn(port)
            if self._wait_healthy(f"http://127.0.0.1:{port}"):
                self.url = f"http://127.0.0.1:{port}"
                return
            if attempt == PORT_ATTEMPTS or "in use" not in self._log_tail():
                break
            self.stop()
        detail = self._log_tail() or "no output"
        self.stop()
        raise LoadTestError(f"the local API server did not become healthy: {detail}")

    def _spawn(self, port: int) -> None:
        env = os.environ | {"STAGE": os.environ.get("STAGE", "local")}
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = self.log_path.open("wb")
        self._process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--workers",
                str(self.workers),
                "--bind",
                f"127.0.0.1:{port}",
                "--graceful-timeout",
                "5",
                WSGI_APPS[self.backend],
            ],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def _wait_healthy(self, url: str) -> bool:
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                return False
            try:
                with urllib.request.urlopen(f"{url}/health", timeout=2) as response:  # noqa: S310 (loopback)
                    if response.status == 200:
                        return True
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.2)
        return False

    def stop(self) -> None:
        """Idempotent: SIGTERM to the gunicorn master we started, then SIGKILL to its session."""
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)  # its own session: only our gunicorn
                process.wait()
        if self._log is not None:
            self._log.close()
            self._log = None

    def _log_tail(self) -> str:
        if not self.log_path.exists():
            return ""
        lines = self.log_path.read_text(errors="replace").strip().splitlines()
        return lines[-1][:300] if lines else ""
