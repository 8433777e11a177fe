"""The HTTP surface: /, /health, /version, /predict and /openapi.json."""

import json

from flask import Blueprint, Response, current_app, g, request

from app.model import LoadedModel
from app.openapi import openapi_document
from app.payload import parse_predict_body

bp = Blueprint("api", __name__)
# /predict serializes with one prebuilt encoder (the same compact JSON Flask would produce):
# building an encoder per response costs as much as a single-row inference.
_ENCODER = json.JSONEncoder(separators=(",", ":"))


def _model() -> LoadedModel:
    return current_app.extensions["model"]


@bp.get("/")
def index():
    """The tutorial's contract, kept so existing clients keep working."""
    config = current_app.config
    return {"service": config["SERVICE_NAME"], "stage": config["STAGE"], "success": True}


@bp.get("/health")
def health():
    """Liveness and readiness: the app only starts once the model is verified and loaded."""
    model = _model()
    return {"status": "ok", "model_loaded": True, "model_version": model.version}


@bp.get("/version")
def version():
    """What is deployed: the smoke test compares these with the commit being promoted."""
    model = _model()
    config = current_app.config
    return {
        "git_sha": config["GIT_SHA"],
        "model_version": model.version,
        "model_sha256": model.sha256,
        "backend": model.backend.name,
        "stage": config["STAGE"],
        "service": config["SERVICE_NAME"],
    }


@bp.post("/predict")
def predict():
    model = _model()
    X, single_row = parse_predict_body(
        request, model.features, current_app.config["MAX_BATCH_ROWS"]
    )
    g.rows = len(X)
    labels, probabilities = model.predict(X)
    classes = model.classes
    predictions = [
        {"label": label, "probabilities": dict(zip(classes, row, strict=True))}
        for label, row in zip(labels, probabilities.tolist(), strict=True)
    ]
    body = {"model_version": model.version, "predictions": predictions}
    if single_row:
        body["prediction"] = labels[0]  # the tutorial's single-row field
    return Response(_ENCODER.encode(body) + "\n", mimetype="application/json")


@bp.get("/openapi.json")
def openapi():
    extensions = current_app.extensions
    if "openapi" not in extensions:  # built once per process, on first use
        config = current_app.config
        extensions["openapi"] = openapi_document(
            _model(), config["MAX_BATCH_ROWS"], config["SERVICE_NAME"]
        )
    return extensions["openapi"]
