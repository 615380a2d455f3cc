"""The LSH index in Redis: one atomic check script per article (check.lua, lua/), and the reads beside it.

A check is one EVALSHA on the index's matching slot (every key the script touches shares the hash tag
`{namespace}`), where the decision is made and stored atomically. On one server that is all. On a Redis
Cluster (the spread layout, keys.py) a second step follows: one fan-out that writes the article's whole
record and text under its own hash tag, and removes those of the articles the script removed (spread.py).
The script's answer carries everything that step needs: Python never recomputes what the script decided.
"""

from __future__ import annotations

import logging
import math
import secrets
from functools import lru_cache
from typing import Any

import redis

from ..exceptions import IndexMismatch
from ..fingerprint import Fingerprint, Params
from ..models import StoredArticle
from . import cluster, replies
from .keys import Keys
from .records import ArticleMeta, DeleteStatus, Event, IndexAnswer, Rules, index_answer, stored_article
from .script import SCRIPT
from .spread import Spread

log = logging.getLogger(__name__)
#: Expired articles removed (and, spread, articles cooled) by each write: bounded, constant work per check.
PURGE_PER_WRITE = 4
#: Spread layout: how long after the matching rules' longest window an article stays a candidate, for copies
#: that arrive late (published long before they are sent). See docs/cluster.md.
LATE_S = 24 * 3600.0
_DELETED: dict[int, DeleteStatus] = {1: "deleted", 0: "absent", -1: "stale", -2: "replayed"}

#: The check script's arguments by name, in order: check.lua's NAMES.check (a test holds the two equal).
CHECK_ARGS = (
    "mode", "params", "epoch", "bucket_bits", "layout", "id", "sig", "size", "ts", "hp", "pub", "title", "url",
    "outlet", "now", "rules", "purge_cutoff", "purge_limit", "version", "version_ttl", "delivery", "delivery_ttl",
    "sentences", "numbers", "wire", "wire_ttl", "text", "spread", "cool_cutoff",
)  # fmt: skip
DELETE_ARGS = ("mode", "id", "version", "version_ttl", "delivery", "delivery_ttl")
PURGE_ARGS = ("mode", "cutoff", "limit")


def ordered(names: tuple[str, ...], **values: object) -> list[Any]:
    """The script's ARGV from named values: every name given, none unknown, in the script's order."""
    if set(values) != set(names):
        raise ValueError(f"script arguments differ: {sorted(set(values) ^ set(names))}")
    return [values[name] for name in names]


def _event_values(event: Event | None) -> dict[str, object]:
    if event is None:
        return {"version": "", "version_ttl": 0, "delivery": "", "delivery_ttl": 0}
    keep = max(1, int(event.keep_s))
    version = "" if event.version is None else repr(float(event.version))
    return {"version": version, "version_ttl": keep, "delivery": event.delivery, "delivery_ttl": keep}


@lru_cache(maxsize=16)
def _rule_text(rules: Rules) -> str:
    """The rule as the check script reads it (ARGS.rules): built once per Rules, not once per check."""
    return ",".join(map(repr, (
        rules.jaccard, rules.containment, rules.containment_min_shingles, rules.window_s, rules.max_matches,
        rules.max_candidates, rules.lead_jaccard, rules.lead_containment, rules.containment_z, rules.sentences_min,
        rules.sentence_share, rules.long_window_s, rules.near_jaccard, rules.near_sentence_share, rules.numbers_min,
        rules.copy_cover, rules.near_numbers_min,
    )))  # fmt: skip


def horizon_for(rules: Rules, retention_s: float) -> float:
    """How long an article stays a candidate in the spread layout: the longest window a copy may join across,
    plus LATE_S for copies sent late; never more than retention."""
    return min(retention_s, max(rules.window_s, rules.long_window_s) + LATE_S)


