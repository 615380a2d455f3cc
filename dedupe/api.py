"""Blueprint /v1: the per-article check and the read/delete endpoints. HTTP concerns only."""

from __future__ import annotations

import hmac
import json
import time
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request
from pydantic import ValidationError

from .errors import InvalidField, MalformedBody, NotFound, Unauthorized, UnsupportedMediaType
from .models import ArticleIn, CheckResult

bp = Blueprint("api", __name__, url_prefix="/v1")


def services() -> Any:
    return current_app.extensions["dedupe"]


def read_json(raw: bytes | None = None) -> Any:
    """The request's JSON body, or a 415/400 that says what is wrong with it."""
    if raw is None:
        if request.mimetype != "application/json":
            raise UnsupportedMediaType(f"Content-Type must be application/json, not {request.mimetype or 'none'!r}")
        raw = request.get_data(cache=True)
    try:
        return json.loads(raw)
    except (ValueError, RecursionError) as exc:
        raise MalformedBody(f"body is not valid JSON: {exc}") from None


def parse_article(payload: Any, where: str = "") -> ArticleIn:
    """Validate an article; the first problem is reported with the field it concerns."""
    if not isinstance(payload, dict):
        raise InvalidField(where.rstrip(".") or "body", "must be a JSON object")
    try:
        return ArticleIn.model_validate(payload)
    except ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        field = ".".join(str(p) for p in err["loc"]) or "text"  # the one model-wide rule: text or html
        raise InvalidField(where + field, err["msg"]) from None


@bp.before_request
def _authenticate() -> None:
    keys = services().settings.api_keys
    if not keys:
        return
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Unauthorized("Authorization: Bearer <key> is required")
    # compare_digest against every key: constant time, and no early exit that reveals which key matched
    matched = False
    for key in keys:
        matched |= hmac.compare_digest(token.encode(), key.encode())
    if not matched:
        raise Unauthorized("unknown API key")


@bp.post("/check")
def check() -> Response:
    svc = services()
    started = time.perf_counter()
    article = parse_article(read_json())
    result = svc.dedupe.check(article)
    svc.metrics.checks.labels("duplicate" if result.duplicate else "unique").inc()
    svc.metrics.check_seconds.observe(time.perf_counter() - started)
    return jsonify(result.to_dict())


@bp.post("/check/batch")
def check_batch() -> Response:
    from . import batch  # it parses with this module's helpers

    svc = services()
    started = time.perf_counter()
    items = batch.read_items(svc.settings)
    outcomes = batch.check_items(svc.dedupe, items)
    checked = [o for o in outcomes if isinstance(o, CheckResult)]
    per_article = (time.perf_counter() - started) / max(1, len(checked))
    for result in checked:  # counted as /v1/check counts them; each article's time is its share of the batch
        svc.metrics.checks.labels("duplicate" if result.duplicate else "unique").inc()
        svc.metrics.check_seconds.observe(per_article)
    return jsonify({"results": batch.answers(outcomes, items)})


@bp.get("/articles/<path:article_id>")
def get_article(article_id: str) -> Response:
    return jsonify(services().dedupe.get(article_id).to_dict())


@bp.delete("/articles/<path:article_id>")
def delete_article(article_id: str) -> Response:
    if not services().dedupe.delete(article_id):
        raise NotFound(f"no article with id {article_id!r}")
    return Response(status=204)


@bp.get("/stories/<story_id>")
def get_story(story_id: str) -> Response:
    copies = services().dedupe.story(story_id)
    return jsonify({"story_id": story_id, "articles": [c.to_dict() for c in copies]})
