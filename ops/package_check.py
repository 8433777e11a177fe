"""`python -m ops package-check STAGE`: run dist/STAGE.zip the way Lambda runs it, before AWS does.

Each run is a fresh `python -I -S` that sees only the unzipped package and a runtime layer
(boto3/botocore), imports Zappa's handler.py and feeds it API Gateway REST proxy events. A missing
module, a missing model file or a wrong /version fails here. Prints cold start and warm latency.
"""

import json
import os
import statistics
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import click

from ops import glibc, lambda_events, lambda_runtime, package_report, paths, release, settings

PROBE = Path(__file__).resolve().parent / "lambda_probe.py"
PASSTHROUGH = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")  # see the machine notes; keep as given


def child_env(task: Path, region: str) -> dict:
    """Roughly Lambda's environment; nothing from ours except the OpenBLAS machine settings."""
    env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "TZ": ":UTC",
        "LAMBDA_TASK_ROOT": str(task),
        "AWS_LAMBDA_FUNCTION_NAME": "package-check",
        "AWS_REGION": region,
        "AWS_DEFAULT_REGION": region,
    }
    env.update({name: os.environ[name] for name in PASSTHROUGH if name in os.environ})
    return env


def run_probe(spec: dict, workdir: Path, env: dict) -> dict:
    spec_file, output = workdir / "spec.json", workdir / "result.json"
    output.unlink(missing_ok=True)
    spec_file.write_text(json.dumps(spec | {"output": str(output)}))
    done = subprocess.run(
        [sys.executable, "-I", "-S", str(PROBE), str(spec_file)],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if done.returncode != 0 or not output.exists():
        tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise click.ClickException(f"the package failed to run as Lambda would: {tail}")
    return json.loads(output.read_text())


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
    return failures


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))]


@click.command("package-check")
@click.argument("stage", type=click.Choice(settings.STAGES))
@click.option(
    "--zip",
    "zip_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="The package to check (default dist/STAGE.zip).",
)
@click.option("--expect-sha", default=None, help="Git SHA /version must report (default: HEAD).")
@click.option("--cold-runs", default=3, show_default=True, help="Fresh processes (cold starts).")
@click.option("--requests", "n", default=300, show_default=True, help="Warm /predict requests.")
@click.option(
    "--glibc-check/--no-glibc-check",
    default=True,
    show_default=True,
    help="Fail when a compiled file needs a newer glibc than the runtime's OS has.",
)
def package_check(stage, zip_path, expect_sha, cold_runs, n, glibc_check) -> None:
    """Unzip the package and serve API Gateway events through Zappa's handler, as Lambda would."""
    zip_path = zip_path or paths.package_zip(stage)
    if not zip_path.exists():
        raise click.ClickException(f"{zip_path} not found: run `make package STAGE={stage}`")
    config = settings.resolve(settings.load(), stage)
    manifest = release.manifest()
    expect = {
        "git_sha": expect_sha or release.git_sha(),
        "model_sha256": release.model_sha256("onnx"),
        "stage": stage,
        "backend": "onnx",
        "classes": manifest["classes"],
    }
    layer = lambda_runtime.ensure_layer()
    expect["runtime_layer"] = str(layer)
    row = release.sample_row()
    failures: list[str] = []
    with tempfile.TemporaryDirectory(prefix="package-check-") as tmp:
        task = Path(tmp) / "task"
        with zipfile.ZipFile(zip_path) as archive:
            archive.extractall(task)
            baked = package_report.zappa_settings(archive)
        if baked.get("API_STAGE") != stage:
            raise click.ClickException(f"{zip_path} was built for stage {baked.get('API_STAGE')!r}")
        have, newer = glibc.incompatible(task, config["runtime"])
        cases = lambda_events.check_cases(stage, row)
        warm_events = [lambda_events.rest_event(stage, "POST", "/predict", {"data": row})] * n
        env = child_env(task, config["aws_region"])
        runs = []
        for index in range(cold_runs):
            spec = {
                "task": str(task),
                "runtime": str(layer),
                "cases": cases,
                "warm_events": warm_events if index == 0 else [],
            }
            result = run_probe(spec, Path(tmp), env)
            failures += [f for f in evaluate(result, cases, expect) if f not in failures]
            runs.append(result)
    imports = [r["import_seconds"] for r in runs]
    firsts = [r["first_request_seconds"] for r in runs]
    colds = [a + b for a, b in zip(imports, firsts, strict=True)]
    warm = runs[0]["warm_seconds"]
    ms = 1000.0
    click.echo(
        f"package check {stage}: {zip_path.name} run as Lambda would ({cold_runs} cold starts)"
    )
    click.echo(
        f"  cold start      {statistics.median(colds) * ms:8.1f} ms median "
        f"(import handler {statistics.median(imports) * ms:.1f} ms + first request "
        f"{statistics.median(firsts) * ms:.1f} ms)"
    )
    if warm:
        click.echo(
            f"  warm /predict   {percentile(warm, 0.5) * ms:8.3f} ms p50, "
            f"{percentile(warm, 0.99) * ms:.3f} ms p99 over {len(warm)} requests"
        )
    click.echo(
        f"  max RSS         {max(r['max_rss_mb'] for r in runs):8.1f} MB "
        f"(memory_size {config.get('memory_size')} MB)"
    )
    click.echo(
        f"  responses       {len(cases)} cases x {cold_runs} runs, "
        f"{'all as expected' if not failures else f'{len(failures)} problems'}"
    )
    glibc_line = f"glibc {have[0]}.{have[1]} on {config['runtime']}"
    if newer:
        worst = max(newer.items(), key=lambda item: item[1])
        need = f"{worst[1][0]}.{worst[1][1]}"
        click.echo(
            f"  glibc           {len(newer)} files need more than {glibc_line}, up to {need} "
            f"({worst[0]})"
        )
        if glibc_check:
            failures.append(
                f"compiled files need glibc {need} but {config['runtime']} runs on glibc "
                f"{have[0]}.{have[1]}: they will not import on AWS Lambda (pin wheels built for "
                f"manylinux <= {have[0]}_{have[1]}, or move to a runtime on a newer OS)"
            )
    else:
        click.echo(f"  glibc           every compiled file fits {glibc_line}")
    if failures:
        raise click.ClickException("package check failed: " + "; ".join(failures))
