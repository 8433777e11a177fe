"""The record of every action the workflows pin: its tag, runtime and declared inputs.

`actions.lock.json` is written once from each action's own git history and committed, so the tests
check pins and `with:` keys offline. Refresh it after changing a pin (by hand or from Dependabot):

    make actions-lock MIRRORS="actions/checkout=/path/to/checkout.git ..."

where each PATH is a clone (a bare mirror is enough) of that action's repository with its tags.
For every pin `owner/name@SHA # vX.Y.Z` it checks that SHA is a commit (not an annotated tag
object), that tag vX.Y.Z resolves to exactly that commit, and reads `action.yml` at that commit.
"""

import argparse
import json
import re
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = ROOT / ".github" / "workflows"
LOCK = Path(__file__).with_name("actions.lock.json")
RUNTIMES = ("node24", "composite")

# `uses: owner/name[/path]@ref  # comment`, as it appears on one line of a workflow.
USES = re.compile(r"^\s*(?:-\s+)?uses:\s*(?P<action>[^@\s]+)@(?P<ref>\S+)\s*(?:#\s*(?P<note>.*))?$")
VERSION = re.compile(r"^v\d+\.\d+\.\d+$")


class LockError(Exception):
    """A pin that its action's own git history does not confirm."""


def pins(workflows: Path = WORKFLOWS) -> list[dict]:
    """Every remote `uses:` line: action, SHA and the version in its comment, with its file."""
    found = []
    for path in sorted(workflows.glob("*.yml")):
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            match = USES.match(line)
            if not match or match["action"].startswith("./"):
                continue
            note = (match["note"] or "").split()
            found.append(
                {
                    "where": f"{path.name}:{number}",
                    "action": match["action"],
                    "sha": match["ref"],
                    "version": note[0] if note else "",
                }
            )
    return found


def repository(action: str) -> str:
    """owner/name of an action reference (owner/name/sub/path -> owner/name)."""
    return "/".join(action.split("/")[:2])


def git(mirror: Path, *args: str) -> str:
    result = subprocess.run(
        ["git", "-C", str(mirror), *args], capture_output=True, text=True, check=False
    )
    if result.returncode:
        raise LockError(f"git {' '.join(args)} in {mirror}: {result.stderr.strip()}")
    return result.stdout


def action_metadata(mirror: Path, sha: str, subpath: str) -> dict:
    """The parsed action.yml (or action.yaml) at commit SHA."""
    for name in ("action.yml", "action.yaml"):
        spec = f"{sha}:{subpath}{name}"
        if subprocess.run(
            ["git", "-C", str(mirror), "cat-file", "-e", spec], check=False
        ).returncode:
            continue
        return yaml.safe_load(git(mirror, "show", spec))
    raise LockError(f"no action.yml at {sha} in {mirror}")


def record(pin: dict, mirror: Path) -> dict:
    """Verify one pin against its repository's history and describe the action at that commit."""
    sha, version = pin["sha"], pin["version"]
    where = f"{pin['where']}: {pin['action']}@{sha}"
    if not re.fullmatch(r"[0-9a-f]{40}", sha):
        raise LockError(f"{where}: not a full commit SHA")
    if not VERSION.match(version):
        raise LockError(f"{where}: the comment must name an exact tag vX.Y.Z, not {version!r}")
    try:
        kind = git(mirror, "cat-file", "-t", sha).strip()
    except LockError as error:
        raise LockError(f"{where}: not in the action's repository ({error})") from error
    if kind != "commit":
        raise LockError(f"{where}: is a {kind} object; pin the commit it points to")
    tagged = git(mirror, "rev-parse", f"refs/tags/{version}^{{commit}}").strip()
    if tagged != sha:
        raise LockError(f"{where}: tag {version} is commit {tagged}")
    subpath = pin["action"][len(repository(pin["action"])) + 1 :]
    metadata = action_metadata(mirror, sha, f"{subpath}/" if subpath else "")
    inputs = metadata.get("inputs") or {}
    return {
        "version": version,
        "tag_object": git(mirror, "cat-file", "-t", f"refs/tags/{version}").strip() == "tag",
        "commit_date": git(mirror, "log", "-1", "--format=%cs", sha).strip(),
        "using": str(metadata["runs"]["using"]),
        "inputs": sorted(inputs),
        "required": sorted(
            name
            for name, spec in inputs.items()
            if (spec or {}).get("required") is True and "default" not in (spec or {})
        ),
    }


def build(mirrors: dict[str, Path], workflows: Path = WORKFLOWS) -> dict:
    """The lock for every pin in WORKFLOWS, from MIRRORS (owner/name -> git directory)."""
    lock: dict[str, dict] = {}
    for pin in pins(workflows):
        key = f"{pin['action']}@{pin['sha']}"
        if key in lock:
            if lock[key]["version"] != pin["version"]:
                raise LockError(f"{pin['where']}: {key} is also pinned as {lock[key]['version']}")
            continue
        owner_name = repository(pin["action"])
        if owner_name not in mirrors:
            raise LockError(f"{pin['where']}: no mirror given for {owner_name}")
        lock[key] = record(pin, mirrors[owner_name])
    return dict(sorted(lock.items()))


def load(path: Path = LOCK) -> dict:
    return json.loads(path.read_text())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mirrors", nargs="+", metavar="OWNER/NAME=GIT_DIR")
    parser.add_argument("--out", type=Path, default=LOCK)
    args = parser.parse_args(argv)
    mirrors = {}
    for item in args.mirrors:
        name, _, path = item.partition("=")
        mirrors[name] = Path(path)
    try:
        lock = build(mirrors)
    except LockError as error:
        print(f"actions-lock: {error}", file=sys.stderr)
        return 1
    args.out.write_text(json.dumps(lock, indent=2) + "\n")
    for key, entry in lock.items():
        print(f"{key}  {entry['version']}  {entry['using']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
