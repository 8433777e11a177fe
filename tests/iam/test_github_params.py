"""`python -m iam.github_params`: the bootstrap's GitHub parameters, from a fake `gh` on PATH."""

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from project import ROOT

OLD = {
    "name": "seed",
    "id": 111,
    "owner": {"login": "acme", "id": 9},
    "created_at": "2025-03-01T10:00:00Z",
}
NEW = OLD | {"name": "fork", "id": 222, "created_at": "2026-07-15T00:00:00Z"}
DEFAULT = {"use_default": True}


def fake_gh(tmp_path: Path, answers: dict[str, object], fail: dict[str, str] | None = None) -> dict:
    """A `gh` that answers `gh api PATH` from a table (exit 1 with a message for `fail` paths)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    table = tmp_path / "answers.json"
    table.write_text(json.dumps({"answers": answers, "fail": fail or {}}))
    script = bin_dir / "gh"
    script.write_text(
        f"#!{sys.executable}\n"
        "import json, sys\n"
        f"t = json.load(open({str(table)!r}))\n"
        "path = sys.argv[2]\n"
        "if path in t['fail']:\n"
        "    sys.stderr.write(t['fail'][path] + '\\n'); sys.exit(1)\n"
        "print(json.dumps(t['answers'][path]))\n"
    )
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}


def run(env: dict, *args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "iam.github_params", *args],
        cwd=cwd,
        env=env | {"PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        check=False,
    )


def answers(repo: dict, customization: object = DEFAULT) -> dict:
    slug = f"acme/{repo['name']}"
    return {f"repos/{slug}": repo, f"repos/{slug}/actions/oidc/customization/sub": customization}


@pytest.mark.parametrize(
    ("repo", "customization", "form", "why"),
    [
        (NEW, DEFAULT, "immutable", "created 2026-07-15, on or after 2026-07-15"),
        (OLD, DEFAULT, "classic", "created 2025-03-01, before 2026-07-15"),
        (OLD, DEFAULT | {"sub_claim_prefix": "repo:acme@9/seed@111"}, "immutable", "prefix"),
        (NEW, DEFAULT | {"use_immutable_subject": False}, "classic", "use_immutable_subject"),
    ],
)
def test_prints_the_parameters_for_the_form_github_uses(tmp_path, repo, customization, form, why):
    done = run(fake_gh(tmp_path, answers(repo, customization)), f"acme/{repo['name']}")
    assert done.returncode == 0, done.stderr
    assert done.stdout == (
        f"GitHubOrg=acme GitHubRepo={repo['name']} SubjectFormat={form} "
        f"GitHubOrgId=9 GitHubRepoId={repo['id']}\n"
    )
    assert why in done.stderr


def test_the_repository_defaults_to_the_origin_remote(tmp_path):
    checkout = tmp_path / "checkout"
    subprocess.run(["git", "init", "-q", str(checkout)], check=True)
    remote = "git@github.com:acme/fork.git"
    subprocess.run(["git", "-C", str(checkout), "remote", "add", "origin", remote], check=True)
    done = run(fake_gh(tmp_path, answers(NEW)), cwd=checkout)
    assert done.returncode == 0, done.stderr
    assert "GitHubRepo=fork SubjectFormat=immutable" in done.stdout


def test_an_unreadable_customization_falls_back_to_the_creation_date(tmp_path):
    path = "repos/acme/fork/actions/oidc/customization/sub"
    env = fake_gh(tmp_path, answers(NEW), fail={path: "HTTP 403: Resource not accessible"})
    done = run(env, "acme/fork")
    assert done.returncode == 0, done.stderr
    assert "SubjectFormat=immutable" in done.stdout
    assert "deciding by creation date" in done.stderr


@pytest.mark.parametrize(
    ("args", "table", "fail", "message"),
    [
        (["acme/none"], {}, {"repos/acme/none": "HTTP 404: Not Found"}, "HTTP 404: Not Found"),
        (["not-a-slug"], {}, {}, "'not-a-slug' is not OWNER/REPO"),
        (
            ["acme/seed"],
            answers(OLD, {"use_default": False, "include_claim_keys": ["repo"]}),
            {},
            "uses a custom OIDC subject template (claims: repo)",
        ),
        (["acme/odd"], {"repos/acme/odd": {"name": "odd"}}, {}, "lacks owner, name, ids"),
    ],
)
def test_usage_errors_are_one_line(tmp_path, args, table, fail, message):
    done = run(fake_gh(tmp_path, table, fail), *args)
    assert done.returncode != 0
    assert done.stdout == ""
    assert message in done.stderr
    assert "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_without_gh_it_says_how_to_get_it(tmp_path):
    env = {**os.environ, "PATH": str(tmp_path)}  # no gh here; the interpreter is called by path
    done = run(env, "acme/fork")
    assert done.returncode != 0
    assert "the GitHub CLI `gh` is not installed" in done.stderr
    assert "Traceback" not in done.stderr
