"""The package check's pieces: the isolated probe, response evaluation and the glibc scan."""

import json
import shutil

import click
import pytest

from ops import glibc, lambda_events, package_check, readonly, zappa_settings
from ops.stage import Stage
from project import ROOT

from .conftest import SHA

EXPECT = {
    "git_sha": SHA,
    "model_sha256": "abc",
    "stage": "dev",
    "backend": "onnx",
    "classes": ["no", "yes"],
    "runtime_layer": "/layer",
}


def response(case, status, body):
    request_id = case["event"]["requestContext"]["requestId"]
    return {"statusCode": status, "headers": {"X-Request-Id": request_id}, "body": json.dumps(body)}


def good_results(cases):
    bodies = {
        "version": {"git_sha": SHA, "model_sha256": "abc", "stage": "dev", "backend": "onnx"},
        "predict": {"prediction": "no"},
        "predict batch": {"predictions": [{}, {}, {}]},
    }
    results = []
    for case in cases:
        status = 422 if case["expect"] == "4xx" else case["expect"]
        body = bodies.get(case["name"], {"error": {"code": "x"}} if status >= 400 else {})
        results.append({"name": case["name"], "response": response(case, status, body)})
    return {"results": results, "boto3": "/layer/boto3/__init__.py"}


def test_expected_responses_pass():
    cases = lambda_events.check_cases("dev", [1.0] * 30)
    assert package_check.evaluate(good_results(cases), cases, EXPECT) == []


def test_wrong_sha_status_and_request_id_are_reported():
    cases = lambda_events.check_cases("dev", [1.0] * 30)
    result = good_results(cases)
    by_name = {r["name"]: r for r in result["results"]}
    by_name["version"]["response"]["body"] = json.dumps({**EXPECT, "git_sha": "other"})
    by_name["health"]["response"]["statusCode"] = 500
    by_name["index"]["response"]["headers"] = {}
    result["boto3"] = "/elsewhere/boto3/__init__.py"
    failures = package_check.evaluate(result, cases, EXPECT)
    assert (
        "/version git_sha is 'other', expected '0123456789abcdef0123456789abcdef01234567'"
        in failures
    )
    assert "health: status 500, expected 200" in failures
    assert "index: X-Request-Id is not API Gateway's requestId" in failures
    assert any("runtime layer" in f for f in failures)


def test_rest_events_look_like_api_gateway_proxy_events():
    event = lambda_events.rest_event("prod", "POST", "/predict", {"data": [1]})
    assert event["resource"] == "/{proxy+}"
    assert event["pathParameters"] == {"proxy": "predict"}
    assert event["requestContext"]["stage"] == "prod"
    assert json.loads(event["body"]) == {"data": [1]}
    assert lambda_events.rest_event("dev", "GET", "/")["resource"] == "/"


def fake_package(tmp_path, handler_source):
    task, layer = tmp_path / "task", tmp_path / "layer"
    task.mkdir()
    (layer / "boto3").mkdir(parents=True)
    (layer / "boto3" / "__init__.py").write_text("VALUE = 1\n")
    (task / "handler.py").write_text(handler_source)
    return task, layer


def cold_start(
    tmp_path, task, layer, cases=(), warm_events=(), handler=zappa_settings.ZAPPA_HANDLER
):
    """One cold start of the fake package, through the check's own execution environment."""
    config = {
        "project_name": "fake",
        "aws_region": "us-east-1",
        "runtime": "python3.13",
        "memory_size": 512,
        "timeout_seconds": 10,
        "lambda_handler": handler,
    }
    revision = package_check.package_revision(Stage("dev", config, "us-east-1"), task)
    with (tmp_path / "lambda.log").open("ab") as log:
        return package_check.cold_start(
            revision, layer, config["aws_region"], list(cases), list(warm_events), log
        )


def test_a_cold_start_runs_the_package_with_only_the_package_and_layer(tmp_path):
    task, layer = fake_package(
        tmp_path,
        "import boto3\ndef lambda_handler(event, context):\n"
        "    return {'statusCode': 200, 'body': context.aws_request_id}\n",
    )
    event = lambda_events.rest_event("dev", "GET", "/health")
    result = cold_start(tmp_path, task, layer, [{"name": "h", "event": event}], [event] * 2)
    assert result["results"][0]["response"]["body"] == event["requestContext"]["requestId"]
    assert len(result["warm_seconds"]) == 2
    assert result["boto3"].startswith(str(layer))


