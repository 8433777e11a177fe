import re
from pathlib import Path

import pytest
import yaml

from tests.conftest import ROOT

WORKFLOWS = ROOT / ".github" / "workflows"


def load(name: str) -> dict:
    document = yaml.safe_load((WORKFLOWS / name).read_text())
    # YAML 1.1 reads the key `on` as the boolean True.
    if True in document:
        document["on"] = document.pop(True)
    return document


def all_workflows() -> dict[str, dict]:
    return {path.name: load(path.name) for path in sorted(WORKFLOWS.glob("*.yml"))}


def steps(workflow: dict):
    """(job id, job, step) for every step of every job."""
    for job_id, job in workflow["jobs"].items():
        for step in job.get("steps", []):
            yield job_id, job, step


def make_targets() -> set[str]:
    """Targets declared in the Makefile and its mk/*.mk fragments."""
    text = "\n".join(
        p.read_text() for p in [ROOT / "Makefile", *sorted((ROOT / "mk").glob("*.mk"))]
    )
    return set(re.findall(r"^([a-zA-Z][\w-]*):", text, flags=re.MULTILINE))


@pytest.fixture(scope="session")
def workflows() -> dict[str, dict]:
    return all_workflows()


__all__ = ["WORKFLOWS", "Path", "all_workflows", "load", "make_targets", "steps"]
