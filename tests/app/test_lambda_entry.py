"""The Lambda entry point defers boto3 and asyncio, and hands over the real modules when used."""

import subprocess
import sys
import textwrap

from project import ROOT

# Imports like Zappa's handler.py and zappa/utilities.py do, uses nothing at import time.
HANDLER = """
import asyncio
import boto3
import botocore

def lambda_handler(event, context):
    return event
"""


def run(tmp_path, code: str) -> list[str]:
    """Run code after `import app.lambda_entry`, in a fresh interpreter (it edits sys.modules)."""
    (tmp_path / "handler.py").write_text(HANDLER)
    script = f"import sys\nsys.path[:0] = [{str(tmp_path)!r}, {str(ROOT)!r}]\n"
    script += "import app.lambda_entry as entry\n" + textwrap.dedent(code)
    done = subprocess.run(
        [sys.executable, "-I", "-c", script], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


def test_importing_the_entry_loads_none_of_the_deferred_modules(tmp_path):
    out = run(
        tmp_path,
        """
        print(all(sys.modules[n].__spec__ is None for n in entry.DEFERRED))
        print(any(n.startswith(("boto3.", "botocore.", "asyncio.")) for n in sys.modules))
        print(entry.lambda_handler("event", None))
        """,
    )
    assert out == ["True", "False", "event"]


def test_first_use_loads_the_real_module_and_replaces_the_stand_in(tmp_path):
    out = run(
        tmp_path,
        """
        import handler
        print(handler.boto3.Session.__module__)
        print(sys.modules["boto3"].__spec__ is not None)
        from botocore.exceptions import ClientError
        print(ClientError.__module__, handler.botocore.exceptions.ClientError is ClientError)

        async def task():
            return 1

        print(handler.asyncio.iscoroutinefunction(task))
        """,
    )
    assert out == ["boto3.session", "True", "botocore.exceptions", "True", "True"]


def test_a_deferred_module_that_cannot_load_fails_where_it_is_used(tmp_path):
    out = run(
        tmp_path,
        """
        entry.defer(("no_such_module_here",))
        import no_such_module_here
        try:
            no_such_module_here.anything
        except ModuleNotFoundError as exc:
            print(exc.name)
        print(isinstance(sys.modules["no_such_module_here"], entry.Deferred))
        """,
    )
    assert out == ["no_such_module_here", "True"]
