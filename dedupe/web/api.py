"""Blueprint /v1: the per-article check and the read/delete endpoints. HTTP concerns only."""

from __future__ import annotations

import hmac
import time

from flask import Blueprint, Response, jsonify, request

from ..models import CheckResult, parse_article
from . import batch
from .deps import services
from .errors import Unauthorized
from .requests import read_json

bp = Blueprint("api", __name__, url_prefix="/v1")


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
    services().dedupe.delete(article_id)
    return Response(status=204)


@bp.get("/stories/<story_id>")
def get_story(story_id: str) -> Response:
    copies = services().dedupe.story(story_id)
    return jsonify({"story_id": story_id, "articles": [c.to_dict() for c in copies]})
