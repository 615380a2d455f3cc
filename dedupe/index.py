"""The LSH index in Redis: the one place that knows the key layout (see check.lua for it).

Every check is one round trip (one EVALSHA), and every write is atomic, because it happens inside
that script. Redis Cluster: all keys of one index carry the hash tag `{namespace}`, so they share a
slot and the script may touch any of them; an index therefore lives on one shard, and a deployment
scales out by running one index per tenant, language or region, each with its own namespace.
"""

from __future__ import annotations

import hashlib
import logging
import math
import secrets
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import msgpack
import redis

from .fingerprint import Fingerprint, Params
from .models import StoredArticle, format_time

log = logging.getLogger(__name__)
_SCRIPT = (Path(__file__).with_name("check.lua")).read_text()
#: Expired articles removed by each write: retention costs a bounded, constant amount per check.
PURGE_PER_WRITE = 4


class IndexMismatch(RuntimeError):
    """The index in Redis was built with other parameters: its signatures are not comparable."""


@dataclass(frozen=True)
class Rules:
    """When two fingerprints are the same story. Executed inside the check script (see module doc)."""

    jaccard: float
    containment: float
    containment_min_shingles: int
    window_s: float  # measured from the first copy of the candidate's story, not from any copy
    lead_jaccard: float = 1.0
    lead_containment: float = 1.0
    containment_z: float = 0.0  # containment is judged this many standard errors below its estimate
    max_matches: int = 10
    max_candidates: int = 64
    sentences_min: float = 2.0  # shared sentences (a quotation counts half) ...
    sentence_share: float = 1.0  # ... making at least this share of the shorter article's sentences
    long_window_s: float = 0.0  # near-verbatim copies and undated articles join a story this long after it began
    near_jaccard: float = 1.0  # near-verbatim: this Jaccard, or ...
    near_sentence_share: float = 1.0  # ... this share of the shorter article's sentences
    numbers_min: float = 0.0  # below this share of the shorter article's numbers found in the other: not a copy
    copy_cover: float = 0.8  # relation "copy" when this much of the shorter article is in the other, else "version"
    near_numbers_min: float = 0.9  # beyond the window: at least this share of the shorter article's numbers


@dataclass(frozen=True)
class Candidate:
    id: str
    number: int
    similarity: float
    containment: float
    ts: float
    has_published: bool
    story_id: str
    title: str | None
    url: str | None
    outlet: str | None
    published_at: str | None
    evidence: str = ""  # the rule that decided: jaccard | sentences | containment | lead | wire_id
    relation: str = "copy"  # copy (the text was taken) | version (the same wire story, re-topped or updated)
    shared_sentences: int = 0
    sentences: int = 0  # sentences of the shorter of the two articles
    sentence_hashes: bytes = b""  # the match's SENTS (4 bytes a sentence): for the alignment


@dataclass(frozen=True)
class IndexAnswer:
    status: str  # created | updated | unchanged | looked, or for a webhook event: stale | replayed
    number: int | None  # internal arrival number, None when looked up and not stored
    story_id: str | None
    ts: float
    has_published: bool
    matches: list[Candidate]
    sentences: bytes = b""  # the checked article's own sentence hashes (Fingerprint.sentences)


@dataclass(frozen=True)
class ArticleMeta:
    id: str
    ts: float
    has_published: bool
    published_at: str | None
    title: str | None
    url: str | None
    outlet: str | None
    wire_id: str | None = None
    text: bytes = b""  # the story text, compressed (browse.pack_text): stored for the view when the index keeps texts


def _s(value: bytes | None) -> str | None:
    return value.decode("utf-8", "replace") if value else None


# The fields of a stored article (check.lua, RECORD): one MessagePack array in one string key.
ID, SIG, SIZE, TS, HP, PUB, TITLE, URL, OUTLET, AT, STORY, LINKED, SENTS, NUMS, WIRE = range(15)
RECORD_FIELDS = 15


def read_record(raw: bytes | None) -> list | None:
    return None if raw is None else msgpack.unpackb(raw, raw=True)


def _stored(raw: bytes | None) -> StoredArticle | None:
    f = read_record(raw)
    if f is None:
        return None
    return StoredArticle(
        id=f[ID].decode(), story_id=f[STORY].decode(), title=_s(f[TITLE]), url=_s(f[URL]), outlet=_s(f[OUTLET]),
        published_at=_s(f[PUB]), indexed_at=format_time(float(f[AT])) or "", shingles=int(f[SIZE]),
    )  # fmt: skip


