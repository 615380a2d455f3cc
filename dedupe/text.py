"""From what an outlet or a wire feed sent to the paragraphs of the story itself. Pure functions, no I/O.

Copies of one wire story differ mostly in what wraps it and in how it is laid out: headlines, captions,
bylines, datelines and "Read also" blocks; one paragraph per line, hard-wrapped at 70 columns with
indented paragraphs, or one block; curly quotes, invisible characters, look-alike letters; traditional or
simplified Chinese characters. All of that is undone here, so that the fingerprint sees the story only.
"""

from __future__ import annotations

import re
from collections import Counter

from .furniture import is_furniture, strip_dateline
from .normalise import html_to_text, normalise_unicode

_WORD = re.compile(r"\w+")
# Scripts written without spaces between words: counted by characters, not words, when judging length.
_UNSPACED = re.compile(r"[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
#: Sentence ends of every script, and what may close a sentence after them.
SENTENCE_ENDS = tuple(".!?…。！？؟।॥።။។")
_CLOSERS = "\"'”’»)]）」』】 \t"
# Wire-format lines that carry no story: "(MORE)", "-0-", "END", "Reuter", slug and header lines
# ("AP-NY-01-27-22 1132EST", "BC-Russia-US,0512", "a0123 4 i BC-..."), service notes "((...))", "(Writing by ...)".
_WIRE_LINE = re.compile(
    r"""(?:\(?more\)? | -+\s*0\s*-+ | \#+ | end | reuters? | ap | afp | dpa | nnnn | =+ | \.{3}
      | [a-z]\d{4}\s.{0,40} | (?:ap|upi|bc)-[\w/.,\-]{2,60} | \(\(.*\)\) | \(\w[^()]{0,60}(?:by|editing)\b[^()]*\)
      | \d{2}-\d{2}-\d{2,4}\s+\d{4}\s*(?:[A-Z]{2,4})? | [A-Z]{2,}-[A-Z]{2,}-\d{2}-\d{2}-\d{2}.*
      | copyright\s.{0,80} | \(c\)\s.{0,80} | ©.{0,80})""",
    re.IGNORECASE | re.VERBOSE,
)
#: A paragraph shorter than this (in words, or in characters / 2 for unspaced scripts) with no sentence
#: end is a label: a headline, a caption, a section name, a subhead, a byline.
LABEL_MAX_WORDS = 16
#: When less than this is left once labels are removed, the labels are the story (a one-line flash).
MIN_STORY_WORDS = 15
#: A line at least this long without a sentence end, followed by a lower-case word, breaks a sentence off.
CONTINUED_MIN_CHARS = 40
MIN_FLASH_WORDS = 3  # ... unless they are fewer words than this: a menu's "Home" is no story


def _weight(text: str) -> float:
    """Length in words: spaces count words, characters of unspaced scripts count half a word each."""
    unspaced = len(_UNSPACED.findall(text)) if not text.isascii() else 0
    return text.count(" ") + 1 + unspaced / 2


def _at_least(paras: list[str], words: float) -> bool:
    """Do these paragraphs hold at least this many words? (Stops counting as soon as they do.)"""
    total = 0.0
    for para in paras:
        total += len(para) / 4 if len(para) >= 8 * words else _weight(para)  # a long paragraph: enough words
        if total >= words:
            return True
    return False


def _wrap_width(lines: list[str]) -> int:
    """The column a hard-wrapped text was wrapped at, or 0 when its lines are paragraphs.

    Hard-wrapped: many lines end near one width (<= 110) in the middle of a sentence.
    """
    lengths = sorted(len(line) for line in lines if line.strip())
    if len(lengths) < 4:
        return 0
    width = lengths[(len(lengths) - 1) * 9 // 10]  # a headline or a slug line may be longer than the wrap
    if width > 110:
        return 0
    full = [line for line in lines if len(line) >= width - 16 and line.strip()]
    open_ended = sum(1 for line in full if not line.rstrip(_CLOSERS).endswith(SENTENCE_ENDS))
    return width if len(full) >= 0.3 * len(lengths) and open_ended >= 0.2 * len(lengths) else 0


def paragraphs(text: str) -> list[str]:
    """The text's paragraphs, however it was laid out: one per line, blank-line separated, hard-wrapped at
    any width (a line break is a paragraph end only when the next word would have fitted on the line, or
    the next line is indented), tabs and CRLF; wire marker lines ("(MORE)", "-0-", slugs) dropped."""
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    lines = ["" if line and len(line) < 90 and _WIRE_LINE.fullmatch(line.strip()) else line for line in lines]
    width = _wrap_width(lines)
    indents = bool(width) and any(line[:1] in (" ", "\t", "\u3000") for line in lines if line.strip())
    out: list[str] = []
    current: list[str] = []
    previous = ""  # the last line as laid out (its indentation counts towards the width)
    for line in lines:
        stripped = line.strip()
        if current and (
            not stripped
            or (_breaks(previous, line, stripped, width, indents) if width else not _continues(previous, stripped))
        ):
            out.append(" ".join(current))
            current = []
        if stripped:
            current.append(stripped)
            previous = line.expandtabs(8)
    if current:
        out.append(" ".join(current))
    return out


def _continues(previous: str, stripped: str) -> bool:
    """In text laid out one paragraph per line: is `stripped` the rest of the sentence `previous` breaks off
    (a paragraph wrapped by hand, or by a page's markup)? A long line without a sentence end, then a
    lower-case word; or a longer one that stops on a comma or a short lower-case word ("the", "und", "de")."""
    if len(previous) < CONTINUED_MIN_CHARS or previous.rstrip(_CLOSERS).endswith((*SENTENCE_ENDS, ":")):
        return False
    if stripped[:1].islower():
        return True
    last = previous[-4:].rsplit(" ", 1)[-1]
    return len(previous) >= 1.5 * CONTINUED_MIN_CHARS and (last[-1:] == "," or (len(last) <= 3 and last.islower()))


def _breaks(previous: str, line: str, stripped: str, width: int, indents: bool) -> bool:
    """In hard-wrapped text: does `line` start a new paragraph?"""
    if indents and line[:1] in (" ", "\t", "\u3000"):
        return True
    first = stripped.split(" ", 1)[0]
    if len(previous) > width + 2:  # longer than the wrap: a headline or slug line set on its own
        return True
    return len(previous) + 1 + len(first) < width - 2  # the next word would have fitted: the break is meant


def is_label(paragraph: str) -> bool:
    """A headline, caption, section name, subhead or byline: short, and not a sentence; or a menu or a list of
    headlines flattened into one line: no sentence end anywhere, nearly every word capitalised."""
    if paragraph.rstrip(_CLOSERS).endswith(SENTENCE_ENDS):
        return False
    if _weight(paragraph) < LABEL_MAX_WORDS:
        return True
    words = paragraph.split()
    return (
        len(paragraph) < 2000
        and not any(end in paragraph for end in (". ", "? ", "! ", "。", "？", "！"))
        and sum(w[:1].isupper() or w[:1].isdigit() for w in words) >= 0.8 * len(words)
    )


def story_paragraphs(text: str, title: str | None = None) -> list[str]:
    """The paragraphs of the story itself, without the wrapping an outlet, a feed or a scraper added."""
    title_key = _key(title) if title else ""
    paras = paragraphs(text)
    # A paragraph met twice is kept where it stands last: a teaser repeats the story's own line above it, and
    # the story's order is what the opening sketch and the alignment read. A short one met twice is a page's
    # title or a photo's caption (and its alt text): it goes.
    last = {para: i for i, para in enumerate(paras)}
    if len(last) < len(paras):
        counts = Counter(paras)
        once = [p for p in paras if counts[p] == 1 or _weight(p) >= LABEL_MAX_WORDS]
        if _at_least(once, MIN_STORY_WORDS):  # unless it is all there is (a flash sent twice)
            paras, last = once, {para: i for i, para in enumerate(once)}
    edge = len(paras) - 10
    kept = [p for i, p in enumerate(paras) if last[p] == i and not is_furniture(p, edge=i < 4 or i >= edge)]

    def is_title(p: str) -> bool:
        return bool(title_key) and len(p) <= 2 * len(title_key) + 10 and _key(p) == title_key

    body = [p for p in kept if not is_label(p) and not is_title(p)]
    if len(kept) - len(body) > max(8, len(body)) and _weight(" ".join(kept)) > 2 * _weight(" ".join(body)):
        # mostly "labels", holding most of the words: lines of a layout not recognised, not labels (a page's
        # menus and lists of links are many labels too, but short ones: the story's paragraphs outweigh them)
        body = [p for p in kept if not is_title(p)]
    if not _at_least(body, MIN_STORY_WORDS):  # a flash or a brief: its short lines are the story
        labels = [p for p in kept if not is_title(p)] or kept
        body = labels if _at_least(labels, MIN_FLASH_WORDS) else body
    for i in range(min(2, len(body))):
        stripped = strip_dateline(body[i])
        if stripped is not body[i]:
            body[i] = stripped
            break
    return body


def story_text(text: str | None = None, html: str | None = None, title: str | None = None) -> str:
    """The whole text pipeline: extract, normalise, drop furniture; one paragraph per line (the fingerprint
    hashes words case-blind, and finds names by their capitals)."""
    body = html_to_text(html) if html and not (text and text.strip()) else (text or "")
    title = normalise_unicode(title) if title else None
    return "\n".join(story_paragraphs(normalise_unicode(body), title))


def _key(line: str) -> str:
    return " ".join(_WORD.findall(line.casefold()))
