"""The stages of zappa_settings.json: Zappa's `extends`, plus our own tables, merged key by key.

zappa_settings.json is the one file of per-stage settings. Besides Zappa's settings, each stage
may hold two tables of ours, which Zappa never reads (ops strips them from the file Zappa gets):
`usage_plan` (API Gateway throttle and quota, applied by `ops usage-plan`) and `api_keys` (the key
lifecycle of `ops keys`). Zappa merges `extends` shallowly: a stage's key replaces the base's
whole value. Our tables merge one level deeper, field by field, so `prod` can say only
`{"api_keys": {"overlap_hours": 48}}` and keep the base's other key settings.

Kept here, without Zappa or click, because the project name, the ops commands, the load test and
the IAM audit all resolve stages the same way.
"""

NUMBER = (int, float)
# Our tables: field -> the JSON type it must have. Fields are all required once merged.
TABLES = {
    "usage_plan": {
        "rate_limit": NUMBER,  # requests per second, steady
        "burst_limit": int,  # requests at once (the token bucket)
        "quota_limit": int,  # requests per quota_period
        "quota_period": str,  # DAY, WEEK or MONTH
    },
    "api_keys": {
        "overlap_hours": NUMBER,
        "retention_days": NUMBER,
        "pending_timeout_minutes": NUMBER,
        "verify_timeout_seconds": NUMBER,
        "account_key_limit": int,
        "quota_margin": int,
    },
}
TYPE_NAMES = {NUMBER: "a number", int: "an integer", str: "a string"}


class StageError(ValueError):
    """A stage that does not exist, a circular `extends`, or one of our tables that is wrong."""


def resolve(settings: dict, stage: str) -> dict:
    """The stage's settings with `extends` applied: the extending stage's keys win, and within
    our own tables (TABLES) its fields win."""
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
        for key, value in settings[name].items():
            inherited = merged.get(key)
            if key in TABLES and isinstance(value, dict) and isinstance(inherited, dict):
                value = {**inherited, **value}
            merged[key] = value
    merged.pop("extends", None)
    return merged


def table_problems(name: str, table) -> list[str]:
    """One line per missing, mistyped or unknown field of our table `name` in a resolved stage."""
    fields = TABLES[name]
    if not isinstance(table, dict):
        return [f"{name} must be an object with {', '.join(fields)}"]
    found = [f"{name}.{key} is missing" for key in fields if key not in table]
    found += [
        f"{name}.{key} must be {TYPE_NAMES[kind]} (is {table[key]!r})"
        for key, kind in fields.items()
        if key in table and (isinstance(table[key], bool) or not isinstance(table[key], kind))
    ]
    found += [f"{name}.{key} is unknown" for key in table if key not in fields]
    return found
