"""From what an outlet published to the words of the story itself. Pure functions, no I/O.

Syndicated copies differ from the wire original mostly in what wraps the story (headlines, captions,
bylines, datelines, "Source link", comment forms) and in Unicode noise (curly quotes, invisible
characters, look-alike letters). Both are removed here so that the fingerprint sees the story only.
"""

from __future__ import annotations

import html as html_lib
import re
import unicodedata

import trafilatura

#: Pages larger than this are cut before parsing: extraction time must stay bounded.
MAX_HTML_CHARS = 3_000_000
#: Text larger than this is cut: a story is never this long, a hostile body may be.
MAX_TEXT_CHARS = 1_000_000

# Invisible characters that change bytes but not what a reader sees.
_INVISIBLE = dict.fromkeys(
    map(
        ord,
        "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b\u200c\u200d\u200e\u200f"
        "\u202a\u202b\u202c\u202d\u202e\u2060\u2061\u2062\u2063\u2064\u2066\u2067\u2068\u2069"
        "\u206a\u206b\u206c\u206d\u206e\u206f\ufeff\x00",
    ),
    None,
)
# Cyrillic and Greek letters that look like Latin ones: the usual way to slip a copy past a filter.
_HOMOGLYPHS = str.maketrans(
    "АВЕЅІЈКМНОРСТХУаеіјорсхуѕԁһӏԛԝΑΒΕΖΗΙΚΜΝΟΡΤΥΧοαιкνρτυχ",
    "ABESIJKMHOPCTXYaeijopcxysdhlqwABEZHIKMNOPTYXoaikvptux",
)
_TRANSLATE = {**_INVISIBLE, **_HOMOGLYPHS}

# Whole lines that outlets and scrapers add around a story (only short lines are tested: cheap, and safe).
_BOILERPLATE_LINE = re.compile(
    r"""(?:
        source\ link | leave\ a\ (?:reply|comment) | related(?:\ (?:stories|articles|news|coverage))?
      | (?:read|see)\ (?:more|also)\b | share\ (?:this|on)\b | advertisement | sponsored
      | (?:subscribe|sign\ up|follow\ us|click\ here|download\ (?:the|our)\ app)\b
      | your\ email\ address\ will\ not\ be\ published | required\ fields\ are\ marked
      | ©|\(c\)|copyright\b | (?:additional\ )?(?:reporting|writing|editing)\ by\b
      | (?:photo|image|picture|file\ photo|pictured|caption|credit)s?\ ?[:|(]
      | (?:updated|published|posted|last\ updated)\b.{0,60}$
    )""",
    re.IGNORECASE | re.VERBOSE,
)
_BOILERPLATE_PHRASES = ("has not been edited by", "generated from a syndicated feed", "all rights reserved")
_CAPTION_CREDIT = re.compile(
    r"\((?:representational|representative image|file|file photo|photo|afp|ap|reuters|pti|getty(?: images)?)\)\W*$",
    re.IGNORECASE,
)
BOILERPLATE_MAX_CHARS = 250
# "MOSCOW (AFP) -", "NEW DELHI, Jan 27 (Reuters) -", "(AP) --": the wire's dateline opening a story.
_DATELINE = re.compile(
    r"^(?:[A-Z][A-Za-z.'\- ]{1,40}(?:,\s*[A-Z][A-Za-z.]{2,9}\s+\d{1,2})?(?:,\s*\d{4})?\s*)?"
    r"\((?:AFP|AP|Reuters|PTI|IANS|ANI|UNI|Xinhua|dpa|DPA|EFE|ANSA|Bloomberg|TASS|Kyodo|Yonhap)\)\s*[-–—:]+\s*"
)
_CLOSERS = "\"'”’»)] \t"
_SENTENCE_ENDS = tuple(".!?…:;")
# A separator between a digit and exactly three more: "13,000" and "13000" are one token. The pattern starts
# with the separator, and looks behind only once one is found, so the regex engine scans for it quickly.
_THOUSANDS = re.compile(r"[,.\u00a0\u202f'’](?<=\d.)(?=\d{3}(?!\d))")
_NEEDS_TRANSLATE = re.compile("[" + "".join(map(chr, _TRANSLATE)) + "]")
_WORD = re.compile(r"\w+")
#: Lines shorter than this (in words), with no sentence ending, are headlines, labels and captions.
HEADLINE_MAX_WORDS = 16


def html_to_text(page: str) -> str:
    """Main text of an HTML page, one paragraph per line; navigation, lists of links and comments dropped."""
    page = page[:MAX_HTML_CHARS]
    text = trafilatura.extract(
        page, include_comments=False, include_tables=False, favor_precision=True, deduplicate=False
    )
    if not text:
        text = trafilatura.html2txt(page) or ""
    if not text and "<body" not in page.lower():  # a one-element fragment is not parsed unless wrapped
        return html_to_text(f"<html><body>{page}</body></html>")
    return text


def normalise_unicode(text: str) -> str:
    """One spelling for what looks the same: NFKC, invisible characters out, look-alike letters folded."""
    text = text[:MAX_TEXT_CHARS]
    if "&" in text:
        text = html_lib.unescape(text)
    text = _THOUSANDS.sub("", text)  # before NFKC turns NBSP into a space
    if text.isascii():
        return text.replace("\x00", "")
    text = unicodedata.normalize("NFKC", text)
    return text.translate(_TRANSLATE) if _NEEDS_TRANSLATE.search(text) else text


def story_lines(text: str, title: str | None = None) -> list[str]:
    """The paragraphs of the story itself, without the wrapping an outlet or a scraper added."""
    title_key = _key(title) if title else None
    title_first = title_key.split(" ", 1)[0] if title_key else None
    lines: list[str] = []
    seen: set[str] = set()
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line in seen:
            continue
        seen.add(line)
        if len(line) <= BOILERPLATE_MAX_CHARS:
            if _BOILERPLATE_LINE.match(line) or _is_boilerplate_phrase(line):
                continue
            if line.count(" ") < HEADLINE_MAX_WORDS and not line.rstrip(_CLOSERS).endswith(_SENTENCE_ENDS):
                continue
            if title_first and _first_word(line) == title_first and _key(line) == title_key:
                continue
        lines.append(_DATELINE.sub("", line, count=1) if "(" in line[:80] else line)  # datelines have "(AFP)"
    return lines


def _is_boilerplate_phrase(line: str) -> bool:
    low = line.lower()
    if any(phrase in low for phrase in _BOILERPLATE_PHRASES):
        return True
    return line.rstrip(" .").endswith(")") and _CAPTION_CREDIT.search(line) is not None


def tokens(lines: list[str]) -> list[str]:
    """Lower-cased words of normalised lines."""
    return _WORD.findall("\n".join(lines).lower())


def story_text(text: str | None = None, html: str | None = None, title: str | None = None) -> str:
    """The whole text pipeline: extract, normalise, drop boilerplate; lower-cased, one paragraph per line."""
    body = html_to_text(html) if html and not (text and text.strip()) else (text or "")
    title = normalise_unicode(title) if title else None
    return "\n".join(story_lines(normalise_unicode(body), title)).lower()


def article_tokens(text: str | None = None, html: str | None = None, title: str | None = None) -> list[str]:
    """The words of story_text: what the fingerprint hashes (fingerprint.word_hashes splits alike)."""
    return _WORD.findall(story_text(text, html, title))


def _key(line: str) -> str:
    return " ".join(_WORD.findall(line.casefold()))


def _first_word(line: str) -> str | None:
    # a tenth of _key's cost: most lines are told apart from the title by their first word
    first = _WORD.search(line.casefold())
    return first.group() if first else None
