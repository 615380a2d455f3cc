"""The LSH index in Redis: one atomic check script per article (check.lua), and the reads beside it.

Every check is one round trip (one EVALSHA), and every write is atomic, because it happens inside
that script. Key names come from keys.py; under Redis Cluster all keys of one index share a slot
(see keys.py), so an index lives on one shard.
"""

from __future__ import annotations

import logging
import math
import secrets
from functools import lru_cache
from pathlib import Path

import redis

from ..exceptions import IndexMismatch
from ..fingerprint import Fingerprint, Params
from ..models import StoredArticle
from .keys import Keys
from .records import ArticleMeta, DeleteStatus, Event, IndexAnswer, Rules, index_answer, stored_article

log = logging.getLogger(__name__)
_SCRIPT = (Path(__file__).with_name("check.lua")).read_text()
#: Expired articles removed by each write: retention costs a bounded, constant amount per check.
PURGE_PER_WRITE = 4
_DELETED: dict[int, DeleteStatus] = {1: "deleted", 0: "absent", -1: "stale", -2: "replayed"}


def _event_args(event: Event | None) -> list:
    if event is None:
        return ["", 0, "", 0]
    keep = max(1, int(event.keep_s))
    return ["" if event.version is None else repr(float(event.version)), keep, event.delivery, keep]


@lru_cache(maxsize=16)
def _rule_text(rules: Rules) -> str:
    """The rule as the check script reads it (ARGV 16): built once per Rules, not once per check."""
    return ",".join(map(repr, (
        rules.jaccard, rules.containment, rules.containment_min_shingles, rules.window_s, rules.max_matches,
        rules.max_candidates, rules.lead_jaccard, rules.lead_containment, rules.containment_z, rules.sentences_min,
        rules.sentence_share, rules.long_window_s, rules.near_jaccard, rules.near_sentence_share, rules.numbers_min,
        rules.copy_cover, rules.near_numbers_min,
    )))  # fmt: skip


