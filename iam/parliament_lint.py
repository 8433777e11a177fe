"""Run parliament on rendered policies, with fixes for two parliament 1.6.4 bugs.

Runs in the linter virtualenv (.venv-iamlint), never in the dev one. Nothing else of parliament is
changed; both fixes only let it finish and honour its own override file:

1. Its IAM definitions give newer condition keys (e.g. events:TargetArn) the type ArrayOfARN,
   which its type table lacks, so it raises "Unknown data format: ArrayOfARN" and stops. An array
   of ARNs is checked like an ARN, so array types are mapped to their element type first.
2. `ignore_locations` in a --config file never matches: its `make_list` only understands jsoncfg
   nodes and turns the plain strings and lists that YAML gives into an empty list.

Usage: python -m iam.parliament_lint POLICY_DIR CONFIG.yaml
"""

from __future__ import annotations

import sys

import parliament.cli
import parliament.statement

ARRAY_TYPES = {
    "ArrayOfARN": "ARN",
    "ArrayOfArn": "Arn",
    "ArrayOfBool": "Bool",
    "ArrayOfLong": "Long",
}
_translate = parliament.statement.translate_documentation_types
_make_list = parliament.cli.make_list


def _translate_array_types(name: str) -> str:
    return _translate(ARRAY_TYPES.get(name, name))


def _make_list_plain(value):
    if isinstance(value, list):
        return value
    if isinstance(value, str):
        return [value]
    return _make_list(value)


def main(argv: list[str]) -> int:
    """Lint every *.json in POLICY_DIR at the INFO level, community auditors included."""
    if len(argv) != 2:
        print("usage: python -m iam.parliament_lint POLICY_DIR CONFIG.yaml", file=sys.stderr)
        return 2
    policy_dir, config = argv
    parliament.statement.translate_documentation_types = _translate_array_types
    parliament.cli.make_list = _make_list_plain
    args = [
        "parliament",
        "--directory",
        policy_dir,
        "--include_policy_extension",
        "json",
        "--config",
        config,
        "--include-community-auditors",
        "--minimum_severity",
        "INFO",
    ]
    code = parliament.cli.main(args)
    if code == 0:
        print(f"parliament: no findings in {policy_dir} (overrides: {config})")
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
