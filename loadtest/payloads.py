"""Request bodies made from real rows of the model's training data, encoded once before the run.

Which file, which target column and which features in which order all come from the model's
manifest (models/manifest.json), so the load follows whatever dataset the model was trained on.
Encoding up front keeps JSON serialisation out of the load generator's hot loop: on a 2-core
machine every millisecond Locust spends is a millisecond the server does not get.
"""

import csv
import json
import random
from dataclasses import dataclass
from pathlib import Path

from app.manifest import ManifestError, feature_names, read_manifest
from loadtest.errors import LoadTestError
from loadtest.paths import MANIFEST_FILE
from project import ROOT

BATCH_ROWS = (10, 100)  # inclusive; the API's default MAX_BATCH_ROWS is 100


@dataclass(frozen=True)
class Body:
    data: bytes
    rows: int


def read_rows(manifest_file: Path = MANIFEST_FILE) -> list[list[float]]:
    """The feature values of every row of the manifest's data file, in the model's input order."""
    try:
        manifest = read_manifest(manifest_file)
        path = ROOT / manifest["data"]["path"]
        features = feature_names(manifest)
    except (ManifestError, KeyError) as exc:
        raise LoadTestError(f"cannot tell which data the model was trained on: {exc}") from None
    try:
        with Path(path).open(newline="") as f:
            rows = [[float(record[name]) for name in features] for record in csv.DictReader(f)]
    except FileNotFoundError:
        raise LoadTestError(f"data file not found: {path}") from None
    except (KeyError, ValueError, TypeError) as exc:
        raise LoadTestError(f"{path}: not the model's numeric feature table ({exc})") from None
    if not rows:
        raise LoadTestError(f"{path}: no rows")
    return rows


class Payloads:
    """Single-row bodies for every data row and a pool of batches of 10-100 sampled rows."""

    def __init__(self, rows: list[list[float]], seed: int = 0, batches: int = 200):
        rng = random.Random(seed)  # noqa: S311 (sampling rows, not security)
        self.singles = [Body(_encode({"data": row}), 1) for row in rows]
        self.batches = []
        for _ in range(batches):
            size = rng.randint(*BATCH_ROWS)
            sample = [rng.choice(rows) for _ in range(size)]  # with replacement: any size works
            self.batches.append(Body(_encode({"instances": sample}), size))

    def single(self, rng: random.Random) -> Body:
        return rng.choice(self.singles)

    def batch(self, rng: random.Random) -> Body:
        return rng.choice(self.batches)


def _encode(document: dict) -> bytes:
    return json.dumps(document, separators=(",", ":")).encode()
