"""One worker process, a local Lambda execution environment: `python -I -S -B bootstrap.py` with the
read-only unzipped package, the runtime layer and the function's environment; one invocation at a
time. Like Lambda, it writes no bytecode: each new worker is a real cold start."""

import contextlib
import json
import os
import select
import struct
import subprocess
import sys
import time
from pathlib import Path

from ops.lambda_emulator.revision import Revision
from ops.lambda_runtime import PYTHON_FLAGS

BOOTSTRAP = Path(__file__).with_name("bootstrap.py")
PASSTHROUGH = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")  # see the machine notes; keep as given
# Lambda gives the init phase 10 s; a 2-core machine starting several workers at once needs more.
INIT_TIMEOUT_S = 30
STOP_TIMEOUT_S = 2


class WorkerError(Exception):
    """The invocation failed outside the handler's own error handling (API Gateway: 502)."""


class WorkerTimeout(WorkerError):
    """The invocation ran past its deadline; the worker was killed, as Lambda does."""


def worker_env(revision: Revision, runtime_layer: Path, aws: dict[str, str]) -> dict[str, str]:
    """The function's variables, then what Lambda sets itself (those win, as in Lambda)."""
    env = dict(revision.environment)
    env.update({name: os.environ[name] for name in PASSTHROUGH if name in os.environ})
    env.update(aws)
    env.update(
        {
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "LANG": "C.UTF-8",
            "TZ": ":UTC",
            "LAMBDA_TASK_ROOT": str(revision.root),
            "LAMBDA_RUNTIME_DIR": str(runtime_layer),
            "_HANDLER": revision.handler,
            "AWS_EXECUTION_ENV": f"AWS_Lambda_{revision.runtime}",
            "AWS_LAMBDA_FUNCTION_NAME": revision.function_name,
            "AWS_LAMBDA_FUNCTION_VERSION": revision.version,
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(revision.memory_mb),
            "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{revision.function_name}",
            "AWS_LAMBDA_LOG_STREAM_NAME": f"local/{revision.short}",
        }
    )
    return env


class Worker:
    """One `python -I -S -B bootstrap.py` process and its two pipes."""

    def __init__(self, number: int, revision: Revision, env: dict[str, str], log):
        self.number, self.revision = number, revision
        self.pooled = False  # for a pool of workers: whether this one holds a slot of its limit
        self.init_seconds: float | None = None
        self.import_seconds: float | None = None
        self.started = time.monotonic()
        requests_read, requests_write = os.pipe()
        replies_read, replies_write = os.pipe()
        try:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    *PYTHON_FLAGS,
                    str(BOOTSTRAP),
                    str(requests_read),
                    str(replies_write),
                ],
                pass_fds=(requests_read, replies_write),
                env=env,
                cwd=revision.root,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                # Ctrl-C reaches the gateway, which stops its workers; a worker whose gateway
                # died exits when its requests pipe closes.
                start_new_session=True,
            )
        except OSError:
            for fd in (requests_read, requests_write, replies_read, replies_write):
                os.close(fd)
            raise
        os.close(requests_read)
        os.close(replies_write)
        self._requests = os.fdopen(requests_write, "wb")
        self._replies = replies_read

    def wait_ready(self, timeout: float = INIT_TIMEOUT_S) -> float:
        """Block until the handler is imported; return the init duration as Lambda counts it
        (from process start, so interpreter start-up is included)."""
        message = self._read(time.monotonic() + timeout)
        if "init_error" in message:
            error = message["init_error"]
            raise WorkerError(f"init failed: {error['errorType']}: {error['errorMessage']}")
        self.init_seconds = time.monotonic() - self.started
        self.import_seconds = message["import_seconds"]
        return self.init_seconds

    def invoke(self, event: dict, request_id: str, timeout: float) -> dict:
        """One invocation: the reply holds `result` or `error`, plus `seconds`."""
        message = {
            "event": event,
            "request_id": request_id,
            "function_arn": self.revision.function_arn,
            "deadline_epoch_ms": (time.time() + timeout) * 1000,
        }
        return self._ask(message, timeout)

    def diagnostics(self, timeout: float = INIT_TIMEOUT_S) -> dict:
        """How the package's modules were loaded (bootstrap.diagnostics); ask it last."""
        return self._ask({"diagnostics": True}, timeout)

    def _ask(self, message: dict, timeout: float) -> dict:
        data = json.dumps(message).encode()
        try:
            self._requests.write(struct.pack(">I", len(data)) + data)
            self._requests.flush()
        except (BrokenPipeError, ValueError):
            raise WorkerError("the worker process is gone") from None
        return self._read(time.monotonic() + timeout)

    def _read(self, deadline: float) -> dict:
        (size,) = struct.unpack(">I", self._read_exact(4, deadline))
        return json.loads(self._read_exact(size, deadline))

    def _read_exact(self, size: int, deadline: float) -> bytes:
        chunks, remaining = [], size
        while remaining:
            wait = deadline - time.monotonic()
            if wait <= 0 or not select.select([self._replies], [], [], wait)[0]:
                self.kill()
                raise WorkerTimeout(f"worker {self.number} did not answer in time")
            chunk = os.read(self._replies, min(remaining, 1 << 20))
            if not chunk:
                raise WorkerError(f"worker {self.number} exited (code {self.process.poll()})")
            chunks.append(chunk)
            remaining -= len(chunk)
        return b"".join(chunks)

    def close(self) -> None:
        """Ask the worker to exit: it stops when its requests pipe closes."""
        if not self._requests.closed:
            with contextlib.suppress(BrokenPipeError):
                self._requests.close()

    def kill(self) -> None:
        """SIGKILL, as Lambda ends a timed-out environment; pipes are closed by wait()."""
        if self.process.poll() is None:
            self.process.kill()

    def wait(self) -> None:
        """Reap the process (killed after STOP_TIMEOUT_S) and close both pipes."""
        try:
            self.process.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.close()
        if self._replies is not None:
            os.close(self._replies)
            self._replies = None

    def stop(self) -> None:
        self.close()
        self.wait()
