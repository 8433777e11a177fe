"""The package ships bytecode Lambda can use: unchecked-hash .pyc from the runtime's Python."""

import importlib.util
import subprocess
import sys
import zipfile

import pytest

from ops import bytecode, readonly

PYC = f"__pycache__/mod.cpython-{sys.version_info.major}{sys.version_info.minor}.pyc"


def zipped(tmp_path, files):
    path = tmp_path / "pkg.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in files.items():
            info = zipfile.ZipInfo(name, date_time=(2020, 5, 17, 1, 2, 3))
            info.create_system, info.external_attr = 3, 0o755 << 16
            archive.writestr(info, text)
    return path


def unzipped(tmp_path, path):
    task = tmp_path / "task"
    with zipfile.ZipFile(path) as archive:
        archive.extractall(task)
    return task


def run_as_lambda(task, code):
    """`code` in a fresh interpreter as Lambda starts it (no site, no bytecode writes), in task."""
    command = [
        sys.executable,
        "-I",
        "-S",
        "-B",
        "-c",
        "import sys; sys.path.insert(0, '.'); " + code,
    ]
    return subprocess.run(command, cwd=task, capture_output=True, text=True, check=False)


def test_every_module_gets_an_unchecked_hash_pyc_and_keeps_its_source(tmp_path):
    path = zipped(tmp_path, {"mod.py": "VALUE = 42\n", "pkg/__init__.py": "", "data.json": "{}"})
    assert bytecode.add_bytecode(path, sys.executable) == 2
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        pyc = archive.read(PYC)
        info = archive.getinfo(PYC)
    assert {"mod.py", "pkg/__init__.py", "data.json", PYC} <= names
    assert any(name.startswith("pkg/__pycache__/__init__.") for name in names)
    assert pyc[:4] == importlib.util.MAGIC_NUMBER
    assert int.from_bytes(pyc[4:8], "little") == 0b01  # hash-based, source not checked
    assert info.external_attr == 0o755 << 16


def test_the_shipped_pyc_is_what_a_read_only_b_interpreter_loads(tmp_path):
    path = zipped(tmp_path, {"mod.py": "VALUE = 42\n"})
    bytecode.add_bytecode(path, sys.executable)
    task = unzipped(tmp_path, path)
    # Another source with a newer mtime: only a loaded unchecked-hash .pyc still says 42.
    (task / "mod.py").write_text("VALUE = 43\n")
    readonly.freeze(task)
    before = readonly.listing(task)
    done = run_as_lambda(task, "import mod; print(mod.VALUE, mod.__spec__.cached)")
    readonly.thaw(task)
    value, cached = done.stdout.split()
    assert value == "42"
    assert cached.endswith(PYC)
    assert readonly.listing(task) == before


def test_source_that_does_not_compile_rejects_the_package(tmp_path):
    path = zipped(tmp_path, {"bad.py": "def broken(:\n"})
    with pytest.raises(bytecode.BytecodeError, match="compiling the package failed"):
        bytecode.add_bytecode(path, sys.executable)


def test_zappa_utilities_is_compiled_with_postponed_annotations(tmp_path):
    """Its `boto3.Session` hints must not load boto3: they stay strings; nothing else changes."""
    source = "import json\n\ndef connect(session: boto3.Session):\n    return json.dumps(1)\n"
    path = zipped(tmp_path, {"zappa/utilities.py": source, "other.py": source})
    bytecode.add_bytecode(path, sys.executable)
    code = (
        "import zappa.utilities as u; "
        "print(u.connect.__annotations__['session'], u.connect(None)); import other"
    )
    done = run_as_lambda(unzipped(tmp_path, path), code)
    assert done.stdout.split() == ["boto3.Session", "1"]
    # Any other module keeps Python's default: its annotations are evaluated at load time.
    assert "NameError: name 'boto3' is not defined" in done.stderr
