"""Zappa's `extends` for zappa_settings.json: a stage is its chain of stages, merged shallowly.

Kept here, without Zappa or click, because the project name, the ops commands and the IAM audit
all resolve stages the same way.
"""


class StageError(ValueError):
    """A stage that does not exist, or a circular `extends`."""


def resolve(settings: dict, stage: str) -> dict:
    """The stage's settings with `extends` applied: the extending stage's keys win."""
    chain, name = [], stage
    while name is not None:
        if name in chain:
            raise StageError(f"stage {stage!r}: circular extends through {name!r}")
        if name not in settings:
            raise StageError(f"stage {stage!r}: extends unknown stage {name!r}")
        chain.append(name)
        name = settings[name].get("extends")
    merged: dict = {}
    for name in reversed(chain):
        merged.update(settings[name])
    merged.pop("extends", None)
    return merged