def _answer(reply: list, fp: Fingerprint) -> IndexAnswer:
    status, number, story, ts, hp = (x.decode() if isinstance(x, bytes) else x for x in reply[:5])
    slots = len(fp.signature) // 2
    matches = []
    for row in reply[5:]:
        matches.append(
            Candidate(
                id=row[0].decode(), number=int(row[5]), similarity=int(row[1]) / slots,
                containment=float(row[15]), ts=float(row[3]),
                has_published=row[4] == b"1", story_id=row[6].decode(), title=_s(row[7]),
                url=_s(row[8]), outlet=_s(row[9]), published_at=_s(row[10]), evidence=row[11].decode(),
                relation=row[12].decode(), shared_sentences=int(row[13]), sentences=int(row[14]),
                sentence_hashes=row[16],
            )
        )  # fmt: skip
    return IndexAnswer(
        status=status, number=int(number) if number else None, story_id=story or None, ts=float(ts),
        has_published=hp == "1", matches=matches, sentences=fp.sentences,
    )  # fmt: skip


@dataclass(frozen=True)
class Event:
    """A webhook event: its time orders the events of one article; its delivery is applied at most once."""

    version: float | None  # the event's time; None: applied in arrival order
    delivery: str  # Deliveries.key_suffix(webhook-id)
    keep_s: float  # how long the article's last event time and the delivery are remembered


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
        self.prefix = f"dd:{{{namespace}}}:"
        self.bucket_bits = bucket_bits
        self.store_text = store_text  # DEDUPE_STORE_TEXT: keep each article's story text (t:<n>) for the view
        self._script = client.register_script(_SCRIPT)
        self._describe = params.describe()
        self._layout = params.layout()
        self._epoch = secrets.token_hex(3)  # the story-id prefix, should this process create the index

    # -- lifecycle --------------------------------------------------------------------------
    def ensure(self) -> None:
        """Create the index's metadata, or refuse an index built with other parameters."""
        meta = self.prefix + "meta"
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
        have = self.client.hget(self.prefix + "meta", "params")
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
        return _answer(reply, fp)

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
        return [_answer(reply, fp) for reply, (fp, _) in zip(replies, items, strict=True)]

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
        number = self.client.hget(self.prefix + "ids", article_id)
        if number is None:
            return None
        return self._load(int(number))

    def _load(self, number: int) -> StoredArticle | None:
        return _stored(self.client.get(self.prefix + f"a:{number}"))

    def story(self, story_id: str) -> list[StoredArticle]:
        """The story's copies, earliest first (the zset orders by time, then arrival number)."""
        members = self.client.zrange(self.prefix + f"s:{story_id}", 0, -1)
        if not members:
            return []
        records = self.client.mget([self.prefix + f"a:{int(m)}" for m in members])
        return [a for a in map(_stored, records) if a is not None]

    def delete(self, article_id: str, event: Event | None = None) -> str:
        """ "deleted", "absent", or with an event "stale" (a later one was applied) or "replayed"."""
        done = int(self._script(keys=[self.prefix], args=["delete", article_id, *_event_args(event)]))
        return {1: "deleted", 0: "absent", -1: "stale", -2: "replayed"}[done]

    def purge(self, cutoff: float, limit: int = 1000) -> int:
        return int(self._script(keys=[self.prefix], args=["purge", repr(cutoff), limit]))

    def count(self) -> int:
        return int(self.client.hlen(self.prefix + "ids"))


class Deliveries:
    """What the webhook answered to each `webhook-id`, so that a redelivery gets the same answer.

    Whether a delivery was applied is recorded by the check script itself (see Event); the answer is
    stored here afterwards, and recomputed without side effects in the rare case it was not.
    """

    DONE = b"done"  # written by the check script; replaced by the answer once it is stored

    def __init__(self, client: redis.Redis, namespace: str) -> None:
        self.client = client
        self.prefix = f"dd:{{{namespace}}}:wh:"

    @staticmethod
    def key_suffix(webhook_id: str) -> str:
        return hashlib.sha256(webhook_id.encode("utf-8", "replace")).hexdigest()[:32]

    def recall(self, webhook_id: str) -> bytes | None:
        """The stored answer, DONE if applied but not answered yet, or None if never applied."""
        return self.client.get(self.prefix + self.key_suffix(webhook_id))

    def remember(self, webhook_id: str, answer: bytes, ttl_s: float) -> None:
        self.client.set(self.prefix + self.key_suffix(webhook_id), answer, ex=max(1, int(ttl_s)))
