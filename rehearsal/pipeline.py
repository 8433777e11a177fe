"""`python -m rehearsal run` (`make rehearse`): the whole pipeline against a local AWS endpoint."""

import contextlib
import logging
import os
import shutil
import tempfile
import warnings
from pathlib import Path

import click

from ops import paths, release, zappa_settings
from project import git
from rehearsal import broken, plan
from rehearsal.gateway import start_gateway
from rehearsal.local_aws import Provisioned, local_aws, provision
from rehearsal.runner import Runner
from rehearsal.summary import StageResult, save, table
from train.config import load_config
from train.current import stale_reason
from train.errors import TrainError

REPORTS = paths.ROOT / "reports" / "rehearsal"
APPROVAL_LINES = 24  # the verdict, what ran, and the capacity table
# The role each kind of step assumes in GitHub Actions (iam/bootstrap.yaml); the audit checks that
# every AWS call the step made is allowed by it.
LOADTEST_ROLE = f"{paths.PROJECT}-loadtest-read"
ROTATION_ROLE = f"{paths.PROJECT}-key-rotation"


def deploy_role(stage: str) -> str:
    return f"{paths.PROJECT}-{stage}-deploy"


@click.command()
@click.option(
    "--log-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=REPORTS,
    show_default=True,
    help="Where each step's full output and summary.json go.",
)
def rehearse(log_dir: Path) -> None:
    """Train if needed, gate, then for dev, test and prod: build, deploy, usage plan, smoke test;
    load-test test; "approve" prod; roll back two broken builds (5xx, wrong SHA); rotate a key."""
    sha = _git_sha()
    log_dir.mkdir(parents=True, exist_ok=True)
    manifest = release.manifest()
    # The local gateway serves a new deploy within its 1 s cache of function state: a 5 s settle
    # window makes the broken builds' smoke tests fail fast (AWS gets ops' default). Two cold
    # starts per package check: here the checks show that each build passes; `make package-check`
    # measures with five.
    runner = Runner(log_dir, env={"GIT_SHA": sha, "SMOKE_WAIT": "5", "COLD_RUNS": "2"})
    runner.audit_log = log_dir / "aws-calls.jsonl"
    for stale in (log_dir / "commands.txt", runner.audit_log):
        stale.unlink(missing_ok=True)
    results = {stage: StageResult(stage) for stage in zappa_settings.STAGES}
    click.echo(f"rehearsal of commit {sha[:12]} on loopback (logs: {log_dir})")

    with local_aws() as endpoint, contextlib.ExitStack() as gateways:
        runner.call("local AWS endpoint", lambda: endpoint)
        buckets = runner.call(
            "bootstrap (iam/bootstrap.yaml)", lambda: _provision(endpoint), _describe_bootstrap
        ).buckets

        if _needs_training(manifest):
            runner.run("model: train", plan.train())
            manifest = release.manifest()
        runner.run("model: quality and parity gates", plan.gate())

        urls = {}
        for stage in zappa_settings.STAGES:
            result = results[stage]
            began = runner.elapsed()
            env = {"ZAPPA_S3_BUCKET": buckets[stage], "role": deploy_role(stage)}
            if stage == "prod":
                _show_approval(log_dir / "loadtest")
            runner.run(f"{stage}: build and check the package", plan.build(stage), **env)
            runner.run(f"{stage}: deploy", plan.deploy(stage), **env)
            runner.run(f"{stage}: usage plan and API key", plan.usage_plan(stage), **env)
            urls[stage] = runner.call(
                f"{stage}: start the local stage gateway",
                # No cap of the gateway's own: like Lambda, only the function's reserved
                # concurrency (zappa_settings.json, lambda_concurrency) and the local account's
                # pool, which the stages share (rehearsal/local_aws/shims.py: 10), so the load
                # test's burst and the capacity check see the same pool Lambda would.
                lambda stage=stage: gateways.enter_context(
                    start_gateway(stage, endpoint, concurrency=None)
                ),
            )
            runner.run(f"{stage}: smoke test", plan.smoke(stage, sha, urls[stage]), **env)
            result.sha, result.model, result.smoke = sha, manifest["model_version"], "pass"
            if stage == "test":
                # A failed gate raises here and stops the rehearsal before prod, as in deploy.yml.
                runner.run(
                    "test: load test and scaling gate",
                    plan.loadtest(stage, urls[stage], str(log_dir / "loadtest")),
                    role=LOADTEST_ROLE,
                )
                result.load = "PASS"
            result.seconds = runner.elapsed() - began

        began = runner.elapsed()
        rollbacks = _broken_builds(runner, sha, urls["dev"], buckets["dev"])
        results["dev"].rollback = f"{len(rollbacks)} builds -> {sha[:8]}"
        drill = _key_rotation(runner, urls["dev"])
        results["dev"].seconds += runner.elapsed() - began
        runner.run(
            "IAM: each AWS call allowed by its step's role",
            plan.iam_audit(runner.audit_log, log_dir / "iam-audit.json"),
        )
        runner.run(
            "IAM: iam/required-calls.json lists every recorded need",
            plan.required_calls_check(runner.audit_log),
        )

    summary = table(list(results.values()))
    save(
        log_dir / "summary.json",
        list(results.values()),
        {"sha": sha, "seconds": runner.elapsed(), "rollbacks": rollbacks},
    )
    click.echo(f"\n{summary}\n\nbroken builds on dev:\n" + "\n".join(f"  {r}" for r in rollbacks))
    click.echo("\nkey rotation on dev:\n" + "\n".join(f"  {line}" for line in drill))
    click.echo(f"\nrehearsal passed in {runner.elapsed():.0f}s")


