"""`python -m ops package-check STAGE`: run dist/STAGE.zip the way Lambda runs it, before AWS does.

Each cold start is a fresh local execution environment (`ops.lambda_emulator`, which the local
stage runs too: `python -I -S -B` that sees only a read-only copy of the unzipped package and a
runtime layer with boto3), imports the function's handler and feeds it API Gateway REST proxy
events. Like /var/task on Lambda, the copy takes no bytecode: a module the package ships no .pyc
for compiles at every cold start, and the check fails when the run wrote anything into the copy.
A missing module, a missing model file or a wrong /version fails here. Prints cold start (median
of the runs), warm latency, peak memory and the cost per million predictions at each stage's
memory size; writes them to dist/STAGE-check.json.
"""

import json
import statistics
import sys
import tempfile
import zipfile
from pathlib import Path

import click

from ops import (
    glibc,
    lambda_cost,
    lambda_events,
    lambda_runtime,
    package_report,
    paths,
    readonly,
    release,
    zappa_settings,
)
from ops.lambda_emulator.revision import Revision
from ops.lambda_emulator.worker import Worker, WorkerError, worker_env
from ops.stage import Stage
from ops.stage import argument as stage_argument
from project import atomic

MS = 1000.0


def package_revision(stage: Stage, task: Path) -> Revision:
    """The function as the stage deploys it, started from the unzipped package in `task`."""
    name, config = stage.function_name, stage.settings
    return Revision(
        function_name=name,
        function_arn=f"arn:aws:lambda:{stage.region}:000000000000:function:{name}",
        version="$LATEST",
        code_sha256="package-check",
        handler=zappa_settings.lambda_handler(config),
        runtime=config["runtime"],
        environment=dict(config.get("aws_environment_variables") or {}),
        memory_mb=int(config["memory_size"]),
        timeout_s=int(config["timeout_seconds"]),
        root=task,
        key="package-check",
    )


def cold_start(
    revision: Revision, layer: Path, region: str, cases: list[dict], warm_events: list, log
) -> dict:
    """One fresh execution environment: the cases from cold, then the warm requests, then how the
    package's modules were loaded (asked last: reading boto3's origin loads a deferred boto3)."""
    env = worker_env(revision, layer, {"AWS_REGION": region, "AWS_DEFAULT_REGION": region})
    worker = Worker(0, revision, env, log)
    try:
        worker.wait_ready()
        results = []
        for case in cases:
            reply = invoke(worker, revision, case["event"])
            results.append({"name": case["name"], **reply})
        warm = [invoke(worker, revision, event)["seconds"] for event in warm_events]
        return {
            "import_seconds": worker.import_seconds,
            "first_request_seconds": results[0]["seconds"] if results else 0.0,
            "results": results,
            "warm_seconds": warm,
            **worker.diagnostics(),
        }
    except WorkerError as exc:
        raise click.ClickException(f"the package failed to run as Lambda would: {exc}") from None
    finally:
        worker.stop()


def invoke(worker: Worker, revision: Revision, event: dict) -> dict:
    """{"response": what the handler returned, or "error": what it raised; "seconds"}."""
    reply = worker.invoke(event, event["requestContext"]["requestId"], revision.timeout_s)
    if "error" in reply:
        return {"error": reply["error"], "response": {}, "seconds": reply["seconds"]}
    return {"response": reply["result"], "seconds": reply["seconds"]}


def body_of(response: dict) -> dict:
    try:
        return json.loads(response.get("body") or "null") or {}
    except json.JSONDecodeError:
        return {}


def status_matches(status, expect) -> bool:
    return 400 <= (status or 0) < 500 if expect == "4xx" else status == expect


