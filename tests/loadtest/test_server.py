"""The local API server: healthy on a free loopback port, and gone after the with-block."""

import json
import urllib.error
import urllib.request

import pytest

from loadtest.errors import LoadTestError
from loadtest.server import LocalServer

pytestmark = pytest.mark.slow


def get(url):
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (loopback http)
        return json.loads(response.read())


def test_the_server_serves_the_chosen_backend_then_stops(tmp_path):
    with LocalServer(tmp_path / "server.log", backend="onnx", workers=1) as server:
        assert server.url.startswith("http://127.0.0.1:")
        assert get(f"{server.url}/version")["backend"] == "onnx"
        process = server._process
    assert process.poll() is not None
    with pytest.raises(urllib.error.URLError):
        get(f"{server.url}/health")


def test_a_server_that_cannot_start_is_reported_with_its_log(tmp_path, monkeypatch):
    monkeypatch.setenv("MODEL_DIR", str(tmp_path / "no-models"))
    with pytest.raises(LoadTestError, match="did not become healthy") as error:
        LocalServer(tmp_path / "server.log", workers=1).start()
    assert "\n" not in error.value.message
    assert (tmp_path / "server.log").read_text()
