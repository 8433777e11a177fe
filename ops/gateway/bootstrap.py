"""One local execution environment: Lambda's runtime loop for an unzipped package.

Started by worker.py as `python -I -S -B bootstrap.py REQUESTS_FD REPLIES_FD`, with the function's
environment plus LAMBDA_TASK_ROOT, LAMBDA_RUNTIME_DIR and _HANDLER (as Lambda sets them). It imports
the standard library only, puts the package and the runtime layer (boto3, botocore) on sys.path,
imports the handler (the init phase), then answers one invocation at a time until its requests
pipe closes. Messages are 4-byte big-endian lengths followed by JSON.
"""

import importlib
import json
import os
import resource
import struct
import sys
import time
import traceback


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
    task_root = os.environ["LAMBDA_TASK_ROOT"]
    sys.path[:0] = [task_root, os.environ["LAMBDA_RUNTIME_DIR"]]
    os.chdir(task_root)
    module_name, _, attribute = os.environ["_HANDLER"].rpartition(".")
    return getattr(importlib.import_module(module_name), attribute)


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
        handler = load_handler()
    # Any init failure (ImportError, a missing file, ...) is Lambda's Runtime.ImportModuleError.
    except Exception as exc:  # noqa: BLE001
        write_message(replies, {"init_error": describe(exc, "Runtime.ImportModuleError")})
        return 1
    write_message(replies, {"ready": True})
    while (message := read_message(requests)) is not None:
        write_message(replies, invoke(handler, message))
    return 0


if __name__ == "__main__":
    sys.exit(main())