def bucket_bits_for(expected_articles: int, params: Params) -> int:
    """Band buckets for about 64 band entries each at the expected size: small Redis hashes stay in their
    compact encoding (up to 128 entries), and a lookup never scans a long one."""
    entries = max(1, expected_articles) * (params.body_bands + params.lead_bands + params.indexed_sentences // 2)
    return min(24, max(8, math.ceil(math.log2(entries / 64))))


class RedisIndex:
    def __init__(
        self, client: redis.Redis, params: Params, namespace: str, bucket_bits: int = 19, store_text: bool = True,
        horizon_s: float | None = None,
    ) -> None:  # fmt: skip
        if not 8 <= bucket_bits <= 24:
            raise ValueError("bucket_bits must be between 8 and 24")
        self.client = client
        self.params = params
        self.keys = Keys(namespace, spread=cluster.is_cluster(client))
        self.prefix = self.keys.prefix
        self.bucket_bits = bucket_bits
        self.store_text = store_text  # DEDUPE_STORE_TEXT: keep each article's story text for the view
        self.horizon_s = horizon_s  # spread layout: None = horizon_for(rules, retention)
        self.spread = Spread(client, self.keys)
        self._script = client.register_script(SCRIPT)
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
        have = replies.text(self.client.hget(meta, "params"))
        if have is not None and have != self._describe:
            raise IndexMismatch(self._mismatch(have))

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
        have = replies.text(self.client.hget(self.keys.meta, "params"))
        if have is None:
            log.warning("index is empty (Redis restarted without its data?): initialising a new one at %s", self.prefix)
            self.ensure()
        elif have != self._describe:
            raise IndexMismatch(self._mismatch(have))

    # -- the check --------------------------------------------------------------------------
    def _args(
        self, fp: Fingerprint, meta: ArticleMeta, rules: Rules, store: bool, now: float, retention_s: float,
        event: Event | None = None,
    ) -> list[Any]:  # fmt: skip
        spread = self.keys.spread
        horizon = self.horizon_s if self.horizon_s is not None else horizon_for(rules, retention_s)
        return ordered(
            CHECK_ARGS, mode="store" if store else "look", params=self._describe, epoch=self._epoch,
            bucket_bits=self.bucket_bits, layout=self._layout, id=meta.id, sig=fp.signature + fp.lead_signature,
            size=fp.shingles, ts=repr(meta.ts), hp=int(meta.has_published), pub=meta.published_at or "",
            title=meta.title or "", url=meta.url or "", outlet=meta.outlet or "", now=repr(now),
            rules=_rule_text(rules), purge_cutoff=repr(now - retention_s), purge_limit=PURGE_PER_WRITE,
            **_event_values(event), sentences=fp.sentences, numbers=fp.numbers, wire=meta.wire_id or "",
            wire_ttl=max(1, int(retention_s)), text=meta.text if self.store_text and not spread else b"",
            spread=int(spread), cool_cutoff=repr(now - horizon) if spread else "",
        )  # fmt: skip

    def _raise_mismatch(self, exc: redis.ResponseError) -> None:
        if "DEDUPE_PARAMS" in str(exc):
            raise IndexMismatch(self._mismatch(str(exc).split("[", 1)[1].split("]", 1)[0])) from exc

    def _run(self, args: list[Any]) -> Any:
        """One script call on the matching slot's master (cluster.call_script: reload, failover, WAIT)."""
        return cluster.call_script(self.client, self._script, self.prefix, args)

    def check(
        self, fp: Fingerprint, meta: ArticleMeta, rules: Rules, *, store: bool, now: float, retention_s: float,
        event: Event | None = None,
    ) -> IndexAnswer:  # fmt: skip
        """Score the article against its LSH candidates and, with store=True, index it: one round trip (two
        when spread: the decision, then the record written beside the article).

        With an `event`, nothing is done when its delivery was applied already (status "replayed") or
        a later event for the id was (status "stale").
        """
        try:
            reply = self._run(self._args(fp, meta, rules, store, now, retention_s, event))
        except redis.ResponseError as exc:
            self._raise_mismatch(exc)
            raise
        answer = index_answer(reply, fp)
        self.spread.apply([(answer, meta.text if self.store_text else b"")], retention_s)
        return answer

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
        results = self._evalsha_many(calls)
        errors = [r for r in results if isinstance(r, redis.ResponseError)]
        if errors:
            self._raise_mismatch(errors[0])
            raise errors[0]
        answers = [index_answer(reply, fp) for reply, (fp, _) in zip(results, items, strict=True)]
        texts = [meta.text if self.store_text else b"" for _, meta in items]
        self.spread.apply(list(zip(answers, texts, strict=True)), retention_s)
        return answers

    def _evalsha_many(self, calls: list[list[Any]]) -> list[Any]:
        """One EVALSHA per call in one pipeline: one round trip (redis-py's own script pipelining sends a SCRIPT
        EXISTS first). Calls refused because the script is not loaded (a restarted Redis, a promoted replica)
        run again once loaded."""
        results = self._pipeline(calls)
        missing = [i for i, r in enumerate(results) if isinstance(r, redis.exceptions.NoScriptError)]
        if missing:
            cluster.load_script(self.client, SCRIPT, self.prefix)
            for i, reply in zip(missing, self._pipeline([calls[i] for i in missing]), strict=True):
                results[i] = reply
        return results

    def _pipeline(self, calls: list[list[Any]]) -> list[Any]:
        pipe = cluster.slot_pipeline(self.client, self.prefix)
        for args in calls:
            pipe.evalsha(self._script.sha, 1, self.prefix, *args)
        wait_ms = getattr(self.client, "wait_ms", 0)  # a cluster's writes may wait for a replica (cluster.py)
        if wait_ms:
            pipe.execute_command("WAIT", 1, wait_ms)
        return cluster.execute(self.client, pipe)[: len(calls)]

    # -- reads and removals ------------------------------------------------------------------
    def get(self, article_id: str) -> StoredArticle | None:
        number = replies.integer(self.client.hget(self.keys.ids, article_id))
        return None if number is None else stored_article(self.spread.records([number])[0])

    def story(self, story_id: str) -> list[StoredArticle]:
        """The story's copies, earliest first (the zset orders by time, then arrival number)."""
        members = replies.items(self.client.zrange(self.keys.story(story_id), 0, -1))
        records = self.spread.records([int(m) for m in members])
        return [a for a in map(stored_article, records) if a is not None]

    def delete(self, article_id: str, event: Event | None = None) -> DeleteStatus:
        """ "deleted", "absent", or with an event "stale" (a later one was applied) or "replayed"."""
        args = ordered(DELETE_ARGS, mode="delete", id=article_id, **_event_values(event))
        done, removed = self._run(args)
        self.spread.remove(replies.numbers(removed))
        return _DELETED[int(done)]

    def purge(self, cutoff: float, limit: int = 1000) -> int:
        count, removed = self._run(ordered(PURGE_ARGS, mode="purge", cutoff=repr(cutoff), limit=limit))
        self.spread.remove(replies.numbers(removed))
        return int(count)

    def count(self) -> int:
        return int(self.client.hlen(self.keys.ids))
