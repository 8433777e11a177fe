"""One local execution environment: Lambda's runtime loop for an unzipped package.

Started by worker.py as `python -I -S -B bootstrap.py REQUESTS_FD REPLIES_FD`, with the function's
environment plus LAMBDA_TASK_ROOT, LAMBDA_RUNTIME_DIR and _HANDLER (as Lambda sets them). It imports
the standard library only, puts the package and the runtime layer (boto3, botocore) on sys.path,
imports the handler (the init phase), then answers one invocation at a time until its requests
pipe closes. Messages are 4-byte big-endian lengths followed by JSON. Besides invocations it
answers one question the package check asks last: how the package's modules were loaded.
"""

import importlib
import json
import os
import resource
import struct
import sys
import time
import traceback

T0 = time.perf_counter()


def read_message(stream):
    header = stream.read(4)
    if len(header) < 4:
        return None
    (size,) = struct.unpack(">I", header)
    return json.loads(stream.read(size))


def write_message(stream, message):
    data = json.dumps(message).encode()
    stream.write(struct.pack(">I", len(data)) + data)
    stream.flush()


def describe(exc, kind):
    """Lambda's error shape: errorType, errorMessage, stackTrace (also printed to the log)."""
    lines = traceback.format_exception(exc)
    sys.stderr.write("".join(lines))
    sys.stderr.flush()
    return {"errorType": kind or type(exc).__name__, "errorMessage": str(exc), "stackTrace": lines}


def max_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Context:
    """The attributes of Lambda's context object."""

    def __init__(self, message):
        self.aws_request_id = message["request_id"]
        self.invoked_function_arn = message["function_arn"]
        self.function_name = os.environ["AWS_LAMBDA_FUNCTION_NAME"]
        self.function_version = os.environ["AWS_LAMBDA_FUNCTION_VERSION"]
        self.memory_limit_in_mb = os.environ["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"]
        self.log_group_name = os.environ["AWS_LAMBDA_LOG_GROUP_NAME"]
        self.log_stream_name = os.environ["AWS_LAMBDA_LOG_STREAM_NAME"]
        self.identity = self.client_context = None
        self._deadline = message["deadline_epoch_ms"]

    def get_remaining_time_in_millis(self):
        return max(0, int(self._deadline - time.time() * 1000))


def load_handler():
    """(the handler's module, the handler), imported from the package as Lambda's init does."""
    task_root = os.environ["LAMBDA_TASK_ROOT"]
    sys.path[:0] = [task_root, os.environ["LAMBDA_RUNTIME_DIR"]]
    os.chdir(task_root)
    module_name, _, attribute = os.environ["_HANDLER"].rpartition(".")
    module = importlib.import_module(module_name)
    return module, getattr(module, attribute)


def without_bytecode(task_root):
    """(modules imported from the package, the names of those that had no .pyc to load)."""
    imported, missing = 0, []
    for name, module in list(sys.modules.items()):
        spec = getattr(module, "__spec__", None)
        origin = getattr(spec, "origin", None) or ""
        if not (origin.startswith(task_root + os.sep) and origin.endswith(".py")):
            continue
        imported += 1
        if not (spec.cached and os.path.exists(spec.cached)):
            missing.append(name)
    return imported, sorted(missing)


def diagnostics(entry):
    """How the package loaded so far: its modules' bytecode, and the entry module's deferrals.

    The entry may defer modules (its DEFERRED; see app/lambda_entry.py): a stand-in has no
    `__spec__`, and reading that does not load the real module. boto3's origin is read last, as
    it loads a deferred boto3, which must come from the runtime layer, not the package.
    """
    imported, missing = without_bytecode(os.environ["LAMBDA_TASK_ROOT"])
    deferred = list(getattr(entry, "DEFERRED", ()))
    loaded = [name for name in deferred if getattr(sys.modules.get(name), "__spec__", None)]
    return {
        "package_modules": imported,
        "modules_without_bytecode": missing,
        "dont_write_bytecode": sys.dont_write_bytecode,
        "deferred": deferred,
        "deferred_but_loaded": loaded,
        "boto3": sys.modules["boto3"].__file__ if "boto3" in sys.modules else None,
        "max_rss_mb": max_rss_mb(),
    }


def invoke(handler, message):
    started = time.perf_counter()
    try:
        result = handler(message["event"], Context(message))
    # The runtime reports whatever the function raises, as Lambda does, and keeps serving.
    except Exception as exc:  # noqa: BLE001
        reply = {"error": describe(exc, None)}
    else:
        try:
            json.dumps(result)  # Lambda serializes the result; an unserializable one is an error
            reply = {"result": result}
        except (TypeError, ValueError) as exc:
            reply = {"error": describe(exc, "Runtime.MarshalError")}
    reply["seconds"] = time.perf_counter() - started
    reply["max_rss_mb"] = max_rss_mb()
    return reply


def main():
    requests = os.fdopen(int(sys.argv[1]), "rb")
    replies = os.fdopen(int(sys.argv[2]), "wb")
    try:
        entry, handler = load_handler()
    # Any init failure (ImportError, a missing file, ...) is Lambda's Runtime.ImportModuleError.
    except Exception as exc:  # noqa: BLE001
        write_message(replies, {"init_error": describe(exc, "Runtime.ImportModuleError")})
        return 1
    write_message(replies, {"ready": True, "import_seconds": time.perf_counter() - T0})
    while (message := read_message(requests)) is not None:
        if message.get("diagnostics"):
            write_message(replies, diagnostics(entry))
        else:
            write_message(replies, invoke(handler, message))
    return 0


if __name__ == "__main__":
    sys.exit(main())
