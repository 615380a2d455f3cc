"""The evaluation stream: base articles, their generated copies and look-alikes, with the ground truth.

Ground truth: each copy belongs to the story of its base article; base articles are their own stories, except
those joined by the hand labels in labels/real_copies.csv; look-alikes and recurring reports are new stories.
Everything is seeded: the same seed gives the same stream, byte for byte.
"""

from __future__ import annotations

import csv
import json
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from . import syndicate
from .corpus import Base, load, paragraphs, split_of

LABELS = Path(__file__).with_name("labels") / "real_copies.csv"
#: How many copies a base article gets (most wire stories are picked up by a few outlets; some by none).
COPIES_PER_BASE = {0: 0.15, 1: 0.30, 2: 0.35, 3: 0.20}
LOOKALIKE_SHARE = 0.5  # of template-like base articles
RECURRING_SHARE = 0.15
#: A story is template-like when names and numbers fill at least this share of its words.
TEMPLATE_MIN_SLOTS = 0.08


@dataclass(frozen=True)
class Item:
    id: str
    story: str  # ground-truth story
    kind: str  # original | real_copy | one of syndicate.COPY_KINDS | lookalike | recurring
    split: str  # dev | test
    published: datetime
    title: str
    outlet: str
    text: str | None = None
    html: str | None = None
    wire: tuple[str, Any] | None = None  # ("ninjs", item) or ("xml", document): a wire feed's delivery

    @property
    def raw(self) -> str:
        """What the article's sender sent: the page for HTML copies, the item for wire deliveries, else the text."""
        if self.wire is not None:
            return self.wire[1] if isinstance(self.wire[1], str) else json.dumps(self.wire[1])
        return self.html if self.html is not None else (self.text or "")


def hand_labels(path: Path = LABELS) -> list[tuple[str, str, str]]:
    rows = [line for line in path.read_text().splitlines() if line and not line.startswith("#")]
    return [(f"n{r['earlier_id']}", f"n{r['later_id']}", r["label"]) for r in csv.DictReader(rows)]


def _stories(bases: list[Base]) -> dict[str, str]:
    """Base id -> story id: itself, or the earliest article of its hand-labelled copy group."""
    parent = {b.id: b.id for b in bases}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    order = {b.id: i for i, b in enumerate(bases)}
    for a, b, label in hand_labels():
        if label == "copy" and a in parent and b in parent:
            ra, rb = find(a), find(b)
            if ra != rb:
                first, second = sorted((ra, rb), key=order.__getitem__)
                parent[second] = first
    return {b.id: find(b.id) for b in bases}


def _context(bases: list[Base], paras: dict[str, list[str]]) -> syndicate.Context:
    names: set[str] = set()
    for b in bases:
        names |= syndicate.template_slots(b.text)[0]
    return syndicate.Context(
        titles=[b.title for b in bases],
        paragraphs=[p for b in bases for p in paras[b.id] if 25 <= len(p.split()) <= 70],
        names=sorted(names),
    )


def build(seed: int = 2017, bases: list[Base] | None = None) -> list[Item]:
    """The whole stream (both splits), in publication order."""
    bases = bases if bases is not None else load()
    paras = {b.id: paragraphs(b) for b in bases}
    stories = _stories(bases)
    labelled_later = {b for a, b, label in hand_labels() if label == "copy"}
    ctx = _context(bases, paras)
    items: list[Item] = []
    for b in bases:
        story = stories[b.id]
        split = split_of(story)
        kind = "real_copy" if b.id in labelled_later and story != b.id else "original"
        items.append(Item(b.id, story, kind, split, b.published, b.title, b.outlet, text="\n\n".join(paras[b.id])))
        rng = random.Random(f"{seed}:{b.id}")
        p = paras[b.id]
        n = rng.choices(list(COPIES_PER_BASE), weights=list(COPIES_PER_BASE.values()))[0]
        kinds = [k for k in syndicate.COPY_KINDS if syndicate.eligible(k, p)]
        for k in rng.sample(kinds, min(n, len(kinds))):
            out = syndicate.COPIERS[k](p, b.title, rng, ctx)
            text, title = out if isinstance(out, tuple) else (out, b.title)
            when = b.published + syndicate.copy_delay(rng)
            outlet = rng.choice(syndicate.OUTLETS)
            cid = f"{b.id}.{k}"
            if k == "html":
                items.append(Item(cid, story, k, split, when, title, outlet, html=text))
            elif k in ("ninjs", "nitf"):
                items.append(
                    Item(cid, story, k, split, when, title, outlet, wire=("ninjs" if k == "ninjs" else "xml", text))
                )
            else:
                items.append(Item(cid, story, k, split, when, title, outlet, text=text))
        words = sum(len(x.split()) for x in p)
        slots = syndicate.slot_count(b.text)
        if slots >= TEMPLATE_MIN_SLOTS * words and rng.random() < LOOKALIKE_SHARE:
            text, title = syndicate.lookalike(p, b.title, rng, ctx)
            when = b.published + timedelta(minutes=rng.uniform(10, 12 * 60))
            items.append(Item(f"{b.id}.lookalike", f"{b.id}.lookalike", "lookalike", split, when, title,
                              rng.choice(syndicate.OUTLETS), text=text))  # fmt: skip
        if rng.random() < RECURRING_SHARE:
            days = 1 if rng.random() < 0.7 else 7
            text = syndicate.recurring(p, b.title, rng, ctx, days=days)
            when = b.published + timedelta(days=days, minutes=rng.uniform(-20, 20))
            items.append(Item(f"{b.id}.recurring", f"{b.id}.recurring", "recurring", split, when, b.title,
                              b.outlet, text=text))  # fmt: skip
    items.sort(key=lambda it: (it.published, it.id))
    return items


def sample(items: list[Item], n: int, seed: int = 1) -> list[Item]:
    """About `n` base stories with everything derived from them (copies, look-alikes, recurring reports)."""
    roots = sorted({it.story for it in items if it.kind in ("original", "real_copy")})
    keep = set(random.Random(seed).sample(roots, min(n, len(roots))))
    base_of = {it.id: it.story for it in items if it.kind in ("original", "real_copy")}

    def root(it: Item) -> str:
        return it.story if it.kind not in syndicate.NEGATIVE_KINDS else base_of[it.id.rsplit(".", 1)[0]]

    return [it for it in items if root(it) in keep]
