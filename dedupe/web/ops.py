"""Routes for operations: liveness, readiness, Prometheus metrics and the OpenAPI description."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from .. import __version__
from ..metrics import CONTENT_TYPE
from .deps import services
from .openapi import spec

bp = Blueprint("ops", __name__)


@bp.get("/healthz")
def healthz() -> Response:
    return jsonify({"status": "ok"})


@bp.get("/readyz")
def readyz() -> Response:
    services().dedupe.index.ready()  # a RedisError or IndexMismatch becomes a 503 (web/errors.py)
    return jsonify({"status": "ready"})


@bp.get("/metrics")
def metrics() -> Response:
    body = services().metrics.render()
    return Response(body, mimetype=CONTENT_TYPE.split(";")[0], headers={"Content-Type": CONTENT_TYPE})


@bp.get("/openapi.json")
def openapi_json() -> Response:
    return jsonify(spec(__version__))
