"""Every response lands in one outcome kind, and a 200 must carry what the endpoint promises."""

import json

import pytest

from loadtest.outcomes import check_fields, check_predict, classify_status, failure_message


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (200, "ok"),
        (204, "ok"),
        (0, "network"),
        (403, "forbidden"),
        (429, "throttled"),
        (500, "server_error"),
        (502, "server_error"),
        (504, "server_error"),
        (400, "client_error"),
        (413, "client_error"),
        (422, "client_error"),
        (302, "other"),
    ],
)
def test_status_codes_are_told_apart(status, kind):
    assert classify_status(status) == kind


@pytest.mark.parametrize(
    ("kind", "status", "body", "message"),
    [
        ("forbidden", 403, b'{"message": "Forbidden"}', "HTTP 403 forbidden"),
        ("throttled", 429, b'{"message": "Too Many Requests"}', "HTTP 429 throttled"),
        ("server_error", 502, b"<html>Bad gateway</html>", "HTTP 502 server error"),
        (
            "client_error",
            422,
            b'{"error": {"code": "batch_too_large"}}',
            "HTTP 422 batch_too_large",
        ),
        (
            "client_error",
            400,
            b'{"error": {"code": "has spaces, req 1234"}}',
            "HTTP 400 client error",
        ),
        ("client_error", 404, b"not json", "HTTP 404 client error"),
        ("network", 0, None, "connection error"),
        ("other", 302, b"", "HTTP 302 unexpected status"),
    ],
)
def test_failure_messages_are_few_and_stable(kind, status, body, message):
    assert failure_message(kind, status, body) == message


def prediction(label="no"):
    return {"label": label, "probabilities": {"no": 0.9, "yes": 0.1}}


@pytest.mark.parametrize(
    ("document", "rows", "problem"),
    [
        ({"predictions": [prediction()], "prediction": "no"}, 1, None),
        ({"predictions": [prediction()] * 3}, 3, None),
        ({"predictions": [prediction()]}, 1, "200 without the single-row prediction field"),
        ({"model_version": "x"}, 1, "200 without predictions"),
        ({"predictions": []}, 1, "200 without predictions"),
        ({"predictions": [prediction()] * 2}, 3, "200 with the wrong number of predictions"),
        (
            {"predictions": [{"label": 1, "probabilities": {}}]},
            1,
            "200 with a malformed prediction",
        ),
        ({"predictions": ["no"]}, 1, "200 with a malformed prediction"),
        ([1, 2], 1, "200 without a JSON object"),
    ],
)
def test_predict_bodies_are_checked(document, rows, problem):
    assert check_predict(json.dumps(document).encode(), rows) == problem


def test_empty_or_broken_bodies_are_content_failures():
    assert check_predict(b"", 1) == "200 without a JSON object"
    assert check_predict(b"\xff\xfe", 1) == "200 without a JSON object"
    assert check_fields(b'{"status": "ok"}', ("status",)) is None
    assert check_fields(b'{"status": "ok"}', ("status", "git_sha")) == "200 without git_sha"
