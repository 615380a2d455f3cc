"""Feed a stream through the service's own code path: Deduplicator.check against a real (private) Redis.

`run_service` is the production path, article by article: ArticleIn -> Deduplicator.check -> Lua check script.
`run_prepared` is the tuning path: the same fingerprint, index and decision code, with the text pipeline's
output cached (tokens do not depend on the tuned parameters) and the checks sent in pipelined batches
(RedisIndex.check_many: each article still sees every earlier one). Both give the same answers.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import UTC

import redis

from dedupe.config import Settings
from dedupe.fingerprint import Params, fingerprint_text
from dedupe.models import ArticleIn, format_time
from dedupe.service import Deduplicator, came_first, params_from, rules_from
from dedupe.store import ArticleMeta, IndexAnswer, RedisIndex
from dedupe.text import story_text
from support import redis_server

from .dataset import Item
from .metrics import Prediction


@contextlib.contextmanager
def private_redis() -> Iterator[redis.Redis]:
    """A client of a redis-server of our own (never the one on 6379), removed afterwards."""
    with redis_server.private_redis(prefix="eval-redis-") as server:
        yield server.client()


def article_of(it: Item) -> ArticleIn:
    return ArticleIn(
        id=it.id, text=it.text, html=it.html, title=it.title, outlet=it.outlet,
        published_at=it.published.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        **({it.wire[0]: it.wire[1]} if it.wire else {}),
    )  # fmt: skip


def _prediction(answer: IndexAnswer) -> Prediction:
    earlier = [m.id for m in answer.matches if came_first(m, answer)]
    return Prediction(bool(earlier), answer.story_id or "", earlier)


def run_service(
    items: list[Item], client: redis.Redis, settings: Settings, params: Params | None = None, namespace: str = "eval"
) -> dict[str, Prediction]:
    """The production path: one Deduplicator.check per article, in publication order."""
    client.flushdb()
    dedupe = Deduplicator(RedisIndex(client, params or params_from(settings), namespace), settings)
    dedupe.index.ensure()
    out = {}
    for it in items:
        r = dedupe.check(article_of(it))
        earlier = [m.id for m in r.matches]  # the index holds only articles fed before this one
        out[it.id] = Prediction(r.duplicate, r.story_id or "", earlier)
    return out


def stories_of(items: list[Item]) -> dict[str, str]:
    """The text pipeline's output per article (what `prepare` fingerprints)."""
    out = {}
    for it in items:
        content = article_of(it).content()  # a wire delivery is read as the service reads it
        out[it.id] = story_text(content.text, content.html, content.title)
    return out


def run_prepared(
    items: list[Item], stories: dict[str, str], client: redis.Redis, settings: Settings, params: Params,
    namespace: str = "tune", batch: int = 500,
) -> dict[str, Prediction]:  # fmt: skip
    """The tuning path: cached story texts, the service's fingerprint, Lua rules and decision, pipelined."""
    client.flushdb()
    index = RedisIndex(client, params, namespace)
    index.ensure()
    rules = rules_from(settings)
    out = {}
    for start in range(0, len(items), batch):
        chunk = items[start : start + batch]
        prepared = []
        for it in chunk:
            ts = it.published.timestamp()
            meta = ArticleMeta(it.id, ts, True, format_time(ts), it.title, None, it.outlet)
            prepared.append((fingerprint_text(stories[it.id], params), meta))
        answers = index.check_many(prepared, rules, now=0.0, retention_s=1e12)
        for it, answer in zip(chunk, answers, strict=True):
            out[it.id] = _prediction(answer)
    return out
