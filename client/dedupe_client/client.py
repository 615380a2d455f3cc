"""DedupeClient: the service's HTTP API as typed methods, with bounded retries on 503 and 429."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import quote

from .article import Article
from .types import CheckResult, ItemError, StoredArticle, Story, batch_item
from .webhooks import sign_webhook

#: Every call the client makes (method, path): a test checks each against the service's /openapi.json.
ROUTES: dict[str, tuple[str, str]] = {
    "check": ("POST", "/v1/check"),
    "check_batch": ("POST", "/v1/check/batch"),
    "get": ("GET", "/v1/articles/{article_id}"),
    "delete": ("DELETE", "/v1/articles/{article_id}"),
    "story": ("GET", "/v1/stories/{story_id}"),
    "deliver_webhook": ("POST", "/v1/webhooks/cms"),
}
RETRY_STATUSES = (429, 503)


class DedupeError(Exception):
    """An error answer: the HTTP status and the service's {"error": {code, message, field}}."""

    def __init__(self, status: int, code: str, message: str, field: str | None = None) -> None:
        super().__init__(f"{status} {code}: {message}" + (f" (field {field})" if field else ""))
        self.status, self.code, self.message, self.field = status, code, message, field


@dataclass(frozen=True)
class _Answer:
    status: int
    headers: Mapping[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


class DedupeClient:
    """`DedupeClient("http://127.0.0.1:8000", api_key=...)`. 503 (Redis unavailable) and 429 (rate limited) are
    retried up to `max_retries` times, each after the answer's Retry-After (at most `max_retry_wait` seconds)."""

    def __init__(
        self, base_url: str = "http://127.0.0.1:8000", *, api_key: str | None = None, timeout: float = 10.0,
        max_retries: int = 3, max_retry_wait: float = 30.0, sleep: Callable[[float], None] = time.sleep,
    ) -> None:  # fmt: skip
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.timeout = timeout
        self.max_retries = max_retries
        self.max_retry_wait = max_retry_wait
        self.sleep = sleep

    # -- the API ---------------------------------------------------------------------------------------------
    def check(self, id: str, text: str | None = None, **fields: Any) -> CheckResult:
        """Check (and unless index=False, store) one article: html, title, url, outlet, published_at, index."""
        body = _article({"id": id, **({"text": text} if text is not None else {}), **fields})
        return CheckResult.from_json(self._call("check", body=body).json())

    def check_batch(self, articles: Iterable[Article | Mapping[str, Any]]) -> list[CheckResult | ItemError]:
        """Check articles in order in one request: a CheckResult or an ItemError for each, in its place."""
        answer = self._call("check_batch", body=[_article(dict(a)) for a in articles])
        return [batch_item(item) for item in answer.json()["results"]]

    def get(self, article_id: str) -> StoredArticle | None:
        answer = self._call("get", article_id=article_id, missing_ok=True)
        return None if answer.status == 404 else StoredArticle.from_json(answer.json())

    def delete(self, article_id: str) -> bool:
        """True when the article was removed, False when there was none."""
        return self._call("delete", article_id=article_id, missing_ok=True).status != 404

    def story(self, story_id: str) -> Story | None:
        answer = self._call("story", story_id=story_id, missing_ok=True)
        return None if answer.status == 404 else Story.from_json(answer.json())

    def deliver_webhook(self, secret: str, event: Mapping[str, Any], *, msg_id: str | None = None) -> Any:
        """Sign and send a CMS event ({"type": "article.published", "data": {...}}) to /v1/webhooks/cms. A retry
        is the same delivery (same webhook-id): the service applies it at most once."""
        body = json.dumps(event).encode()
        return self._call("deliver_webhook", raw=body, headers=sign_webhook(secret, body, msg_id=msg_id)).json()

    # -- transport --------------------------------------------------------------------------------------------
    def _call(
        self, name: str, *, body: Any = None, raw: bytes | None = None, headers: Mapping[str, str] | None = None,
        missing_ok: bool = False, **path: str,
    ) -> _Answer:  # fmt: skip
        method, template = ROUTES[name]
        url = self.base_url + template.format(**{k: quote(v, safe="") for k, v in path.items()})
        data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
        sent = {"Accept": "application/json", **({"Content-Type": "application/json"} if data is not None else {})}
        if self.api_key:
            sent["Authorization"] = f"Bearer {self.api_key}"
        sent.update(headers or {})
        for attempt in range(self.max_retries + 1):
            answer = self._send(method, url, data, sent)
            if answer.status not in RETRY_STATUSES or attempt == self.max_retries:
                break
            self.sleep(self._wait(answer, attempt))
        if answer.status >= 400 and not (missing_ok and answer.status == 404):
            raise _error(answer)
        return answer

    def _send(self, method: str, url: str, data: bytes | None, headers: dict[str, str]) -> _Answer:
        request = urllib.request.Request(url, data=data, headers=headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return _Answer(response.status, response.headers, response.read())
        except urllib.error.HTTPError as exc:
            with exc:
                return _Answer(exc.code, exc.headers, exc.read())

    def _wait(self, answer: _Answer, attempt: int) -> float:
        """Retry-After (seconds, or an HTTP date), else a doubling back-off; never more than max_retry_wait."""
        wait = _retry_after(answer.headers.get("Retry-After"))
        return min(self.max_retry_wait, wait if wait is not None else 0.5 * 2**attempt)


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, (parsedate_to_datetime(value) - datetime.now(tz=UTC)).total_seconds())
    except (TypeError, ValueError):
        return None


def _article(fields: dict[str, Any]) -> dict[str, Any]:
    """Drop fields left None; a datetime published_at (with its offset) becomes RFC 3339 text."""
    when = fields.get("published_at")
    if isinstance(when, datetime):
        if when.tzinfo is None:
            raise ValueError("published_at needs a time zone (an aware datetime)")
        fields["published_at"] = when.isoformat()
    return {k: v for k, v in fields.items() if v is not None}


def _error(answer: _Answer) -> DedupeError:
    try:
        error = answer.json()["error"]
        return DedupeError(answer.status, error["code"], error["message"], error.get("field"))
    except (ValueError, KeyError, TypeError):
        return DedupeError(answer.status, "http_error", answer.body[:200].decode("utf-8", "replace"))
