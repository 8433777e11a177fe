"""Write every role's rendered policies as JSON files, for parliament and for reading.

Usage: python -m iam.render OUTDIR [--param Name=Value ...] [--account-id ID] [--region REGION]
"""

from __future__ import annotations

from pathlib import Path

import click

from iam.template import Role, TemplateError, render_roles
from project.atomic import write_json

# Stand-ins used when no parameters are given: any valid values render the same policy shapes.
EXAMPLE_PARAMETERS = {
    "GitHubOrg": "example-org",
    "GitHubRepo": "example-repo",
    "GitHubOrgId": "1000001",
    "GitHubRepoId": "2000002",
}


def policy_files(roles: dict[str, Role]) -> dict[str, dict]:
    """File name -> policy document, one per permission policy and one per trust policy."""
    files = {}
    for name, role in sorted(roles.items()):
        files[f"{name}.trust.json"] = role.trust
        for policy_name, document in sorted(role.policies.items()):
            files[f"{name}.{policy_name}.json"] = document
    return files


def write_policies(outdir: Path, roles: dict[str, Role]) -> list[Path]:
    """Replace OUTDIR's *.json with the rendered policies (each file written atomically)."""
    outdir.mkdir(parents=True, exist_ok=True)
    for stale in outdir.glob("*.json"):
        stale.unlink()
    written = []
    for filename, document in policy_files(roles).items():
        write_json(outdir / filename, document, sort_keys=True)
        written.append(outdir / filename)
    return written


def parse_params(pairs: tuple[str, ...]) -> dict[str, str]:
    """Name=Value pairs into a dict, with a clear error for anything else."""
    params = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise click.BadParameter(f"expected Name=Value, got {pair!r}", param_hint="--param")
        params[name] = value
    return params


@click.command()
@click.argument("outdir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--param", "params", multiple=True, help="Template parameter Name=Value.")
@click.option("--account-id", default="123456789012", show_default=True)
@click.option("--region", default="us-east-1", show_default=True)
def main(outdir: Path, params: tuple[str, ...], account_id: str, region: str) -> None:
    """Render iam/bootstrap.yaml's role policies into OUTDIR."""
    parameters = {**EXAMPLE_PARAMETERS, **parse_params(params)}
    try:
        roles = render_roles(parameters, account_id=account_id, region=region)
    except TemplateError as exc:
        raise click.ClickException(str(exc)) from exc
    written = write_policies(outdir, roles)
    click.echo(f"wrote {len(written)} policies to {outdir}")


if __name__ == "__main__":
    main()