def evaluate(result: dict, cases: list[dict], expect: dict) -> list[str]:
    """Every way the responses differ from what the deployed stage must answer."""
    failures = []
    for case, got in zip(cases, result["results"], strict=True):
        response, name = got["response"], case["name"]
        if got.get("error"):
            error = got["error"]
            failures.append(
                f"{name}: the function raised {error['errorType']}: {error['errorMessage']}"
            )
            continue
        status = response.get("statusCode")
        if not status_matches(status, case["expect"]):
            failures.append(f"{name}: status {status}, expected {case['expect']}")
            continue
        headers = response.get("headers") or {}
        if headers.get("X-Request-Id") != case["event"]["requestContext"]["requestId"]:
            failures.append(f"{name}: X-Request-Id is not API Gateway's requestId")
        body = body_of(response)
        if status >= 400 and "error" not in body:
            failures.append(f"{name}: error response without an error object")
        if name == "version":
            for key in ("git_sha", "model_sha256", "stage", "backend"):
                if body.get(key) != expect[key]:
                    failures.append(
                        f"/version {key} is {body.get(key)!r}, expected {expect[key]!r}"
                    )
        if name == "predict" and body.get("prediction") not in expect["classes"]:
            failures.append(f"predict: no valid prediction in {body}")
        if name == "predict batch" and len(body.get("predictions", [])) != 3:
            failures.append("predict batch: expected 3 predictions")
    if result.get("boto3") is None or not result["boto3"].startswith(expect["runtime_layer"]):
        failures.append("boto3 was not imported from the runtime layer (packaged by mistake?)")
    if result.get("deferred_but_loaded"):
        failures.append(
            f"a cold start loaded {', '.join(result['deferred_but_loaded'])}, which the entry "
            "point defers (app/lambda_entry.py): something now uses it at import time"
        )
    return failures


def bytecode_failures(result: dict) -> list[str]:
    """The package must ship a .pyc for every module it imports, and the run must not write any."""
    failures = []
    if not result.get("dont_write_bytecode"):
        failures.append("the execution environment ran without -B: Lambda cannot write bytecode")
    missing = result.get("modules_without_bytecode") or []
    if missing:
        failures.append(
            f"{len(missing)} of {result['package_modules']} imported modules have no .pyc in the "
            f"package and compile at every cold start (first: {', '.join(missing[:3])})"
        )
    return failures


def written_failures(before: set[str], after: set[str]) -> list[str]:
    added = sorted(after - before)
    if not added:
        return []
    return [f"the run wrote {len(added)} files into the read-only package (first: {added[0]})"]


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))]


def summarize(runs: list[dict]) -> dict:
    """Medians over the cold starts; warm latency from the run that sent the warm requests."""
    imports = [r["import_seconds"] for r in runs]
    firsts = [r["first_request_seconds"] for r in runs]
    warm = next((r["warm_seconds"] for r in runs if r["warm_seconds"]), [])
    return {
        "cold_starts": len(runs),
        "cold_start_ms": statistics.median(a + b for a, b in zip(imports, firsts, strict=True))
        * MS,
        "import_ms": statistics.median(imports) * MS,
        "first_request_ms": statistics.median(firsts) * MS,
        "warm_requests": len(warm),
        "warm_p50_ms": percentile(warm, 0.5) * MS if warm else None,
        "warm_p99_ms": percentile(warm, 0.99) * MS if warm else None,
        "max_rss_mb": max(r["max_rss_mb"] for r in runs),
        "package_modules": runs[0]["package_modules"],
        "modules_without_bytecode": len(runs[0]["modules_without_bytecode"]),
    }


def check_interpreter(runtime: str) -> None:
    """Cold starts run this interpreter: it must be the runtime's version, or the package's
    compiled files and bytecode are not what Lambda would load."""
    here = f"python{sys.version_info.major}.{sys.version_info.minor}"
    if here != runtime:
        raise click.ClickException(
            f"package-check runs {here} but the stage runs {runtime}; use the project's Python"
        )


def report_lines(stage: str, zip_name: str, m: dict, memory_mb) -> list[str]:
    lines = [
        f"package check {stage}: {zip_name} run as Lambda would ({m['cold_starts']} cold starts, "
        "read-only copy, no bytecode writes)",
        f"  cold start      {m['cold_start_ms']:8.1f} ms median (import handler "
        f"{m['import_ms']:.1f} ms + first /predict {m['first_request_ms']:.1f} ms)",
        f"  bytecode        {m['package_modules'] - m['modules_without_bytecode']} of "
        f"{m['package_modules']} imported package modules loaded from shipped .pyc",
    ]
    if m["warm_p50_ms"] is not None:
        lines.append(
            f"  warm /predict   {m['warm_p50_ms']:8.3f} ms p50, {m['warm_p99_ms']:.3f} ms p99 "
            f"over {m['warm_requests']} requests (through Zappa's handler)"
        )
    lines.append(f"  max RSS         {m['max_rss_mb']:8.1f} MB (memory_size {memory_mb} MB)")
    if m["warm_p50_ms"] is not None:
        lines.append("  cost            per million predictions, billed at the warm p50:")
        lines += [
            f"    {row['stage']:5} {row['memory_mb']:5d} MB  billed {row['billed_ms']} ms  "
            f"${row['usd_per_million']:.2f}"
            for row in m["cost"]
        ]
        lines.append(f"    {lambda_cost.describe_prices()}")
    return lines


