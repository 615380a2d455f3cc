"""Seeded synthetic news articles (500-900 words, Zipfian vocabulary) with injected syndicated copies.

Nothing here reads the network or a data set: the vocabulary is made of generated syllable words ranked by a
Zipf law (s = 1.07, about what English news shows), so word frequencies, sentence lengths and shingle counts
look like news without shipping any text. Copies are the kinds the service meets: the wire story re-published
with outlet boilerplate and Unicode noise, a brief cut to its first paragraphs, and a lightly edited rewrite.
"""

from __future__ import annotations

import itertools
import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

VOCAB_SIZE = 30_000
ZIPF_S = 1.07
_SYLLABLES = [c + v for c in "bcdfghjklmnprstvwz" for v in ("a", "e", "i", "o", "u", "ai", "ou", "ea")]
_CITIES = ["MOSCOW", "NEW DELHI", "PARIS", "LAGOS", "LIMA", "SEOUL", "NAIROBI", "OTTAWA", "CANBERRA", "QUITO"]
_AGENCIES = ["AFP", "Reuters", "AP", "PTI", "dpa"]
_BOILERPLATE = [
    "Source link",
    "Leave a Reply",
    "Your email address will not be published. Required fields are marked *",
    "Related stories",
    "Share this article",
    "Advertisement",
    "(This story has not been edited by our staff and is auto-generated from a syndicated feed.)",
    "Photo: File image (Representational)",
    "Follow us on social media",
]


@dataclass(frozen=True)
class Article:
    id: str
    title: str
    text: str
    kind: str  # original | syndicated | brief | edited
    source: str | None  # the original's id, for copies

    def words(self) -> int:
        return len(self.text.split())

    def payload(self) -> dict:
        """The article as /v1/check (and the backfill JSONL) carry it."""
        return {"id": self.id, "title": self.title, "text": self.text, "outlet": "bench", "url": None}


class Corpus:
    """A seeded article generator: the same seed gives the same articles, in the same order."""

    def __init__(self, seed: int = 42, copy_rate: float = 0.15) -> None:
        rng = random.Random(seed)
        words: set[str] = set()
        while len(words) < VOCAB_SIZE:
            words.add("".join(rng.choices(_SYLLABLES, k=rng.choice((1, 2, 2, 3, 3, 3, 4)))))
        self.vocab = sorted(words, key=lambda w: (len(w), w))  # short words most frequent, as in real text
        self.cum = list(itertools.accumulate(1.0 / (r**ZIPF_S) for r in range(1, VOCAB_SIZE + 1)))
        self.seed = seed
        self.copy_rate = copy_rate

    # -- one article ---------------------------------------------------------------------------
    def _sentence(self, rng: random.Random) -> str:
        words = rng.choices(self.vocab, cum_weights=self.cum, k=rng.randint(9, 30))
        if rng.random() < 0.3:  # numbers, some with thousands separators
            words[rng.randrange(len(words))] = f"{rng.randint(1, 99_999):,}"
        words[0] = words[0].capitalize()
        return " ".join(words) + rng.choice(".........?!")

    def original(self, rng: random.Random, ident: str) -> Article:
        target = rng.randint(500, 900)
        paragraphs, count = [], 0
        while count < target:
            para = " ".join(self._sentence(rng) for _ in range(rng.randint(2, 4))).split(" ")
            para = para[: target - count]  # the last paragraph is cut to land on the target length
            paragraphs.append(" ".join(para).rstrip(".?!,") + ".")
            count += len(para)
        title = " ".join(rng.choices(self.vocab, cum_weights=self.cum, k=rng.randint(6, 11))).capitalize()
        paragraphs[0] = f"{rng.choice(_CITIES)} ({rng.choice(_AGENCIES)}) - {paragraphs[0]}"
        return Article(ident, title, "\n\n".join(paragraphs), "original", None)

    def copy(self, rng: random.Random, src: Article, ident: str) -> Article:
        paragraphs = src.text.split("\n\n")
        kind = rng.choice(("syndicated", "syndicated", "brief", "edited"))
        if kind == "brief":
            paragraphs = paragraphs[: rng.randint(4, 6)]
        elif kind == "edited":
            for _ in range(rng.randint(2, 5)):
                i = rng.randrange(len(paragraphs))
                paragraphs[i] = paragraphs[i] + " " + self._sentence(rng)
        else:  # re-published: headline twice, outlet boilerplate, curly quotes and invisible characters
            paragraphs = [src.title, src.title, *paragraphs, *rng.sample(_BOILERPLATE, 3)]
            i = rng.randrange(2, len(paragraphs) - 3)
            paragraphs[i] = paragraphs[i].replace(" ", " \u201c", 1).replace(". ", "\u201d. ", 1) + "\u200b"
        return Article(ident, src.title, "\n\n".join(paragraphs), kind, src.id)

    # -- streams -----------------------------------------------------------------------------
    def articles(self, n: int, prefix: str = "a", stream: int = 0) -> Iterator[Article]:
        """n articles; about copy_rate of them are copies of one of the last 200 originals."""
        rng = random.Random(f"{self.seed}/{prefix}/{stream}")
        recent: list[Article] = []
        for i in range(n):
            ident = f"{prefix}{stream}-{i}"
            if recent and rng.random() < self.copy_rate:
                yield self.copy(rng, rng.choice(recent), ident)
                continue
            art = self.original(rng, ident)
            recent.append(art)
            if len(recent) > 200:
                recent.pop(0)
            yield art

    def write_jsonl(self, path: Path, n: int, prefix: str = "bf") -> Path:
        with path.open("w", encoding="utf-8") as f:
            for art in self.articles(n, prefix=prefix):
                f.write(json.dumps(art.payload(), ensure_ascii=False) + "\n")
        return path
