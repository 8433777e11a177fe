"""Routes answer as documented; every kind of bad input is a 4xx JSON error, never a 5xx."""

import io
import json

import pytest


def test_index_keeps_the_tutorial_contract(client):
    assert client.get("/").get_json() == {
        "service": "sklearn-zappa-ml",
        "stage": "test",
        "success": True,
    }


def test_health_reports_the_loaded_model(client, model):
    body = client.get("/health").get_json()
    assert body == {"status": "ok", "model_loaded": True, "model_version": model.version}


def test_version_names_commit_model_and_backend(client, model):
    body = client.get("/version").get_json()
    assert body["git_sha"] == "a" * 40
    assert body["model_sha256"] == model.manifest["artifacts"]["onnx"]["sha256"]
    assert body["model_version"] == model.version
    assert body["backend"] == "onnx"
    assert body["stage"] == "test"


def test_predict_single_row_tutorial_form(client, model, row):
    body = client.post("/predict", json={"data": row}).get_json()
    assert body["prediction"] in model.classes
    assert body["model_version"] == model.version
    (prediction,) = body["predictions"]
    assert prediction["label"] == body["prediction"]
    assert list(prediction["probabilities"]) == model.classes
    best = max(prediction["probabilities"], key=prediction["probabilities"].get)
    assert prediction["label"] == best
    assert sum(prediction["probabilities"].values()) == pytest.approx(1.0)


def test_predict_batch_and_named_features_agree(client, model, row):
    named = dict(zip(model.features, row, strict=True))
    by_position = client.post("/predict", json={"instances": [row, row]}).get_json()
    by_name = client.post("/predict", json={"instances": [named]}).get_json()
    assert "prediction" not in by_position
    assert len(by_position["predictions"]) == 2
    assert by_name["predictions"][0] == by_position["predictions"][0]


def test_predict_accepts_integers_and_a_full_batch(client, app, row):
    rows = [[int(v) for v in row]] * app.config["MAX_BATCH_ROWS"]
    response = client.post("/predict", json={"instances": rows})
    assert response.status_code == 200
    assert len(response.get_json()["predictions"]) == len(rows)


def bad(n_values, value=1.0):
    return [value] * n_values


def error_cases(n: int) -> list:
    """Bad bodies for a model with n features."""
    return [
        ("malformed JSON", b'{"data": [1, 2', "application/json", 400, "invalid_json"),
        ("empty body", b"", "application/json", 400, "empty_body"),
        ("whitespace body", b"   \n", "application/json", 400, "empty_body"),
        (
            "wrong content type",
            json.dumps({"data": bad(n)}).encode(),
            "text/plain",
            415,
            "unsupported_media_type",
        ),
        (
            "no content type",
            json.dumps({"data": bad(n)}).encode(),
            None,
            415,
            "unsupported_media_type",
        ),
        ("NaN literal", b'{"data": [NaN]}', "application/json", 400, "invalid_json"),
        ("Infinity literal", b'{"data": [Infinity]}', "application/json", 400, "invalid_json"),
        (
            "overflowing float",
            ('{"data": [1e999' + ", 1" * (n - 1) + "]}").encode(),
            "application/json",
            422,
            "invalid_input",
        ),
        (
            "huge integer",
            ('{"data": [' + "9" * 400 + ", 1" * (n - 1) + "]}").encode(),
            "application/json",
            422,
            "invalid_input",
        ),
        ("not UTF-8", b'{"data": "\xff"}', "application/json", 400, "invalid_json"),
        ("deep nesting", b"[" * 50_000, "application/json", 400, "invalid_json"),
        ("array body", b"[1, 2, 3]", "application/json", 422, "invalid_input"),
        ("string body", b'"hello"', "application/json", 422, "invalid_input"),
        ("no known field", b'{"rows": []}', "application/json", 422, "invalid_input"),
        (
            "both fields",
            json.dumps({"data": bad(n), "instances": [bad(n)]}).encode(),
            "application/json",
            422,
            "invalid_input",
        ),
        (
            "too few features",
            json.dumps({"data": bad(n - 1)}).encode(),
            "application/json",
            422,
            "invalid_input",
        ),
        (
            "too many features",
            json.dumps({"data": bad(n + 1)}).encode(),
            "application/json",
            422,
            "invalid_input",
        ),
        (
            "string value",
            json.dumps({"data": [*bad(n - 1), "1.0"]}).encode(),
            "application/json",
            422,
            "invalid_input",
        ),
        (
            "boolean value",
            json.dumps({"data": [*bad(n - 1), True]}).encode(),
            "application/json",
            422,
            "invalid_input",
        ),
        (
            "null value",
            json.dumps({"data": [*bad(n - 1), None]}).encode(),
            "application/json",
            422,
            "invalid_input",
        ),
        (
            "nested value",
            json.dumps({"data": [*bad(n - 1), [1.0]]}).encode(),
            "application/json",
            422,
            "invalid_input",
        ),
        ("data is a string", b'{"data": "1,2,3"}', "application/json", 422, "invalid_input"),
        ("empty batch", b'{"instances": []}', "application/json", 422, "invalid_input"),
        (
            "batch is an object",
            b'{"instances": {"a": 1}}',
            "application/json",
            422,
            "invalid_input",
        ),
        (
            "batch over the limit",
            json.dumps({"instances": [bad(n)] * 101}).encode(),
            "application/json",
            422,
            "batch_too_large",
        ),
        (
            "body over the size limit",
            b'{"data": [' + b"1.0, " * 60_000 + b"1.0]}",
            "application/json",
            413,
            "payload_too_large",
        ),
    ]


