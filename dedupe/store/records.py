"""What the index takes and gives: the rules, an article's metadata, a webhook event, and the check
script's answer decoded into typed values."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, cast, get_args

from ..fingerprint import Fingerprint
from ..models import StoredArticle, format_time
from .keys import AT, ID, OUTLET, PUB, SIZE, STORY, TITLE, URL, read_record

#: What a check did: created, updated or unchanged an article, or only looked; for a webhook event, also
#: stale (a later event for its id was applied) or replayed (this delivery was applied already).
CheckStatus = Literal["created", "updated", "unchanged", "looked", "stale", "replayed"]
STATUSES = frozenset(get_args(CheckStatus))
#: What a removal did (see RedisIndex.delete).
DeleteStatus = Literal["deleted", "absent", "stale", "replayed"]


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
    status: CheckStatus
    number: int | None  # internal arrival number, None when looked up and not stored
    story_id: str | None
    ts: float
    has_published: bool
    matches: list[Candidate]
    sentences: bytes = b""  # the checked article's own sentence hashes (Fingerprint.sentences)
    record: bytes = b""  # spread layout: the record the script stored, for the article's own key (spread.py)
    removed: tuple[int, ...] = ()  # spread layout: articles the script removed, whose own keys go too


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


def stored_article(raw: bytes | None) -> StoredArticle | None:
    f = read_record(raw)
    if f is None:
        return None
    return StoredArticle(
        id=f[ID].decode(), story_id=f[STORY].decode(), title=_s(f[TITLE]), url=_s(f[URL]), outlet=_s(f[OUTLET]),
        published_at=_s(f[PUB]), indexed_at=format_time(float(f[AT])) or "", shingles=int(f[SIZE]),
    )  # fmt: skip


def _match(row: list[Any], slots: int) -> Candidate:
    """One match row of the check script (see the end of check.lua)."""
    return Candidate(
        id=row[0].decode(), number=int(row[5]), similarity=int(row[1]) / slots, containment=float(row[15]),
        ts=float(row[3]), has_published=row[4] == b"1", story_id=row[6].decode(), title=_s(row[7]), url=_s(row[8]),
        outlet=_s(row[9]), published_at=_s(row[10]), evidence=row[11].decode(), relation=row[12].decode(),
        shared_sentences=int(row[13]), sentences=int(row[14]), sentence_hashes=row[16],
    )  # fmt: skip


def index_answer(reply: list[Any], fp: Fingerprint) -> IndexAnswer:
    """The check script's answer: status, number, story, time, dated, record, removed, then the match rows."""
    status, number, story, ts, hp = (x.decode() if isinstance(x, bytes) else str(x) for x in reply[:5])
    if status not in STATUSES:
        raise ValueError(f"check script answered an unknown status {status!r}")
    slots = len(fp.signature) // 2
    return IndexAnswer(
        status=cast(CheckStatus, status), number=int(number) if number else None, story_id=story or None,
        ts=float(ts), has_published=hp == "1", matches=[_match(row, slots) for row in reply[7:]],
        sentences=fp.sentences, record=reply[5] or b"", removed=tuple(int(n) for n in reply[6].split(b",") if n),
    )  # fmt: skip


@dataclass(frozen=True)
class Event:
    """A webhook event: its time orders the events of one article; its delivery is applied at most once."""

    version: float | None  # the event's time; None: applied in arrival order
    delivery: str  # Deliveries.key_suffix(webhook-id)
    keep_s: float  # how long the article's last event time and the delivery are remembered
