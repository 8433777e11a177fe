"""Run an unzipped Lambda package the way Lambda does; a standalone script for the package check.

Started as `python -I -S -B lambda_probe.py SPEC_FILE`: no site-packages, no environment, no
bytecode writes, and only the package and the runtime layer on sys.path, so a module missing from
the zip fails here and every cold start compiles what the package ships no .pyc for, as on Lambda.
Imports the standard library only. Writes its results as JSON to the file the spec names.
"""

import json
import os
import resource
import sys
import time

T0 = time.perf_counter()


class Context:
    """The attributes of Lambda's context object that Zappa and the app read."""

    function_name = "package-check"
    function_version = "$LATEST"
    memory_limit_in_mb = 1024
    invoked_function_arn = "arn:aws:lambda:us-east-1:000000000000:function:package-check"
    log_group_name = "/aws/lambda/package-check"
    log_stream_name = "local"

    def __init__(self, request_id):
        self.aws_request_id = request_id

    def get_remaining_time_in_millis(self):
        return 10_000


def invoke(handler, event):
    started = time.perf_counter()
    response = handler.lambda_handler(event, Context(event["requestContext"]["requestId"]))
    return response, time.perf_counter() - started


def without_bytecode(task):
    """(modules imported from the package, the names of those that had no .pyc to load)."""
    imported, missing = 0, []
    for name, module in list(sys.modules.items()):
        spec = getattr(module, "__spec__", None)
        origin = getattr(spec, "origin", None) or ""
        if not (origin.startswith(task + os.sep) and origin.endswith(".py")):
            continue
        imported += 1
        if not (spec.cached and os.path.exists(spec.cached)):
            missing.append(name)
    return imported, sorted(missing)


def main(spec_path):
    with open(spec_path) as f:
        spec = json.load(f)
    sys.path[:0] = [spec["task"], spec["runtime"]]
    import handler  # Zappa's handler.py at the zip's root, as Lambda imports it

    imported = time.perf_counter() - T0
    results, first = [], None
    for case in spec["cases"]:
        response, elapsed = invoke(handler, case["event"])
        first = elapsed if first is None else first
        results.append({"name": case["name"], "response": response, "seconds": elapsed})
    warm = []
    for event in spec["warm_events"]:
        warm.append(invoke(handler, event)[1])
    rusage = resource.getrusage(resource.RUSAGE_SELF)
    imported_modules, missing_bytecode = without_bytecode(spec["task"])
    out = {
        "package_modules": imported_modules,
        "modules_without_bytecode": missing_bytecode,
        "dont_write_bytecode": sys.dont_write_bytecode,
        "import_seconds": imported,
        "first_request_seconds": first,
        "results": results,
        "warm_seconds": warm,
        "max_rss_mb": rusage.ru_maxrss / 1024,
        "boto3": sys.modules["boto3"].__file__ if "boto3" in sys.modules else None,
    }
    with open(spec["output"], "w") as f:
        json.dump(out, f)


if __name__ == "__main__":
    main(sys.argv[1])
