"""Servers on 127.0.0.1 for the tests that run Locust, always stopped in the fixture's teardown."""

import subprocess
import sys
from pathlib import Path

import pytest

from loadtest.server import LocalServer, free_port

STUB = Path(__file__).resolve().parent / "stub_server.py"


@pytest.fixture
def stub(request):
    """tests/locust/stub_server.py in the mode given by indirect parametrisation (default ok)."""
    mode = getattr(request, "param", "ok")
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, str(STUB), "--port", str(port), "--mode", mode],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout.readline().strip() == "ready"
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(10)
        process.stdout.close()


@pytest.fixture
def api_server(tmp_path):
    """The real API under gunicorn on a free port; teardown stops it whatever the test did."""
    server = LocalServer(tmp_path / "server.log", backend="onnx", workers=2)
    try:
        server.start()
        yield server
    finally:
        server.stop()