def glibc_result(task: Path, runtime: str) -> tuple[str, list[str]]:
    have, newer = glibc.incompatible(task, runtime)
    fits = f"glibc {have[0]}.{have[1]} on {runtime}"
    if not newer:
        return f"  glibc           every compiled file fits {fits}", []
    worst = max(newer.items(), key=lambda item: item[1])
    need = f"{worst[1][0]}.{worst[1][1]}"
    line = f"  glibc           {len(newer)} files need more than {fits}, up to {need} ({worst[0]})"
    return line, [
        f"compiled files need glibc {need} but {runtime} runs on glibc {have[0]}.{have[1]}: "
        f"they will not import on AWS Lambda (pin wheels built for manylinux <= "
        f"{have[0]}_{have[1]}, or move to a runtime on a newer OS)"
    ]


@click.command("package-check")
@stage_argument
@click.option(
    "--zip",
    "zip_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="The package to check (default dist/STAGE.zip).",
)
@click.option("--expect-sha", default=None, help="Git SHA /version must report (default: HEAD).")
@click.option("--cold-runs", default=5, show_default=True, help="Fresh processes (cold starts).")
@click.option("--requests", "n", default=1000, show_default=True, help="Warm /predict requests.")
@click.option(
    "--glibc-check/--no-glibc-check",
    default=True,
    show_default=True,
    help="Fail when a compiled file needs a newer glibc than the runtime's OS has.",
)
def package_check(stage, zip_path, expect_sha, cold_runs, n, glibc_check) -> None:
    """Unzip the package and serve API Gateway events through Zappa's handler, as Lambda would."""
    zip_path = zip_path or paths.package_zip(stage.name)
    if not zip_path.exists():
        raise click.ClickException(f"{zip_path} not found: run `make package STAGE={stage.name}`")
    config = stage.settings
    check_interpreter(config["runtime"])
    manifest = release.manifest()
    expect = {
        "git_sha": expect_sha or release.git_sha(),
        "model_sha256": release.model_sha256("onnx"),
        "stage": stage.name,
        "backend": "onnx",
        "classes": manifest["classes"],
    }
    layer = lambda_runtime.ensure_layer()
    expect["runtime_layer"] = str(layer)
    row = release.sample_row()
    failures: list[str] = []
    with tempfile.TemporaryDirectory(prefix="package-check-") as tmp:
        task = Path(tmp) / "task"
        try:
            with zipfile.ZipFile(zip_path) as archive:
                archive.extractall(task)
                baked = package_report.zappa_settings(archive)
            if baked.get("API_STAGE") != stage.name:
                raise click.ClickException(
                    f"{zip_path} was built for stage {baked.get('API_STAGE')!r}"
                )
            glibc_line, glibc_failures = glibc_result(task, config["runtime"])
            readonly.freeze(task)
            before = readonly.listing(task)
            cases = lambda_events.check_cases(stage.name, row)
            predict = lambda_events.rest_event(stage.name, "POST", "/predict", {"data": row})
            warm_events = [predict] * n
            revision = package_revision(stage, task)
            runs = []
            with (Path(tmp) / "lambda.log").open("ab") as log:
                for index in range(cold_runs):
                    warm = warm_events if index == cold_runs - 1 else []
                    result = cold_start(revision, layer, stage.region, cases, warm, log)
                    failures += [f for f in evaluate(result, cases, expect) if f not in failures]
                    runs.append(result)
            response_problems = len(failures)
            failures += written_failures(before, readonly.listing(task))
        finally:
            readonly.thaw(task)
    failures += bytecode_failures(runs[0])
    measured = summarize(runs)
    if measured["warm_p50_ms"] is not None:
        measured["cost"] = lambda_cost.estimate(measured["warm_p50_ms"])
    lines = report_lines(stage.name, zip_path.name, measured, config.get("memory_size"))
    lines.append(
        f"  responses       {len(cases)} cases x {cold_runs} runs, "
        f"{f'{response_problems} problems' if response_problems else 'all as expected'}"
    )
    lines.append(glibc_line)
    click.echo("\n".join(lines))
    if glibc_check:
        failures += glibc_failures
    write_measurement(stage.name, zip_path, measured)
    if failures:
        raise click.ClickException("package check failed: " + "; ".join(failures))


def write_measurement(stage: str, zip_path: Path, measured: dict) -> None:
    """dist/STAGE-check.json: the numbers, for the load report's cost estimate and for people."""
    atomic.write_json(paths.package_check_report(stage), {"zip": zip_path.name, **measured})
