"""What a million predictions cost on Lambda at each stage's memory size.

Lambda bills every request, plus its duration rounded up to the billing granularity (1 ms) times
the configured memory in GB. The prices, their source and the date they were read are in
lambda_pricing.toml; the memory sizes are the stages' `memory_size` in zappa_settings.json. The
duration is one measured off Lambda (package check) or Lambda's own (CloudWatch in a load test).
"""

import json
import math
import tomllib
from pathlib import Path

from ops import paths, zappa_settings

PRICING_FILE = Path(__file__).with_name("lambda_pricing.toml")


def pricing() -> dict:
    return tomllib.loads(PRICING_FILE.read_text())


def billed_ms(duration_ms: float, prices: dict) -> int:
    step = prices["billing_granularity_ms"]
    return max(step, math.ceil(duration_ms / step) * step)


def per_million(duration_ms: float, memory_mb: int, prices: dict) -> float:
    """USD for one million invocations that each run `duration_ms` with `memory_mb`."""
    gb_seconds = billed_ms(duration_ms, prices) / 1000 * memory_mb / 1024
    return prices["usd_per_million_requests"] + 1_000_000 * gb_seconds * prices["usd_per_gb_second"]


def stage_memory() -> dict[str, int]:
    """Each stage's memory_size (MB) as zappa_settings.json resolves it."""
    config = zappa_settings.load()
    return {
        stage: zappa_settings.resolve(config, stage)["memory_size"]
        for stage in zappa_settings.STAGES
    }


def estimate(duration_ms: float) -> list[dict]:
    """One row per stage: memory, billed duration and USD per million predictions."""
    prices = pricing()
    return [
        {
            "stage": stage,
            "memory_mb": memory,
            "billed_ms": billed_ms(duration_ms, prices),
            "usd_per_million": per_million(duration_ms, memory, prices),
        }
        for stage, memory in stage_memory().items()
    ]


def describe_prices() -> str:
    prices = pricing()
    return (
        f"{prices['architecture']} {prices['region']} prices read {prices['read_on']} "
        f"(${prices['usd_per_million_requests']:.2f} per million requests, "
        f"${prices['usd_per_gb_second']:.10f} per GB-second; {prices['source']})"
    )


def measured_warm_ms(stage: str | None) -> float | None:
    """The package check's warm /predict p50 for this stage's build (dist/STAGE-check.json)."""
    if not stage:
        return None
    try:
        return json.loads(paths.package_check_report(stage).read_text())["warm_p50_ms"]
    except (OSError, ValueError, KeyError):
        return None


def markdown(duration_ms: float, source: str) -> str:
    """A table for reports: USD per million predictions at each stage's memory size."""
    lines = [
        f"From {source}: {duration_ms:.3f} ms, billed as "
        f"{billed_ms(duration_ms, pricing())} ms; {describe_prices()}.\n",
        "| stage | memory | USD per million predictions |",
        "|---|---:|---:|",
    ]
    lines += [
        f"| {row['stage']} | {row['memory_mb']} MB | ${row['usd_per_million']:.2f} |"
        for row in estimate(duration_ms)
    ]
    return "\n".join(lines) + "\n"
