"""`python -m ops deploy STAGE`: `zappa deploy` the first time, `zappa update` after, then the
usage plan and API key.

Which one is chosen by asking Lambda and CloudFormation (deploy_plan), so a workflow never has to
remember, and a failed first deploy is cleaned up instead of blocking every later one. With
`--zip dist/STAGE.zip` the package built (and checked) earlier is deployed as is. Before changing
anything it reports the function's previous version, which a failed deploy rolls back to.
"""

import os
import zipfile
from pathlib import Path

import click
from botocore.exceptions import ClientError

from ops import (
    aws,
    deploy_plan,
    lambda_wait,
    package_report,
    paths,
    release,
    stack,
    stage_key,
    usage_plan,
    zappa,
    zappa_settings,
)
from ops.stage import Stage
from ops.stage import argument as stage_argument


def check_zip(zip_path: Path, stage: Stage, sha: str) -> None:
    """Refuse a zip built for another stage or commit (Zappa bakes both into it)."""
    try:
        with zipfile.ZipFile(zip_path) as archive:
            baked = package_report.zappa_settings(archive)
    except (OSError, zipfile.BadZipFile) as exc:
        raise click.ClickException(f"cannot read {zip_path}: {exc}") from None
    except package_report.PackageError as exc:
        raise click.ClickException(f"{zip_path}: {exc}") from None
    built_for = baked.get("API_STAGE")
    built_sha = baked.get("ENVIRONMENT_VARIABLES", {}).get("GIT_SHA")
    if built_for != stage.name:
        raise click.ClickException(
            f"{zip_path} was built for stage {built_for!r}, not {stage.name!r}"
        )
    if built_sha != sha:
        raise click.ClickException(f"{zip_path} was built from {built_sha}, not {sha}: rebuild it")


def preflight(stage: Stage, config: dict, local: bool) -> None:
    """Fail before Zappa starts when what iam/ provides (execution role, bucket) is missing."""
    role, bucket = config["role_name"], config["s3_bucket"]
    with aws.aws_errors():
        try:
            stage.client("iam").get_role(RoleName=role)
        except ClientError as exc:
            if aws.error_code(exc) != "NoSuchEntity":
                raise
            raise click.ClickException(
                f"execution role {role} does not exist: deploy iam/ first (manage_roles is false)"
            ) from None
        if local:
            return  # Zappa creates the bucket on a local endpoint; iam/ owns it in real accounts
        try:
            stage.client("s3").head_bucket(Bucket=bucket)
        except ClientError as exc:
            if aws.error_code(exc) not in {"404", "NoSuchBucket", "NotFound"}:
                raise
            raise click.ClickException(
                f"S3 bucket {bucket} does not exist: deploy iam/ first or set ZAPPA_S3_BUCKET"
            ) from None


def render_for_aws(stage: Stage, sha: str) -> tuple[dict, Path]:
    """Settings for this account (bucket name) or, with AWS_ENDPOINT_URL, for a local endpoint."""
    local = zappa_settings.is_local()
    needs_account = not local and not os.environ.get("ZAPPA_S3_BUCKET")
    account = aws.account_id(stage) if needs_account else None
    config = zappa_settings.render(stage, sha, account, local=local)
    preflight(stage, config, local)
    return config, zappa_settings.write_rendered(stage, config)


def report_previous_version(stage: Stage, version: str) -> None:
    """Tell the workflow (and the log) what a failed deploy must roll back to, before anything
    changes: `previous-version=N` in $GITHUB_OUTPUT, empty when the stage served nothing."""
    output = os.environ.get("GITHUB_OUTPUT")
    if output:
        with open(output, "a", encoding="utf-8") as handle:
            handle.write(f"previous-version={version}\n")
    if version:
        click.echo(
            f"previous version: {version} (if this deploy fails: "
            f"make rollback STAGE={stage.name} TO_VERSION={version})"
        )
    else:
        click.echo("previous version: none (the stage served nothing before this deploy)")


def shown(argv: list[str]) -> str:
    """The command line as a person would type it from the project root."""
    words = [Path(argv[0]).name, *argv[1:]]
    root = f"{paths.ROOT}/"
    return " ".join(word.removeprefix(root) for word in words)


@click.command("deploy")
@stage_argument
@click.option(
    "--zip",
    "zip_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Deploy this package (built by `ops package`) instead of building one.",
)
@click.option(
    "--usage-plan/--no-usage-plan",
    "with_usage_plan",
    default=True,
    show_default=True,
    help="Ensure the usage plan and API key after Zappa.",
)
@click.option("--dry-run", is_flag=True, help="Print what would run, change nothing.")
def deploy(stage: Stage, zip_path: Path | None, with_usage_plan: bool, dry_run: bool) -> None:
    """Deploy or update STAGE with Zappa, then its usage plan and API key."""
    sha = release.git_sha()
    if zip_path is not None:
        check_zip(zip_path, stage, sha)
    config, settings_file = render_for_aws(stage, sha)
    plan = deploy_plan.plan_deploy(stage)
    report_previous_version(stage, plan.previous_version)
    verb = plan.verb
    extra = ["--zip", str(zip_path.resolve())] if zip_path is not None else []
    argv = zappa.command(verb, stage, settings_file, *extra)
    click.echo(f"function {stage.function_name} {plan.reason}: zappa {verb}")
    if dry_run:
        for step in plan.cleanup:
            click.echo(f"[dry-run] would {step}")
        click.echo(f"[dry-run] would run: {shown(argv)}")
        if with_usage_plan:
            click.echo(
                f"[dry-run] would then ensure usage plan {stage.usage_plan_name} "
                f"and the API key in {stage.api_key_secret_name}"
            )
        return
    deploy_plan.clean_up(plan, stage)
    if verb == "deploy":  # Zappa adds the stage to ops' key instead of creating its own
        stage_key.prepare_first_deploy(stage, config)
    zappa.run(argv, watch=stack.failure_watch(stage))
    lambda_wait.wait_until_updated(stage)
    if with_usage_plan:
        usage_plan.ensure(stage, dry_run=False)
