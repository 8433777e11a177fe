"""Load the training CSV and refuse anything a model should not be trained on."""

import csv
import hashlib
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from train.errors import DataError

MIN_ROWS = 20


@dataclass(frozen=True)
class Dataset:
    features: list[str]
    X: np.ndarray  # float64, shape (rows, features)
    y: np.ndarray  # class labels as strings
    sha256: str  # of the file's bytes, recorded in the manifest


def load_dataset(path: Path, target: str) -> Dataset:
    """Parse and validate; every problem is a DataError naming the file, row and column."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise DataError(f"data file not found: {path}") from None
    except IsADirectoryError:
        raise DataError(f"data path is a directory, not a CSV file: {path}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DataError(f"{path.name}: not UTF-8 text") from None

    rows = list(csv.reader(text.splitlines()))
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise DataError(f"{path.name}: empty file, expected a header row")
    header = [name.strip() for name in rows[0]]
    if target not in header:
        raise DataError(f"{path.name}: target column {target!r} not found in the header")
    duplicates = sorted({name for name in header if header.count(name) > 1})
    if duplicates:
        raise DataError(f"{path.name}: duplicate column names: {', '.join(duplicates)}")

    target_at = header.index(target)
    features = [name for i, name in enumerate(header) if i != target_at]
    if not features:
        raise DataError(f"{path.name}: no feature columns besides {target!r}")

    body = [(number, row) for number, row in enumerate(rows[1:], start=2) if any(row)]
    X = np.empty((len(body), len(features)), dtype=np.float64)
    y = []
    for i, (line, row) in enumerate(body):
        if len(row) != len(header):
            raise DataError(
                f"{path.name}: line {line} has {len(row)} fields, the header has {len(header)}"
            )
        label = row[target_at].strip()
        if not label:
            raise DataError(f"{path.name}: line {line}: empty {target!r}")
        y.append(label)
        cells = row[:target_at] + row[target_at + 1 :]
        for j, cell in enumerate(cells):
            X[i, j] = _number(cell, path.name, line, features[j])

    if len(body) < MIN_ROWS:
        raise DataError(f"{path.name}: {len(body)} data rows, at least {MIN_ROWS} are needed")
    labels = np.array(y)
    if len(np.unique(labels)) < 2:
        raise DataError(f"{path.name}: {target!r} has a single class ({labels[0]!r}), need two")
    return Dataset(features, X, labels, hashlib.sha256(raw).hexdigest())


def _number(cell: str, file: str, line: int, column: str) -> float:
    """A finite float, or a DataError that says where the bad cell is."""
    try:
        value = float(cell)
    except ValueError:
        raise DataError(
            f"{file}: line {line}, column {column!r}: {cell!r} is not a number"
        ) from None
    if not math.isfinite(value):
        raise DataError(f"{file}: line {line}, column {column!r}: {cell!r} is not finite")
    return value
