"""Turn a /predict body into a float64 matrix, or an ApiError that says exactly what is wrong.

Accepted shapes: the tutorial's `{"data": [f1, ..., fN]}` (one row), `{"instances": [[...], ...]}`
and `{"instances": [{"feature name": value, ...}, ...]}`. Values must be JSON numbers and finite.
"""

import json
import math

import numpy as np
from flask import Request
from werkzeug.exceptions import RequestEntityTooLarge

from app.errors import ApiError

_NUMBER_TYPES = frozenset({int, float})


def parse_predict_body(
    request: Request, features: list[str], max_rows: int
) -> tuple[np.ndarray, bool]:
    """Returns (X, single_row). `single_row` is True for the tutorial's `data` form."""
    if not request.is_json:
        raise ApiError(
            415, "unsupported_media_type", "send the body as Content-Type: application/json"
        )
    body = _read_body(request)
    if not body.strip():
        raise ApiError(400, "empty_body", "the request body is empty; send a JSON object")
    try:
        document = _DECODER.decode(body.decode())
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError is a ValueError
        raise ApiError(400, "invalid_json", f"the body is not valid JSON: {_short(exc)}") from None

    if not isinstance(document, dict):
        raise _invalid('the body must be a JSON object with "data" or "instances"')
    unknown = sorted(set(document) - {"data", "instances"})
    if unknown:
        raise _invalid(
            f'unknown field(s) {", ".join(map(repr, unknown))}; use "data" or "instances"'
        )
    if len(document) != 1:
        raise _invalid('send exactly one of "data" (one row) or "instances" (a batch)')

    if "data" in document:
        return _matrix([_row(document["data"], "data", features)]), True

    instances = document["instances"]
    if not isinstance(instances, list) or not instances:
        raise _invalid('"instances" must be a non-empty array of rows')
    if len(instances) > max_rows:
        raise ApiError(
            422, "batch_too_large", f"{len(instances)} rows sent; at most {max_rows} per request"
        )
    rows = [_row(item, f"instances[{i}]", features) for i, item in enumerate(instances)]
    return _matrix(rows), False


def _read_body(request: Request) -> bytes:
    """The raw body, at most MAX_CONTENT_LENGTH bytes (413 above), read straight from WSGI.

    With a Content-Length (always the case behind API Gateway) exactly that many bytes are read;
    a chunked body can only be read when the server has de-chunked it and marked the stream
    terminated (gunicorn and werkzeug do), and then one byte past the limit tells "too large".
    Werkzeug's general stream wrapper costs as much as the model's inference on one row.
    """
    environ = request.environ
    limit = request.max_content_length
    raw_length = environ.get("CONTENT_LENGTH", "")
    if raw_length.isdigit() and "HTTP_TRANSFER_ENCODING" not in environ:
        if int(raw_length) > limit:
            raise RequestEntityTooLarge()
        return environ["wsgi.input"].read(int(raw_length))
    if environ.get("wsgi.input_terminated"):
        body = environ["wsgi.input"].read(limit + 1)
        if len(body) > limit:
            raise RequestEntityTooLarge()
        return body
    return b""  # WSGI: without a length or a terminated stream, reading could block forever


def _row(item, where: str, features: list[str]) -> list:
    if isinstance(item, dict):
        return _named_row(item, where, features)
    if not isinstance(item, list):
        raise _invalid(
            f"{where} must be an array of {len(features)} numbers or an object of named features"
        )
    if len(item) != len(features):
        raise _invalid(f"{where} has {len(item)} values; the model takes {len(features)} features")
    # Exact types, since bool is a subclass of int; the set is built at C speed, and the loop
    # below only runs to say which value is wrong.
    if not set(map(type, item)) <= _NUMBER_TYPES:
        for j, value in enumerate(item):
            if type(value) not in _NUMBER_TYPES:
                raise _invalid(
                    f"{where}[{j}] ({features[j]!r}) must be a number, got {_kind(value)}"
                )
    return item


def _named_row(item: dict, where: str, features: list[str]) -> list:
    missing = [name for name in features if name not in item]
    unknown = [name for name in item if name not in features]
    if missing or unknown:
        parts = []
        if missing:
            parts.append(f"missing {_names(missing)}")
        if unknown:
            parts.append(f"unknown {_names(unknown)}")
        raise _invalid(f"{where}: {'; '.join(parts)}")
    row = [item[name] for name in features]
    for name, value in zip(features, row, strict=True):
        if type(value) not in _NUMBER_TYPES:
            raise _invalid(f"{where}[{name!r}] must be a number, got {_kind(value)}")
    return row


def _matrix(rows: list[list]) -> np.ndarray:
    try:
        X = np.array(rows, dtype=np.float64)
    except OverflowError:
        raise _invalid("a value is too large to be a 64-bit float") from None
    # One sum is much cheaper than isfinite().all(), and is finite whenever every value is, unless
    # huge finite values overflow it: only then is the elementwise check needed.
    with np.errstate(over="ignore"):
        total = X.sum()
    if not math.isfinite(total) and not np.isfinite(X).all():
        i, j = map(int, np.argwhere(~np.isfinite(X))[0])
        raise _invalid(f"row {i}, feature {j}: values must be finite numbers")
    return X


def _reject_constant(name: str):
    raise ValueError(f"{name} is not a valid JSON number")


_DECODER = json.JSONDecoder(parse_constant=_reject_constant)  # NaN and Infinity are not JSON


def _invalid(message: str) -> ApiError:
    return ApiError(422, "invalid_input", message)


def _kind(value) -> str:
    return {str: "a string", bool: "a boolean", list: "an array", dict: "an object"}.get(
        type(value), "null" if value is None else type(value).__name__
    )


def _names(names: list[str], limit: int = 5) -> str:
    shown = ", ".join(repr(name[:64]) for name in names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def _short(exc: Exception) -> str:
    return "nested too deeply" if isinstance(exc, RecursionError) else str(exc)[:200]
