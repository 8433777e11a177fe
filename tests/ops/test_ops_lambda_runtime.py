"""The runtime layer: boto3, botocore and what they need, copied from the locked dev venv."""

import subprocess
import sys

from ops import lambda_runtime


def test_the_layer_holds_boto3_and_its_dependencies_compiled(tmp_path, monkeypatch):
    monkeypatch.setattr(lambda_runtime.paths, "CACHE", tmp_path)
    layer = lambda_runtime.ensure_layer()
    assert (layer / ".complete").read_text().splitlines() == lambda_runtime.pins()
    code = (
        f"import sys; sys.path.insert(0, {str(layer)!r}); import boto3, botocore.session, dateutil;"
        " print(boto3.__file__, boto3.__spec__.cached)"
    )
    done = subprocess.run(
        [sys.executable, "-I", "-S", "-B", "-c", code], capture_output=True, text=True, check=True
    )
    source, cached = done.stdout.split()
    assert source.startswith(str(layer))
    assert cached.endswith(".pyc")
    assert (layer / "boto3" / "__pycache__").is_dir()
    # Made once: a second call reuses it.
    assert lambda_runtime.ensure_layer() == layer
