"""`python -m ops rollback STAGE [--to-version N]`: `zappa rollback`, wait until Lambda serves the
result, then the smoke test again.

Zappa re-publishes an older version's code (not its configuration), and returns before Lambda has
finished the update, so ops waits for LastUpdateStatus. The code carries the git SHA it was built
from, so afterwards /version must report the expected SHA (`--expect-sha`) or, without one,
anything but the SHA served before the rollback.

`--to-version N` is what a failed deploy uses (N is the version `ops deploy` reported before it
changed anything): it rolls back only when the function's code differs from version N's, however
far the failed deploy got, and says so when there is nothing to roll back.
"""

import click
from botocore.exceptions import ClientError

from ops import aws, http, lambda_wait, release, smoke, zappa
from ops.deploy import render_for_aws, shown
from ops.stage import Stage
from ops.stage import argument as stage_argument


def code_sha256(client, name: str, qualifier: str = "$LATEST") -> str | None:
    """The code hash of one version of the function; None when that version doesn't exist."""
    try:
        return client.get_function(FunctionName=name, Qualifier=qualifier)["Configuration"][
            "CodeSha256"
        ]
    except ClientError as exc:
        if aws.error_code(exc) == "ResourceNotFoundException":
            return None
        raise


def versions_back_to(stage: Stage, target: int) -> int:
    """How many versions `zappa rollback -n` must go back to reach `target`; 0 when the function
    already serves its code. Zappa counts published versions, newest first."""
    name, client = stage.function_name, stage.client("lambda")
    with aws.aws_errors():
        latest = code_sha256(client, name)
        wanted = code_sha256(client, name, str(target))
        if latest is None or wanted is None:
            missing = "the function" if latest is None else f"version {target}"
            raise click.ClickException(f"{name}: {missing} does not exist; cannot roll back")
        if latest == wanted:
            return 0
        pages = client.get_paginator("list_versions_by_function").paginate(FunctionName=name)
        published = [
            int(v["Version"]) for p in pages for v in p["Versions"] if v["Version"].isdigit()
        ]
    newer = sum(1 for version in published if version > target)
    if newer == 0:
        raise click.ClickException(
            f"{name}: $LATEST differs from version {target}, its newest published version; "
            f"redeploy that version's commit with `make deploy STAGE={stage.name}`"
        )
    return newer


@click.command("rollback")
@stage_argument
@click.option(
    "-n",
    "--versions",
    default=None,
    type=click.IntRange(min=1),
    help="How many versions to go back (default 1).",
)
@click.option(
    "--to-version",
    type=click.IntRange(min=1),
    default=None,
    help="Roll back to this published version, if the function serves other code now.",
)
@click.option("--expect-sha", default=None, help="Git SHA the stage must serve afterwards.")
@click.option("--dry-run", is_flag=True, help="Print what would run, change nothing.")
@smoke.target_options
def rollback(stage, versions, to_version, expect_sha, dry_run, url, api_key_env, wait) -> None:
    """Roll STAGE's code back with Zappa and smoke-test what it serves then."""
    if versions is not None and to_version is not None:
        raise click.UsageError("give either -n or --to-version, not both")
    if to_version is not None:
        versions = versions_back_to(stage, to_version)
        if versions == 0:
            click.echo(
                f"{stage.function_name} already serves version {to_version}'s code: "
                "nothing to roll back"
            )
            return
    versions = versions or 1
    base, key = smoke.resolve_target(stage, url, api_key_env)
    before = http.call("GET", f"{base.rstrip('/')}/version", key).body.get("git_sha")
    _, settings_file = render_for_aws(stage, release.git_sha())
    argv = zappa.command("rollback", stage, settings_file, "-n", str(versions))
    click.echo(f"{stage.function_name} serves git {before or 'unknown'} before the rollback")
    if dry_run:
        click.echo(f"[dry-run] would run: {shown(argv)}")
        click.echo("[dry-run] would then wait for the function update and smoke-test the stage")
        return
    zappa.run(argv)
    lambda_wait.wait_until_updated(stage)
    if to_version is not None and versions_back_to(stage, to_version) != 0:
        raise click.ClickException(f"zappa rollback did not restore version {to_version}'s code")
    expect = {"classes": release.manifest()["classes"]}
    if expect_sha:
        expect["git_sha"] = expect_sha
    elif before:
        expect["not_git_sha"] = before
    smoke.run_smoke(base, key, expect, wait)
