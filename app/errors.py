"""Every error leaves as JSON `{"error": {"code", "message"}}`; bad input is never a 5xx."""

import logging

from flask import Flask, jsonify
from werkzeug.exceptions import HTTPException, InternalServerError

log = logging.getLogger("app")

# Werkzeug's HTTP errors, named the way clients match on them.
HTTP_CODES = {
    400: "bad_request",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
}


class ApiError(Exception):
    """A client error with a stable machine-readable code and a human message."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def error_response(status: int, code: str, message: str):
    response = jsonify(error={"code": code, "message": message})
    response.status_code = status
    return response


def init_app(app: Flask) -> None:
    app.register_error_handler(ApiError, _api_error)
    app.register_error_handler(InternalServerError, _internal_error)
    app.register_error_handler(HTTPException, _http_error)


def _api_error(exc: ApiError):
    return error_response(exc.status, exc.code, exc.message)


def _http_error(exc: HTTPException):
    status = exc.code or 500
    response = error_response(status, HTTP_CODES.get(status, "http_error"), exc.description or "")
    if status == 405 and exc.valid_methods:
        response.headers["Allow"] = ", ".join(exc.valid_methods)
    return response


def _internal_error(exc: InternalServerError):
    # The cause is logged with its traceback; the client learns nothing internal.
    log.error("unhandled error", exc_info=exc.original_exception or exc)
    return error_response(500, "internal_error", "the server failed to handle the request")
