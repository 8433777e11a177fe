"""`python -m train` trains; `python -m train gate` checks quality and ONNX parity."""

import json
import os
import subprocess
import sys
from pathlib import Path

import click

from project.atomic import write_text
from train.artifacts import read_manifest
from train.config import load_config
from train.errors import TrainError
from train.paths import CONFIG_FILE, MANIFEST_NAME, MODELS_DIR


class UserError(click.ClickException):
    """Bad input: one line on stderr, exit 2, no traceback."""

    exit_code = 2


CONFIG = click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path, dir_okay=False),
    default=CONFIG_FILE,
    show_default=True,
)
MODELS = click.option(
    "--models-dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=MODELS_DIR,
    show_default=True,
)


@click.group(invoke_without_command=True)
@CONFIG
@MODELS
@click.pass_context
def main(ctx: click.Context, config_path: Path, models_dir: Path) -> None:
    """Train the model (the default) or gate a trained one."""
    if ctx.invoked_subcommand is None:
        ctx.invoke(fit, config_path=config_path, models_dir=models_dir)


@main.command()
@CONFIG
@MODELS
def fit(config_path: Path, models_dir: Path) -> None:
    """Train on the configured CSV and publish versioned artifacts into the models directory."""
    from train.fit import train  # heavy imports (scikit-learn, skl2onnx) only when training

    try:
        manifest = train(load_config(config_path), models_dir)
    except TrainError as exc:
        raise UserError(str(exc)) from None
    from train.evaluate import METRICS

    m = manifest["metrics"]
    scores = ", ".join(f"{name} {m[name]:.4f}" for name in METRICS if name in m)
    click.echo(
        f"model {manifest['model_version']} ({manifest['hyperparameters']['pipeline'][-1]}, "
        f"{manifest['task']}): {scores} on {m['test_rows']} held-out rows -> "
        f"{models_dir / MANIFEST_NAME}"
    )


@main.command()
@CONFIG
@MODELS
@click.option(
    "--baseline",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="Manifest file to compare against (default: the one committed at --baseline-ref).",
)
@click.option(
    "--baseline-ref",
    default="HEAD",
    show_default=True,
    help="Git revision whose committed models/manifest.json is the baseline (e.g. the PR's base).",
)
@click.option(
    "--report", type=click.Path(path_type=Path, dir_okay=False), help="Also write the table here."
)
def gate(
    config_path: Path,
    models_dir: Path,
    baseline: Path | None,
    baseline_ref: str,
    report: Path | None,
) -> None:
    """Fail unless the model meets the floors, doesn't regress, and ONNX matches scikit-learn.

    In GitHub Actions the table is also appended to the job summary ($GITHUB_STEP_SUMMARY).
    """
    from train.gate import committed_manifest, markdown_table, quality_checks
    from train.parity import check_parity

    try:
        cfg = load_config(config_path)
        candidate = read_manifest(models_dir / MANIFEST_NAME)
        base = read_manifest(baseline) if baseline else committed_manifest(baseline_ref)
        checks = quality_checks(candidate, base, cfg.gate)
        parity = check_parity(cfg, models_dir, candidate)
    except (TrainError, KeyError, json.JSONDecodeError) as exc:
        raise UserError(f"cannot gate: {exc}") from None
    table = markdown_table(candidate, base, checks, parity)
    click.echo(table)
    if report:
        write_text(report, table)
    _append_github_file("GITHUB_STEP_SUMMARY", table)
    failures = [c.reason() for c in checks if not c.passed]
    if not parity.passed:
        failures.append("ONNX predictions do not match scikit-learn")
    if failures:
        click.echo("gate failed: " + "; ".join(failures), err=True)
        sys.exit(1)


@main.command()
@MODELS
def describe(models_dir: Path) -> None:
    """Print the model's version and data hash as key=value lines (also to $GITHUB_OUTPUT)."""
    try:
        manifest = read_manifest(models_dir / MANIFEST_NAME)
        lines = [
            f"model_version={manifest['model_version']}",
            f"data_sha12={manifest['data']['sha256'][:12]}",
        ]
    except (TrainError, KeyError) as exc:
        raise UserError(f"cannot describe the model: {exc}") from None
    click.echo("\n".join(lines))
    _append_github_file("GITHUB_OUTPUT", "\n".join(lines) + "\n")


# What, when changed, means the model must be retrained and gated.
MODEL_INPUTS = ("data/", "train/")


@main.command()
@click.option("--base", required=True, help="Git revision to compare HEAD with.")
def changed(base: str) -> None:
    """Print changed=true when data/ or train/ differ from BASE (also to $GITHUB_OUTPUT)."""
    from project import ROOT

    null_sha = "0" * 40  # a push that creates a branch has no "before" commit
    if base in ("", null_sha):
        changed_files = ["(no base commit: treating everything as changed)"]
    else:
        out = subprocess.run(
            ["git", "diff", "--name-only", base, "HEAD", "--", *MODEL_INPUTS],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
        if out.returncode != 0:
            raise UserError(f"git diff against {base!r} failed: {out.stderr.strip()}")
        changed_files = out.stdout.split()
    line = f"changed={'true' if changed_files else 'false'}"
    click.echo(line)
    for name in changed_files:
        click.echo(f"  {name}", err=True)
    _append_github_file("GITHUB_OUTPUT", line + "\n")


def _append_github_file(variable: str, text: str) -> None:
    """Append to the file GitHub Actions names in `variable`; a no-op outside Actions."""
    path = os.environ.get(variable)
    if path:
        with open(path, "a", encoding="utf-8") as f:
            f.write(text if text.endswith("\n") else text + "\n")