ERROR_CASES = [case[0] for case in error_cases(1)]


@pytest.mark.parametrize("case", ERROR_CASES)
def test_bad_input_gets_a_json_4xx(client, model, case):
    cases = {c[0]: c[1:] for c in error_cases(len(model.features))}
    body, content_type, status, code = cases[case]
    response = client.post("/predict", data=body, content_type=content_type)
    assert response.status_code == status
    error = response.get_json()["error"]
    assert error["code"] == code
    assert error["message"]


def test_named_features_report_missing_and_unknown_names(client, model, row):
    named = dict(zip(model.features, row, strict=True))
    first = model.features[0]
    del named[first]
    named["colour"] = 3
    error = client.post("/predict", json={"instances": [named]}).get_json()["error"]
    assert f"missing {first!r}" in error["message"]
    assert "unknown 'colour'" in error["message"]


def test_error_messages_point_at_the_bad_value(client, model, row):
    last = len(row) - 1
    body = {"instances": [row, [*row[:last], "x"]]}
    message = client.post("/predict", json=body).get_json()["error"]["message"]
    assert message.startswith(f"instances[1][{last}] ({model.features[last]!r}) must be a number")


@pytest.mark.parametrize(
    ("method", "path", "status", "code"),
    [
        ("get", "/nowhere", 404, "not_found"),
        ("get", "/predict", 405, "method_not_allowed"),
        ("delete", "/", 405, "method_not_allowed"),
        ("put", "/predict", 405, "method_not_allowed"),
    ],
)
def test_unknown_routes_and_methods_answer_json(client, method, path, status, code):
    response = getattr(client, method)(path)
    assert response.status_code == status
    assert response.get_json()["error"]["code"] == code


def test_request_id_comes_from_api_gateway_when_present(client):
    response = client.get("/health", headers={"X-Apigw-Request-Id": "c0ffee-42"})
    assert response.headers["X-Request-Id"] == "c0ffee-42"
    generated = client.get("/health", headers={"X-Apigw-Request-Id": "<script> id"})
    assert generated.headers["X-Request-Id"] != "<script> id"
    assert len(generated.headers["X-Request-Id"]) == 32


def test_logs_are_json_lines_without_payload_values(client, capsys, row):
    marker = 123456.789
    client.post(
        "/predict", json={"data": [*row[:-1], marker]}, headers={"X-Apigw-Request-Id": "r-1"}
    )
    client.post("/predict", json={"data": ["secret-looking-string"] * len(row)})
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    assert lines[0]["request_id"] == "r-1"
    assert lines[0]["path"] == "/predict"
    assert lines[0]["status"] == 200
    assert lines[0]["rows"] == 1
    assert lines[1]["status"] == 422
    logged = json.dumps(lines)
    assert str(marker) not in logged
    assert "secret-looking-string" not in logged


@pytest.mark.parametrize(
    "content_type",
    [
        "application/json",
        "application/json; charset=utf-8",
        "Application/JSON",
        "application/x+json",
    ],
)
def test_json_content_types_are_accepted(client, row, content_type):
    response = client.post("/predict", data=json.dumps({"data": row}), content_type=content_type)
    assert response.status_code == 200


def test_huge_but_finite_values_are_accepted(client, row):
    """Their sum overflows; the finiteness check must not mistake that for an infinite value."""
    response = client.post("/predict", json={"data": [1e308] * 2 + row[2:]})
    assert response.status_code == 200


def test_a_chunked_body_is_read_and_limited_like_any_other(client, row):
    """Servers de-chunk the body and mark the stream terminated; there is no Content-Length."""

    def post(body: bytes):
        return client.post(
            "/predict",
            input_stream=io.BytesIO(body),
            headers={"Transfer-Encoding": "chunked", "Content-Type": "application/json"},
            environ_overrides={"wsgi.input_terminated": True},
        )

    assert post(json.dumps({"data": row}).encode()).status_code == 200
    assert post(b'{"data": [' + b"1.0, " * 60_000 + b"1.0]}").status_code == 413
