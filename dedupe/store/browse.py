"""Reads for the newsroom view (/ui): recent stories, a story's copies, an article and its text, search.

Reads only keys that check.lua writes (see its Layout: `recent`, `s:<story>`, `a:<n>`, `t:<n>`, `ids`, `u`,
`age`). Every call is at most three pipelined round trips over a bounded number of keys, whatever the size of
the index: the newest RECENT stories, at most STORY_COPIES copies of a story, titles searched over the newest
TITLE_SCAN articles only.
"""

from __future__ import annotations

import logging
import secrets
import zlib
from dataclasses import dataclass

import redis

from ..alignment import Alignment, align, unpack
from ..fingerprint import containment, jaccard
from ..models import format_time
from . import replies
from .keys import HP, ID, OUTLET, PUB, SENTS, SIG, SIZE, STORY, TITLE, TS, URL, Keys, read_record
from .spread import Spread

log = logging.getLogger(__name__)
RECENT = 30  # stories on the recent page
SUMMARY_COPIES = 50  # copies read per story there (outlets beyond them are not counted)
STORY_COPIES = 200  # copies read for a story page
TITLE_SCAN = 2000  # a title search looks at the newest this many articles
MAX_RESULTS = 50


def pack_text(text: str) -> bytes:
    """A story text as stored under t:<n> (DEDUPE_STORE_TEXT): zlib, about 2 KB for a 700-word story."""
    return zlib.compress(text.encode("utf-8", "surrogatepass"), 6)


def unpack_text(raw: bytes) -> str:
    return zlib.decompress(raw).decode("utf-8", "replace")


def _s(value: bytes) -> str | None:
    return value.decode("utf-8", "replace") if value else None


@dataclass(frozen=True)
class Copy:
    """One stored article, as the view shows it."""

    number: int
    id: str
    story_id: str
    title: str | None
    url: str | None
    outlet: str | None
    published_at: str | None  # RFC 3339, or None when the sender gave no date (ts is then its arrival)
    ts: float
    sentences: list[int]
    signature: bytes
    shingles: int

    @property
    def when(self) -> str:
        return format_time(self.ts) or ""


def read_copy(number: int, raw: bytes | None) -> Copy | None:
    f = read_record(raw)
    if f is None:
        return None
    return Copy(
        number=number, id=f[ID].decode("utf-8", "replace"), story_id=f[STORY].decode(), title=_s(f[TITLE]),
        url=_s(f[URL]), outlet=_s(f[OUTLET]), published_at=_s(f[PUB]) if f[HP] == b"1" else None, ts=float(f[TS]),
        sentences=unpack(f[SENTS]), signature=f[SIG], shingles=int(f[SIZE]),
    )  # fmt: skip


@dataclass(frozen=True)
class Relation:
    """How a later copy relates to the story's first: the check's measures, recomputed from the two records."""

    relation: str  # copy | version, by the check's rule (DEDUPE_COPY_COVER)
    carried: float  # share of the first copy's sentences found in this one
    similarity: float
    alignment: Alignment


def relation_of(copy: Copy, first: Copy, num_perm: int, copy_cover: float) -> Relation:
    body = 2 * num_perm
    j = jaccard(copy.signature[:body], first.signature[:body])
    c = containment(j, copy.shingles, first.shingles)
    a = align(copy.sentences, first.sentences)
    quoted = sum(1 for h in copy.sentences if h & 1 and h in set(first.sentences))
    smaller = min(len(copy.sentences), len(first.sentences))
    share = min(1.0, (a.shared - quoted / 2) / smaller) if smaller else 0.0
    return Relation(
        relation="copy" if max(share, c) >= copy_cover else "version",
        carried=a.shared / len(first.sentences) if first.sentences else 0.0, similarity=j, alignment=a,
    )  # fmt: skip


@dataclass(frozen=True)
class StorySummary:
    story_id: str
    updated: float  # arrival time of its last stored copy
    first: Copy
    newest: Copy
    copies: int
    outlets: int  # distinct outlets among its first SUMMARY_COPIES copies

    @property
    def updated_at(self) -> str:
        return format_time(self.updated) or ""


