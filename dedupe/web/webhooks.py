"""Blueprint for the CMS webhook (Standard Webhooks): verify, answer redeliveries, hand to the service.

A delivery is applied once per `webhook-id`: the check script marks it applied in the same atomic step
as its effect, and the answer is stored and replayed to redeliveries. A failure of the index (503)
records nothing, so the sender's retry is processed for real once Redis is back. Without a configured
secret the endpoint refuses everything (503): an unsigned webhook would let anyone write to the index.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from flask import Blueprint, Response, request
from standardwebhooks.webhooks import WebhookVerificationError

from ..exceptions import DedupeError, InvalidInput
from ..models import RFC3339, parse_article
from ..store import Deliveries, Event
from .deps import services
from .errors import ApiError, Unauthorized, Unavailable, describe, error_response
from .requests import read_json

bp = Blueprint("webhooks", __name__, url_prefix="/v1/webhooks")
EVENTS = ("article.published", "article.updated", "article.deleted")


def _verify(raw: bytes) -> None:
    headers = {k: request.headers.get(k, "") for k in ("webhook-id", "webhook-timestamp", "webhook-signature")}
    for verifier in services().webhook_verifiers:
        try:
            verifier.verify(raw, headers, json_parse=False)
            return
        except (WebhookVerificationError, ValueError):
            continue
    raise Unauthorized("webhook signature is missing, invalid or too old")


def _handle(payload: Any, delivery: str) -> tuple[dict[str, Any], bool]:
    """Apply one event; returns the answer, and whether the delivery had been applied before."""
    if not isinstance(payload, dict):
        raise InvalidInput("body", "must be a JSON object")
    kind = payload.get("type")
    if kind not in EVENTS:
        raise InvalidInput("type", f"must be one of {', '.join(EVENTS)}")
    data = payload.get("data")
    if not isinstance(data, dict):
        raise InvalidInput("data", "must be a JSON object")
    dedupe = services().dedupe
    event = Event(_event_time(payload, data), Deliveries.key_suffix(delivery),
                  services().settings.webhook_dedupe_hours * 3600)  # fmt: skip
    if kind == "article.deleted":
        article_id = data.get("id")
        if not isinstance(article_id, str) or not article_id:
            raise InvalidInput("data.id", "must be a non-empty string")
        deleted = dedupe.delete_event(article_id, event)
        if deleted == "stale":
            return {"type": kind, "id": article_id, "ignored": STALE}, False
        if deleted == "replayed":
            return {"type": kind, "id": article_id, "deleted": not dedupe.exists(article_id)}, True
        return {"type": kind, "id": article_id, "deleted": deleted == "deleted"}, False
    article = parse_article({**data, "index": True}, "data.")
    try:
        status, result = dedupe.store_event(article, event)
    except InvalidInput as exc:  # "no story text left": name the field as the payload has it
        raise exc.within("data.") from None
    if result is None:
        return {"type": kind, "id": article.id, "ignored": STALE}, False
    if status == "applied":
        services().metrics.checks.labels("duplicate" if result.duplicate else "unique").inc()
    return {"type": kind, "result": result.to_dict()}, status == "replayed"


#: The answer to an event older than the last one applied to its article (see _event_time).
STALE = "a later event for this article was applied already; this one changed nothing"


def _event_time(payload: dict[str, Any], data: dict[str, Any]) -> float | None:
    """The event's time, which orders the events of one article: `timestamp` (Standard Webhooks), else
    `data.updated_at`; None when neither is given (such events are applied in arrival order)."""
    for field, value in (("timestamp", payload.get("timestamp")), ("data.updated_at", data.get("updated_at"))):
        if value is None:
            continue
        if not (isinstance(value, str) and RFC3339.fullmatch(value)):
            raise InvalidInput(field, "must be an RFC 3339 date-time with offset, e.g. 2022-01-27T10:00:00Z")
        try:
            return datetime.fromisoformat(value.replace("z", "Z")).timestamp()
        except ValueError as exc:
            raise InvalidInput(field, f"not a valid date-time: {exc}") from None
    return None


def _replay(answer: bytes) -> Response:
    stored = json.loads(answer)
    return Response(stored["body"], status=stored["status"], mimetype="application/json")


@bp.post("/cms")
def cms() -> Response:
    svc = services()
    outcome = svc.metrics.webhooks
    if not svc.webhook_verifiers:
        outcome.labels("unconfigured").inc()
        raise Unavailable("webhook secret not configured (DEDUPE_WEBHOOK_SECRET)")
    raw = request.get_data(cache=True)
    try:
        _verify(raw)
    except Unauthorized:
        outcome.labels("rejected").inc()
        raise
    delivery = request.headers["webhook-id"]
    seen = svc.deliveries.recall(delivery)
    if seen is not None and seen != svc.deliveries.DONE:
        outcome.labels("redelivered").inc()
        return _replay(seen)
    try:
        answer, replayed = _handle(read_json(raw), delivery)
        body, status = json.dumps(answer), 200
        outcome.labels("redelivered" if replayed else "processed").inc()
    except (ApiError, DedupeError) as exc:
        status, code, message, field = describe(exc)
        if status >= 500:
            outcome.labels("failed").inc()
            raise
        body = error_response(status, code, message, field).get_data(as_text=True)
        outcome.labels("invalid").inc()
    except Exception:
        outcome.labels("failed").inc()
        raise
    svc.deliveries.remember(
        delivery, json.dumps({"status": status, "body": body}).encode(), svc.settings.webhook_dedupe_hours * 3600
    )
    return Response(body, status=status, mimetype="application/json")
