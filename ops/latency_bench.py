"""`python -m ops bench`: cold start and warm /predict latency of ONNX Runtime vs scikit-learn.

Each measurement runs in a fresh child process (cold start means a new interpreter), through the
Flask app in-process (no network), with request logging on and sent to /dev/null as in production.
The app serves ONNX only; the scikit-learn side puts the training pipeline (train.sklearn_model)
behind the same routes, as the point of comparison: it is measured here, never deployed.
"""

import json
import os
import statistics
import subprocess
import sys

import click

from ops import release
from project import ROOT

BACKENDS = ("onnx", "sklearn")
TARGETS = {"floor_ratio": 1.5, "speedup": 15.0, "cold_speedup": 4.0}

# How each child builds the app: the served ONNX model, or the joblib pipeline behind it.
_APPS = {
    "onnx": "from app import create_app\napp = create_app()",
    "sklearn": (
        "from app import create_app\n"
        "from train.paths import MODELS_DIR\n"
        "from train.sklearn_model import load_sklearn_model\n"
        "app = create_app(model=load_sklearn_model(MODELS_DIR))"
    ),
}

_COLD = """
import time
t0 = time.perf_counter()
%(app)s
client = app.test_client()
response = client.post("/predict", json={"data": %(row)s})
assert response.status_code == 200, response.data
print(time.perf_counter() - t0)
"""

_WARM = """
import json, time
%(app)s
app.add_url_rule("/_bench/noop", "noop", lambda: {"ok": True}, methods=["POST"])
client = app.test_client()
row = %(row)s
cases = {
    "noop": ("/_bench/noop", json.dumps({"data": row}).encode()),
    "1 row": ("/predict", json.dumps({"data": row}).encode()),
    "100 rows": ("/predict", json.dumps({"instances": [row] * 100}).encode()),
}
samples = {name: [] for name in cases}
# Alternating blocks (ABAB...): each case runs warm within its block, and drift in the machine's
# speed spreads over every case instead of landing on whichever ran last. The first requests of
# each block warm it up and are not counted.
block, warmup = 100, 10
for round_ in range(max(1, %(n)d // block)):
    for name, (path, body) in cases.items():
        if name == "100 rows" and round_ %% 4:
            continue
        for i in range(block + warmup):
            t = time.perf_counter()
            response = client.post(path, data=body, content_type="application/json")
            elapsed = time.perf_counter() - t
            assert response.status_code == 200, response.data
            if i >= warmup:
                samples[name].append(elapsed)
result = {}
for name, values in samples.items():
    values.sort()
    result[name] = {"p50": values[len(values) // 2], "p99": values[int(len(values) * 0.99)]}
print(json.dumps(result))
"""


def _child(code: str, backend: str) -> str:
    env = os.environ | {"LOG_LEVEL": "INFO", "PYTHONPATH": str(ROOT)}
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if out.returncode != 0:
        raise click.ClickException(
            f"{backend} benchmark failed: {out.stderr.strip().splitlines()[-1]}"
        )
    return out.stdout.strip()


@click.command()
@click.option("--cold-runs", default=5, show_default=True, help="Fresh processes per backend.")
@click.option("--requests", "n", default=2000, show_default=True, help="Warm requests per case.")
@click.option("--check", is_flag=True, help="Exit 1 when a target is missed.")
def bench(cold_runs: int, n: int, check: bool) -> None:
    """Cold start and warm latency of the onnx and sklearn backends, with the targets' ratios."""
    row = repr(release.sample_row())
    results = {}
    for backend in BACKENDS:
        app = _APPS[backend]
        cold = [float(_child(_COLD % {"row": row, "app": app}, backend)) for _ in range(cold_runs)]
        warm = json.loads(_child(_WARM % {"row": row, "n": n, "app": app}, backend))
        results[backend] = {"cold": statistics.median(cold), **warm}

    ms = 1000.0
    click.echo(
        f"{'':10}{'cold start':>12}{'1 row p50':>12}{'1 row p99':>12}"
        f"{'100 rows p50':>14}{'100 rows p99':>14}{'no-op p50':>12}"
    )
    for backend, r in results.items():
        click.echo(
            f"{backend:10}{r['cold'] * ms:>10.1f}ms{r['1 row']['p50'] * ms:>10.3f}ms"
            f"{r['1 row']['p99'] * ms:>10.3f}ms{r['100 rows']['p50'] * ms:>12.3f}ms"
            f"{r['100 rows']['p99'] * ms:>12.3f}ms{r['noop']['p50'] * ms:>10.3f}ms"
        )
    onnx, sk = results["onnx"], results["sklearn"]
    ratios = {
        "floor_ratio": onnx["1 row"]["p50"] / onnx["noop"]["p50"],
        "speedup": sk["1 row"]["p50"] / onnx["1 row"]["p50"],
        "cold_speedup": sk["cold"] / onnx["cold"],
    }
    lines = {
        "floor_ratio": ("onnx 1-row /predict vs no-op floor", "<=", "x"),
        "speedup": ("sklearn / onnx warm 1-row p50", ">=", "x"),
        "cold_speedup": ("sklearn / onnx cold start", ">=", "x"),
    }
    click.echo("")
    missed = []
    for key, (label, op, unit) in lines.items():
        value, target = ratios[key], TARGETS[key]
        ok = value <= target if op == "<=" else value >= target
        missed += [] if ok else [label]
        click.echo(
            f"{label:40} {value:6.2f}{unit}  (target {op} {target}{unit}: "
            f"{'met' if ok else 'MISSED'})"
        )
    click.echo(
        f"100-row speed-up sklearn / onnx: {sk['100 rows']['p50'] / onnx['100 rows']['p50']:.1f}x"
    )
    if check and missed:
        raise click.ClickException("targets missed: " + ", ".join(missed))
