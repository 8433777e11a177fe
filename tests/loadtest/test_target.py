"""Where the load goes: URL checks and the pre-flight GET /version against a loopback server."""

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from loadtest.errors import LoadTestError
from loadtest.target import check_deployed, normalise, preflight

KEY = "a-key-value-0123456789"


class Api(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.headers.get("x-api-key") != KEY:
            self._send(403, b'{"message": "Forbidden"}')
        elif self.path == "/stage/version":
            version = {"git_sha": "abc", "model_version": "m1", "backend": "onnx", "stage": "test"}
            self._send(200, json.dumps(version | {"service": "x"}).encode())
        else:
            self._send(200, b"<html>not the API</html>")

    def _send(self, status, body):
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args):
        pass


@pytest.fixture
def api():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Api)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_preflight_records_what_is_deployed(api):
    deployed = preflight(f"{api}/stage", KEY)
    assert deployed == {"git_sha": "abc", "model_version": "m1", "backend": "onnx", "stage": "test"}


@pytest.mark.parametrize(
    ("path", "key", "message"),
    [
        ("/stage", "wrong", "answered 403 (is the API key right?)"),
        ("/stage", None, "answered 403"),
        ("/other", KEY, "did not answer JSON: is this the API?"),
    ],
)
def test_preflight_failures_are_one_line(api, path, key, message):
    with pytest.raises(LoadTestError, match=re.escape(message)) as e:
        preflight(f"{api}{path}", key)
    assert KEY not in e.value.message


def test_preflight_to_a_closed_port_fails_clearly():
    with pytest.raises(LoadTestError, match="failed"):
        preflight("http://127.0.0.1:9", None)


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("http://127.0.0.1:8000/", "http://127.0.0.1:8000"),
        ("https://abc.execute-api.eu-west-1.amazonaws.com/test", None),
    ],
)
def test_hosts_are_http_urls_without_a_trailing_slash(host, expected):
    assert normalise(host) == (expected or host)


def test_a_host_without_a_scheme_is_refused():
    with pytest.raises(LoadTestError, match="must be an http:// or https:// URL"):
        normalise("127.0.0.1:8000")


@pytest.mark.parametrize("expect", [None, "", "abc"])
def test_the_commit_under_test_is_served(expect):
    check_deployed({"git_sha": "abc"}, expect)


@pytest.mark.parametrize("deployed", [{"git_sha": "def"}, {}])
def test_a_redeployed_stage_is_not_load_tested(deployed):
    """Another run deployed test between this run's deploy and its load test (issue 13, #10)."""
    with pytest.raises(LoadTestError, match="not abc \\(the commit under test\\)"):
        check_deployed(deployed, "abc")
