"""`python -m ops rollback STAGE`: `zappa rollback STAGE -n 1`, then the smoke test again.

Zappa re-publishes the previous version's code (not its configuration). The code carries the git
SHA it was built from, so afterwards /version must report the expected SHA (`--expect-sha`) or,
without one, anything but the SHA served before the rollback.
"""

import click

from ops import http, paths, release, settings, smoke, zappa
from ops.deploy import render_for_aws, shown


@click.command("rollback")
@click.argument("stage", type=click.Choice(settings.STAGES))
@click.option(
    "-n",
    "--versions",
    default=1,
    show_default=True,
    type=click.IntRange(min=1),
    help="How many versions to go back.",
)
@click.option("--expect-sha", default=None, help="Git SHA the stage must serve afterwards.")
@click.option("--dry-run", is_flag=True, help="Print what would run, change nothing.")
@smoke.target_options
def rollback(stage, versions, expect_sha, dry_run, url, api_key_env, wait) -> None:
    """Roll STAGE's code back with Zappa and smoke-test what it serves then."""
    base, key = smoke.resolve_target(stage, url, api_key_env)
    before = http.call("GET", f"{base.rstrip('/')}/version", key).body.get("git_sha")
    _, settings_file = render_for_aws(stage, release.git_sha())
    argv = zappa.command("rollback", stage, settings_file, "-n", str(versions))
    click.echo(f"{paths.function_name(stage)} serves git {before or 'unknown'} before the rollback")
    if dry_run:
        click.echo(f"[dry-run] would run: {shown(argv)}")
        click.echo("[dry-run] would then smoke-test the stage")
        return
    zappa.run(argv)
    expect = {"classes": release.manifest()["classes"]}
    if expect_sha:
        expect["git_sha"] = expect_sha
    elif before:
        expect["not_git_sha"] = before
    smoke.run_smoke(base, key, expect, wait)