def bucket_bits_for(expected_articles: int, params: Params) -> int:
    """Band buckets for about 64 band entries each at the expected size: small Redis hashes stay in their
    compact encoding (up to 128 entries), and a lookup never scans a long one."""
    entries = max(1, expected_articles) * (params.body_bands + params.lead_bands + params.indexed_sentences // 2)
    return min(24, max(8, math.ceil(math.log2(entries / 64))))


class RedisIndex:
    def __init__(
        self, client: redis.Redis, params: Params, namespace: str, bucket_bits: int = 19, store_text: bool = True
    ) -> None:
        if not 8 <= bucket_bits <= 24:
            raise ValueError("bucket_bits must be between 8 and 24")
        self.client = client
        self.params = params
        self.keys = Keys(namespace)
        self.prefix = self.keys.prefix
        self.bucket_bits = bucket_bits
        self.store_text = store_text  # DEDUPE_STORE_TEXT: keep each article's story text (t:<n>) for the view
        self._script = client.register_script(_SCRIPT)
        self._describe = params.describe()
        self._layout = params.layout()
        self._epoch = secrets.token_hex(3)  # the story-id prefix, should this process create the index

    # -- lifecycle --------------------------------------------------------------------------
    def ensure(self) -> None:
        """Create the index's metadata, or refuse an index built with other parameters."""
        meta = self.keys.meta
        self.client.hsetnx(meta, "params", self._describe)
        self.client.hsetnx(meta, "epoch", self._epoch)
        self.client.hsetnx(meta, "bucket_bits", self.bucket_bits)
        self.client.hsetnx(meta, "layout", self._layout)
        have = self.client.hget(meta, "params")
        if have is not None and have.decode() != self._describe:
            raise IndexMismatch(self._mismatch(have.decode()))

    def _mismatch(self, have: str) -> str:
        want = dict(p.split("=", 1) for p in self._describe.split(";"))
        got = dict(p.split("=", 1) for p in have.split(";") if "=" in p)
        diffs = [f"{k}: index {got.get(k)!r}, service {v!r}" for k, v in want.items() if got.get(k) != v]
        return "index parameters differ (" + "; ".join(diffs) + "): use another DEDUPE_NAMESPACE or rebuild"

    def ready(self) -> None:
        """For /readyz: Redis answers and holds this service's index; an empty Redis gets a new, empty index.

        Redis restarted without its data (no persistence, a lost volume) is not an error: it is logged and
        the index is initialised again. An index built with other parameters raises IndexMismatch.
        """
        have = self.client.hget(self.keys.meta, "params")
        if have is None:
            log.warning("index is empty (Redis restarted without its data?): initialising a new one at %s", self.prefix)
            self.ensure()
        elif have.decode() != self._describe:
            raise IndexMismatch(self._mismatch(have.decode()))

    # -- the check --------------------------------------------------------------------------
    def _args(
        self, fp: Fingerprint, meta: ArticleMeta, rules: Rules, store: bool, now: float, retention_s: float,
        event: Event | None = None,
    ) -> list:  # fmt: skip
        version, keep, delivery, _ = _event_args(event)
        return [
            "store" if store else "look", self._describe, self._epoch, self.bucket_bits, self._layout, meta.id,
            fp.signature + fp.lead_signature, fp.shingles, repr(meta.ts),
            int(meta.has_published), meta.published_at or "", meta.title or "", meta.url or "", meta.outlet or "",
            repr(now), _rule_text(rules), repr(now - retention_s), PURGE_PER_WRITE, version, keep, delivery, keep,
            fp.sentences, fp.numbers, meta.wire_id or "", max(1, int(retention_s)),
            meta.text if self.store_text else b"",
        ]  # fmt: skip

    def _raise_mismatch(self, exc: redis.ResponseError) -> None:
        if "DEDUPE_PARAMS" in str(exc):
            raise IndexMismatch(self._mismatch(str(exc).split("[", 1)[1].split("]", 1)[0])) from exc

    def check(
        self, fp: Fingerprint, meta: ArticleMeta, rules: Rules, *, store: bool, now: float, retention_s: float,
        event: Event | None = None,
    ) -> IndexAnswer:  # fmt: skip
        """Score the article against its LSH candidates and, with store=True, index it: one round trip.

        With an `event`, nothing is done when its delivery was applied already (status "replayed") or
        a later event for the id was (status "stale").
        """
        args = self._args(fp, meta, rules, store, now, retention_s, event)
        try:
            reply = self._script(keys=[self.prefix], args=args)
        except redis.ResponseError as exc:
            self._raise_mismatch(exc)
            raise
        return index_answer(reply, fp)

    def check_many(
        self, items: list[tuple[Fingerprint, ArticleMeta]], rules: Rules, *, now: float, retention_s: float,
        stores: list[bool] | None = None,
    ) -> list[IndexAnswer]:  # fmt: skip
        """Check a batch in order, in one pipeline: the bulk path (each article still sees the ones before).
        Each is stored, unless `stores` (one flag per item) says only to look."""
        calls = [
            self._args(fp, meta, rules, True if stores is None else stores[i], now, retention_s)
            for i, (fp, meta) in enumerate(items)
        ]
        replies = self._evalsha_many(calls)
        errors = [r for r in replies if isinstance(r, redis.ResponseError)]
        if errors:
            self._raise_mismatch(errors[0])
            raise errors[0]
        return [index_answer(reply, fp) for reply, (fp, _) in zip(replies, items, strict=True)]

    def _evalsha_many(self, calls: list[list]) -> list:
        """One EVALSHA per call in one pipeline: one round trip (redis-py's own script pipelining sends a SCRIPT
        EXISTS first). Calls refused because the script is not loaded (a restarted Redis) run again once loaded."""
        replies = self._pipeline(calls)
        missing = [i for i, r in enumerate(replies) if isinstance(r, redis.exceptions.NoScriptError)]
        if missing:
            self.client.script_load(_SCRIPT)
            for i, reply in zip(missing, self._pipeline([calls[i] for i in missing]), strict=True):
                replies[i] = reply
        return replies

    def _pipeline(self, calls: list[list]) -> list:
        pipe = self.client.pipeline(transaction=False)
        for args in calls:
            pipe.evalsha(self._script.sha, 1, self.prefix, *args)
        return pipe.execute(raise_on_error=False)

    # -- reads and removals ------------------------------------------------------------------
    def get(self, article_id: str) -> StoredArticle | None:
        number = self.client.hget(self.keys.ids, article_id)
        if number is None:
            return None
        return self._load(int(number))

    def _load(self, number: int) -> StoredArticle | None:
        return stored_article(self.client.get(self.keys.article(number)))

    def story(self, story_id: str) -> list[StoredArticle]:
        """The story's copies, earliest first (the zset orders by time, then arrival number)."""
        members = self.client.zrange(self.keys.story(story_id), 0, -1)
        if not members:
            return []
        records = self.client.mget([self.keys.article(int(m)) for m in members])
        return [a for a in map(stored_article, records) if a is not None]

    def delete(self, article_id: str, event: Event | None = None) -> DeleteStatus:
        """ "deleted", "absent", or with an event "stale" (a later one was applied) or "replayed"."""
        done = int(self._script(keys=[self.prefix], args=["delete", article_id, *_event_args(event)]))
        return _DELETED[done]

    def purge(self, cutoff: float, limit: int = 1000) -> int:
        return int(self._script(keys=[self.prefix], args=["purge", repr(cutoff), limit]))

    def count(self) -> int:
        return int(self.client.hlen(self.keys.ids))
