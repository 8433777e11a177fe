"""`python -m iam.github_params [OWNER/REPO]`: the bootstrap's GitHub parameters for a repository.

The deploy roles trust exactly one OIDC subject per environment, so the template must know which
form GitHub puts in this repository's tokens. Repositories created or renamed on or after
2026-07-15 (forks included) get immutable subjects, `repo:OWNER@OWNERID/REPO@REPOID:...`; older
ones keep the classic `repo:OWNER/REPO:...` unless an administrator opts in (GitHub changelog
2026-04-23, "Immutable subject claims for GitHub Actions OIDC tokens"; OIDC reference docs).

Facts come from the GitHub CLI: `gh api repos/OWNER/REPO` (ids, creation time) and
`gh api repos/OWNER/REPO/actions/oidc/customization/sub` (documented: `use_default`; where GitHub
also returns the subject prefix or the immutable flag, those decide over the creation date).
Prints one line of `Name=Value` pairs for `aws cloudformation deploy --parameter-overrides`;
how the form was decided goes to stderr.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
from dataclasses import dataclass
from typing import Any

import click

IMMUTABLE_SINCE = dt.datetime(2026, 7, 15, tzinfo=dt.UTC)
REMOTE = re.compile(r"github\.com[:/]+(?P<owner>[^/]+)/(?P<repo>[^/]+?)(?:\.git)?/?$")
SLUG = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")


class ParamsError(click.ClickException):
    """A usage problem: no gh, not logged in, no such repository, a custom subject template."""


@dataclass(frozen=True)
class Repository:
    owner: str
    name: str
    owner_id: int
    repo_id: int
    created_at: dt.datetime


def gh_api(path: str) -> dict[str, Any]:
    """One `gh api` call; its own one-line message on failure."""
    if shutil.which("gh") is None:
        raise ParamsError("the GitHub CLI `gh` is not installed: see https://cli.github.com")
    try:
        done = subprocess.run(
            ["gh", "api", path], capture_output=True, text=True, timeout=60, check=False
        )
    except subprocess.TimeoutExpired:
        raise ParamsError(f"`gh api {path}` timed out") from None
    if done.returncode != 0:
        detail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise ParamsError(f"`gh api {path}` failed: {detail} (try `gh auth login`)")
    try:
        answer = json.loads(done.stdout)
    except json.JSONDecodeError:
        raise ParamsError(f"`gh api {path}` did not answer JSON") from None
    if not isinstance(answer, dict):
        raise ParamsError(f"`gh api {path}` answered {type(answer).__name__}, not an object")
    return answer


def origin_slug() -> str:
    """OWNER/REPO of this checkout's `origin` remote on github.com."""
    done = subprocess.run(
        ["git", "remote", "get-url", "origin"], capture_output=True, text=True, check=False
    )
    match = REMOTE.search(done.stdout.strip()) if done.returncode == 0 else None
    if match is None:
        raise ParamsError("no github.com `origin` remote here: pass OWNER/REPO")
    return f"{match['owner']}/{match['repo']}"


def repository(slug: str) -> Repository:
    """The repository's names, immutable ids and creation time."""
    answer = gh_api(f"repos/{slug}")
    try:
        return Repository(
            owner=answer["owner"]["login"],
            name=answer["name"],
            owner_id=int(answer["owner"]["id"]),
            repo_id=int(answer["id"]),
            created_at=dt.datetime.fromisoformat(answer["created_at"].replace("Z", "+00:00")),
        )
    except (KeyError, TypeError, ValueError):
        raise ParamsError(f"`gh api repos/{slug}` lacks owner, name, ids or created_at") from None


def subject_format(repo: Repository, customization: dict[str, Any]) -> tuple[str, str]:
    """("immutable" | "classic", why), from what GitHub says about this repository's subjects."""
    if customization.get("use_default") is False:
        keys = ", ".join(customization.get("include_claim_keys") or []) or "none"
        raise ParamsError(
            f"{repo.owner}/{repo.name} uses a custom OIDC subject template (claims: {keys}); the "
            "bootstrap trusts GitHub's default subject: reset it with `gh api -X PUT "
            f"repos/{repo.owner}/{repo.name}/actions/oidc/customization/sub -F use_default=true`"
        )
    prefix = customization.get("sub_claim_prefix")
    if isinstance(prefix, str) and prefix:
        form = "immutable" if "@" in prefix else "classic"
        return form, f"GitHub reports the subject prefix {prefix}"
    flag = customization.get("use_immutable_subject")
    if isinstance(flag, bool):
        return ("immutable" if flag else "classic"), f"GitHub reports use_immutable_subject={flag}"
    created = repo.created_at.date().isoformat()
    if repo.created_at >= IMMUTABLE_SINCE:
        return "immutable", f"created {created}, on or after 2026-07-15"
    return "classic", (
        f"created {created}, before 2026-07-15; if it was renamed or transferred since, or an "
        "administrator opted it in, use SubjectFormat=immutable"
    )


def parameters(repo: Repository, form: str) -> dict[str, str]:
    """The template parameters, in the template's own names."""
    return {
        "GitHubOrg": repo.owner,
        "GitHubRepo": repo.name,
        "SubjectFormat": form,
        "GitHubOrgId": str(repo.owner_id),
        "GitHubRepoId": str(repo.repo_id),
    }


@click.command()
@click.argument("slug", metavar="[OWNER/REPO]", required=False)
def main(slug: str | None) -> None:
    """Print iam/bootstrap.yaml's GitHub parameters for a repository (default: origin)."""
    slug = slug or origin_slug()
    if not SLUG.match(slug):
        raise ParamsError(f"{slug!r} is not OWNER/REPO")
    repo = repository(slug)
    try:
        customization = gh_api(f"repos/{slug}/actions/oidc/customization/sub")
    except ParamsError as exc:  # reading it may need more rights than reading the repository
        click.echo(f"# no OIDC customization ({exc.message}); deciding by creation date", err=True)
        customization = {}
    form, why = subject_format(repo, customization)
    click.echo(f"# {repo.owner}/{repo.name}: SubjectFormat={form} ({why})", err=True)
    click.echo(" ".join(f"{k}={v}" for k, v in parameters(repo, form).items()))


if __name__ == "__main__":
    main()
