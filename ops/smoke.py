"""`python -m ops smoke STAGE --expect-sha SHA`: prove the deployed stage serves this commit.

Calls /health, /version and /predict with the stage's API key (from Secrets Manager, or an
environment variable), fails unless /version reports the expected git SHA and the committed ONNX
model's sha256, and checks that a request without a key is refused with 403.
"""

import os
import time

import click

from ops import http, release, restapi, retry
from ops.keys import store
from ops.stage import Stage
from ops.stage import argument as stage_argument


def first_ok(method, url, api_key, body, deadline: float, settled=None):
    """Retry a keyed call (ops.retry's policy) until `deadline` (monotonic) while the stage settles.

    `settled(reply)` says whether a 200 shows the final state: right after a deploy or rollback
    Lambda may still answer 200 from the previous code, which must be waited out, not failed."""

    def waiting(reply: http.Reply) -> bool:
        return retry.transient(reply) or (
            reply.status == 200 and settled is not None and not settled(reply)
        )

    return retry.until_settled(lambda: http.call(method, url, api_key, body), waiting, deadline)


def run_smoke(base: str, api_key: str, expect: dict, wait: float = 60.0) -> dict:
    """Every check against one stage; returns /version's body, raises on any failure.

    expect: git_sha (or not_git_sha, after a rollback), model_sha256 (optional), classes.
    """
    base = base.rstrip("/")
    failures: list[str] = []
    # One settle window for the whole test: a stage that is broken, not settling, fails after
    # `wait` seconds in all, not after `wait` seconds per call.
    deadline = time.monotonic() + wait

    def check(label: str, reply: http.Reply, status: int, extra: str | None = None):
        ok = reply.status == status and extra is None
        shown = reply.error or f"{reply.status}"
        click.echo(
            f"{'ok  ' if ok else 'FAIL'} {label} -> {shown} ({reply.seconds * 1000:.0f} ms)"
            + (f": {extra}" if extra else "")
        )
        if not ok:
            failures.append(f"{label}: {extra or f'status {shown}, expected {status}'}")

    health = first_ok("GET", f"{base}/health", api_key, None, deadline)
    check(
        "GET /health",
        health,
        200,
        None
        if health.body.get("status") == "ok" or health.status != 200
        else f"unexpected body {health.body}",
    )
    version = first_ok(
        "GET",
        f"{base}/version",
        api_key,
        None,
        deadline,
        settled=lambda reply: version_problem(reply.body, expect) is None,
    )
    problem = version_problem(version.body, expect) if version.status == 200 else None
    if problem:
        problem += f" (still, after the {wait:.0f} s settle window)"
    check("GET /version", version, 200, problem)
    predict = first_ok("POST", f"{base}/predict", api_key, {"data": release.sample_row()}, deadline)
    label = predict.body.get("prediction")
    bad = None if predict.status != 200 or label in expect["classes"] else f"prediction {label!r}"
    check("POST /predict", predict, 200, bad)
    check("GET /health without a key", http.call("GET", f"{base}/health", None), 403)
    if failures:
        raise click.ClickException("smoke test failed: " + "; ".join(failures))
    click.echo(
        f"smoke test passed: git {version.body.get('git_sha')}, model "
        f"{version.body.get('model_version')} (sha256 {version.body.get('model_sha256')})"
    )
    return version.body


def version_problem(body: dict, expect: dict) -> str | None:
    served_sha, served_model = body.get("git_sha"), body.get("model_sha256")
    if "git_sha" in expect and served_sha != expect["git_sha"]:
        return f"serves git {served_sha}, expected {expect['git_sha']}"
    if "not_git_sha" in expect and served_sha == expect["not_git_sha"]:
        return f"still serves git {served_sha}"
    if expect.get("model_sha256") and served_model != expect["model_sha256"]:
        return f"serves model sha256 {served_model}, expected {expect['model_sha256']}"
    return None


def resolve_target(stage: Stage, url: str | None, api_key_env: str | None) -> tuple[str, str]:
    """(base URL, API key): the URL from API Gateway unless given, the key from the secret."""
    if url is None:
        url = restapi.stage_url(stage, restapi.require_api_id(stage))
    if api_key_env:
        key = os.environ.get(api_key_env, "")
        if not key:
            raise click.ClickException(f"environment variable {api_key_env} is empty or unset")
        return url, key
    key = store.current(stage)
    if key is None:
        raise click.ClickException(
            f"no API key in secret {stage.api_key_secret_name}: run `ops usage-plan {stage.name}`"
        )
    return url, key.value


def target_options(command):
    command = click.option(
        "--api-key-env", metavar="VAR", help="Read the API key from this environment variable."
    )(command)
    command = click.option("--url", help="Base URL (default: the stage on API Gateway).")(command)
    return click.option(
        "--wait",
        default=60.0,
        show_default=True,
        help="Seconds to keep retrying while a fresh deploy settles.",
    )(command)


@click.command("smoke")
@stage_argument
@click.option("--expect-sha", default=None, help="Git SHA the stage must serve (default: HEAD).")
@target_options
def smoke(
    stage: Stage, expect_sha: str | None, url: str | None, api_key_env: str | None, wait: float
) -> None:
    """Smoke-test STAGE: health, version (git SHA, model sha256), predict, 403 without a key."""
    base, key = resolve_target(stage, url, api_key_env)
    expect = {
        "git_sha": expect_sha or release.git_sha(),
        "model_sha256": release.model_sha256("onnx"),
        "classes": release.manifest()["classes"],
    }
    click.echo(f"smoke {stage.name}: {base}")
    run_smoke(base, key, expect, wait)
