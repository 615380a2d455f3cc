"""One exception tree, and the one place that turns any failure into a JSON error."""

from __future__ import annotations

import logging

import redis
from flask import Flask, Response, g, jsonify, request
from werkzeug.exceptions import HTTPException

from .index import IndexMismatch

log = logging.getLogger(__name__)
#: Seconds a client should wait before retrying when Redis is unavailable.
RETRY_AFTER_S = 2


class ApiError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class InvalidField(ApiError):
    status = 422
    code = "invalid_field"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message, field)


class MalformedBody(ApiError):
    status = 400
    code = "malformed_json"


class Unauthorized(ApiError):
    status = 401
    code = "unauthorized"


class NotFound(ApiError):
    status = 404
    code = "not_found"


class UnsupportedMediaType(ApiError):
    status = 415
    code = "unsupported_media_type"


class Unavailable(ApiError):
    status = 503
    code = "unavailable"


def error_response(status: int, code: str, message: str, field: str | None = None) -> Response:
    body: dict[str, str] = {"code": code, "message": message}
    if field is not None:
        body["field"] = field
    response = jsonify({"error": body})
    response.status_code = status
    if status == 503:
        response.headers["Retry-After"] = str(RETRY_AFTER_S)
    return response


def redis_failure_kind(exc: redis.RedisError) -> str:
    """Name a Redis failure for the metric and the message: slow, full, or unreachable."""
    if isinstance(exc, redis.TimeoutError):
        return "timeout"
    # redis-py raises OutOfMemoryError (message without the "OOM" prefix) for a command refused at maxmemory;
    # inside the check script, the refusal comes back as a ResponseError "... -OOM command not allowed ...".
    if isinstance(exc, redis.exceptions.OutOfMemoryError) or (
        isinstance(exc, redis.ResponseError) and "OOM command not allowed" in str(exc)
    ):
        return "full"
    return "unavailable"


def register(app: Flask, on_redis_error=None) -> None:
    @app.errorhandler(ApiError)
    def _api_error(exc: ApiError) -> Response:
        return error_response(exc.status, exc.code, exc.message, exc.field)

    @app.errorhandler(IndexMismatch)
    def _mismatch(exc: IndexMismatch) -> Response:
        log.error("index mismatch: %s", exc)
        return error_response(503, "index_mismatch", str(exc))

    @app.errorhandler(redis.RedisError)
    def _redis(exc: redis.RedisError) -> Response:
        kind = redis_failure_kind(exc)
        if on_redis_error is not None:
            on_redis_error(kind)
        log.warning("redis %s: %s", kind, exc)
        messages = {
            "timeout": "the index did not answer in time; retry later",
            "full": "the index is out of memory; nothing was stored; retry later",
            "unavailable": "the index (Redis) is unreachable; nothing was stored; retry later",
        }
        return error_response(503, f"redis_{kind}", messages[kind])

    @app.errorhandler(429)
    def _rate_limited(exc: HTTPException) -> Response:
        # dedupe.ratelimit puts the seconds until the caller's window has room again in g.retry_after_s
        response = error_response(429, "rate_limited", f"rate limit exceeded ({exc.description}); retry later")
        response.headers["Retry-After"] = str(g.get("retry_after_s") or RETRY_AFTER_S)
        return response

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> Response:
        status = exc.code or 500
        codes = {404: "not_found", 405: "method_not_allowed", 413: "body_too_large", 415: "unsupported_media_type"}
        message = exc.description or exc.name
        if status == 413:
            message = f"request body is larger than {request.max_content_length} bytes"  # a batch has its own
        response = error_response(status, codes.get(status, exc.name.lower().replace(" ", "_")), message)
        if status == 405 and exc.get_response().headers.get("Allow"):
            response.headers["Allow"] = exc.get_response().headers["Allow"]
        return response

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Response:
        log.exception("unexpected error")
        return error_response(500, "internal_error", "unexpected error; it has been logged")
