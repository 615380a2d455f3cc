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

from .normalise import normalise_unicode

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
    return openings, _phrases({normalise_unicode(p).lower(): None for p in phrases}), _datelines(data)


def _datelines(data: dict) -> tuple[re.Pattern[str], ...]:
    """The date stamp (the first pattern); then, in one pattern each, the datelines of a paragraph that opens
    with a Latin letter and those of one that does not (the first that matches wins)."""
    names = {*data["agencies"], *(name.upper() for name in data["agencies"] if len(name) >= 4)}  # "(REUTERS)"
    agencies = "|".join(sorted(map(re.escape, names), key=len, reverse=True))
    stamp, *common = (d.replace("AGENCIES", agencies) for d in data["datelines"])
    return (
        re.compile(stamp),
        *(
            re.compile("|".join(f"(?:{d.replace('AGENCIES', agencies)})" for d in [*common, *data[key]]))
            for key in ("datelines_latin", "datelines_other")
        ),
    )


def _phrases(phrases: dict[str, None]) -> Phrases:
    """Phrases in ASCII; in other Latin, Greek or Cyrillic letters (looked for in a paragraph that is not
    ASCII); in other scripts (only in a paragraph that has such letters); cookie notices in any language (only
    where "cookie" is); captcha text (only where "human" or "spam" is)."""
    ascii_: list[str] = []
    latin: list[str] = []
    other: list[str] = []
    cookies: list[str] = []
    captcha: list[str] = []
    for phrase in phrases:
        if "cookie" in phrase:
            cookies.append(phrase)
        elif "human" in phrase or "spam" in phrase:
            captcha.append(phrase)
        elif not phrase.isascii():
            (other if _OTHER_SCRIPTS.search(phrase) else latin).append(phrase)
        else:
            ascii_.append(phrase)
    return Phrases(tuple(ascii_), tuple(latin), tuple(other), tuple(cookies), tuple(captcha))


# Hebrew, Arabic, Indic, Thai... Hangul, kana, Han (not the punctuation between: curly quotes are everywhere)
_OTHER_SCRIPTS = re.compile("[\u0590-\u1fff\u3040-\ud7ff\uf900-\ufaff]")


class Phrases(NamedTuple):
    """The footer phrases, grouped so that a paragraph is searched for those it could hold only."""

    ascii: tuple[str, ...]
    latin: tuple[str, ...]
    other: tuple[str, ...]
    cookies: tuple[str, ...]
    captcha: tuple[str, ...]

    def found_in(self, low: str) -> bool:
        if any(phrase in low for phrase in self.ascii):
            return True
        if "cookie" in low and any(phrase in low for phrase in self.cookies):
            return True
        if ("human" in low or "spam" in low) and any(phrase in low for phrase in self.captcha):
            return True
        if low.isascii():
            return False
        return any(phrase in low for phrase in self.latin) or (
            _OTHER_SCRIPTS.search(low) is not None and any(phrase in low for phrase in self.other)
        )


def is_furniture(paragraph: str, edge: bool = True) -> bool:
    """What an outlet or scraper adds: "Read also", share prompts, breadcrumbs, copyright and syndication
    footers, cookie notices (the phrases are looked for at the `edge` of a page only: a scan of every paragraph
    costs too much)."""
    openings, phrases, _ = compiled()
    size = len(paragraph)
    if size <= 160:
        head = paragraph[:60].lower()
        opening = openings.get(head[:2])
        if opening is not None and opening.match(head):
            return True
        if (">" in paragraph or "›" in paragraph) and paragraph.count(">") + paragraph.count("›") >= 2:
            return True  # a breadcrumb: "Home > News > World"
    if edge and size <= 300 and phrases.found_in(paragraph.lower()):
        return True
    if size > 250:
        return False
    if paragraph.rstrip(" .").endswith(")"):
        return _CAPTION_CREDIT.search(paragraph) is not None
    if paragraph[-1:] == ".":
        return False
    tail = paragraph[-44:]
    return ("/" in tail or ":" in tail or "|" in tail) and _CREDIT_END.search(paragraph) is not None


def strip_dateline(paragraph: str) -> str:
    """The paragraph without the wire dateline that opens it ("MOSCOW (AFP) -", "新华社北京12月1日电"), and
    without a scraper's date stamp before it ("date 2022-01-27 NEW DELHI: ..."): the first pattern."""
    stamp, latin, other = compiled()[2]
    found = stamp.match(paragraph)
    if found and found.end() < len(paragraph):
        paragraph = paragraph[found.end() :]
    found = (latin if paragraph[:1] < "\u0370" else other).match(paragraph)
    return paragraph[found.end() :] if found and found.end() < len(paragraph) else paragraph
