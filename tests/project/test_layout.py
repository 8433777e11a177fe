"""Imports run one way: what operates a real pipeline never needs how we rehearse it.

The rehearsal (package `rehearsal`) uses ops, app, iam, train and loadtest; none of those may
import the rehearsal, moto or the tests, so a fork that deletes `rehearsal/` still deploys.
"""

import ast
from pathlib import Path

import pytest

from project import ROOT

PIPELINE = ("app", "train", "ops", "iam", "loadtest", "project")
FORBIDDEN = ("rehearsal", "moto", "tests")


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module)
    return found


def forbidden_imports(package: str) -> list[str]:
    return [
        f"{path.relative_to(ROOT)} imports {module}"
        for path in sorted((ROOT / package).rglob("*.py"))
        for module in sorted(imported_modules(path))
        if module.split(".")[0] in FORBIDDEN
    ]


@pytest.mark.parametrize("package", PIPELINE)
def test_the_pipeline_never_imports_the_rehearsal_moto_or_tests(package):
    assert forbidden_imports(package) == []


def test_the_check_sees_an_import_inside_a_function(tmp_path):
    module = tmp_path / "late.py"
    module.write_text("def f():\n    from rehearsal.gateway import start_gateway\n")
    assert imported_modules(module) == {"rehearsal.gateway"}