def test_a_module_missing_from_the_package_fails_the_cold_start(tmp_path):
    # click is installed in the dev venv; the isolated environment must not see it.
    task, layer = fake_package(tmp_path, "import click\n")
    with pytest.raises(click.ClickException, match="No module named 'click'"):
        cold_start(tmp_path, task, layer)


ENTRY = ROOT / "app" / "lambda_entry.py"


@pytest.mark.parametrize(("use_at_import", "loaded"), [(False, []), (True, ["boto3"])])
def test_a_cold_start_reports_deferred_modules_that_a_cold_start_loads(
    tmp_path, use_at_import, loaded
):
    source = "import boto3\n" + ("boto3.VALUE\n" if use_at_import else "")
    source += "def lambda_handler(event, context):\n    return {'statusCode': 200}\n"
    task, layer = fake_package(tmp_path, source)
    shutil.copy(ENTRY, task / "lambda_entry.py")  # the real entry, outside app/ (no Flask here)
    cases = [{"name": "h", "expect": 200, "event": lambda_events.rest_event("dev", "GET", "/")}]
    result = cold_start(tmp_path, task, layer, cases, handler="lambda_entry.lambda_handler")
    assert result["deferred"] == ["boto3", "botocore", "asyncio"]
    assert result["deferred_but_loaded"] == loaded
    # Read after the cold start, a deferred boto3 still resolves, from the runtime layer.
    assert result["boto3"].startswith(str(layer))
    failures = package_check.evaluate(result, cases, {"runtime_layer": str(layer)})
    assert any("a cold start loaded boto3" in f for f in failures) == bool(loaded)


def write_elf(path, *versions):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"\x7fELF" + b"\0".join(f"GLIBC_{v}".encode() for v in versions))


def test_glibc_scan_finds_the_newest_version_each_file_needs(tmp_path):
    write_elf(tmp_path / "a" / "x.so", "2.17", "2.28", "2.3.4")
    write_elf(tmp_path / "b.so.1", "2.14")
    (tmp_path / "c.so").write_bytes(b"not an elf GLIBC_2.99")
    assert glibc.required(tmp_path) == {"a/x.so": (2, 28), "b.so.1": (2, 14)}


@pytest.mark.parametrize(("runtime", "flagged"), [("python3.11", ["a.so"]), ("python3.13", [])])
def test_glibc_incompatibility_depends_on_the_runtime_os(tmp_path, runtime, flagged):
    write_elf(tmp_path / "a.so", "2.28")
    write_elf(tmp_path / "b.so", "2.17")
    _, newer = glibc.incompatible(tmp_path, runtime)
    assert sorted(newer) == flagged


def test_a_cold_start_writes_no_bytecode_and_reports_modules_without_it(tmp_path):
    task, layer = fake_package(
        tmp_path,
        "import helper\ndef lambda_handler(event, context):\n    return {'statusCode': 200}\n",
    )
    (task / "helper.py").write_text("X = 1\n")
    readonly.freeze(task)
    before = readonly.listing(task)
    result = cold_start(tmp_path, task, layer)
    readonly.thaw(task)
    assert result["dont_write_bytecode"] is True
    assert result["modules_without_bytecode"] == ["handler", "helper"]
    assert package_check.written_failures(before, readonly.listing(task)) == []
    failures = package_check.bytecode_failures(result)
    assert failures == [
        "2 of 2 imported modules have no .pyc in the package and compile at every cold start "
        "(first: handler, helper)"
    ]


def test_files_written_into_the_package_fail_the_check():
    assert package_check.written_failures({"a.py"}, {"a.py", "__pycache__"}) == [
        "the run wrote 1 files into the read-only package (first: __pycache__)"
    ]


def test_the_check_refuses_an_interpreter_other_than_the_runtime():
    with pytest.raises(click.ClickException, match=r"stage runs python3\.9"):
        package_check.check_interpreter("python3.9")
