"""The one place that turns any failure into a JSON error: the request's own problems (ApiError), the
domain's errors (one table, DOMAIN_ERRORS), Redis failures (503) and anything unexpected (500)."""

from __future__ import annotations

import logging
from collections.abc import Callable

import redis
from flask import Flask, Response, g, jsonify, request
from werkzeug.exceptions import HTTPException

from ..exceptions import DedupeError, IndexMismatch, InvalidInput, NotFound

log = logging.getLogger(__name__)
#: Seconds a client should wait before retrying when Redis is unavailable.
RETRY_AFTER_S = 2


class ApiError(Exception):
    """A problem with the HTTP request itself (its body, media type, credentials), not with the article."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class MalformedBody(ApiError):
    status = 400
    code = "malformed_json"


class Unauthorized(ApiError):
    status = 401
    code = "unauthorized"


class UnsupportedMediaType(ApiError):
    status = 415
    code = "unsupported_media_type"


class Unavailable(ApiError):
    status = 503
    code = "unavailable"


#: The domain's errors as HTTP answers: status and code (the message and field come from the exception).
DOMAIN_ERRORS: dict[type[DedupeError], tuple[int, str]] = {
    InvalidInput: (422, "invalid_field"),
    NotFound: (404, "not_found"),
    IndexMismatch: (503, "index_mismatch"),
}


def describe(exc: ApiError | DedupeError) -> tuple[int, str, str, str | None]:
    """Status, code, message and field of an error the service raises on purpose."""
    if isinstance(exc, ApiError):
        return exc.status, exc.code, exc.message, exc.field
    status, code = next((v for k, v in DOMAIN_ERRORS.items() if isinstance(exc, k)), (500, "internal_error"))
    return status, code, getattr(exc, "message", str(exc)), getattr(exc, "field", None)


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


def _known(exc: ApiError | DedupeError) -> Response:
    if isinstance(exc, IndexMismatch):
        log.error("index mismatch: %s", exc)
    return error_response(*describe(exc))


_REDIS_MESSAGES = {
    "timeout": "the index did not answer in time; retry later",
    "full": "the index is out of memory; nothing was stored; retry later",
    "unavailable": "the index (Redis) is unreachable; nothing was stored; retry later",
}


def _redis(exc: redis.RedisError, on_redis_error: Callable[[str], None] | None) -> Response:
    kind = redis_failure_kind(exc)
    if on_redis_error is not None:
        on_redis_error(kind)
    log.warning("redis %s: %s", kind, exc)
    return error_response(503, f"redis_{kind}", _REDIS_MESSAGES[kind])


def _rate_limited(exc: HTTPException) -> Response:
    # web.ratelimit puts the seconds until the caller's window has room again in g.retry_after_s
    response = error_response(429, "rate_limited", f"rate limit exceeded ({exc.description}); retry later")
    response.headers["Retry-After"] = str(g.get("retry_after_s") or RETRY_AFTER_S)
    return response


_HTTP_CODES = {404: "not_found", 405: "method_not_allowed", 413: "body_too_large", 415: "unsupported_media_type"}


def _http(exc: HTTPException) -> Response:
    status = exc.code or 500
    message = exc.description or exc.name
    if status == 413:
        message = f"request body is larger than {request.max_content_length} bytes"  # a batch has its own
    response = error_response(status, _HTTP_CODES.get(status, exc.name.lower().replace(" ", "_")), message)
    if status == 405 and exc.get_response().headers.get("Allow"):
        response.headers["Allow"] = exc.get_response().headers["Allow"]
    return response


def _unexpected(exc: Exception) -> Response:
    log.exception("unexpected error")
    return error_response(500, "internal_error", "unexpected error; it has been logged")


def register(app: Flask, on_redis_error: Callable[[str], None] | None = None) -> None:
    """Every error handler of the app: `on_redis_error(kind)` counts Redis failures for the metrics."""
    app.register_error_handler(ApiError, _known)
    app.register_error_handler(DedupeError, _known)
    app.register_error_handler(redis.RedisError, lambda exc: _redis(exc, on_redis_error))
    app.register_error_handler(429, _rate_limited)
    app.register_error_handler(HTTPException, _http)
    app.register_error_handler(Exception, _unexpected)
