"""What outlets and scrapers put around a story, recognised per paragraph: the per-language data of
dedupe/data/furniture.json ("Read also", share prompts, cookie notices, footers, datelines), compiled once.

The data is written as people type it (full-width colons, traditional or Japanese characters); it is put
through the same normalisation as the text it is matched against (text.normalise_unicode), so "編集：" in the
data finds "编辑:" in a normalised page.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import NamedTuple

FURNITURE = Path(__file__).with_name("data") / "furniture.json"
_CAPTION_CREDIT = re.compile(
    r"\((?:representational(?: image)?|representative image|file|file photo|file image|photo|image|pic|picture"
    r"|afp|ap|reuters|pti|ani|ians|getty(?: images)?|epa|xinhua|ap photo[^()]*|reuters photo[^()]*|photo by [^()]*)"
    r"(?:\s*[/:|,]\s*[^()]{1,40})?\)\W*$",
    re.IGNORECASE,
)
# ... or a credit at its end, without brackets: "Miguel Díaz-Canel Bermúdez Foto/ ACN", "... Photo: Reuters"
_CREDIT_END = re.compile(
    r"\b(?i:foto|photo|фото|bild|imagen|image|credit|crédit)\s*[:/|]\s*[A-ZÀ-ÖØ-ÞА-ЯЁІЇЄҐ][^.!?:/|]{0,40}$"
)  # the credit names someone: a capital after the mark


@cache
def compiled() -> tuple[dict[str, re.Pattern[str]], Phrases, tuple[re.Pattern[str], ...]]:
    """The per-language furniture data, compiled once: line openings (one pattern per first two letters, so a
    paragraph is tested against a handful, not hundreds), phrases (by script), datelines."""
    from .text import normalise_unicode  # the text module imports this one

    data = json.loads(FURNITURE.read_text(encoding="utf-8"))
    starts: list[str] = []
    phrases: list[str] = []
    for rules in data.values():
        if isinstance(rules, dict):
            starts += rules.get("lines", [])
            phrases += rules.get("phrases", [])
    by_prefix: dict[str, list[str]] = {}
    for start in {normalise_unicode(s).lower() for s in starts}:
        # an opening that ends in a letter must end a word there: "related" is not "relatedly"
        by_prefix.setdefault(start[:2], []).append(re.escape(start) + (r"(?!\w)" if start[-1].isalnum() else ""))
    openings = {k: re.compile("|".join(sorted(v, key=len, reverse=True))) for k, v in by_prefix.items()}
    names = {*data["agencies"], *(name.upper() for name in data["agencies"] if len(name) >= 4)}  # "(REUTERS)"
    agencies = "|".join(sorted(map(re.escape, names), key=len, reverse=True))
    datelines = tuple(re.compile(d.replace("AGENCIES", agencies)) for d in data["datelines"])
    # phrases in ASCII; in other Latin, Greek or Cyrillic letters (looked for in a paragraph that is not ASCII);
    # in other scripts (only in a paragraph that has such letters)
    ascii_: list[str] = []
    latin: list[str] = []
    other: list[str] = []
    cookies: list[str] = []  # cookie notices, in many languages: looked for only where "cookie" is
    for phrase in {normalise_unicode(p).lower(): None for p in phrases}:
        if "cookie" in phrase:
            cookies.append(phrase)
        elif not phrase.isascii():
            (latin if max(phrase) < _OTHER_SCRIPTS else other).append(phrase)
        else:
            ascii_.append(phrase)
    return openings, Phrases(tuple(ascii_), tuple(latin), tuple(other), tuple(cookies)), datelines


_OTHER_SCRIPTS = "\u0590"  # Hebrew, Arabic, Indic, Thai, Hangul, kana, Han... come after this


class Phrases(NamedTuple):
    """The footer phrases, grouped so that a paragraph is searched for those it could hold only."""

    ascii: tuple[str, ...]
    latin: tuple[str, ...]
    other: tuple[str, ...]
    cookies: tuple[str, ...]

    def found_in(self, low: str) -> bool:
        if any(phrase in low for phrase in self.ascii):
            return True
        if "cookie" in low and any(phrase in low for phrase in self.cookies):
            return True
        if low.isascii():
            return False
        return any(phrase in low for phrase in self.latin) or (
            max(low) >= _OTHER_SCRIPTS and any(phrase in low for phrase in self.other)
        )


def is_furniture(paragraph: str, edge: bool = True) -> bool:
    """What an outlet or scraper adds: "Read also", share prompts, breadcrumbs, copyright and syndication
    footers, cookie notices (the phrases are looked for at the `edge` of a page only: a scan of every paragraph
    costs too much)."""
    openings, phrases, _ = compiled()
    if len(paragraph) <= 160:
        if paragraph.count(">") + paragraph.count("›") >= 2:  # a breadcrumb: "Home > News > World"
            return True
        head = paragraph[:60].lower()
        opening = openings.get(head[:2])
        if opening is not None and opening.match(head):
            return True
    if edge and len(paragraph) <= 300:
        low = paragraph.lower()
        if phrases.found_in(low):
            return True
    if len(paragraph) > 250:
        return False
    if paragraph.rstrip(" .").endswith(")"):
        return _CAPTION_CREDIT.search(paragraph) is not None
    return not paragraph.endswith(".") and _CREDIT_END.search(paragraph) is not None


def strip_dateline(paragraph: str) -> str:
    """The paragraph without the wire dateline that opens it ("MOSCOW (AFP) -", "新华社北京12月1日电"), and
    without a scraper's date stamp before it ("date 2022-01-27 NEW DELHI: ..."): the first pattern."""
    for n, pattern in enumerate(compiled()[2]):
        found = pattern.match(paragraph)
        if found and found.end() < len(paragraph):
            paragraph = paragraph[found.end() :]
            if n:  # a dateline: done (after the date stamp, the datelines are still looked for)
                return paragraph
    return paragraph
