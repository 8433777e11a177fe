"""Where the load goes: a stage's URL from the ops CLI, and a pre-flight call before the load."""

import json
import subprocess
import sys
import urllib.error
import urllib.request

from loadtest.apikey import HEADER
from loadtest.errors import LoadTestError
from project import ROOT

PREFLIGHT_TIMEOUT_S = 30  # a cold Lambda answers its first request late


def stage_url(stage: str) -> str:
    """The stage's base URL from `python -m ops url STAGE`, which knows how stages are deployed."""
    try:
        out = subprocess.run(
            [sys.executable, "-m", "ops", "url", stage],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise LoadTestError(f"`python -m ops url {stage}` timed out; pass --host") from None
    lines = out.stdout.strip().splitlines()
    if out.returncode != 0 or not lines:
        detail = (out.stderr.strip().splitlines() or ["no output"])[-1]
        raise LoadTestError(
            f"could not get the URL of stage {stage} from `python -m ops url {stage}` ({detail}); "
            "pass --host URL (make: HOST=URL)"
        )
    return normalise(lines[-1].strip())


def normalise(host: str) -> str:
    if not host.startswith(("http://", "https://")):
        raise LoadTestError(f"the host must be an http:// or https:// URL, got {host!r}")
    return host.rstrip("/")


def preflight(host: str, api_key: str | None) -> dict:
    """GET /version once: a wrong host or key fails here in one line, not as 100% failures.

    Returns what is deployed (git SHA, model version, backend, stage) for the report.
    """
    headers = {HEADER: api_key} if api_key else {}
    request = urllib.request.Request(f"{host}/version", headers=headers)  # noqa: S310 (http(s) only)
    try:
        with urllib.request.urlopen(request, timeout=PREFLIGHT_TIMEOUT_S) as response:  # noqa: S310
            document = json.loads(response.read())
    except urllib.error.HTTPError as exc:
        exc.close()  # it holds the response and its socket
        hint = " (is the API key right?)" if exc.code == 403 else ""
        raise LoadTestError(f"GET {host}/version answered {exc.code}{hint}") from None
    except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
        raise LoadTestError(f"GET {host}/version failed: {getattr(exc, 'reason', exc)}") from None
    except ValueError:
        raise LoadTestError(f"GET {host}/version did not answer JSON: is this the API?") from None
    if not isinstance(document, dict):
        return {}
    return {key: document.get(key) for key in ("git_sha", "model_version", "backend", "stage")}


def check_deployed(deployed: dict, expect_sha: str | None) -> None:
    """Refuse to load a stage that serves another commit: its verdict would judge the wrong build.

    The test deploy and the load test share a concurrency group, but another run's test deploy can
    still start between them; the gate must not promote a commit it never measured.
    """
    served = deployed.get("git_sha")
    if expect_sha and served != expect_sha:
        raise LoadTestError(
            f"the stage serves git {served or 'unknown'}, not {expect_sha} "
            "(the commit under test): it was redeployed; re-run the load test for that commit"
        )
