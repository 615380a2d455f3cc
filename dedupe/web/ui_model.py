"""What the view's pages show, computed from Browse's reads: the story timeline (an SVG drawn server-side),
each copy's relation to the first, and the copy page's sentences side by side. No HTTP, no Redis."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from ..alignment import Alignment, Sentence, align, split
from ..fingerprint import MIN_SENTENCE_TOKENS
from ..models import format_time
from ..store.browse import Copy, Relation, relation_of

WIDTH, LEFT, RIGHT, ROW, TOP = 720, 170, 20, 26, 24  # the timeline's geometry, in SVG user units


def safe_url(url: str | None) -> str | None:
    """A link target only when it is http(s): an outlet's `javascript:` or `data:` URL is shown, never linked."""
    if not url:
        return None
    try:
        scheme = urlsplit(url.strip()).scheme.lower()
    except ValueError:
        return None
    return url.strip() if scheme in ("http", "https") else None


@dataclass(frozen=True)
class Row:
    copy: Copy
    relation: Relation | None  # None for the first copy


def rows(copies: list[Copy], num_perm: int, copy_cover: float) -> list[Row]:
    first = copies[0]
    return [Row(c, None if c is first else relation_of(c, first, num_perm, copy_cover)) for c in copies]


@dataclass(frozen=True)
class Dot:
    x: float
    y: float
    kind: str  # first | copy | version
    copy: Copy


@dataclass(frozen=True)
class Timeline:
    width: int
    height: int
    lanes: list[tuple[str, float]]  # outlet label, y
    dots: list[Dot]
    ticks: list[tuple[float, str, str]]  # x, label (UTC), text-anchor


def timeline(story_rows: list[Row]) -> Timeline:
    """Copies by outlet (one lane each, in order of first appearance) against time, first to last copy."""
    outlets = list(dict.fromkeys(r.copy.outlet or "(no outlet)" for r in story_rows))
    lane = {o: TOP + i * ROW for i, o in enumerate(outlets)}
    t0, t1 = story_rows[0].copy.ts, max(r.copy.ts for r in story_rows)
    span = WIDTH - LEFT - RIGHT

    def x(ts: float) -> float:
        return LEFT + (span * (ts - t0) / (t1 - t0) if t1 > t0 else span / 2)

    dots = [
        Dot(round(x(r.copy.ts), 1), lane[r.copy.outlet or "(no outlet)"],
            "first" if r.relation is None else r.relation.relation, r.copy)
        for r in story_rows
    ]  # fmt: skip
    times = (t0, (t0 + t1) / 2, t1) if t1 > t0 else (t0,)
    anchors = ("start", "middle", "end") if len(times) == 3 else ("middle",)
    ticks = [
        (round(x(t), 1), (format_time(t) or "")[:16].replace("T", " "), a) for t, a in zip(times, anchors, strict=True)
    ]
    return Timeline(WIDTH, TOP + len(outlets) * ROW + 10, [(o, y) for o, y in lane.items()], dots, ticks)


@dataclass(frozen=True)
class Marked:
    text: str
    mark: str  # shared | added (the copy's own) | cut (the earlier one's, not in the copy) | plain (too short)


def _long(sentence: Sentence) -> bool:
    return sentence.tokens >= MIN_SENTENCE_TOKENS


def mark(text: str, other: str, own: str) -> list[Marked]:
    """`text` in the fingerprint's sentences, each marked shared when `other` holds it, else `own`."""
    theirs = {s.value for s in split(other) if _long(s)}
    return [Marked(s.text, ("shared" if s.value in theirs else own) if _long(s) else "plain") for s in split(text)]


@dataclass(frozen=True)
class SideBySide:
    copy: list[Marked] | None  # None: no text stored
    earlier: list[Marked] | None
    alignment: Alignment


def side_by_side(copy: Copy, earlier: Copy, copy_text: str | None, earlier_text: str | None) -> SideBySide:
    return SideBySide(
        copy=mark(copy_text, earlier_text, "added") if copy_text is not None and earlier_text is not None else None,
        earlier=mark(earlier_text, copy_text, "cut") if copy_text is not None and earlier_text is not None else None,
        alignment=align(copy.sentences, earlier.sentences),
    )
