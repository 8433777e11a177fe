"""The exact locks agree: a package shared by the Lambda package, training and development has
one version everywhere, so the tests exercise what Lambda runs (and Dependabot can't split it)."""

import re

import pytest

from tests.conftest import ROOT

REQUIREMENTS = ROOT / "requirements"
PIN = re.compile(r"^([A-Za-z0-9_.-]+)==(\S+)$")


def pins(name: str) -> dict[str, str]:
    found = {}
    for line in (REQUIREMENTS / name).read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        match = PIN.match(line)
        assert match, f"{name}: not an exact pin: {line!r}"
        found[match.group(1).lower().replace("_", "-")] = match.group(2)
    return found


@pytest.mark.parametrize("lock", ["train.txt", "dev.txt", "package.txt"])
def test_the_serve_layer_has_the_same_versions_in_every_lock(lock):
    serve, other = pins("serve.txt"), pins(lock)
    assert {name: other.get(name) for name in serve} == serve


def test_training_and_development_agree():
    train, dev = pins("train.txt"), pins("dev.txt")
    assert {name: dev.get(name) for name in train} == train


@pytest.mark.parametrize("lock", sorted(p.name for p in REQUIREMENTS.glob("*.txt")))
def test_every_lock_pins_exactly(lock):
    assert pins(lock)
