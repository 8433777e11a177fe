"""`python -m ops package STAGE`: dist/STAGE.zip from the serve-only virtualenv, and its report.

The zip is built once per commit and stage (Zappa bakes the stage into zappa_settings.py), then
deployed as is with `ops deploy STAGE --zip dist/STAGE.zip`.
"""

import hashlib
import os
from pathlib import Path

import click

from ops import bytecode, package_report, paths, release, zappa, zappa_settings
from ops.stage import Stage
from ops.stage import argument as stage_argument
from project.atomic import replacing, write_json


def venv_site_packages() -> Path:
    found = sorted(paths.PACKAGE_VENV.glob("lib/python3.*/site-packages"))
    if not found:
        raise click.ClickException(
            f"{paths.PACKAGE_VENV} is missing: build it with `make package-venv`"
        )
    return found[0]


def venv_python() -> Path:
    return paths.PACKAGE_VENV / "bin" / "python"


def check_venv_python(runtime: str) -> None:
    """Zappa requires the packaging Python to be the runtime's (compiled wheels are per version)."""
    site = venv_site_packages()
    version = f"python{site.parent.name.removeprefix('python')}"
    if version != runtime:
        raise click.ClickException(
            f"{paths.PACKAGE_VENV} is {version} but the stage runs {runtime}; rebuild it"
        )


def build(stage: Stage) -> dict:
    """Render the settings, let Zappa zip the venv, gate the result, write the report."""
    sha = release.git_sha()
    config = zappa_settings.render(stage, sha, account_id=None)
    check_venv_python(config["runtime"])
    settings_file = zappa_settings.write_rendered(stage, config)
    target = paths.package_zip(stage.name)
    with replacing(target) as tmp:
        output = str(tmp.relative_to(paths.ROOT))
        zappa.run(zappa.command("package", stage, settings_file, "-o", output))
        try:
            compiled = bytecode.add_bytecode(tmp, venv_python())
            summary = package_report.report(tmp, set(os.listdir(venv_site_packages())))
        except (bytecode.BytecodeError, package_report.PackageError) as exc:
            raise click.ClickException(str(exc)) from None
        summary["bytecode_files"] = compiled
        summary["runtime"] = config["runtime"]
        summary["built_from"] = str(paths.PACKAGE_VENV.relative_to(paths.ROOT))
        summary["lock_sha256"] = _lock_digest()
        failures, missed = package_report.gate(summary)
        summary["targets_missed"] = missed
        click.echo(package_report.format_report(summary))
        for line in missed:
            click.echo(f"  target missed: {line}")
        if failures:
            raise click.ClickException("package rejected: " + "; ".join(failures))
    write_json(paths.package_report(stage.name), summary)
    _append_job_summary(stage.name, package_report.format_report(summary))
    click.echo(f"wrote {target.relative_to(paths.ROOT)} and {stage.name}.json")
    return summary


def _append_job_summary(stage: str, text: str) -> None:
    """In GitHub Actions, the size report also goes to the job's summary page."""
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary:
        with open(summary, "a", encoding="utf-8") as f:
            f.write(f"### Lambda package ({stage})\n\n```\n{text}\n```\n")


def _lock_digest() -> str:
    """Which lock the venv was built from, so a report names its exact dependencies."""
    return hashlib.sha256((paths.ROOT / "uv.lock").read_bytes()).hexdigest()


@click.command("package")
@stage_argument
def package(stage: Stage) -> None:
    """Build dist/STAGE.zip (and dist/STAGE.json: sizes, git SHA, model sha256) with Zappa."""
    build(stage)
