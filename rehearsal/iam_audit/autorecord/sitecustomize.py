"""Record a subprocess's AWS calls for the IAM audit (`make rehearse` puts this on PYTHONPATH).

Python imports `sitecustomize` at start-up, so every interpreter a rehearsal step starts (make ->
python -m ops -> zappa, in either virtualenv) records its botocore calls, attributed to the step
and to the role that step assumes in GitHub Actions. Without IAM_AUDIT_LOG it does nothing.

The recorder is installed right after boto3 is first imported, not here: importing boto3 (and so
ssl) this early would break programs that monkey-patch the standard library later, like Locust.
"""

import importlib.abc
import importlib.util
import os
import sys


def _install() -> None:
    try:
        from rehearsal.iam_audit.recorder import CallRecorder
    except ImportError:  # an interpreter without boto3 makes no AWS calls to record
        return
    recorder = CallRecorder(os.environ["IAM_AUDIT_LOG"])
    recorder.install()
    recorder.step_name = os.environ.get("IAM_AUDIT_STEP", "unnamed step")
    recorder.role = os.environ.get("IAM_AUDIT_ROLE")


class _InstallAfterBoto3(importlib.abc.MetaPathFinder):
    """Wraps the import of boto3 so the recorder installs as soon as it has finished."""

    def find_spec(self, name, path=None, target=None):
        if name != "boto3":
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(name)
        if spec is None or spec.loader is None:
            return spec
        execute = spec.loader.exec_module

        def exec_module(module):
            execute(module)
            _install()

        spec.loader.exec_module = exec_module
        return spec


if os.environ.get("IAM_AUDIT_LOG"):
    sys.meta_path.insert(0, _InstallAfterBoto3())
