"""An OpenAPI 3.1 description of the API, its feature schema read from the model manifest."""

from app.model import LoadedModel


def openapi_document(model: LoadedModel, max_rows: int, service: str) -> dict:
    n = len(model.features)
    row = {
        "type": "array",
        "items": {"type": "number"},
        "minItems": n,
        "maxItems": n,
        "description": "Feature values in this order: " + ", ".join(model.features),
    }
    named = {
        "type": "object",
        "additionalProperties": False,
        "required": model.features,
        "properties": {
            f["name"]: {
                "type": "number",
                "description": f"observed in training: {f['min']} to {f['max']}",
            }
            for f in model.manifest["features"]
        },
    }
    error = {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message"],
                "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
            }
        },
    }
    prediction = {
        "type": "object",
        "required": ["label", "probabilities"],
        "properties": {
            "label": {"type": "string", "enum": model.classes},
            "probabilities": {
                "type": "object",
                "properties": {c: {"type": "number"} for c in model.classes},
            },
        },
    }

    def errors(*statuses: int) -> dict:
        return {
            str(s): {
                "description": "error",
                "content": _json({"$ref": "#/components/schemas/Error"}),
            }
            for s in statuses
        }

    def ok(schema: dict) -> dict:
        return {"200": {"description": "OK", "content": _json(schema)}}

    return {
        "openapi": "3.1.0",
        "info": {
            "title": service,
            "version": model.version,
            "description": "Predictions from the model described by models/manifest.json.",
        },
        "components": {
            "securitySchemes": {"apiKey": {"type": "apiKey", "in": "header", "name": "x-api-key"}},
            "schemas": {"Row": row, "NamedRow": named, "Error": error, "Prediction": prediction},
        },
        "security": [{"apiKey": []}],
        "paths": {
            "/": {
                "get": {"summary": "Service name and stage", "responses": ok({"type": "object"})}
            },
            "/health": {
                "get": {
                    "summary": "Liveness and model readiness",
                    "responses": ok({"type": "object"}),
                }
            },
            "/version": {
                "get": {
                    "summary": "Deployed git SHA and model",
                    "responses": ok({"type": "object"}),
                }
            },
            "/predict": {
                "post": {
                    "summary": "Class labels and probabilities for one row or a batch",
                    "requestBody": {
                        "required": True,
                        "content": _json(
                            {
                                "oneOf": [
                                    {
                                        "type": "object",
                                        "required": ["data"],
                                        "additionalProperties": False,
                                        "properties": {
                                            "data": {"$ref": "#/components/schemas/Row"}
                                        },
                                    },
                                    {
                                        "type": "object",
                                        "required": ["instances"],
                                        "additionalProperties": False,
                                        "properties": {
                                            "instances": {
                                                "type": "array",
                                                "minItems": 1,
                                                "maxItems": max_rows,
                                                "items": {
                                                    "oneOf": [
                                                        {"$ref": "#/components/schemas/Row"},
                                                        {"$ref": "#/components/schemas/NamedRow"},
                                                    ]
                                                },
                                            }
                                        },
                                    },
                                ]
                            }
                        ),
                    },
                    "responses": ok(
                        {
                            "type": "object",
                            "required": ["model_version", "predictions"],
                            "properties": {
                                "model_version": {"type": "string"},
                                "prediction": {
                                    "type": "string",
                                    "description": 'only for the single-row "data" form',
                                },
                                "predictions": {
                                    "type": "array",
                                    "items": {"$ref": "#/components/schemas/Prediction"},
                                },
                            },
                        }
                    )
                    | errors(400, 413, 415, 422),
                }
            },
            "/openapi.json": {
                "get": {
                    "summary": "This document",
                    "security": [],
                    "responses": ok({"type": "object"}),
                }
            },
        },
    }


def _json(schema: dict) -> dict:
    return {"application/json": {"schema": schema}}
