"""`python -m ops deploy STAGE`: `zappa deploy` the first time, `zappa update` after, then the
usage plan and API key.

Which one is chosen by asking Lambda whether the stage's function exists, so a workflow never has
to remember. With `--zip dist/STAGE.zip` the package built (and checked) earlier is deployed as is.
"""

import os
import zipfile
from pathlib import Path

import click
from botocore.exceptions import ClientError

from ops import aws, package_report, paths, release, settings, usage_plan, zappa


def check_zip(zip_path: Path, stage: str, sha: str) -> None:
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
    if built_for != stage:
        raise click.ClickException(f"{zip_path} was built for stage {built_for!r}, not {stage!r}")
    if built_sha != sha:
        raise click.ClickException(f"{zip_path} was built from {built_sha}, not {sha}: rebuild it")


def preflight(config: dict, local: bool) -> None:
    """Fail before Zappa starts when what iam/ provides (execution role, bucket) is missing."""
    region, role, bucket = config["aws_region"], config["role_name"], config["s3_bucket"]
    with aws.aws_errors():
        try:
            aws.make_client("iam", region).get_role(RoleName=role)
        except ClientError as exc:
            if aws.error_code(exc) != "NoSuchEntity":
                raise
            raise click.ClickException(
                f"execution role {role} does not exist: deploy iam/ first (manage_roles is false)"
            ) from None
        if local:
            return  # Zappa creates the bucket on a local endpoint; iam/ owns it in real accounts
        try:
            aws.make_client("s3", region).head_bucket(Bucket=bucket)
        except ClientError as exc:
            if aws.error_code(exc) not in {"404", "NoSuchBucket", "NotFound"}:
                raise
            raise click.ClickException(
                f"S3 bucket {bucket} does not exist: deploy iam/ first or set ZAPPA_S3_BUCKET"
            ) from None


def render_for_aws(stage: str, sha: str) -> tuple[dict, Path]:
    """Settings for this account (bucket name) or, with AWS_ENDPOINT_URL, for a local endpoint."""
    local = settings.is_local()
    needs_account = not local and not os.environ.get("ZAPPA_S3_BUCKET")
    account = aws.account_id() if needs_account else None
    config = settings.render(stage, sha, account, local=local)
    preflight(config, local)
    return config, settings.write_rendered(stage, config)


def shown(argv: list[str]) -> str:
    """The command line as a person would type it from the project root."""
    words = [Path(argv[0]).name, *argv[1:]]
    root = f"{paths.ROOT}/"
    return " ".join(word.removeprefix(root) for word in words)


@click.command("deploy")
@click.argument("stage", type=click.Choice(settings.STAGES))
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
def deploy(stage: str, zip_path: Path | None, with_usage_plan: bool, dry_run: bool) -> None:
    """Deploy or update STAGE with Zappa, then its usage plan and API key."""
    sha = release.git_sha()
    if zip_path is not None:
        check_zip(zip_path, stage, sha)
    config, settings_file = render_for_aws(stage, sha)
    region = config["aws_region"]
    exists = zappa.function_exists(stage, region)
    verb = "update" if exists else "deploy"
    extra = ["--zip", str(zip_path.resolve())] if zip_path is not None else []
    argv = zappa.command(verb, stage, settings_file, *extra)
    reason = "exists" if exists else "does not exist yet"
    click.echo(f"function {paths.function_name(stage)} {reason}: zappa {verb}")
    if dry_run:
        click.echo(f"[dry-run] would run: {shown(argv)}")
        if with_usage_plan:
            click.echo(
                f"[dry-run] would then ensure usage plan {paths.usage_plan_name(stage)} "
                f"and the API key in {paths.api_key_secret_name(stage)}"
            )
        return
    zappa.run(argv)
    if with_usage_plan:
        usage_plan.ensure(stage, region, dry_run=False)
