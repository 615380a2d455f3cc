"""POST /v1/check/batch: many articles in one request, checked in order in one Redis round trip.

The body is a JSON array of /v1/check bodies, or NDJSON (one body a line). Each article gets its own answer in
its place: a CheckResult, or an error object naming the item's index, which never fails the others. Only
what concerns the whole batch fails it: a body that cannot be read, too many items, Redis (503).
"""

from __future__ import annotations

import json
from typing import Any

from flask import request

from ..config import Settings
from ..exceptions import InvalidInput
from ..models import ArticleIn, CheckResult, parse_article
from ..service import Deduplicator
from .errors import ApiError, MalformedBody, UnsupportedMediaType, describe
from .requests import read_json

NDJSON_TYPES = ("application/x-ndjson", "application/ndjson")


class BatchTooLarge(ApiError):
    status = 413
    code = "batch_too_large"


def read_items(settings: Settings) -> list[Any]:
    """The batch's items as parsed JSON values; a line of NDJSON that is not JSON is a MalformedBody item."""
    request.max_content_length = settings.max_batch_bytes  # a batch may be larger than one article's body
    if request.mimetype in NDJSON_TYPES:
        items = list(_ndjson(request.get_data(cache=True)))
    elif request.mimetype == "application/json":
        items = read_json()
        if not isinstance(items, list):
            raise InvalidInput("body", "must be a JSON array of articles (or NDJSON, one article a line)")
    else:
        raise UnsupportedMediaType(
            f"Content-Type must be application/json or application/x-ndjson, not {request.mimetype or 'none'!r}"
        )
    if len(items) > settings.max_batch:
        raise BatchTooLarge(f"a batch holds at most {settings.max_batch} articles, not {len(items)}")
    return items


def _ndjson(raw: bytes) -> Any:
    for number, line in enumerate(raw.split(b"\n"), start=1):
        if not line.strip():
            continue
        try:
            yield json.loads(line)
        except (ValueError, RecursionError) as exc:
            yield MalformedBody(f"line {number} is not valid JSON: {exc}")


Problem = ApiError | InvalidInput  # what an item can get instead of a result


def check_items(dedupe: Deduplicator, items: list[Any]) -> list[CheckResult | Problem]:
    """Each item's outcome, in order: the valid articles are checked together (Deduplicator.check_batch)."""
    parsed = [_parse(item) for item in items]
    checked = iter(dedupe.check_batch([p for p in parsed if isinstance(p, ArticleIn)]))
    return [next(checked) if isinstance(p, ArticleIn) else p for p in parsed]


def _parse(item: Any) -> ArticleIn | Problem:
    if isinstance(item, ApiError):
        return item
    try:
        return parse_article(item)
    except InvalidInput as exc:
        return exc


def answers(outcomes: list[CheckResult | Problem], items: list[Any]) -> list[dict[str, Any]]:
    return [answer(i, outcome, item) for i, (outcome, item) in enumerate(zip(outcomes, items, strict=True))]


def answer(index: int, outcome: CheckResult | Problem, item: Any) -> dict[str, Any]:
    """The JSON answer for one item: its CheckResult, or {"index", "id", "error": {code, message, field}}."""
    if isinstance(outcome, CheckResult):
        return outcome.to_dict()
    _, code, message, field = describe(outcome)
    error: dict[str, Any] = {"code": code, "message": message}
    if field is not None:
        error["field"] = field
    item_id = item.get("id") if isinstance(item, dict) else None
    return {"index": index, "id": item_id if isinstance(item_id, str) else None, "error": error}