def _broken_builds(runner: Runner, sha: str, url: str, bucket: str) -> list[str]:
    """Deploy each broken build to dev as the deploy workflow would; each smoke test must fail
    and the rollback to the version the deploy reported must bring back this commit."""
    package = paths.package_zip("dev")
    with tempfile.TemporaryDirectory(dir=package.parent) as tmp:
        good = Path(shutil.copy(package, tmp))  # dev's checked package of this commit
        try:
            return [_roll_back(runner, build, good, sha, url, bucket) for build in broken.BUILDS]
        finally:
            os.replace(good, package)  # no broken build is left where `make deploy` looks


def _roll_back(
    runner: Runner, build: broken.BrokenBuild, good: Path, sha: str, url: str, bucket: str
) -> str:
    name, bad = build.name, build.sha(sha)
    env = {"GIT_SHA": bad, "ZAPPA_S3_BUCKET": bucket, "role": deploy_role("dev")}
    runner.call(
        f"dev ({name}): derive from dev's zip",
        lambda: broken.derive(good, paths.package_zip("dev"), sha, bad, build.tampered),
    )
    outputs = runner.log_dir / f"github-output-{name.replace(' ', '-')}"
    outputs.write_text("")
    runner.run(f"dev ({name}): deploy", plan.deploy("dev"), GITHUB_OUTPUT=str(outputs), **env)
    previous = _step_output(outputs, "previous-version")
    # The tampered build is expected to serve its own commit and fails on 5xx; the wrong-SHA
    # build is smoke-tested against the commit the pipeline deploys and fails on the SHA.
    expected = bad if build.tampered else sha
    runner.run(
        f"dev ({name}): smoke test",
        plan.smoke("dev", expected, url),
        expect_failure=True,
        **env,
    )
    runner.run(
        f"dev: automatic rollback to version {previous}",
        plan.rollback("dev", previous, url),
        **env,
    )
    runner.run("dev: smoke test of the previous commit", plan.smoke("dev", sha, url), **env)
    return (
        f"{name} {bad[:8]} ({build.answers}): smoke failed; rolled back to version {previous}, "
        f"{sha[:8]}"
    )


def _step_output(path: Path, name: str) -> str:
    """A value the deploy step wrote to $GITHUB_OUTPUT, as a later workflow step reads it."""
    values = dict(line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)
    if not values.get(name):
        raise click.ClickException(f"the deploy step wrote no {name} to {path}")
    return values[name]


def _key_rotation(runner: Runner, url: str) -> list[str]:
    """Rotate dev's key as the weekly workflow does, then show the overlap and the revocation."""
    runner.run("dev: rotate the API key", plan.rotate_keys("dev", url), role=ROTATION_ROLE)
    runner.run(
        "dev: prune keys (none yet: in the overlap)", plan.prune_keys("dev"), role=ROTATION_ROLE
    )
    runner.run(
        "dev: old key in the overlap, then revoked", plan.key_drill("dev", url), role=ROTATION_ROLE
    )
    return [line for line in runner.last_log.read_text().splitlines()[1:] if line.strip()]


def _provision(endpoint: str) -> Provisioned:
    # moto's CloudFormation warns about each resource type it skips (the OIDC provider, the bucket
    # policy, the API Gateway account); provision() reports what it created directly instead.
    logging.getLogger("moto").setLevel(logging.ERROR)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Tried to parse", category=UserWarning)
        return provision(endpoint)


def _describe_bootstrap(done: Provisioned) -> str:
    how = f"stack {done.stack}" if done.stack else "created directly"
    return f"{how}; {len(done.roles)} execution roles, {len(done.buckets)} buckets"


def _needs_training(manifest: dict) -> bool:
    """Train only when the committed model isn't the one for data/ and train/config.toml (keeps
    the tree clean otherwise)."""
    try:
        reason = stale_reason(manifest, load_config(), paths.MANIFEST_FILE.parent)
    except TrainError as exc:
        reason = str(exc)  # training stops on it with the same one line
    if reason:
        click.echo(f"  the committed model is not current ({reason}): training")
    return reason is not None


def _show_approval(loadtest_dir: Path) -> None:
    """What the prod environment's reviewer sees in the run summary before approving."""
    report = loadtest_dir / "report.md"
    lines = report.read_text().splitlines()[:APPROVAL_LINES] if report.exists() else ["(none)"]
    click.echo("  --- prod approval: the reviewer reads the load-test summary ---")
    click.echo("\n".join(f"  | {line}" for line in lines))
    click.echo("  --- approved (the rehearsal approves automatically) ---")


def _git_sha() -> str:
    sha = git.head_sha()
    if sha is None:
        raise click.ClickException("the rehearsal deploys a commit: run it in a git checkout")
    return sha
