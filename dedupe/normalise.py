"""One spelling for what looks the same, and the text of an HTML page. Pure functions, no I/O.

Copies of one story differ in curly quotes, invisible characters, look-alike letters, thousands separators,
wire control characters, and traditional or simplified Chinese characters: all of it is folded here, before
the text layer (text.py) looks for the story's paragraphs.
"""

from __future__ import annotations

import html as html_lib
import re
import unicodedata
from functools import cache

import trafilatura
from opencc import OpenCC

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
# Cyrillic and Greek letters that look like Latin ones: the usual way to slip a copy past a filter. Only
# folded inside words that are otherwise Latin, so Russian, Ukrainian and Greek text keeps its letters.
_HOMOGLYPHS = str.maketrans(
    "АВЕЅІЈКМНОРСТХУаеіјорсхуѕԁһӏԛԝΑΒΕΖΗΙΚΜΝΟΡΤΥΧοαιкνρτυχ",
    "ABESIJKMHOPCTXYaeijopcxysdhlqwABEZHIKMNOPTYXoaikvptux",
)
_LOOKALIKE = "".join(map(chr, _HOMOGLYPHS))
# A look-alike letter touching a Latin one: the mark of a disguised Latin word (a linear scan, no backtracking).
_MIXED = re.compile(rf"[A-Za-z][{_LOOKALIKE}]|[{_LOOKALIKE}][A-Za-z]")
# Wire transmission control characters (IPTC 7901 / ANPA 1312: SOH, STX, ETX, EOT, SYN...) end lines.
_CONTROL = re.compile(r"[\x01-\x08\x0b\x0c\x0e-\x1f\x7f\x85\u2028\u2029]")
# A separator between a digit and exactly three more: "13,000" and "13000" are one token. The pattern starts
# with the separator, and looks behind only once one is found, so the regex engine scans for it quickly.
_THOUSANDS = re.compile(r"[,.\u00a0\u202f'’](?<=\d.)(?=\d{3}(?!\d))")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
# Content farms gloss characters with their pinyin, "国(guó)务(wù)院": the glosses are not the story.
_PINYIN_GLOSS = re.compile(r"(?<=[\u3400-\u9fff])\([a-zA-Zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹ]{1,7}\)")
_INVISIBLE_CHAR = re.compile("[" + "".join(map(chr, _INVISIBLE)) + "]")
_WORD = re.compile(r"\w+")
_LOOKALIKE_CHAR = re.compile(f"[{_LOOKALIKE}]")
_UNUSUAL = re.compile(
    "[" + "".join(map(chr, _INVISIBLE)) + _LOOKALIKE + r"\x01-\x08\x0b\x0c\x0e-\x1f\x7f\x85\u2028\u2029"
    r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"
)


@cache
def _opencc() -> OpenCC:
    return OpenCC("t2s")


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
    """One spelling for what looks the same: NFKC, invisible characters out, look-alike letters folded inside
    Latin words, traditional Chinese characters as simplified ones, wire control characters as line ends."""
    text = text[:MAX_TEXT_CHARS]
    if "&" in text:
        text = html_lib.unescape(text)
    text = _THOUSANDS.sub("", text)  # before NFKC turns NBSP into a space
    if text.isascii():
        return _CONTROL.sub("\n", text) if _CONTROL.search(text) else text.replace("\x00", "")
    text = unicodedata.normalize("NFKC", text)
    if not _UNUSUAL.search(text):  # one scan decides for most texts that nothing below applies
        return text
    if _INVISIBLE_CHAR.search(text):
        text = text.translate(_INVISIBLE)
    text = _CONTROL.sub("\n", text)
    if _LOOKALIKE_CHAR.search(text) and _MIXED.search(text):
        text = _WORD.sub(lambda m: m.group().translate(_HOMOGLYPHS) if _MIXED.search(m.group()) else m.group(), text)
    if _HAN.search(text):  # OpenCC takes UTF-8: a lone surrogate (legal in JSON) would not encode
        text = _opencc().convert(_PINYIN_GLOSS.sub("", text).encode("utf-8", "replace").decode("utf-8"))
    return text