class Browse:
    def __init__(self, client: redis.Redis, keys: Keys) -> None:
        self.client = client
        self.keys = keys
        self.spread = Spread(client, keys)  # whole records and texts: in the matching slot, or spread

    def session_secret(self) -> str:
        """One random key for every worker and instance on this Redis (set once, kept in the index's meta
        hash); one per process when Redis cannot be reached."""
        try:
            self.client.hsetnx(self.keys.meta, "ui_secret", secrets.token_hex(32))
            return replies.text(self.client.hget(self.keys.meta, "ui_secret")) or secrets.token_hex(32)
        except redis.RedisError as exc:
            log.warning("view session key not shared (Redis: %s): logins hold on this worker only", exc)
            return secrets.token_hex(32)

    def _copies(self, numbers: list[int]) -> dict[int, Copy]:
        if not numbers:
            return {}
        raws = self.spread.records(numbers)
        found = (read_copy(n, raw) for n, raw in zip(numbers, raws, strict=True))
        return {c.number: c for c in found if c is not None}

    def recent(self, limit: int = RECENT) -> list[StorySummary]:
        """The stories with the most recently stored copies, newest first."""
        stories = replies.pairs(self.client.zrevrange(self.keys.recent, 0, limit - 1, withscores=True))
        pipe = self.client.pipeline(transaction=False)
        for story, _ in stories:
            key = self.keys.story(story.decode())
            pipe.zrange(key, 0, SUMMARY_COPIES - 1)
            pipe.zrange(key, -1, -1)
            pipe.zcard(key)
        got = pipe.execute() if stories else []
        members = [[int(m) for m in got[i] + got[i + 1]] for i in range(0, len(got), 3)]
        copies = self._copies(sorted({n for ms in members for n in ms}))
        out = []
        for (story, updated), ms, count in zip(stories, members, got[2::3], strict=True):
            shown = [copies[n] for n in ms if n in copies]
            if shown:
                outlets = {c.outlet or "" for c in shown[:-1] or shown}
                out.append(StorySummary(story.decode(), updated, shown[0], shown[-1], int(count), len(outlets)))
        return out

    def story(self, story_id: str) -> list[Copy]:
        """A story's copies, earliest first (at most STORY_COPIES)."""
        members = replies.items(self.client.zrange(self.keys.story(story_id), 0, STORY_COPIES - 1))
        copies = self._copies([int(m) for m in members])
        return [copies[int(m)] for m in members if int(m) in copies]

    def article(self, article_id: str) -> Copy | None:
        number = replies.integer(self.client.hget(self.keys.ids, article_id))
        return self._copies([number]).get(number) if number is not None else None

    def texts(self, numbers: list[int]) -> list[str | None]:
        """The stored story texts (None where none is kept: DEDUPE_STORE_TEXT off, or stored before it was on)."""
        raws = self.spread.texts(numbers)
        return [None if raw is None else unpack_text(raw) for raw in raws]

    def search(self, query: str) -> list[Copy]:
        """The article whose id or URL is `query`; else those of the newest TITLE_SCAN whose title holds it."""
        query = query.strip()
        if not query:
            return []
        pipe = self.client.pipeline(transaction=False)
        pipe.hget(self.keys.ids, query)
        pipe.hget(self.keys.urls, query)
        exact = list(dict.fromkeys(int(n) for n in pipe.execute() if n is not None))
        if exact:
            copies = self._copies(exact)
            return [copies[n] for n in exact if n in copies]
        newest = [int(n) for n in replies.items(self.client.zrevrange(self.keys.age, 0, TITLE_SCAN - 1))]
        raws = self.spread.records(newest)
        needle, hits = query.casefold(), []
        for n, raw in zip(newest, raws, strict=True):
            copy = read_copy(n, raw)
            if copy is not None and needle in (copy.title or "").casefold():
                hits.append(copy)
                if len(hits) == MAX_RESULTS:
                    break
        return hits
