"""Run an unzipped Lambda package the way Lambda does; a standalone script for the package check.

Started as `python -I -S -B lambda_probe.py SPEC_FILE`: no site-packages, no environment, no
bytecode writes, and only the package and the runtime layer on sys.path, so a module missing from
the zip fails here and every cold start compiles what the package ships no .pyc for, as on Lambda.
Imports the standard library only. Writes its results as JSON to the file the spec names.
"""

import importlib
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
    response = handler(event, Context(event["requestContext"]["requestId"]))
    return response, time.perf_counter() - started


def load_handler(name):
    """The function the `module.attribute` Handler names, imported as Lambda's init phase does."""
    module_name, attribute = name.rsplit(".", 1)
    module = importlib.import_module(module_name)
    return module, getattr(module, attribute)


def deferred_but_loaded(entry):
    """Of the modules the entry defers (its DEFERRED), those that are really loaded now.

    A stand-in has no `__spec__`; reading it does not load the real module.
    """
    names = getattr(entry, "DEFERRED", ())
    return [name for name in names if getattr(sys.modules.get(name), "__spec__", None)]


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
    entry, handler = load_handler(spec["handler"])
    imported = time.perf_counter() - T0
    results, first = [], None
    for case in spec["cases"]:
        response, elapsed = invoke(handler, case["event"])
        first = elapsed if first is None else first
        results.append({"name": case["name"], "response": response, "seconds": elapsed})
    loaded_at_cold_start = deferred_but_loaded(entry)
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
        "deferred": list(getattr(entry, "DEFERRED", ())),
        "deferred_but_loaded": loaded_at_cold_start,
        # Read last: this loads a deferred boto3, which must then come from the runtime layer.
        "boto3": sys.modules["boto3"].__file__ if "boto3" in sys.modules else None,
    }
    with open(spec["output"], "w") as f:
        json.dump(out, f)


if __name__ == "__main__":
    main(sys.argv[1])
